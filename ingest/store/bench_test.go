package store

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSave measures storing whole reports (200 cells each, 500 agencies) one
// transaction per report, and in group commits of 128 as the pipeline's writer does.
func BenchmarkSave(b *testing.B) {
	for _, batch := range []int{1, 128} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := open(b)
			proto := synth("某镇人民政府", 2023, 1)
			items := make([]Item, 0, b.N)
			for i := 0; i < b.N; i++ {
				r := *proto
				r.Agency = fmt.Sprintf("第%d镇人民政府", i%500)
				r.Year = 2000 + i/500
				items = append(items, Item{Report: &r, Meta: meta("x.txt", &r, fmt.Sprint(i))})
			}
			start := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				for _, s := range db.SaveAll(items[i:min(i+batch, b.N)]) {
					if s.Err != nil {
						b.Fatal(s.Err)
					}
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
		})
	}
}
