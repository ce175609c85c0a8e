package store

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSave measures storing whole reports (200 cells each, 500 agencies) one
// transaction per report, and in group commits of 128 and 1,024 as the pipeline's writer
// does (prepared: with Item.Prepared computed beforehand, as the pipeline's workers do). It
// reports the process's CPU time a report (user+sys, DuckDB's threads included).
func BenchmarkSave(b *testing.B) {
	for _, c := range []struct {
		batch    int
		prepared bool
	}{{1, false}, {128, false}, {1024, false}, {1024, true}} {
		name := fmt.Sprintf("batch=%d", c.batch)
		if c.prepared {
			name += "/prepared"
		}
		b.Run(name, func(b *testing.B) {
			db := open(b)
			proto := synth("某镇人民政府", 2023, 1)
			items := make([]Item, 0, b.N)
			for i := 0; i < b.N; i++ {
				r := *proto
				r.Agency = fmt.Sprintf("第%d镇人民政府", i%500)
				r.Year = 2000 + i/500
				it := Item{Report: &r, Meta: meta("x.txt", &r, fmt.Sprint(i))}
				if c.prepared {
					it.Prepared = Prepare(&r, "")
				}
				items = append(items, it)
			}
			start, cpu := time.Now(), cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i += c.batch {
				for _, s := range db.SaveAll(items[i:min(i+c.batch, b.N)]) {
					if s.Err != nil {
						b.Fatal(s.Err)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/report")
		})
	}
}

// cpuTime is the process's user+sys time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
