package dashboards_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/analytics"
	"gongkai/dashboards"
	"gongkai/ingest"
	"gongkai/ingest/generate"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

// demoDistrict is the district gongkai demo builds (generate.WriteDemo), ingested by the real
// pipeline into a fresh DuckDB and served by dashboards on httptest, with the generator's truth.
type demoDistrict struct {
	dir      string                            // the generated reports and their truth
	man      generate.Manifest                 // what was generated
	truth    map[string]map[int]*ingest.Report // organ → year → truth (no entry: not written)
	gen      map[string]map[int]generate.Generated
	organs   []string // every organ of the registry, in generation order
	level    map[string]string
	ids      map[string]int // organ → agency id
	db       *store.DB
	srv      *httptest.Server
	from, to int // the default comparison: the last two years
}

// buildDemoDistrict generates the demo district into a temp dir and ingests it the way gongkai
// demo does: the generated organs as the registry, then pipeline.Run over the directory.
func buildDemoDistrict(t *testing.T) *demoDistrict {
	t.Helper()
	tmp := t.TempDir()
	d := &demoDistrict{dir: filepath.Join(tmp, "reports"), truth: map[string]map[int]*ingest.Report{},
		gen: map[string]map[int]generate.Generated{}, level: map[string]string{}, ids: map[string]int{}}
	files, man, err := generate.WriteDemo(d.dir, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.man, d.from, d.to = man, man.To-1, man.To
	registry := man.Registry()
	for _, o := range registry {
		d.organs = append(d.organs, o.Name)
		d.level[o.Name] = o.Level
	}
	for _, g := range man.Reports {
		if d.gen[g.Agency] == nil {
			d.gen[g.Agency], d.truth[g.Agency] = map[int]generate.Generated{}, map[int]*ingest.Report{}
		}
		d.gen[g.Agency][g.Year] = g
		if g.Missing {
			continue
		}
		d.truth[g.Agency][g.Year] = readTruth(t, filepath.Join(d.dir, g.Truth))
	}

	db, err := store.Open(filepath.Join(tmp, "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d.db = db
	if err := db.SyncRegistry(registry); err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Run(t.Context(), db, []string{d.dir}, pipeline.Standard(pipeline.Settings{Derive: analytics.Derivation()}))
	if err != nil {
		t.Fatal(err)
	}
	if res.New != len(files) || res.Failed != 0 {
		t.Fatalf("demo ingest: %s (%d files written; failures %v)", res.Summary(), len(files), res.Failures)
	}
	a := analytics.NewStore(db)
	as, err := a.Agencies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, ag := range as {
		d.ids[ag.Name] = ag.ID
	}
	cfg := testConfig()
	cfg.District, cfg.Registry = man.District, registry
	h := dashboards.NewServer(a, cfg, dashboards.WithIngest(dashboards.UploadIngest(db, filepath.Join(tmp, "uploads"), pipeline.Standard(pipeline.Settings{Derive: analytics.Derivation()}))), dashboards.WithAnimation(false))
	d.srv = httptest.NewServer(h)
	t.Cleanup(d.srv.Close)
	return d
}

// readTruth reads a generated report's truth file (the Report JSON of ingest).
func readTruth(t *testing.T, path string) *ingest.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &ingest.Report{}
	if err := r.UnmarshalJSON(raw); err != nil {
		t.Fatalf("truth %s: %v", path, err)
	}
	return r
}

// value is what a report states for the comparison metric name (applications: 表三 本年新收
// 总计; publications: the stated total of 主动公开 information, else the sum of the channels
// stated), false when it states nothing.
func value(r *ingest.Report, name string) (float64, bool) {
	switch name {
	case "applications":
		return r.Value(ingest.Table3Key("new_received", "total"))
	case "publications":
		sum, any := 0.0, false
		for _, p := range r.Publications {
			if p.Channel == "total" {
				return float64(p.Count), true
			}
			sum, any = sum+float64(p.Count), true
		}
		return sum, any
	}
	panic("no truth for metric " + name)
}

// shown is how the comparison shows an organ's value of a year: 未报送 without a report,
// 未说明 when the report states none, else the number.
func (d *demoDistrict) shown(organ string, year int, metric string) (string, float64, bool) {
	r := d.truth[organ][year]
	if r == nil {
		return "未报送", 0, false
	}
	v, ok := value(r, metric)
	if !ok {
		return "未说明", 0, false
	}
	return ingest.FormatValue(v), v, true
}

// change is how the comparison shows a change: +n, 0, -n.
func change(d float64) string {
	switch {
	case d > 0:
		return "+" + ingest.FormatValue(d)
	case d < 0:
		return "-" + ingest.FormatValue(-d)
	}
	return "0"
}

// inScope tells whether the comparison takes organ: with a report in both years (both), or in
// either, and of level when level is not empty.
func (d *demoDistrict) inScope(organ string, both bool, level string) bool {
	if level != "" && d.level[organ] != level {
		return false
	}
	a, b := d.truth[organ][d.from] != nil, d.truth[organ][d.to] != nil
	if both {
		return a && b
	}
	return a || b
}

// districtSum is the district's figure of a table cell for year: the sum over the organs in
// scope of what their reports state, leaving out a cell an error finding marks as implausible;
// over the same organs (both), only organs whose cell is summed in both years.
func (d *demoDistrict) districtSum(key string, year int, both bool, level string) float64 {
	summed := func(r *ingest.Report) (float64, bool) {
		if r == nil {
			return 0, false
		}
		for _, f := range r.Findings {
			if f.Cell == key && ingest.ExcludesCell(f) {
				return 0, false
			}
		}
		return r.Value(key)
	}
	sum := 0.0
	for _, o := range d.organs {
		if !d.inScope(o, both, level) {
			continue
		}
		v, ok := summed(d.truth[o][year])
		if both {
			_, ok0 := summed(d.truth[o][d.from])
			_, ok1 := summed(d.truth[o][d.to])
			ok = ok0 && ok1
		}
		if ok {
			sum += v
		}
	}
	return sum
}

// onlyOneYear are the organs with a report in exactly one of the two compared years.
func (d *demoDistrict) onlyOneYear(level string) (onlyFrom, onlyTo []string) {
	for _, o := range d.organs {
		if level != "" && d.level[o] != level {
			continue
		}
		a, b := d.truth[o][d.from] != nil, d.truth[o][d.to] != nil
		switch {
		case a && !b:
			onlyFrom = append(onlyFrom, o)
		case b && !a:
			onlyTo = append(onlyTo, o)
		}
	}
	return onlyFrom, onlyTo
}

// checkCompareRows checks the comparison's organ table against the truth: one row per organ
// in scope, each year's value (or 未报送 / 未说明) and a change only when both are stated.
func (d *demoDistrict) checkCompareRows(t *testing.T, b *tab, path, metric string, both bool, level string) {
	t.Helper()
	rows := tableRows(b, "compare_agencies")
	want := 0
	for _, o := range d.organs {
		if !d.inScope(o, both, level) {
			if r := rowOf(rows, o); r != nil {
				t.Errorf("%s: lists %s, who is not in the comparison: %q", path, o, r)
			}
			continue
		}
		want++
		f, fv, fok := d.shown(o, d.from, metric)
		g, gv, gok := d.shown(o, d.to, metric)
		c := "—"
		if fok && gok {
			c = change(gv - fv)
		}
		r := rowOf(rows, o)
		if len(r) < 5 || r[1] != ingest.LevelLabel(d.level[o]) || r[2] != f || r[3] != g || strings.ReplaceAll(r[4], "−", "-") != c {
			t.Errorf("%s: %s shows %q, truth: %s %s → %s %s, change %s", path, o, r, f, strconv.Itoa(d.from), g, strconv.Itoa(d.to), c)
		}
	}
	if len(rows) != want {
		t.Errorf("%s: %d organs compared, truth: %d", path, len(rows), want)
	}
}

// checkDistrictRow checks the district table's row label (a table cell's sum) against the truth.
func (d *demoDistrict) checkDistrictRow(t *testing.T, b *tab, path, label, key string, both bool, level string) {
	t.Helper()
	f, g := d.districtSum(key, d.from, both, level), d.districtSum(key, d.to, both, level)
	want := []string{label, ingest.FormatValue(f), ingest.FormatValue(g), change(g - f)}
	r := rowOf(tableRows(b, "compare_district"), label)
	if len(r) < 4 {
		t.Errorf("%s: no district row %s: %q", path, label, r)
		return
	}
	r[3] = strings.ReplaceAll(r[3], "−", "-")
	if !slices.Equal(r[:4], want) {
		t.Errorf("%s: district %q, truth %q (both years only: %v, level %q)", path, r, want, both, level)
	}
}

// checkZeroDenominator checks the district row of 纠错率: a year whose reports (in scope)
// state concluded cases summing to 0 shows "—" with the reason 分母为 0, never 未说明 (the
// reports did state their figures). It returns how many years were such.
func (d *demoDistrict) checkZeroDenominator(t *testing.T, b *tab, both bool) int {
	t.Helper()
	r := rowOf(tableRows(b, "compare_district"), "纠错率")
	zero := 0
	for i, y := range []int{d.from, d.to} {
		sum, stated := 0.0, false
		for _, o := range d.organs {
			rep := d.truth[o][y]
			if rep == nil || !d.inScope(o, both, "") {
				continue
			}
			for _, blk := range ingest.Table4Blocks {
				for _, col := range []string{"maintained", "corrected", "other"} {
					if v, ok := rep.Value(ingest.Table4Key(blk, col)); ok {
						sum, stated = sum+v, true
					}
				}
			}
		}
		if !stated || sum != 0 {
			continue
		}
		zero++
		if len(r) < 4 || !strings.HasPrefix(r[1+i], "—（分母为 0") || r[3] != "—" {
			t.Errorf("/compare (both years only: %v): 纠错率 %q; the reports of %d state no concluded case: want —（分母为 0…）, no change", both, r, y)
		}
	}
	return zero
}

// uploadFile is a file a clerk drops on the upload form.
type uploadFile struct {
	Name string `json:"name"`
	B64  string `json:"b64"`
}

// submitUpload puts files in the upload form with token, submits it and returns the rows of
// the results table (the cells' visible text) and the link of each row (by file name).
func submitUpload(b *tab, token string, files []uploadFile) (rows [][]string, links map[string]string) {
	b.t.Helper()
	b.open("/upload")
	js, _ := json.Marshal(files)
	evalIn[bool](b, `(() => {
  const dt = new DataTransfer();
  for (const f of `+string(js)+`) {
    const bin = atob(f.b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    dt.items.add(new File([bytes], f.name));
  }
  document.getElementById('file').files = dt.files;
  document.querySelector('#upload-form input[name=token]').value = `+jsString(token)+`;
  setTimeout(() => document.getElementById('upload-form').submit(), 0);
  return true;
})()`)
	b.until("upload results", `document.readyState === 'complete' && document.querySelectorAll('table.upload-results tbody tr').length === `+strconv.Itoa(len(files)))
	rows = evalIn[[][]string](b, `Array.from(document.querySelectorAll('table.upload-results tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))`)
	links = evalIn[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll('table.upload-results tbody tr')).map(tr => [tr.cells[0].innerText.trim(), tr.querySelector('a') ? tr.querySelector('a').getAttribute('href') : '']))`)
	return rows, links
}

// findingCounts counts a report's findings by severity.
func findingCounts(r *ingest.Report) (errs, warns int) {
	for _, f := range r.Findings {
		if f.Severity == ingest.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

// Issue 10, items 2, 3, 7, 8 and 11, on the demo district (the one gongkai demo builds, through
// the real ingest pipeline), every expectation computed from the generator's truth.
func TestBrowserDemo(t *testing.T) {
	if raceEnabled {
		t.Skip("the demo district's browser test runs without -race: TestBrowserTruth drives the same pages under it")
	}
	start := time.Now()
	ctx := browser(t)
	d := buildDemoDistrict(t)
	t.Logf("demo district generated and ingested in %v", time.Since(start).Round(time.Millisecond))
	console := watchConsole(ctx)
	defer func() {
		for _, m := range console.take() {
			t.Error(m)
		}
		t.Logf("demo browser test took %v", time.Since(start).Round(time.Millisecond))
	}()
	from, to := d.from, d.to
	township := ingest.LevelTownship
	onlyFrom, onlyTo := d.onlyOneYear("")
	if len(onlyFrom)+len(onlyTo) == 0 {
		t.Fatalf("the demo district has no organ with one report of %d and %d: it must show one (generate.DemoOptions)", from, to)
	}

	t.Run("2 missing is never a fall", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: d.srv.URL}
		unstated := 0
		for _, metric := range []string{"applications", "publications"} {
			path := "/compare?all=1&metric=" + metric
			b.open(path)
			if m := fallOfMissing.FindString(evalIn[string](b, mainText)); m != "" {
				t.Errorf("%s shows a missing value as a change: %q", path, m)
			}
			d.checkCompareRows(t, b, path, metric, false, "")
			for _, o := range d.organs {
				for _, y := range []int{from, to} {
					if s, _, _ := d.shown(o, y, metric); s == "未说明" {
						unstated++
					}
				}
			}
			// the biggest movers are organs with both values stated, and show the truth
			for _, mv := range []string{"movers_up", "movers_down"} {
				for _, r := range tableRows(b, mv) {
					f, fv, fok := d.shown(r[0], from, metric)
					g, gv, gok := d.shown(r[0], to, metric)
					if !fok || !gok || len(r) < 4 || r[1] != f || r[2] != g || strings.ReplaceAll(r[3], "−", "-") != change(gv-fv) {
						t.Errorf("%s %s: %q, truth %s → %s", path, mv, r, f, g)
					}
				}
			}
		}
		if unstated == 0 {
			t.Fatalf("the demo district has no report of %d or %d that states no count: it must show one (generate.DemoOptions)", from, to)
		}
		for _, p := range []string{fmt.Sprintf("/risks?year=%d", from), "/compare?metric=publications", "/compare", fmt.Sprintf("/risks?year=%d", to)} {
			b.open(p)
			if m := fallOfMissing.FindString(evalIn[string](b, mainText)); m != "" {
				t.Errorf("%s shows a missing value as a change: %q", p, m)
			}
		}
		// 主动公开信息锐减: exactly the organs whose stated publications fell by the threshold
		// (on the page open: the risks of the last year)
		cfg := testConfig()
		var want, got []string
		for _, o := range d.organs {
			_, fv, fok := d.shown(o, from, "publications")
			_, gv, gok := d.shown(o, to, "publications")
			if fok && gok && fv > 0 && (fv-gv)/fv >= cfg.Risk.PublicationsDrop {
				want = append(want, o)
			}
		}
		for _, r := range tableRows(b, "risks") {
			if len(r) >= 3 && strings.HasPrefix(r[0], "主动公开信息") {
				got = append(got, r[1])
				_, fv, _ := d.shown(r[1], from, "publications")
				_, gv, _ := d.shown(r[1], to, "publications")
				if !strings.Contains(r[2], ingest.FormatValue(fv)+" → "+ingest.FormatValue(gv)) {
					t.Errorf("risk %q: truth %v → %v", r, fv, gv)
				}
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("publications-drop risks name %q, truth %q", got, want)
		}
	})

	t.Run("3 same organs by default", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: d.srv.URL}
		b.open("/compare")
		scope := evalIn[string](b, `document.querySelector('#scope-all').parentElement.innerText`)
		wants := []string{fmt.Sprintf("只比较 %d 年和 %d 年都有报告的单位", from, to),
			fmt.Sprintf("%d 个单位只有一年的报告，未计入", len(onlyFrom)+len(onlyTo)), "全部单位"}
		if len(onlyTo) > 0 {
			wants = append(wants, fmt.Sprintf("仅有 %d 年报告：%s", to, onlyTo[0]))
		}
		if len(onlyFrom) > 0 {
			wants = append(wants, fmt.Sprintf("仅有 %d 年报告：%s", from, onlyFrom[0]))
		}
		for _, o := range append(onlyFrom, onlyTo...) {
			wants = append(wants, o)
		}
		for _, w := range wants {
			if !strings.Contains(scope, w) {
				t.Errorf("scope note lacks %q:\n%s", w, scope)
			}
		}
		check := func(both bool) {
			t.Helper()
			title := evalIn[string](b, `document.querySelector('section#compare_district .table-head h2').textContent`)
			if both != strings.Contains(title, "两年都有报告的单位") || both == strings.Contains(title, "全部单位") {
				t.Errorf("district table title %q (both years only: %v)", title, both)
			}
			d.checkDistrictRow(t, b, "/compare", "新收申请", ingest.Table3Key("new_received", "total"), both, "")
			d.checkDistrictRow(t, b, "/compare", "办结", ingest.Table3Key("total_handled", "total"), both, "")
			d.checkCompareRows(t, b, "/compare", "applications", both, "")
			if d.checkZeroDenominator(t, b, both) == 0 {
				t.Errorf("/compare: no year whose reports state no concluded case: the 纠错率 check proves nothing")
			}
		}
		acrossScopes(b, check)
	})

	t.Run("7 titles and print name the filter", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: d.srv.URL}
		level := ingest.LevelLabel(township)
		checkTitles(t, b, []pageTitle{
			{"/compare?level=" + township, fmt.Sprintf("%s %d 年与 %d 年对比", level, to, from)},
			{"/?level=" + township, level + " 总览"},
			{"/risks?level=" + township, level + " 风险提示"},
			{"/compare", fmt.Sprintf("全区 %d 年与 %d 年对比", to, from)},
		})
		// the figures under the filter are the townships' only
		path := "/compare?level=" + township
		b.open(path)
		d.checkDistrictRow(t, b, path, "新收申请", ingest.Table3Key("new_received", "total"), true, township)
		d.checkCompareRows(t, b, path, "applications", true, township)
		// printed: the title and the filter line show, the form does not
		if s := printedFilters(t, b, path); !strings.Contains(s, level) || !strings.Contains(s, strconv.Itoa(from)) || !strings.Contains(s, strconv.Itoa(to)) || !strings.Contains(s, "两年都有报告的单位") {
			t.Errorf("printed filter line %q lacks the level, years or organ set", s)
		}
	})

	t.Run("11 smaller fixes", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: d.srv.URL}
		// 数据质量: the findings are the truth's (organ, rule), rules named in Chinese beside their IDs
		for _, y := range []int{from, to} {
			path := fmt.Sprintf("/quality?year=%d", y)
			b.open(path)
			want := map[string]int{}
			var pairs []string
			for _, o := range d.organs {
				if r := d.truth[o][y]; r != nil {
					seen := map[string]bool{}
					for _, f := range r.Findings {
						if !seen[f.Rule] {
							seen[f.Rule] = true
							want[f.Rule]++
							pairs = append(pairs, o+" "+ingest.RuleLabel(f.Rule))
						}
					}
				}
			}
			for _, r := range tableRows(b, "quality_rules") {
				id := r[0][strings.LastIndex(r[0], "（")+len("（") : len(r[0])-len("）")]
				if r[0] != ingest.RuleLabel(id) || ingest.RuleName(id) == id {
					t.Errorf("%s: rule shown as %q, want the Chinese name beside the ID", path, r[0])
				}
				if len(r) < 4 || r[3] != strconv.Itoa(want[id]) {
					t.Errorf("%s: %q: truth has %d organs with %s", path, r, want[id], id)
				}
				delete(want, id)
			}
			if len(want) > 0 {
				t.Errorf("%s: rules of the truth not shown: %v", path, want)
			}
			var shown []string
			for _, r := range tableRows(b, "quality_findings") {
				if strings.HasPrefix(r[4], "table") || strings.HasPrefix(r[4], "prose.") {
					t.Errorf("%s: finding's place shown as a key: %q", path, r[4])
				}
				if p := r[0] + " " + r[2]; !slices.Contains(shown, p) {
					shown = append(shown, p)
				}
			}
			slices.Sort(pairs)
			slices.Sort(shown)
			if !slices.Equal(pairs, shown) {
				t.Errorf("%s: findings of %q, truth %q", path, shown, pairs)
			}
			// an organ without a report is listed as 未报送
			for _, o := range d.organs {
				if d.truth[o][y] == nil {
					if r := rowOf(tableRows(b, "quality_coverage"), o); len(r) < 3 || r[2] != "未报送" {
						t.Errorf("%s: %s has no report, coverage row %q", path, o, r)
					}
				}
			}
		}
		// an organ's missing year is on its chart's axis with no value (a gap), never joined over
		for _, o := range append(onlyFrom, onlyTo...) {
			for _, y := range []int{from, to} {
				if d.truth[o][y] == nil {
					b.open(fmt.Sprintf("/agency?id=%d", d.ids[o]))
					if charts := chartAxes(b); !yearIsGap(charts, y) {
						t.Errorf("%s has no %d report, but no chart shows the year as a gap: %+v", o, y, charts)
					}
				}
			}
		}
		checkKPICards(t, b)
		for _, o := range d.organs {
			if d.truth[o][to] != nil {
				checkTableDownloads(t, b, d.ids[o], o, to)
				break
			}
		}
		checkParamNotes(t, b)
		// 单位 in the navigation: every organ of the registry, with a search
		var listed []string
		for _, r := range openAgencyList(b) {
			listed = append(listed, r[0])
		}
		if !sameSet(listed, d.organs) {
			t.Errorf("organ list shows %q, the registry has %q", listed, d.organs)
		}
		q, match := "", ""
		for _, o := range d.organs {
			part := strings.TrimPrefix(o, d.man.District)
			n := 0
			for _, p := range d.organs {
				if strings.Contains(p, part) {
					n++
				}
			}
			if n == 1 && part != o {
				q, match = part, o
				break
			}
		}
		if rows := searchAgencies(b, q); len(rows) != 1 || rows[0][0] != match {
			t.Errorf("search %s finds %q, want %s", q, rows, match)
		}
	})

	t.Run("4 sortable tables", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: d.srv.URL}
		pages := []string{"/agencies", fmt.Sprintf("/quality?year=%d", to), "/compare?all=1", "/compare?all=1&metric=publications", fmt.Sprintf("/risks?year=%d", to), "/summary"}
		for _, o := range append(onlyFrom, onlyTo...) {
			pages = append(pages, fmt.Sprintf("/agency?id=%d", d.ids[o]))
		}
		if checkSortable(t, b, pages) == 0 {
			t.Error("no table sorted by click")
		}
	})

	// last: it changes the district
	t.Run("8 upload says what became of each file", func(t *testing.T) {
		b := &tab{t: t, ctx: ctx, base: d.srv.URL}
		// The clerk's files, generated with the demo's definition: the missing report (new), a
		// corrected version of a report with an error put in (replaced), a report as stored
		// (unchanged), and a file that is no report (failed).
		dir := filepath.Join(t.TempDir(), "later")
		opts, err := generate.DemoOptions(0, 0, dir)
		if err != nil {
			t.Fatal(err)
		}
		var missing, replaced generate.Generated
		demoEdit := opts.Edit
		opts.Edit = func(r *ingest.Report, g *generate.Generated) {
			demoEdit(r, g)
			if g.Missing && missing.File == "" {
				g.Missing, missing = false, *g
			} else if g.Year == to && len(g.Injected) == 0 && replaced.File == "" && d.truth[g.Agency][to] != nil {
				if err := generate.Inject(r, ingest.RuleBalance, rand.New(rand.NewSource(1))); err != nil {
					t.Fatal(err)
				}
				g.Injected, replaced = []string{ingest.RuleBalance}, *g
			}
		}
		if _, err := generate.Write(opts); err != nil {
			t.Fatal(err)
		}
		var unchanged generate.Generated
		for _, g := range d.man.Reports {
			if g.Year == from && !g.Missing && g.Agency != replaced.Agency {
				unchanged = g
				break
			}
		}
		if missing.File == "" || replaced.File == "" || unchanged.File == "" {
			t.Fatalf("no missing (%q), replaceable (%q) or unchanged (%q) report in the demo district", missing.File, replaced.File, unchanged.File)
		}
		read := func(p string) string {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return base64.StdEncoding.EncodeToString(raw)
		}
		const junk = "说明.txt"
		rows, links := submitUpload(b, testConfig().Server.Token, []uploadFile{
			{missing.File, read(filepath.Join(dir, missing.File))},
			{replaced.File, read(filepath.Join(dir, replaced.File))},
			{unchanged.File, read(filepath.Join(d.dir, unchanged.File))},
			{junk, base64.StdEncoding.EncodeToString([]byte("这是一份会议通知，不是年度报告。"))},
		})
		for _, c := range []struct {
			g     generate.Generated
			truth string
			word  string
		}{
			{missing, filepath.Join(dir, missing.Truth), ingest.OutcomeLabel(ingest.OutcomeNew)},
			{replaced, filepath.Join(dir, replaced.Truth), ingest.OutcomeLabel(ingest.OutcomeReplaced)},
			{unchanged, filepath.Join(d.dir, unchanged.Truth), ingest.OutcomeLabel(ingest.OutcomeUnchanged)},
		} {
			r := rowOf(rows, c.g.File)
			if len(r) < 6 || r[1] != c.word || r[2] != c.g.Agency || r[3] != strconv.Itoa(c.g.Year) || r[5] != "查看报告" {
				t.Errorf("%s: row %q, truth: %s %s %d", c.g.File, r, c.word, c.g.Agency, c.g.Year)
				continue
			}
			// the findings: none when the truth has none; else at least the truth's of each
			// severity (one broken rule may show in several cells: a column and the total)
			errs, warns := findingCounts(readTruth(t, c.truth))
			var n, m int
			if _, err := fmt.Sscanf(r[4], "错误 %d 条，警告 %d 条", &n, &m); err != nil {
				n, m = -1, -1
			}
			switch {
			case errs+warns == 0 && r[4] != "未发现问题":
				t.Errorf("%s: truth has no findings, the row says %q", c.g.File, r[4])
			case errs+warns > 0 && (n < errs || m < warns || (n == 0) != (errs == 0) || !strings.Contains(r[4], "\n")):
				t.Errorf("%s: truth has %d errors and %d warnings, the row says %q", c.g.File, errs, warns, r[4])
			}
			if want := fmt.Sprintf("/agency?id=%d&year=%d", d.ids[c.g.Agency], c.g.Year); links[c.g.File] != want {
				t.Errorf("%s: link %q, want %q", c.g.File, links[c.g.File], want)
			}
		}
		if r := rowOf(rows, junk); len(r) < 6 || r[1] != ingest.OutcomeLabel(ingest.OutcomeFailed) || r[2] != "" || r[4] == "" || r[5] != "" {
			t.Errorf("failed file's row %q: want 失败, the reason, no organ and no link", r)
		}
		page := evalIn[string](b, mainText)
		for _, word := range []string{"new", "failed", "unchanged", "replaced", d.dir, dir, os.TempDir(), "uploads/"} {
			if strings.Contains(page, word) {
				t.Errorf("upload results show %q:\n%s", word, page)
			}
		}
		// the report that was missing now counts in the comparison
		d.truth[missing.Agency][missing.Year] = readTruth(t, filepath.Join(dir, missing.Truth))
		d.truth[replaced.Agency][replaced.Year] = readTruth(t, filepath.Join(dir, replaced.Truth))
		openFresh(b, "/compare?all=1")
		d.checkCompareRows(t, b, "/compare?all=1 after the upload", "applications", false, "")
	})
}

// openFresh opens path until it is drawn from the latest data: right after a write the server
// may show a page as last drawn, marked stale (p.stale), while it recomputes it.
func openFresh(b *tab, path string) {
	b.t.Helper()
	for deadline := time.Now().Add(tabTimeout); ; {
		b.open(path)
		if !evalIn[bool](b, `!!document.querySelector('p.stale')`) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: still stale after %v", path, tabTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sameSet tells whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
