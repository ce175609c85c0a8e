package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func BenchmarkScratch(b *testing.B) {
	n := 10000
	batch, _ := strconv.Atoi(os.Getenv("B"))
	if batch == 0 {
		batch = 128
	}
	items := make([]Item, 0, n)
	for i := 0; i < n; i++ {
		r := synth(fmt.Sprintf("第%d镇人民政府", i%500), 2000+i/500, int64(i))
		items = append(items, Item{r, meta("x.txt", r, fmt.Sprint(i))})
	}
	dir := b.TempDir()
	if d := os.Getenv("D"); d != "" {
		dir, _ = os.MkdirTemp(d, "scratch")
		defer os.RemoveAll(dir)
	}
	for it := 0; it < b.N; it++ {
		db, err := Open(filepath.Join(dir, fmt.Sprintf("s%d.duckdb", it)))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := 0; i < n; i += batch {
			for _, s := range db.SaveAll(items[i:min(i+batch, n)]) {
				if s.Err != nil {
					b.Fatal(s.Err)
				}
			}
		}
		el := time.Since(start)
		db.Close()
		all := time.Since(start)
		b.ReportMetric(float64(n)/el.Seconds(), "reports/s")
		b.ReportMetric(float64(n)/all.Seconds(), "withclose/s")
	}
}
