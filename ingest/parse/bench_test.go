package parse

import (
	"math/rand"
	"syscall"
	"testing"
	"time"

	"gongkai/ingest"
	"gongkai/ingest/decode"
	"gongkai/ingest/generate"
)

// benchCorpus renders n generated reports of one layout.
func benchCorpus(b *testing.B, layout string, n int) ([][]byte, int) {
	rng := rand.New(rand.NewSource(1))
	agencies := generate.District(rng, "红寺堡区", n)
	var files [][]byte
	size := 0
	for i, a := range agencies {
		r := generate.Truth(rand.New(rand.NewSource(int64(i))), a, 2024, ingest.Format2021, nil)
		data, err := generate.Render(r, layout)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
		size += len(data)
	}
	return files, size
}

// BenchmarkParse measures decode+parse of one report per op, by layout; reports/s is
// 1e9/(ns/op) per core. Run: go test -run '^$' -bench Parse ./ingest/parse
func BenchmarkParse(b *testing.B) {
	for _, layout := range []string{"tabs", "markdown", "runs", "html"} {
		b.Run(layout, func(b *testing.B) {
			files, size := benchCorpus(b, layout, 64)
			b.SetBytes(int64(size / len(files)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := File("bench", files[i%len(files)]); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkParseParallel is the same on all cores (GOMAXPROCS goroutines).
func BenchmarkParseParallel(b *testing.B) {
	files, size := benchCorpus(b, "tabs", 64)
	b.SetBytes(int64(size / len(files)))
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := File("bench", files[i%len(files)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	reportCPU(b, cpu0)
}

// cpuTime is the process's user+system CPU time: unlike wall time it does not count time
// the machine gave to other work, so figures taken on a busy machine stay comparable.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports wall-clock reports/s, CPU µs per report (GC included), and the reports/s
// that CPU cost allows on 2 cores.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	cpu := cpuTime() - cpu0
	per := float64(cpu.Microseconds()) / float64(b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	b.ReportMetric(per, "cpu-µs/report")
	b.ReportMetric(2e6/per, "reports/s@2cores")
}

// BenchmarkDocument measures parsing alone, on documents decoded beforehand.
func BenchmarkDocument(b *testing.B) {
	files, size := benchCorpus(b, "tabs", 64)
	docs := make([]*decode.Document, len(files))
	for i, f := range files {
		d, err := decode.Read("bench", f)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = d
	}
	b.SetBytes(int64(size / len(files)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Document("bench", docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}
