package dashboards_test

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"gongkai/analytics/analyticstest"
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
