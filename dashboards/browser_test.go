package dashboards_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/ingest"
	"gongkai/ingest/decode"
)

var (
	screenshotDir = flag.String("screenshot-dir", "", "write a full-page PNG of each page here (TestScreenshots)")
	screenshotURL = flag.String("screenshot-url", "", "screenshot a running gongkai serve at this URL instead of the test fixture")
)

// browser starts headless chromium, or skips the test when it is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("chromium not installed (apt-get install -y chromium fonts-wqy-microhei): browser tests skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1366, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Skipf("chromium does not start: %v", err)
	}
	return ctx
}

// consoleErrors collects console.error calls and uncaught exceptions of the tab.
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func watchConsole(ctx context.Context) *consoleErrors {
	c := &consoleErrors{}
	calls := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exc := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range calls {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				c.add("console.error: " + strings.Join(parts, " "))
			}
		}
	}()
	go func() {
		for ev, err := range exc {
			if err != nil {
				return
			}
			c.add((&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	return c
}

func (c *consoleErrors) add(s string) { c.mu.Lock(); c.msgs = append(c.msgs, s); c.mu.Unlock() }

func (c *consoleErrors) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs
	c.msgs = nil
	return m
}

// chartState reports, for every chart container on the page, the number of series its
// ECharts instance holds (-1: no instance), and the number of canvases drawn.
const chartState = `(() => {
  const els = Array.from(document.querySelectorAll('div.item[id^="chart_"]'));
  return {
    series: els.map(el => { const c = window.echarts && echarts.getInstanceByDom(el); return c ? c.getOption().series.length : -1; }),
    canvases: document.querySelectorAll('div.item canvas').length,
    resources: performance.getEntriesByType('resource').map(e => e.name),
  };
})()`

type pageState struct {
	Series    []int    `json:"series"`
	Canvases  int      `json:"canvases"`
	Resources []string `json:"resources"`
}

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	console := watchConsole(ctx)
	base, _ := url.Parse(f.srv.URL)
	run := func(name string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, p := range f.pages() {
		run(p, chromedp.Navigate(f.srv.URL+p))
		run(p, chromedp.WaitReady("footer"))
		st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](chartState))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for i, n := range st.Series {
			if n < 1 {
				t.Errorf("%s: chart %d has no series (%d)", p, i, n)
			}
		}
		if len(st.Series) > 0 && st.Canvases < len(st.Series) {
			t.Errorf("%s: %d charts but %d canvases", p, len(st.Series), st.Canvases)
		}
		for _, r := range st.Resources {
			if u, err := url.Parse(r); err != nil || u.Host != base.Host {
				t.Errorf("%s: requested %s from another host", p, r)
			}
		}
		for _, m := range console.take() {
			t.Errorf("%s: %s", p, m)
		}
	}
	for _, p := range []string{"/", "/compare", "/agency?id=1"} {
		run(p, chromedp.Navigate(f.srv.URL+p))
		st, _ := chromedp.Run(ctx, chromedp.Evaluate[pageState](chartState))
		if len(st.Series) == 0 {
			t.Errorf("%s: no charts", p)
		}
	}

	// A filter change updates the view (and the URL, so it can be bookmarked).
	run("overview", chromedp.Navigate(f.srv.URL+"/?year=2024"))
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById('f-level'); s.value = 'township'; setTimeout(() => s.dispatchEvent(new Event('change')), 0); return true; })()`))
	if err != nil {
		t.Fatal(err)
	}
	var loc string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		loc, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' && document.querySelector('footer') ? location.search : ''`))
		if err == nil && strings.Contains(loc, "level=township") {
			break
		}
	}
	if !strings.Contains(loc, "level=township") {
		t.Fatalf("filter did not change the URL: %q %v", loc, err)
	}
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#agencies tbody tr td:first-child')).map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != analyticstest.Town {
		t.Fatalf("after the level filter the table shows %v", names)
	}

	// The CSV download has the BOM and the numbers the page shows.
	run("overview", chromedp.Navigate(f.srv.URL+"/?year=2024"))
	type csvCheck struct {
		Bom   bool     `json:"bom"`
		Text  string   `json:"text"`
		Cells []string `json:"cells"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[csvCheck](`(async () => {
  const a = document.querySelector('#agencies a.csv');
  const buf = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
  const row = Array.from(document.querySelectorAll('#agencies tbody tr')).find(tr => tr.cells[0].textContent.trim() === '`+analyticstest.Town+`');
  return { bom: buf[0] === 0xEF && buf[1] === 0xBB && buf[2] === 0xBF,
           text: new TextDecoder().decode(buf.slice(3)),
           cells: Array.from(row.cells).map(td => td.textContent.trim()) };
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Bom {
		t.Error("CSV has no byte-order mark")
	}
	if !csvHasRow(got.Text, got.Cells) {
		t.Errorf("CSV lacks the page's row %q:\n%s", got.Cells, got.Text)
	}
	for _, m := range console.take() {
		t.Error(m)
	}
}

// TestScreenshots writes a full-page PNG of each page to -screenshot-dir (of the fixture, or
// of a running server given by -screenshot-url). scripts/screenshots.sh runs it on the demo.
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshot-dir")
	}
	ctx := browser(t)
	base := *screenshotURL
	pages := []string{"/", "/compare", "/quality", "/risks", "/upload", "/agency?id=1", "/agency?id=2"}
	if base == "" {
		f := newFixture(t)
		base = f.srv.URL
	}
	base = strings.TrimRight(base, "/")
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, p := range pages {
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(tctx, chromedp.Navigate(base+p), chromedp.WaitReady("footer"), chromedp.Sleep(1500*time.Millisecond))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(tctx, chromedp.FullScreenshot(100))
		}
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		name := strings.NewReplacer("/", "", "?", "_", "=", "", "&", "_").Replace(p)
		if name == "" {
			name = "overview"
		}
		file := filepath.Join(*screenshotDir, fmt.Sprintf("%02d_%s.png", i+1, name))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", file)
	}
}

// csvHasRow tells whether the CSV holds the row a page shows: the same text, a percent shown
// (25.0%) as its fraction (0.25), a missing value (—) as an empty field.
func csvHasRow(text string, page []string) bool {
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return false
	}
rows:
	for _, rec := range recs {
		if len(rec) != len(page) {
			continue
		}
		for i, shown := range page {
			if !sameShown(shown, rec[i]) {
				continue rows
			}
		}
		return true
	}
	return false
}

func sameShown(shown, field string) bool {
	switch {
	case shown == field:
		return true
	case shown == "—":
		return field == ""
	case strings.HasSuffix(shown, "%"):
		f, err := strconv.ParseFloat(field, 64)
		return err == nil && fmt.Sprintf("%.1f%%", f*100) == shown
	}
	f, err := strconv.ParseFloat(field, 64)
	return err == nil && strings.ReplaceAll(shown, ",", "") == strconv.FormatFloat(f, 'f', -1, 64)
}

// tab drives one tab for the issue-10 browser tests: every wait polls a condition with a
// generous overall timeout (the machine may be loaded), never a fixed sleep.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

const tabTimeout = 45 * time.Second

// open loads path and waits until the page's footer is there and its scripts have run.
func (b *tab) open(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, tabTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(b.base+path)); err != nil {
		b.t.Fatalf("%s: %v", path, err)
	}
	b.until(path+" loaded", `document.readyState === 'complete' && !!document.querySelector('footer')`)
}

// until polls the JavaScript condition cond until it is true.
func (b *tab) until(what, cond string) {
	b.t.Helper()
	var last error
	for deadline := time.Now().Add(tabTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(() => { try { return `+cond+`; } catch (e) { return false; } })()`))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
	}
	b.t.Fatalf("timed out waiting for %s (%v)", what, last)
}

// eval runs a JavaScript expression (awaiting a promise) and decodes its value into v.
func evalIn[T any](b *tab, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, tabTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// mainText is the visible text of the page's main part.
const mainText = `document.querySelector('main').innerText`

// tableRows returns a table's body rows (by data-table name) as the texts of their cells.
func tableRows(b *tab, name string) [][]string {
	b.t.Helper()
	return evalIn[[][]string](b, `Array.from(document.querySelectorAll('table[data-table="`+name+`"] tbody tr')).filter(tr => !tr.querySelector('td.empty')).map(tr => Array.from(tr.cells).map(td => td.textContent.trim()))`)
}

// rowOf finds the row whose first cell is name.
func rowOf(rows [][]string, name string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == name {
			return r
		}
	}
	return nil
}

// fixtureYears are the fixture's last two years with a report (the default comparison).
func fixtureYears() (from, to int) {
	for _, s := range analyticstest.Specs {
		to = max(to, s.Year)
	}
	return to - 1, to
}

// fixtureSum sums a cell over the fixture's reports of year, of every organ or (both) of the
// organs that reported in both years: the district figure the comparison should show.
func fixtureSum(key string, year int, both bool) float64 {
	from, to := fixtureYears()
	has := map[string]map[int]bool{}
	for _, s := range analyticstest.Specs {
		if has[s.Agency] == nil {
			has[s.Agency] = map[int]bool{}
		}
		has[s.Agency][s.Year] = true
	}
	var sum float64
	for _, s := range analyticstest.Specs {
		if s.Year == year && (!both || has[s.Agency][from] && has[s.Agency][to]) {
			sum += s.Cells[key]
		}
	}
	return sum
}

// fallOfMissing matches a missing value shown as a fall or a rise: "208 → — 条，下降 100%".
var fallOfMissing = regexp.MustCompile(`(—|未报送|未说明)\s*→|→\s*(—|未报送|未说明)|下降\s*100(\.0)?\s*%`)

// Issue 10, items 2, 3, 7, 8 and 11, on the test district: a missing value is never a fall,
// comparisons keep to the same organs and say who was left out, titles and print name the
// filter, the upload page tells what became of each file, and the smaller screen fixes.
func TestBrowserTruth(t *testing.T) {
	start := time.Now()
	ctx := browser(t)
	f := newFixture(t)
	console := watchConsole(ctx)
	from, to := fixtureYears()
	defer func() {
		for _, m := range console.take() {
			t.Error(m)
		}
		t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
	}()

	t.Run("2 missing is never a fall", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: f.srv.URL}
		for _, p := range []string{"/risks", fmt.Sprintf("/risks?year=%d", to), "/compare?all=1", "/compare?all=1&metric=publications", "/compare?all=1&metric=disclosure_rate", "/compare"} {
			b.open(p)
			if m := fallOfMissing.FindString(evalIn[string](b, mainText)); m != "" {
				t.Errorf("%s shows a missing value as a change: %q", p, m)
			}
		}
		// 区人民政府 did not report for the later year; 区水务局 did not report for the earlier
		// year and states no publications.
		b.open("/compare?all=1&metric=publications")
		rows := tableRows(b, "compare_agencies")
		if r := rowOf(rows, analyticstest.Gov); len(r) < 5 || r[3] != "未报送" || r[4] != "—" {
			t.Errorf("%s without a %d report: %q, want 未报送 and no change", analyticstest.Gov, to, r)
		}
		if r := rowOf(rows, analyticstest.Water); len(r) < 5 || r[2] != "未报送" || r[3] != "未说明" || r[4] != "—" {
			t.Errorf("%s (no %d report, no count stated): %q, want 未报送, 未说明, no change", analyticstest.Water, from, r)
		}
		b.open("/compare?all=1")
		if r := rowOf(tableRows(b, "compare_agencies"), analyticstest.Gov); len(r) < 5 || r[3] != "未报送" || r[4] != "—" {
			t.Errorf("applications of %s: %q", analyticstest.Gov, r)
		}
		for _, mv := range []string{"movers_up", "movers_down"} {
			for _, r := range tableRows(b, mv) {
				if len(r) > 0 && (r[0] == analyticstest.Gov || r[0] == analyticstest.Water) {
					t.Errorf("%s lists %s, who has one year only: %q", mv, r[0], r)
				}
			}
		}
	})

	t.Run("3 same organs by default", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: f.srv.URL}
		b.open("/compare")
		scope := evalIn[string](b, `document.querySelector('#scope-all').parentElement.innerText`)
		for _, want := range []string{
			fmt.Sprintf("只比较 %d 年和 %d 年都有报告的单位", from, to), "2 个单位只有一年的报告，未计入",
			fmt.Sprintf("仅有 %d 年报告：%s", from, analyticstest.Gov), fmt.Sprintf("仅有 %d 年报告：%s", to, analyticstest.Water), "全部单位"} {
			if !strings.Contains(scope, want) {
				t.Errorf("scope note lacks %q:\n%s", want, scope)
			}
		}
		if strings.Contains(scope, "等") {
			t.Errorf("scope note says 等 although every left-out organ is named:\n%s", scope)
		}
		check := func(both bool) {
			t.Helper()
			title := evalIn[string](b, `document.querySelector('section#compare_district .table-head h2').textContent`)
			if both != strings.Contains(title, "两年都有报告的单位") || both == strings.Contains(title, "全部单位") {
				t.Errorf("district table title %q (both years only: %v)", title, both)
			}
			r := rowOf(tableRows(b, "compare_district"), "新收申请")
			want := []string{ingest.FormatValue(fixtureSum("table3.new_received.total", from, both)), ingest.FormatValue(fixtureSum("table3.new_received.total", to, both))}
			if len(r) < 3 || r[1] != want[0] || r[2] != want[1] {
				t.Errorf("新收申请 (both years only: %v): %q, want %q", both, r, want)
			}
			n := len(tableRows(b, "compare_agencies"))
			if wantN := map[bool]int{true: 2, false: 4}[both]; n != wantN {
				t.Errorf("organs compared (both years only: %v): %d, want %d", both, n, wantN)
			}
		}
		acrossScopes(b, check)
	})

	t.Run("7 titles and print name the filter", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: f.srv.URL}
		level := ingest.LevelLabel(ingest.LevelTownship)
		checkTitles(t, b, []pageTitle{
			{"/compare?level=" + ingest.LevelTownship, fmt.Sprintf("%s %d 年与 %d 年对比", level, to, from)},
			{"/?level=" + ingest.LevelTownship, level + " 总览"},
			{"/compare", fmt.Sprintf("全区 %d 年与 %d 年对比", to, from)},
		})
		// printed: the title and the filter line show, the form does not
		if s := printedFilters(t, b, "/compare?level="+ingest.LevelTownship); !strings.Contains(s, level) || !strings.Contains(s, strconv.Itoa(from)) || !strings.Contains(s, "两年都有报告的单位") {
			t.Errorf("printed filter line %q lacks the level, years or organ set", s)
		}
	})

	t.Run("8 upload says what became of each file", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: f.srv.URL}
		b.open("/upload")
		accept := evalIn[string](b, `document.getElementById('file').accept`)
		note := evalIn[string](b, `document.querySelector('section.block p.note').innerText`)
		for _, fm := range decode.Formats() {
			if !strings.Contains(note, fm.Name) {
				t.Errorf("upload page does not name the readable format %s: %q", fm.Name, note)
			}
		}
		readable := map[string]bool{}
		for _, fm := range decode.Formats() {
			for _, e := range fm.Exts {
				readable[e] = true
			}
		}
		offered := strings.Split(accept, ",")
		if len(offered) != len(readable) {
			t.Errorf("file picker offers %q, the readers read %v", offered, readable)
		}
		for _, ext := range offered {
			if !readable[ext] {
				t.Errorf("file picker offers %s, which no reader reads", ext)
			}
			if ext == ".pdf" || ext == ".docx" {
				continue // binary: read by the decode tests
			}
			if _, err := decode.Read("报告"+ext, []byte("甲镇人民政府2024年政府信息公开工作年度报告\n一、总体情况\n")); err != nil {
				t.Errorf("file picker offers %s, but a %s file is refused: %v", ext, ext, err)
			}
		}
		for _, ext := range []string{".doc", ".wps", ".xls", ".jpg"} {
			if strings.Contains(accept, ext+",") || strings.HasSuffix(accept, ext) || strings.Contains(note, "可读取的格式："+ext) {
				t.Errorf("upload page offers %s, which is refused", ext)
			}
		}
		// a good and a bad file through the form, as a clerk drops them
		evalIn[bool](b, `(() => {
  const dt = new DataTransfer();
  dt.items.add(new File(['甲镇人民政府2024年政府信息公开工作年度报告'], 'good.txt', {type: 'text/plain'}));
  dt.items.add(new File(['bad'], 'bad.txt', {type: 'text/plain'}));
  document.getElementById('file').files = dt.files;
  document.querySelector('#upload-form input[name=token]').value = 's3cret';
  setTimeout(() => document.getElementById('upload-form').submit(), 0);
  return true;
})()`)
		b.until("upload results", `document.readyState === 'complete' && document.querySelectorAll('table.upload-results tbody tr').length === 2`)
		rows := evalIn[[][]string](b, `Array.from(document.querySelectorAll('table.upload-results tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))`)
		good, bad := rowOf(rows, "good.txt"), rowOf(rows, "bad.txt")
		if len(good) < 6 || good[1] != "新增" || good[2] != analyticstest.Town || good[3] != "2024" || !strings.Contains(good[4], "错误 1 条") || !strings.Contains(good[4], "表三") || good[5] != "查看报告" {
			t.Errorf("new report's row %q: want 新增, the organ, the year, the findings and a link", good)
		}
		if len(bad) < 5 || bad[1] != "失败" || !strings.Contains(bad[4], "未找到报告标题") {
			t.Errorf("failed file's row %q", bad)
		}
		page := evalIn[string](b, mainText)
		for _, word := range []string{"new", "failed", "unchanged", "replaced", "/tmp/", "/root/", "/home/", "uploads/"} {
			if strings.Contains(page, word) {
				t.Errorf("upload results show %q:\n%s", word, page)
			}
		}
		href := evalIn[string](b, `document.querySelector('table.upload-results a').getAttribute('href')`)
		if want := fmt.Sprintf("/agency?id=%d&year=2024", f.ids[analyticstest.Town]); href != want {
			t.Errorf("report link %q, want %q", href, want)
		}
	})

	t.Run("11 smaller fixes", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: f.srv.URL}
		// rule names in Chinese beside their IDs; cells in the format's words
		b.open(fmt.Sprintf("/quality?year=%d", to))
		for _, r := range tableRows(b, "quality_rules") {
			id := r[0][strings.LastIndex(r[0], "（")+len("（") : len(r[0])-len("）")]
			if r[0] != ingest.RuleLabel(id) || !strings.Contains(r[0], ingest.RuleName(id)) || ingest.RuleName(id) == id {
				t.Errorf("rule shown as %q, want the Chinese name beside the ID", r[0])
			}
		}
		for _, r := range tableRows(b, "quality_findings") {
			if strings.HasPrefix(r[4], "table") {
				t.Errorf("finding's cell shown as a key: %q", r[4])
			}
		}
		// an organ's missing year is on the chart's axis with no value (a gap), never joined over
		b.open(fmt.Sprintf("/agency?id=%d", f.ids[analyticstest.Gov]))
		charts := chartAxes(b)
		gap := yearIsGap(charts, to)
		if !gap {
			t.Errorf("%s has no %d report, but no chart shows the year as a gap: %+v", analyticstest.Gov, to, charts)
		}
		// up and down coloured by whether up is good; a KPI card leads to its detail
		checkKPICards(t, b)

		// an organ's table downloads under the organ's name and the year
		checkTableDownloads(t, b, f.ids[analyticstest.Town], analyticstest.Town, to)
		// a parameter that cannot be used is said on the page
		checkParamNotes(t, b)
		// 单位 in the navigation: every organ, with a search
		if n := len(openAgencyList(b)); n != len(f.ids) {
			t.Errorf("organ list shows %d organs, want %d", n, len(f.ids))
		}
		if rows := searchAgencies(b, "教育"); len(rows) != 1 || rows[0][0] != analyticstest.Edu {
			t.Errorf("search 教育 finds %q", rows)
		}
	})

	t.Run("4 sortable tables", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: f.srv.URL}
		sorted := checkSortable(t, b, []string{"/agencies", fmt.Sprintf("/quality?year=%d", to), fmt.Sprintf("/agency?id=%d", f.ids[analyticstest.Gov]), "/compare?all=1", fmt.Sprintf("/risks?year=%d", to), "/summary"})
		if sorted == 0 {
			t.Error("no table sorted by click")
		}
		// Chinese names by pinyin: 甲 (jiǎ) before 区 (qū)
		b.open(fmt.Sprintf("/quality?year=%d", to))
		first := evalIn[string](b, `(() => { const th = document.querySelector('table[data-table="quality_coverage"] thead th'); th.click(); return document.querySelector('table[data-table="quality_coverage"] tbody tr td').textContent.trim(); })()`)
		if first != analyticstest.Town {
			t.Errorf("sorted by 单位, the first organ is %q, want %q", first, analyticstest.Town)
		}
		// server-paged tables keep their sort links
		b.open("/compare?all=1")
		if n := evalIn[int](b, `document.querySelectorAll('table[data-table="compare_agencies"] thead th a[href*="sort="]').length`); n == 0 {
			t.Error("the paged comparison lost its server sort links")
		}
	})
}

// clickSortCheck clicks each header of every click-sortable table twice and reports the
// columns whose rows are then out of order (numbers numerically, text by localeCompare 'zh',
// missing values — 未报送 未说明 or empty — last in both directions).
const clickSortCheck = `(() => {
  const bad = [];
  const missing = s => s === '' || s === '—' || s === '未报送' || s === '未说明';
  const num = s => parseFloat(s.replace(/,/g, '').replace('−', '-'));
  document.querySelectorAll('table.data.sortable').forEach(table => {
    const name = table.dataset.table || table.className;
    Array.from(table.tHead.rows[0].cells).forEach((th, col) => {
      const numeric = th.classList.contains('num');
      for (const dir of [1, -1]) {
        th.click();
        const vals = Array.from(table.tBodies[0].rows).filter(r => !r.querySelector('td.empty')).map(r => (r.cells[col] ? r.cells[col].textContent.trim() : ''));
        let seenMissing = false;
        for (let i = 0; i < vals.length; i++) {
          const m = missing(vals[i]) || (numeric && isNaN(num(vals[i])));
          if (m) { seenMissing = true; continue; }
          if (seenMissing) { bad.push(name + ' · ' + th.textContent.trim() + ': a value after a missing one: ' + vals.join(' | ')); break; }
          if (i > 0 && !missing(vals[i-1]) && !(numeric && isNaN(num(vals[i-1])))) {
            const c = numeric ? num(vals[i-1]) - num(vals[i]) : vals[i-1].localeCompare(vals[i], 'zh');
            if (c * dir > 0) { bad.push(name + ' · ' + th.textContent.trim() + (dir > 0 ? ' ascending' : ' descending') + ': ' + vals.join(' | ')); break; }
          }
        }
        const want = dir > 0 ? 'ascending' : 'descending';
        if (th.getAttribute('aria-sort') !== want) { bad.push(name + ' · ' + th.textContent.trim() + ': aria-sort ' + th.getAttribute('aria-sort') + ', want ' + want); }
      }
    });
  });
  return bad;
})()`

// printedFilters opens path and checks that its filter line (p.print-filters) is hidden on
// screen, and that in print media the title and the filter line show and the filter form does
// not; it returns the printed filter line.
func printedFilters(t *testing.T, b *tab, path string) string {
	t.Helper()
	b.open(path)
	media := func(m string) {
		t.Helper()
		err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	visible := `(sel => { const e = document.querySelector(sel); return !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0; })`
	if evalIn[bool](b, visible+`('p.print-filters')`) {
		t.Errorf("%s: the print-only filter line shows on screen", path)
	}
	media("print")
	defer media("")
	b.until("print media", `matchMedia('print').matches`)
	if !evalIn[bool](b, visible+`('h1')`) || !evalIn[bool](b, visible+`('p.print-filters')`) {
		t.Errorf("%s: printed page hides the title or the filter line", path)
	}
	if evalIn[bool](b, visible+`('form.filters')`) {
		t.Errorf("%s: printed page shows the filter form", path)
	}
	return evalIn[string](b, `document.querySelector('p.print-filters').innerText`)
}

// chartAxis is a chart's x axis of years: which of them no line has a value for, and whether
// a line joins over missing values (connectNulls).
type chartAxis struct {
	Years   []string `json:"years"`
	Missing []bool   `json:"missing"`
	Joined  bool     `json:"joined"`
}

// chartAxes waits for the page's charts and returns the axes of those with a category axis.
func chartAxes(b *tab) []chartAxis {
	b.t.Helper()
	b.until("chart", `document.querySelectorAll('div.item[id^="chart_"]').length > 0 && Array.from(document.querySelectorAll('div.item[id^="chart_"]')).every(el => echarts.getInstanceByDom(el))`)
	return evalIn[[]chartAxis](b, `Array.from(document.querySelectorAll('div.item[id^="chart_"]')).map(el => echarts.getInstanceByDom(el).getOption()).filter(o => o.xAxis && o.xAxis[0] && o.xAxis[0].data).map(o => {
  const years = o.xAxis[0].data.map(String);
  const line = o.series.filter(s => s.type === 'line');
  return { years, joined: line.some(s => s.connectNulls),
    missing: years.map((y, i) => line.length > 0 && line.every(s => { const d = s.data[i]; const v = d && typeof d === 'object' && !Array.isArray(d) ? d.value : d; return v === null || v === undefined || v === '-'; })) };
})`)
}

// yearIsGap tells whether some chart has year on its axis with no value and no line over it.
func yearIsGap(charts []chartAxis, year int) bool {
	for _, c := range charts {
		for i, y := range c.Years {
			if y == strconv.Itoa(year) && c.Missing[i] && !c.Joined {
				return true
			}
		}
	}
	return false
}

// checkKPICards checks on the overview that each KPI card links to its metric's comparison
// (or 数据质量), that its change is classed good or bad by whether up is good for the metric,
// with one colour for good and another for bad, and that a click on a card opens its detail.
func checkKPICards(t *testing.T, b *tab) {
	t.Helper()
	b.open("/")
	type card struct {
		Href, Class, Color string
	}
	cards := evalIn[[]card](b, `Array.from(document.querySelectorAll('a.kpi')).map(a => { const c = a.querySelector('.change'); return { href: a.getAttribute('href'), class: c.className, color: getComputedStyle(c).color }; })`)
	colors := map[string]string{}
	for _, c := range cards {
		u, _ := url.Parse(c.Href)
		name := u.Query().Get("metric")
		var m *analytics.Metric
		for i := range analytics.Metrics {
			if analytics.Metrics[i].Name == name {
				m = &analytics.Metrics[i]
			}
		}
		if m == nil && u.Path == "/quality" {
			continue // 报告数, 错误: their detail is 数据质量
		}
		if u.Path != "/compare" || m == nil {
			t.Errorf("KPI card links to %q, not to its metric's comparison", c.Href)
			continue
		}
		up, down := strings.Contains(c.Class, "up"), strings.Contains(c.Class, "down")
		want := ""
		switch {
		case m.Better == 0 || !up && !down:
		case up == (m.Better > 0):
			want = "good"
		default:
			want = "bad"
		}
		got := ""
		if strings.Contains(c.Class, "good") {
			got = "good"
		} else if strings.Contains(c.Class, "bad") {
			got = "bad"
		}
		if got != want {
			t.Errorf("%s (better %+d) change class %q, want %q", name, m.Better, c.Class, want)
		}
		if got == "" {
			continue // neither good nor bad: a neutral rise (.up) and no change (—) may differ
		}
		if prev, ok := colors[got]; ok && prev != c.Color {
			t.Errorf("%s: %s changes drawn in %s and %s", name, got, prev, c.Color)
		}
		colors[got] = c.Color
	}
	if colors["good"] != "" && colors["good"] == colors["bad"] {
		t.Errorf("good and bad changes share the colour %s", colors["good"])
	}
	// a KPI card leads to its detail
	metricOf := evalIn[string](b, `(() => { const a = document.querySelector('a.kpi'); const m = new URL(a.href).searchParams.get('metric'); a.click(); return m; })()`)
	b.until("KPI detail", `location.pathname === '/compare' && document.readyState === 'complete' && document.getElementById('f-metric') && document.getElementById('f-metric').value === '`+metricOf+`'`)
}

// checkTableDownloads checks that the tables of organ id's page for year download under
// names of their own that carry the organ's name and the year.
func checkTableDownloads(t *testing.T, b *tab, id int, organ string, year int) {
	t.Helper()
	b.open(fmt.Sprintf("/agency?id=%d&year=%d", id, year))
	names := evalIn[[]string](b, `Promise.all(Array.from(document.querySelectorAll('section[id^="agency_table"] a.csv')).map(async a => {
  const d = (await fetch(a.href)).headers.get('Content-Disposition') || '';
  const m = d.match(/filename\*=UTF-8''([^;]+)/);
  return m ? decodeURIComponent(m[1]) : d;
}))`)
	if len(names) < 3 {
		t.Errorf("organ page offers %d table downloads: %q", len(names), names)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if !strings.Contains(n, organ) || !strings.Contains(n, strconv.Itoa(year)) || seen[n] {
			t.Errorf("organ table downloads as %q: want the organ, the year and a name of its own (%q)", n, names)
		}
		seen[n] = true
	}
}

// checkParamNotes checks that a filter value that cannot be used (year=abc, level=foo,
// from=abc) is said on the page (p.param-note), not silently dropped.
func checkParamNotes(t *testing.T, b *tab) {
	t.Helper()
	for p, want := range map[string]string{"/?year=abc": "year", "/?level=foo": "foo", "/compare?from=abc": "from"} {
		b.open(p)
		notes := evalIn[string](b, `Array.from(document.querySelectorAll('p.param-note')).map(p => p.innerText).join(' ')`)
		if !strings.Contains(notes, want) {
			t.Errorf("%s: the page does not say the parameter was dropped (%q)", p, notes)
		}
	}
}

// openAgencyList goes from the overview to the 单位 page through the navigation and returns
// the rows of its organ list.
func openAgencyList(b *tab) [][]string {
	b.t.Helper()
	b.open("/")
	evalIn[bool](b, `(Array.from(document.querySelectorAll('header nav a')).find(a => a.textContent.trim() === '单位').click(), true)`)
	b.until("organ list", `location.pathname === '/agencies' && document.readyState === 'complete' && !!document.getElementById('f-q')`)
	return tableRows(b, "agency_list")
}

// searchAgencies searches the 单位 page (open) for q through its form and returns the rows found.
func searchAgencies(b *tab, q string) [][]string {
	b.t.Helper()
	evalIn[bool](b, `(() => { document.getElementById('f-q').value = `+jsString(q)+`; setTimeout(() => document.getElementById('filters').submit(), 0); return true; })()`)
	b.until("search", `location.search.includes('q=') && document.readyState === 'complete' && !!document.querySelector('table[data-table="agency_list"]')`)
	return tableRows(b, "agency_list")
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkSortable opens each page and checks that every data table sorts by a header click
// (clickSortCheck) or by the server's sort links, never both; it returns the number of tables
// sorted by click.
func checkSortable(t *testing.T, b *tab, pages []string) (sorted int) {
	t.Helper()
	for _, p := range pages {
		b.open(p)
		// server-sorted tables keep their links and get no click sorting
		if n := evalIn[int](b, `document.querySelectorAll('table.data.sortable thead th a').length`); n != 0 {
			t.Errorf("%s: %d server sort links inside click-sorted tables", p, n)
		}
		tables := evalIn[[]string](b, `Array.from(document.querySelectorAll('table.data')).filter(t => !t.closest('.official')).map(t => t.classList.contains('sortable') || !!t.querySelector('thead th a[href*="sort="]') ? '' : (t.dataset.table || t.className))`)
		for _, name := range tables {
			if name != "" {
				t.Errorf("%s: table %s can be sorted neither by click nor by the server", p, name)
			}
		}
		// click every header twice: rows in order each time, missing values last
		bad := evalIn[[]string](b, clickSortCheck)
		for _, m := range bad {
			t.Errorf("%s: %s", p, m)
		}
		sorted += evalIn[int](b, `document.querySelectorAll('table.data.sortable').length`)
	}
	return sorted
}

// switchScope clicks the comparison's switch to every organ (all) or to the organs of both
// years, and waits for the page it leads to.
func switchScope(b *tab, all bool) {
	b.t.Helper()
	if all {
		evalIn[bool](b, `(document.querySelector('#scope-all').click(), true)`)
		b.until("全部单位", `location.search.includes('all=1') && document.readyState === 'complete' && !!document.querySelector('#scope-both')`)
		return
	}
	evalIn[bool](b, `(document.querySelector('#scope-both').click(), true)`)
	b.until("两年都有报告", `!location.search.includes('all=1') && document.readyState === 'complete' && !!document.querySelector('#scope-all')`)
}

// acrossScopes runs check (its argument: organs of both years only) on the comparison page
// open in b, then after the switch to every organ, and again after the switch back.
func acrossScopes(b *tab, check func(both bool)) {
	b.t.Helper()
	check(true)
	switchScope(b, true)
	check(false)
	switchScope(b, false)
	check(true)
}

// pageTitle is a page and the title it must have.
type pageTitle struct{ path, title string }

// checkTitles checks each page's title, and that a page under a level filter does not say 全区.
func checkTitles(t *testing.T, b *tab, pages []pageTitle) {
	t.Helper()
	for _, c := range pages {
		b.open(c.path)
		if h := evalIn[string](b, `document.querySelector('h1').textContent`); h != c.title {
			t.Errorf("%s: title %q, want %q", c.path, h, c.title)
		}
		if strings.Contains(c.path, "level=") {
			if s := evalIn[string](b, mainText); strings.Contains(s, "全区") {
				t.Errorf("%s: says 全区 under the level filter", c.path)
			}
		}
	}
}
