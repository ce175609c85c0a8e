package decode

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// corpusFile reads a file of the real corpus, or skips.
func corpusFile(b *testing.B, parts ...string) []byte {
	data, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "..", "shared", "corpus"}, parts...)...))
	if err != nil {
		b.Skipf("corpus file absent: %v", err)
	}
	return data
}

// BenchmarkReadPDF reads the one real PDF (WPS export, 5 pages) after PDFium has started:
// CPU µs per report (the machine is shared: wall time says little).
func BenchmarkReadPDF(b *testing.B) {
	data := corpusFile(b, "raw", "jiangsu-huaian_hongzequ-renminzhengfu_2024.pdf")
	if _, err := Read("warm.pdf", data); err != nil { // start PDFium outside the timing
		b.Fatal(err)
	}
	b.ReportMetric(PDFStartup().Seconds(), "startup-s")
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Read("r.pdf", data); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkReadPDFParallel reads the same PDF from as many goroutines as there are cores
// (one PDFium instance each, as ingest's workers do): reports/s is wall-clock throughput,
// cpu-µs/report what each report cost.
func BenchmarkReadPDFParallel(b *testing.B) {
	data := corpusFile(b, "raw", "jiangsu-huaian_hongzequ-renminzhengfu_2024.pdf")
	warm := make(chan error, pdfInstances())
	for range cap(warm) { // start every instance outside the timing
		go func() {
			_, err := Read("warm.pdf", data)
			warm <- err
		}()
	}
	for range cap(warm) {
		if err := <-warm; err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Read("r.pdf", data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "reports/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/report")
}

// BenchmarkReadDOCX reads a real report converted to Word.
func BenchmarkReadDOCX(b *testing.B) {
	data := corpusFile(b, "derived", "raw", "shuyang-fgj_2023_word.docx")
	b.SetBytes(int64(len(data)))
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Read("r.docx", data); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}
