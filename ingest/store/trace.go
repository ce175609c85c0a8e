package store

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Trace, when GONGKAI_STORE_TRACE is set, sums the wall time of the phases of a save and
// prints the totals to stderr when the DB is closed: a tool to find where ingest time goes.
var traceOn = os.Getenv("GONGKAI_STORE_TRACE") != ""

type phaseTimes struct {
	mu  sync.Mutex
	d   map[string]time.Duration
	n   map[string]int
	hwm map[string]int64 // kB by which the process's peak RSS rose during the phase
	top int64            // the peak RSS (VmHWM, kB) when the last phase ended
}

var phases = &phaseTimes{d: map[string]time.Duration{}, n: map[string]int{}, hwm: map[string]int64{}}

// peakRSS returns the process's peak RSS so far (VmHWM, kB), 0 where /proc does not tell.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// Phase adds the time since start to the named phase (no-op unless tracing).
func Phase(name string, start time.Time) {
	if !traceOn {
		return
	}
	el := time.Since(start)
	var top int64
	if name != "pipeline.wait" { // once a file: reading /proc that often would cost seconds
		top = peakRSS()
	}
	phases.mu.Lock()
	phases.d[name] += el
	phases.n[name]++
	if top > phases.top {
		// the peak rose since the last phase ended: counted to this one (phases of other
		// goroutines may overlap it)
		phases.hwm[name] += top - phases.top
		phases.top = top
	}
	phases.mu.Unlock()
}

// PhaseReport returns the summed phases, one per line, and resets them.
func PhaseReport() string {
	phases.mu.Lock()
	defer phases.mu.Unlock()
	var names []string
	for k := range phases.d {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%-20s %9.3fs %7d  peak RSS +%d MB\n", k, phases.d[k].Seconds(), phases.n[k], phases.hwm[k]>>10)
	}
	phases.d, phases.n, phases.hwm = map[string]time.Duration{}, map[string]int{}, map[string]int64{}
	return b.String()
}

// traceMemory prints, when tracing, every tenth call: the reports indexed, the Go heap, the
// process's RSS and DuckDB's memory by tag (duckdb_memory()), to see what grows with a
// database. Called by the writer after a commit, with d.mu held.
func (d *DB) traceMemory(ctx context.Context) {
	if !traceOn {
		return
	}
	d.commits++
	if d.commits%10 != 0 {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := ""
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmRSS:") || strings.HasPrefix(l, "VmHWM:") {
				rss += " " + strings.Join(strings.Fields(l), " ")
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "memory: %d reports, go heap %d MB (sys %d MB)%s; duckdb:", d.idx.sha.len(), ms.HeapAlloc>>20, ms.Sys>>20, rss)
	rows, err := d.conn.QueryContext(ctx, `SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() WHERE memory_usage_bytes + temporary_storage_bytes > 1e6 ORDER BY memory_usage_bytes DESC`)
	if err == nil {
		for rows.Next() {
			var tag string
			var mem, tmp int64
			if rows.Scan(&tag, &mem, &tmp) == nil {
				fmt.Fprintf(&b, " %s %d MB (temp %d MB)", tag, mem>>20, tmp>>20)
			}
		}
		rows.Close()
	}
	fmt.Fprintln(os.Stderr, b.String())
	if heapProfile != "" {
		if f, err := os.Create(heapProfile); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}

// heapProfile, GONGKAI_STORE_HEAPPROFILE, is a file that traceMemory overwrites with a heap
// profile each time it prints (with GONGKAI_STORE_TRACE): what the Go heap holds mid-run.
var heapProfile = os.Getenv("GONGKAI_STORE_HEAPPROFILE")
