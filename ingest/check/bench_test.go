package check

import (
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"gongkai/ingest"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
)

// parsedCorpus renders perLayout generated reports for every layout and both formats, each
// with one error injected (cycling through generate.Rules, every eighth report left clean),
// and parses them back: the reports check.Report sees in an ingest. The real corpus's raw
// reports, when present, are added. A report that fails to parse is skipped.
func parsedCorpus(tb testing.TB, perLayout int) []*ingest.Report {
	rng := rand.New(rand.NewSource(7))
	agencies := generate.District(rng, "红寺堡区", perLayout)
	var out []*ingest.Report
	n := 0
	for _, layout := range generate.Layouts {
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			for i, a := range agencies {
				n++
				r := generate.Truth(rng, a, 2024, format, nil)
				if n%8 != 0 {
					rule := generate.Rules[n%len(generate.Rules)]
					if rule == ingest.RuleCopiedProse {
						from := generate.Truth(rng, agencies[(i+1)%len(agencies)], 2024, format, nil)
						generate.InjectCopiedProse(r, from)
					} else if err := generate.Inject(r, rule, rng); err != nil && !errors.Is(err, generate.ErrNotApplicable) {
						tb.Fatal(err)
					}
				}
				data, err := generate.Render(r, layout)
				if err != nil {
					tb.Fatal(err)
				}
				p, err := parse.File(a.Name+generate.Ext(layout), data)
				if err != nil {
					continue
				}
				out = append(out, p)
			}
		}
	}
	raw, _ := filepath.Glob(filepath.Join(corpusDir, "raw", "*"))
	for _, f := range raw {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if p, err := parse.File(filepath.Base(f), data); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// BenchmarkReportParsed measures check.Report on parsed generated reports (every layout, both
// formats, errors injected). Run: go test -run '^$' -bench ReportParsed ./ingest/check
func BenchmarkReportParsed(b *testing.B) {
	reports := parsedCorpus(b, 12)
	parsed := make([][]ingest.Finding, len(reports))
	for i, r := range reports {
		parsed[i] = r.Findings
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		k := i % len(reports)
		r := reports[k]
		r.Findings = append(r.Findings[:0:0], parsed[k]...)
		Report(r)
	}
	reportCPU(b, cpu0)
}

// cpuTime is the process's user+system CPU time: unlike wall time it does not count time
// the machine gave to other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU µs per report (GC included) and the reports/s that allows on 2 cores.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	per := float64((cpuTime() - cpu0).Microseconds()) / float64(b.N)
	b.ReportMetric(per, "cpu-µs/report")
	b.ReportMetric(2e6/per, "reports/s@2cores")
}
