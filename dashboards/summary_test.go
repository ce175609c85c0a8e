package dashboards_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"gongkai/analytics/analyticstest"
)

// The 汇总 page shows the official layout with the fixture's sums and what they stand on;
// its downloads open (XLSX with merged headers, DOCX, CSV with BOM).
func TestSummaryPageAndDownloads(t *testing.T) {
	f := newFixture(t)
	code, body, _ := get(t, f.srv.URL+"/summary?year=2024")
	if code != http.StatusOK {
		t.Fatalf("status %d\n%s", code, body)
	}
	// 2024: 甲镇 20 + 区教育局 40 + 区水务局 3 new applications; 区人民政府 has not reported.
	for _, w := range []string{"测试区2024年政府信息公开工作年度报告（汇总）", `id="table3.new_received.total">63<`,
		`rowspan="3" colspan="3"`, `colspan="7"`, "（六）其他处理", analyticstest.Gov, "T3-balance", "不重复计算"} {
		if !strings.Contains(body, w) {
			t.Errorf("/summary lacks %q", w)
		}
	}
	for _, format := range []string{"xlsx", "docx", "csv", "md", "html"} {
		resp, err := http.Get(f.srv.URL + "/summary/download?year=2024&format=" + format)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || b.Len() == 0 {
			t.Fatalf("%s: status %d", format, resp.StatusCode)
		}
		switch format {
		case "xlsx":
			x, err := excelize.OpenReader(&b)
			if err != nil {
				t.Fatal(err)
			}
			merged, _ := x.GetMergeCells(x.GetSheetList()[1])
			found := false
			for _, m := range merged {
				if m.GetStartAxis() == "D3" && m.GetEndAxis() == "J3" && m.GetCellValue() == "申请人情况" {
					found = true
				}
			}
			if !found {
				t.Errorf("xlsx: 申请人情况 not merged over D3:J3: %v", merged)
			}
			x.Close()
		case "docx":
			if _, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len())); err != nil {
				t.Errorf("docx: %v", err)
			}
		case "csv":
			if !strings.HasPrefix(b.String(), "\uFEFF") || !strings.Contains(b.String(), "申请人情况") {
				t.Errorf("csv: %q", b.String()[:40])
			}
		}
	}
	if code, _, _ := get(t, f.srv.URL+"/summary/download?year=2024&format=exe"); code != http.StatusBadRequest {
		t.Errorf("unknown format: status %d", code)
	}
}

// In a browser: the merged headers are laid out (the 三、本年度办理结果 cell is as tall as its
// rows), the sums show, and the skip link and the level filter work.
func TestBrowserSummary(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	console := watchConsole(ctx)
	do := func(a chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, a); err != nil {
			t.Fatal(err)
		}
	}
	do(chromedp.Navigate(f.srv.URL + "/summary?year=2024"))
	type state struct {
		Total      string  `json:"total"`
		Title      string  `json:"title"`
		Outcomes   float64 `json:"outcomes"`   // height of the 三、本年度办理结果 cell
		RowsHeight float64 `json:"rowsHeight"` // height of the rows it spans
		Missing    string  `json:"missing"`
		Nav        bool    `json:"nav"`
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`(() => {
  const td = document.getElementById('table3.new_received.total');
  const th = Array.from(document.querySelectorAll('#summary-tables td')).find(c => c.textContent === '三、本年度办理结果');
  const tr = th.parentElement, n = th.rowSpan;
  let h = 0, r = tr;
  for (let i = 0; i < n && r; i++, r = r.nextElementSibling) h += r.getBoundingClientRect().height;
  return {total: td ? td.textContent : '', title: document.querySelector('h1').textContent,
    outcomes: th.getBoundingClientRect().height, rowsHeight: h,
    missing: document.getElementById('summary-missing').textContent,
    nav: !!document.querySelector('nav a.active[href="/summary"]')};
})()`))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != "63" || !strings.Contains(st.Title, "（汇总）") || !strings.Contains(st.Missing, analyticstest.Gov) || !st.Nav {
		t.Errorf("summary page: %+v", st)
	}
	if st.Outcomes < st.RowsHeight-2 || st.RowsHeight == 0 {
		t.Errorf("三、本年度办理结果 is %vpx tall, its rows %vpx: rowspan not laid out", st.Outcomes, st.RowsHeight)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('summary-skip').href`))
	if err != nil {
		t.Fatal(err)
	}
	do(chromedp.Navigate(href))
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search + ' ' + document.querySelector('h1').textContent`))
	if err != nil || !strings.Contains(title, "skip=1") || !strings.Contains(title, "未能读取的单元格未计入") {
		t.Errorf("after the skip link: %q %v", title, err)
	}
	do(chromedp.Navigate(f.srv.URL + "/summary?year=2024&level=township"))
	total, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('table3.new_received.total').textContent`))
	if err != nil || total != "20" {
		t.Errorf("township only: total %q %v", total, err)
	}
	for _, m := range console.take() {
		t.Errorf("console: %s", m)
	}
}
