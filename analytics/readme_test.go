package analytics_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"gongkai/analytics"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the metric table of README.md")

// metricTable is the README's list of metrics, generated from Metrics.
func metricTable() string {
	var b strings.Builder
	b.WriteString("| name | 指标 | 单位 | 定义 |\n|---|---|---|---|\n")
	for _, m := range analytics.Metrics {
		def := m.Definition
		if m.Kind == analytics.Ratio {
			def += fmt.Sprintf("（`%s` ÷ `%s`）", m.Num, m.Den)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m.Name, m.Label, m.Unit, def)
	}
	return b.String()
}

const begin, end = "<!-- metrics:begin -->\n", "<!-- metrics:end -->"

func TestReadmeListsEveryMetric(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the metrics markers")
	}
	want := metricTable()
	if s[i+len(begin):j] != want {
		if *updateReadme {
			os.WriteFile("README.md", []byte(s[:i+len(begin)]+want+s[j:]), 0o644)
			return
		}
		t.Fatal("README.md's metric table is stale: go test ./analytics -run Readme -update-readme")
	}
}
