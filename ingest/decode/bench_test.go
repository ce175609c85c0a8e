package decode

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchReport builds a ~10 KB report as text: prose with full-width punctuation and the
// 26 rows of table 3 as tab-separated cells.
func benchReport() string {
	var b strings.Builder
	b.WriteString("标题: 某镇人民政府2024年政府信息公开工作年度报告\n发布时间: 2025-01-20 10:00\n\n")
	b.WriteString("某镇人民政府2024年政府信息公开工作年度报告\n\n一、总体情况\n\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "（%d）２０２４年，本镇坚持“以公开为常态、不公开为例外”，在门户网站发布信息共%d条，"+
			"微信公众号发布%d条，收到政府信息公开申请%d件，均按期答复。\n\n", i+1, 50+i, 30+i, i)
	}
	b.WriteString("— 2 —\n三、收到和处理政府信息公开申请情况\n\n\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n")
	for i := 0; i < 26; i++ {
		fmt.Fprintf(&b, "\t（%d）第%d行标签\t%d\t0\t0\t0\t0\t0\t%d\n", i, i, i, i)
	}
	b.WriteString("\n五、存在的主要问题及改进情况\n\n")
	for b.Len() < 10*1024 {
		b.WriteString("一是信息公开的及时性有待提高，二是政策解读形式较为单一，三是依申请公开答复规范化水平有待提升。\n")
	}
	return b.String()
}

// benchHTML builds the same report as a ~20 KB site page: head, scripts, navigation,
// Word-exported spans in paragraphs and a rowspan/colspan table.
func benchHTML() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>某镇2024年政府信息公开工作年度报告</title>` +
		`<meta name="PubDate" content="2025-01-20 10:00"><script>var a=1;function f(){}</script><style>p{}</style></head><body>` +
		`<div class="header"><ul><li>首页</li><li>政务公开</li></ul></div><div class="breadcrumb">当前位置：首页</div><div id="zoom">`)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, `<p style="text-indent:2em"><span>（%d）２０２４</span><span>年，本镇坚持</span><span>“以公开为常态、不公开为例外”，</span>`+
			`<span>在门户网站发布信息共%d条。</span></p>`+"\n", i+1, 50+i)
	}
	b.WriteString(`<table border="1"><tr><td colspan="3" rowspan="2">申请人情况</td><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>` +
		`<tr><td><p>商业</p><p>企业</p></td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>`)
	for i := 0; i < 26; i++ {
		if i%5 == 0 {
			b.WriteString(`<tr><td rowspan="5">三、本年度办理结果</td>`)
		} else {
			b.WriteString(`<tr>`)
		}
		fmt.Fprintf(&b, `<td colspan="2"><p><span>（%d）</span><span>第%d行</span></p></td><td>%d</td><td>&nbsp;</td><td>0</td><td>0</td><td>0</td><td>0</td><td>%d</td></tr>`+"\n", i, i, i, i)
	}
	b.WriteString(`</table>`)
	for b.Len() < 20*1024 {
		b.WriteString("<p><span>一是信息公开的及时性有待提高，</span><span>二是政策解读形式较为单一。</span></p>\n")
	}
	b.WriteString(`</div><div class="footer">版权所有</div><script>document.write("x")</script></body></html>`)
	return b.String()
}

func BenchmarkRead(b *testing.B) {
	for _, bc := range []struct{ name, data string }{
		{"text", benchReport()},
		{"markdown", "# 年报\n\n## 一、总体情况\n\n" + strings.ReplaceAll(benchReport(), "\t", " | ")},
		{"html", benchHTML()},
	} {
		data := []byte(bc.data)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Read("bench", data); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// cpuTime is the process's user+system CPU time: unlike wall time it does not count time
// the machine gave to other work, so figures taken on a busy machine stay comparable.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU µs per report (GC included) and the reports/s that CPU cost
// allows on 2 cores.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	per := float64((cpuTime() - cpu0).Nanoseconds()) / 1e3 / float64(b.N)
	b.ReportMetric(per, "cpu-µs/report")
	b.ReportMetric(2e6/per, "reports/s@2cores")
}

func BenchmarkNormalize(b *testing.B) {
	line := "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t０\t0\t0\t0\t0\t0\t0"
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Normalize(line)
	}
}

// TestBenchInputs checks that the benchmark inputs decode as intended.
func TestBenchInputs(t *testing.T) {
	doc, err := Read("bench.txt", []byte(benchReport()))
	if err != nil || doc.Kind != "text" || len(doc.Lines) < 50 || doc.Meta["标题"] == "" {
		t.Fatalf("text bench input: %v %+v", err, doc)
	}
	for _, l := range doc.Lines {
		if l == "— 2 —" || l == "- 2 -" {
			t.Errorf("footer kept")
		}
	}
	doc, err = Read("bench.html", []byte(benchHTML()))
	if err != nil || doc.Kind != "html" {
		t.Fatalf("html bench input: %v", err)
	}
	rows := 0
	for _, l := range doc.Lines {
		if strings.Count(l, "\t") == 9 {
			rows++
		}
		if strings.Contains(l, "首页") || strings.Contains(l, "版权") {
			t.Errorf("chrome kept: %q", l)
		}
	}
	if rows != 28 {
		t.Errorf("%d table rows of 10 cells, want 28", rows)
	}
}
