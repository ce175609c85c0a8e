package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"gongkai/ingest"
)

// violations applies the spec's rules to a report (and its previous year, when given) and
// returns the identifiers of the rules broken, sorted and without repeats. It is the test's
// own small checker, independent of the project's.
func violations(r, prev *ingest.Report) []string {
	set := map[string]bool{}
	v := func(key string) float64 { x, _ := r.Value(key); return x }
	t3 := ingest.Table3Key
	cols := ingest.Table3Columns
	for _, c := range cols {
		if v(t3("new_received", c))+v(t3("carried_over", c)) != v(t3("total_handled", c))+v(t3("carried_forward", c)) {
			set["T3-balance"] = true
		}
		sum := 0.0
		for _, row := range outcomeRows(r.SingleOther) {
			sum += v(t3(row, c))
		}
		if sum != v(t3("total_handled", c)) {
			set["T3-outcome-sum"] = true
		}
	}
	for _, row := range table3Rows(r.SingleOther) {
		sum := 0.0
		for _, c := range cols[:6] {
			sum += v(t3(row, c))
		}
		if sum != v(t3(row, "total")) {
			set["T3-row-total"] = true
		}
	}
	nonZero4 := false
	for _, b := range ingest.Table4Blocks {
		sum := 0.0
		for _, c := range ingest.Table4Columns[:4] {
			sum += v(ingest.Table4Key(b, c))
		}
		if sum != v(ingest.Table4Key(b, "total")) {
			set["T4-block-total"] = true
		}
		if v(ingest.Table4Key(b, "total")) != 0 {
			nonZero4 = true
		}
	}
	if r.ApplicationsStated != nil && float64(*r.ApplicationsStated) != v(t3("new_received", "total")) {
		set["N-applications"] = true
	}
	if nonZero4 && statesNoReview(r) {
		set["N-review-litigation"] = true
	}
	for _, k := range r.Keys() {
		x, ok := r.Value(k)
		if !ok {
			set["V-unreadable"] = true
			continue
		}
		if x < 0 && !ingest.MayBeNegative(k) {
			set["V-negative"] = true
		}
		if !ingest.IsDecimalKey(k) && x != math.Trunc(x) {
			set["V-not-integer"] = true
		}
	}
	if r.Level == ingest.LevelTownship {
		for _, k := range []string{"table2.regulations.made", "table2.regulations.valid", "table2_2019.regulations.new_made", "table2_2019.regulations.total_published"} {
			if v(k) != 0 {
				set["Q-regulations-township"] = true
			}
		}
	}
	if ingest.PlausibleFees(ingest.LevelOf(r.Agency, r.Level), v("table2.fees")) != "" {
		set["Q-fees-unit"] = true
	}
	if r.Published != "" {
		if ingest.IsLate(r.Level, r.Year, r.Published) || r.Published < fmt.Sprintf("%04d-01-01", r.Year+1) {
			set["S-late"] = true
		}
	}
	if prev != nil {
		for _, c := range cols {
			pv, _ := prev.Value(t3("carried_forward", c))
			if pv != v(t3("carried_over", c)) {
				set["X-carry-over"] = true
			}
		}
		if prev.Format == ingest.Format2021 && r.Format == ingest.Format2021 {
			for _, kind := range []string{"regulations", "normative_documents"} {
				pv, _ := prev.Value("table2." + kind + ".valid")
				if pv+v("table2."+kind+".made")-v("table2."+kind+".repealed") != v("table2."+kind+".valid") {
					set["X-valid-docs"] = true
				}
			}
		}
		if prev.Format == ingest.Format2019 && r.Format == ingest.Format2019 {
			for _, kind := range []string{"regulations", "normative_documents"} {
				pv, _ := prev.Value("table2_2019." + kind + ".total_published")
				if pv+v("table2_2019."+kind+".new_published") != v("table2_2019."+kind+".total_published") {
					set["X-valid-docs"] = true
				}
			}
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// proseProblems checks that what the report says its prose states is in the prose.
func proseProblems(r *ingest.Report) []string {
	var out []string
	all := r.Prose[1] + r.Prose[5] + r.Prose[6]
	for _, p := range r.Publications {
		if !strings.Contains(r.Prose[1], p.Quote) {
			out = append(out, "publication quote not in prose: "+p.Quote)
		}
		if !strings.Contains(p.Quote, fmt.Sprint(p.Count)) {
			out = append(out, "publication count not in quote: "+p.Quote)
		}
	}
	if r.ApplicationsStated != nil {
		if r.ApplicationsQuote == "" || !strings.Contains(r.Prose[1], r.ApplicationsQuote) {
			out = append(out, "applications quote not in prose: "+r.ApplicationsQuote)
		}
		if *r.ApplicationsStated > 0 && !strings.Contains(r.ApplicationsQuote, fmt.Sprint(*r.ApplicationsStated)) {
			out = append(out, "applications count not in quote: "+r.ApplicationsQuote)
		}
	}
	if strings.Contains(all, "%!") {
		out = append(out, "format error in prose")
	}
	return out
}

// chain generates the district's reports from 2019 to 2025 with a seed.
func chain(seed int64, n int) [][]*ingest.Report {
	rng := rand.New(rand.NewSource(seed))
	ags := District(rng, "", n)
	out := make([][]*ingest.Report, len(ags))
	for i, a := range ags {
		var prev *ingest.Report
		for y := 2019; y <= 2025; y++ {
			r := Truth(rng, a, y, FormatFor(y), prev)
			out[i] = append(out[i], r)
			prev = r
		}
	}
	return out
}

func TestTruthHoldsEveryRule(t *testing.T) {
	levels := map[string]int{}
	nonZero := 0
	for seed := int64(1); seed <= 30; seed++ {
		for _, reports := range chain(seed, 12) {
			var prev *ingest.Report
			for _, r := range reports {
				levels[r.Level]++
				if got := violations(r, prev); len(got) != 0 {
					t.Fatalf("seed %d %s %d (%s): clean truth breaks %v", seed, r.Agency, r.Year, r.Format, got)
				}
				if p := proseProblems(r); len(p) != 0 {
					t.Fatalf("seed %d %s %d: %v", seed, r.Agency, r.Year, p)
				}
				if err := r.Validate(); err != nil {
					t.Fatal(err)
				}
				if r.Cells.Len() != len(r.Keys()) {
					t.Fatalf("%s %d: %d cells, want %d", r.Agency, r.Year, r.Cells.Len(), len(r.Keys()))
				}
				if want := r.Format == ingest.Format2019; want && !r.SingleOther {
					t.Fatalf("%s %d: 2019 format with three-row （六）", r.Agency, r.Year)
				}
				if fees, _ := r.Value("table2.fees"); math.Round(fees*100) != fees*100 && math.Abs(math.Round(fees*100)-fees*100) > 1e-6 {
					t.Fatalf("%s %d: fees %v has more than 2 decimals", r.Agency, r.Year, fees)
				}
				if v, _ := r.Value(ingest.Table3Key("new_received", "total")); v > 0 {
					nonZero++
				}
				if len(r.Findings) != 0 {
					t.Fatalf("clean truth has findings %v", r.Findings)
				}
				prev = r
			}
		}
	}
	if levels[ingest.LevelTownship] == 0 || levels[ingest.LevelDepartment] == 0 || levels[ingest.LevelCounty] == 0 {
		t.Fatalf("levels not all generated: %v", levels)
	}
	if nonZero == 0 {
		t.Fatal("no report received any application")
	}
}

func TestTruthMagnitudesByLevel(t *testing.T) {
	sum := map[string]float64{}
	count := map[string]float64{}
	zero := map[string]float64{}
	for seed := int64(1); seed <= 20; seed++ {
		for _, reports := range chain(seed, 15) {
			for _, r := range reports {
				v, _ := r.Value(ingest.Table3Key("new_received", "total"))
				sum[r.Level] += v
				count[r.Level]++
				if v == 0 {
					zero[r.Level]++
				}
			}
		}
	}
	mean := func(l string) float64 { return sum[l] / count[l] }
	if !(mean(ingest.LevelTownship) < 3 && zero[ingest.LevelTownship]/count[ingest.LevelTownship] > 0.5) {
		t.Errorf("townships: mean %.1f applications, %.0f%% zero; want few, mostly zero", mean(ingest.LevelTownship), 100*zero[ingest.LevelTownship]/count[ingest.LevelTownship])
	}
	if m := mean(ingest.LevelDepartment); m < 5 || m > 200 {
		t.Errorf("departments: mean %.1f applications, want tens", m)
	}
	if m := mean(ingest.LevelCounty); m < 20 || m > 500 {
		t.Errorf("county: mean %.1f applications, want tens to hundreds", m)
	}
}

func TestDistrict(t *testing.T) {
	a := District(rand.New(rand.NewSource(7)), "青川区", 60)
	b := District(rand.New(rand.NewSource(7)), "青川区", 60)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("District is not deterministic")
	}
	if len(a) != 60 || a[0].Level != ingest.LevelCounty || a[0].Name != "青川区人民政府" {
		t.Fatalf("district head: %v (len %d)", a[0], len(a))
	}
	names := map[string]bool{}
	for _, x := range a {
		if names[x.Name] || names[x.Short] {
			t.Fatalf("duplicate name %s", x.Name)
		}
		names[x.Name], names[x.Short] = true, true
		if shortOf(x.Name) != x.Short || districtOf(x.Name) != "青川区" {
			t.Errorf("%s: shortOf %q districtOf %q, want %q", x.Name, shortOf(x.Name), districtOf(x.Name), x.Short)
		}
	}
	if big := District(rand.New(rand.NewSource(1)), "", 3000); len(big) != 3000 {
		t.Fatalf("big district: %d organs", len(big))
	}
}

// injectCase builds a prev and a current report of a level and format.
func injectCase(seed int64, level, format string) (prev, r *ingest.Report) {
	rng := rand.New(rand.NewSource(seed))
	var a Agency
	for _, x := range District(rng, "", 12) {
		if x.Level == level {
			a = x
			break
		}
	}
	prev = Truth(rng, a, 2023, format, nil)
	if format == ingest.Format2019 {
		prev = Truth(rng, a, 2019, format, nil)
		return prev, Truth(rng, a, 2020, format, prev)
	}
	return prev, Truth(rng, a, 2024, format, prev)
}

func TestInjectBreaksOnlyItsRule(t *testing.T) {
	for _, rule := range Rules {
		t.Run(rule, func(t *testing.T) {
			applied := 0
			for seed := int64(1); seed <= 40; seed++ {
				for _, level := range []string{ingest.LevelTownship, ingest.LevelDepartment, ingest.LevelCounty} {
					for _, format := range []string{ingest.Format2021, ingest.Format2019} {
						prev, r := injectCase(seed, level, format)
						before := clone(r)
						err := Inject(r, rule, rand.New(rand.NewSource(seed)))
						if err != nil {
							if !strings.Contains(err.Error(), ErrNotApplicable.Error()) {
								t.Fatalf("%s %s: %v", level, format, err)
							}
							continue
						}
						applied++
						if p := proseProblems(r); len(p) != 0 {
							t.Fatalf("seed %d %s %s: %v", seed, level, format, p)
						}
						if len(r.Findings) != 1 || r.Findings[0].Rule != rule {
							t.Fatalf("findings recorded: %+v", r.Findings)
						}
						got := violations(r, prev)
						if rule == "S-copied-prose" {
							if len(got) != 0 {
								t.Fatalf("seed %d %s %s: copied prose breaks %v", seed, level, format, got)
							}
							if r.Prose[1] == before.Prose[1] {
								t.Fatalf("prose unchanged")
							}
							continue
						}
						if len(got) != 1 || got[0] != rule {
							t.Fatalf("seed %d %s %s: Inject(%s) broke %v", seed, level, format, rule, got)
						}
					}
				}
			}
			if applied == 0 {
				t.Fatalf("rule %s never applied", rule)
			}
		})
	}
}

func TestInjectUnknownRule(t *testing.T) {
	_, r := injectCase(1, ingest.LevelTownship, ingest.Format2021)
	if err := Inject(r, "T9-nonsense", rand.New(rand.NewSource(1))); err == nil {
		t.Fatal("unknown rule: no error")
	}
	if err := Inject(r, "Q-regulations-township", rand.New(rand.NewSource(1))); err != nil {
		t.Fatalf("township: %v", err)
	}
	_, d := injectCase(1, ingest.LevelDepartment, ingest.Format2021)
	if err := Inject(d, "Q-regulations-township", rand.New(rand.NewSource(1))); err == nil {
		t.Fatal("Q-regulations-township on a department: no error")
	}
}

// similarity is the share of prose characters in common runs of 8 (a crude copy measure).
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	grams := map[string]bool{}
	for i := 0; i+8 <= len(rb); i++ {
		grams[string(rb[i:i+8])] = true
	}
	hit, n := 0, 0
	for i := 0; i+8 <= len(ra); i++ {
		n++
		if grams[string(ra[i:i+8])] {
			hit++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

func TestInjectCopiedProse(t *testing.T) {
	reports := chain(5, 10)
	for i := 1; i < len(reports); i++ {
		from, r := reports[i-1][5], reports[i][5]
		own := similarity(r.Prose[1], from.Prose[1])
		InjectCopiedProse(r, from)
		if sim := similarity(r.Prose[1], from.Prose[1]); sim < 0.8 || own > 0.6 {
			t.Errorf("%s copying %s: similarity %.2f after, %.2f before", r.Agency, from.Agency, sim, own)
		}
		if got := violations(r, reports[i][4]); len(got) != 0 {
			t.Errorf("%s: copied prose breaks %v", r.Agency, got)
		}
		if p := proseProblems(r); len(p) != 0 {
			t.Errorf("%s: %v", r.Agency, p)
		}
		if !strings.Contains(r.Prose[1], "2024") && strings.Contains(from.Prose[1], "2024") {
			t.Errorf("year not carried over")
		}
	}
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// visibleText is the text a reader of a rendered page sees (tags stripped for HTML).
func visibleText(layout string, b []byte) string {
	if layout == "html-gbk" {
		b, _ = DecodeGBK(b)
	}
	if strings.HasPrefix(layout, "html") {
		return strings.NewReplacer("&nbsp;", " ", "&quot;", "\"", "&#34;", "\"", "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(tagRe.ReplaceAllString(string(b), ""))
	}
	return string(b)
}

func TestRenderEveryLayout(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		for _, reports := range chain(seed, 8) {
			for _, r := range []*ingest.Report{reports[1], reports[5]} { // 2020 (2019 format), 2024
				for _, layout := range Layouts {
					b, err := Render(r, layout)
					if err != nil {
						t.Fatalf("%s %d %s: %v", r.Agency, r.Year, layout, err)
					}
					text := visibleText(layout, b)
					for _, want := range []string{r.Agency, fmt.Sprint(r.Year), "总体情况", "收到和处理政府信息公开申请情况", "六、其他需要报告的事项", "结转下年度继续办理"} {
						if !strings.Contains(text, want) {
							t.Fatalf("%s %d %s: %q missing", r.Agency, r.Year, layout, want)
						}
					}
					for _, p := range r.Publications {
						if !strings.Contains(text, p.Quote) {
							t.Fatalf("%s %d %s: publication %q missing", r.Agency, r.Year, layout, p.Quote)
						}
					}
					if r.ApplicationsStated != nil && !strings.Contains(text, r.ApplicationsQuote) {
						t.Fatalf("%s %d %s: applications %q missing", r.Agency, r.Year, layout, r.ApplicationsQuote)
					}
					if r.Published != "" && !strings.Contains(text, r.Published) {
						t.Fatalf("%s %d %s: date %s missing", r.Agency, r.Year, layout, r.Published)
					}
					if r.Format == ingest.Format2019 && !strings.Contains(text, "政府集中采购") {
						t.Fatalf("%s %d %s: 2019 table 2 missing", r.Agency, r.Year, layout)
					}
				}
			}
		}
	}
	if _, err := Render(chain(1, 1)[0][0], "pptx"); err == nil {
		t.Fatal("unknown layout: no error")
	}
}

// TestRenderNumbersInOrder checks, for the layouts that keep separators, that each table-3
// row's seven numbers follow its label in order.
func TestRenderNumbersInOrder(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		for _, reports := range chain(seed, 6) {
			r := reports[6]
			st := newStyle(r, "labels-above")
			b, _ := Render(r, "labels-above")
			lines := strings.Split(string(b), "\n")
			for _, row := range st.table3(r) {
				want := strings.Join(st.nums(r, t3keys(row.key)), " ")
				label := row.parts[2]
				if label == "" {
					label = row.parts[1]
				}
				if label == "" {
					label = row.parts[0]
				}
				found := false
				for i := 0; i+1 < len(lines); i++ {
					if strings.HasSuffix(lines[i], label) && strings.Join(strings.Fields(lines[i+1]), " ") == want {
						found = true
					}
				}
				if !found {
					t.Fatalf("%s %d: row %s (%s) not followed by %q", r.Agency, r.Year, row.key, label, want)
				}
			}
		}
	}
}

func TestHTMLGBK(t *testing.T) {
	for _, reports := range chain(3, 6) {
		r := reports[6]
		u, err := Render(r, "html")
		if err != nil {
			t.Fatal(err)
		}
		g, err := Render(r, "html-gbk")
		if err != nil {
			t.Fatal(err)
		}
		if utf8.Valid(g) {
			t.Fatal("html-gbk is valid UTF-8")
		}
		if !bytes.Contains(g, []byte(`<meta charset="gbk">`)) || !bytes.Contains(u, []byte(`<meta charset="utf-8">`)) {
			t.Fatal("charset declarations missing")
		}
		back, err := DecodeGBK(g)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, u) {
			t.Fatalf("%s: html-gbk does not decode to the html layout", r.Agency)
		}
		for _, want := range []string{`rowspan="8"`, `colspan="3"`, "breadcrumb", "share-bar", "footer"} {
			if !bytes.Contains(u, []byte(want)) {
				t.Fatalf("html page lacks %s", want)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := chain(11, 5), chain(11, 5)
	for i := range a {
		for j := range a[i] {
			ja, _ := json.Marshal(a[i][j])
			jb, _ := json.Marshal(b[i][j])
			if !bytes.Equal(ja, jb) || a[i][j].Prose[1] != b[i][j].Prose[1] {
				t.Fatalf("Truth not deterministic for %s %d", a[i][j].Agency, a[i][j].Year)
			}
			for _, layout := range Layouts {
				x, _ := Render(a[i][j], layout)
				y, _ := Render(b[i][j], layout)
				z, _ := Render(a[i][j], layout)
				if !bytes.Equal(x, y) || !bytes.Equal(x, z) {
					t.Fatalf("Render(%s) not deterministic", layout)
				}
			}
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Agencies: 9, From: 2020, To: 2024, Out: dir, Seed: 42, Missing: 3,
		Inject: map[string]float64{"T3-balance": 0.15, "S-copied-prose": 0.15, "X-carry-over": 0.15, "S-late": 0.1}}
	files, err := Write(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 9*5-3 {
		t.Fatalf("%d files, want %d", len(files), 9*5-3)
	}
	var m Manifest
	mb, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Reports) != 45 {
		t.Fatalf("manifest lists %d reports", len(m.Reports))
	}
	injected, missing := 0, 0
	for _, g := range m.Reports {
		if g.Missing {
			missing++
			if _, err := os.Stat(filepath.Join(dir, g.File)); err == nil {
				t.Fatalf("missing report %s was written", g.File)
			}
			continue
		}
		injected += len(g.Injected)
		page, err := os.ReadFile(filepath.Join(dir, g.File))
		if err != nil {
			t.Fatal(err)
		}
		if Ext(g.Layout) != filepath.Ext(g.File) {
			t.Fatalf("%s: extension for layout %s", g.File, g.Layout)
		}
		if !strings.Contains(visibleText(g.Layout, page), g.Agency) {
			t.Fatalf("%s: agency missing", g.File)
		}
		tb, err := os.ReadFile(filepath.Join(dir, g.Truth))
		if err != nil {
			t.Fatal(err)
		}
		var r ingest.Report
		if err := json.Unmarshal(tb, &r); err != nil {
			t.Fatalf("%s: %v", g.Truth, err)
		}
		again, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(tb, again[:len(again)-1]) {
			t.Fatalf("%s: truth does not round-trip:\n%s\n%s", g.Truth, tb, again)
		}
		var side struct{ Generator Generated }
		if err := json.Unmarshal(tb, &side); err != nil || side.Generator.Layout != g.Layout || side.Generator.File != g.File {
			t.Fatalf("%s: generator field %+v %v", g.Truth, side.Generator, err)
		}
		if r.Agency != g.Agency || r.Year != g.Year || r.Source != g.File {
			t.Fatalf("%s: truth names %s %d %s", g.Truth, r.Agency, r.Year, r.Source)
		}
		if len(g.Injected) > 0 && (len(r.Findings) != 1 || r.Findings[0].Rule != g.Injected[0]) {
			t.Fatalf("%s: injected %v, findings %+v", g.File, g.Injected, r.Findings)
		}
		if len(g.Injected) == 0 && len(r.Findings) != 0 {
			t.Fatalf("%s: clean report with findings", g.File)
		}
	}
	if missing != 3 || injected == 0 {
		t.Fatalf("missing %d injected %d", missing, injected)
	}
	// Same seed, same bytes.
	dir2 := t.TempDir()
	opts.Out = dir2
	if _, err := Write(opts); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, _ := os.ReadFile(filepath.Join(dir2, filepath.Base(f)))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s differs between runs with the same seed", filepath.Base(f))
		}
	}
}

func TestWriteRejects(t *testing.T) {
	dir := t.TempDir()
	for name, o := range map[string]Options{
		"no agencies":  {Agencies: 0, From: 2024, To: 2024, Out: dir},
		"years":        {Agencies: 1, From: 2025, To: 2024, Out: dir},
		"layout":       {Agencies: 1, From: 2024, To: 2024, Out: dir, Layouts: []string{"pptx"}},
		"rule":         {Agencies: 1, From: 2024, To: 2024, Out: dir, Inject: map[string]float64{"T9": 0.1}},
		"probability":  {Agencies: 1, From: 2024, To: 2024, Out: dir, Inject: map[string]float64{"S-late": 0.7, "T3-balance": 0.6}},
		"no directory": {Agencies: 1, From: 2024, To: 2024},
	} {
		if _, err := Write(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func BenchmarkTruthRender(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	ags := District(rng, "", 50)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := Truth(rng, ags[i%len(ags)], 2024, ingest.Format2021, nil)
		if _, err := Render(r, Layouts[i%len(Layouts)]); err != nil {
			b.Fatal(err)
		}
	}
}
