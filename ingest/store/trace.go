package store

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Trace, when GONGKAI_STORE_TRACE is set, sums the wall time of the phases of a save and
// prints the totals to stderr when the DB is closed: a tool to find where ingest time goes.
var traceOn = os.Getenv("GONGKAI_STORE_TRACE") != ""

type phaseTimes struct {
	mu sync.Mutex
	d  map[string]time.Duration
	n  map[string]int
}

var phases = &phaseTimes{d: map[string]time.Duration{}, n: map[string]int{}}

// Phase adds the time since start to the named phase (no-op unless tracing).
func Phase(name string, start time.Time) {
	if !traceOn {
		return
	}
	el := time.Since(start)
	phases.mu.Lock()
	phases.d[name] += el
	phases.n[name]++
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
		fmt.Fprintf(&b, "%-20s %9.3fs %7d\n", k, phases.d[k].Seconds(), phases.n[k])
	}
	phases.d, phases.n = map[string]time.Duration{}, map[string]int{}
	return b.String()
}
