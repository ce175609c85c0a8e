package analytics_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/config"
	"gongkai/ingest/store"
)

func setup(t *testing.T) *analytics.Analytics {
	t.Helper()
	db := analyticstest.Build(t, t.TempDir())
	return analytics.New(db.SQL())
}

func byYear(t *testing.T, rows []analytics.Row, year int) analytics.Row {
	t.Helper()
	for _, r := range rows {
		if r.Year == year {
			return r
		}
	}
	t.Fatalf("no row for %d", year)
	return analytics.Row{}
}

func val(t *testing.T, r analytics.Row, name string) float64 {
	t.Helper()
	v := r.Values[name]
	if v == nil {
		t.Fatalf("%s %d: %s is null", r.Agency, r.Year, name)
	}
	return *v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMetricDefinitions(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range analytics.Metrics {
		if m.Name == "" || m.Label == "" || m.Definition == "" || m.Unit == "" || m.Group == "" {
			t.Errorf("metric %+v lacks a field", m)
		}
		if seen[m.Name] {
			t.Errorf("metric %s twice", m.Name)
		}
		seen[m.Name] = true
		if m.Kind == analytics.Ratio {
			n, ok1 := analytics.MetricByName(m.Num)
			d, ok2 := analytics.MetricByName(m.Den)
			if !ok1 || !ok2 || n.Kind != analytics.Count || d.Kind != analytics.Count {
				t.Errorf("ratio %s: parts %s/%s must be counts", m.Name, m.Num, m.Den)
			}
		} else if m.Part == "" {
			t.Errorf("count %s has no SQL", m.Name)
		}
	}
}

func TestDistrictValues(t *testing.T) {
	a := setup(t)
	rows, err := a.Values(context.Background(), analytics.Filter{}, analytics.ByYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("want 2 years, got %d", len(rows))
	}
	y23, y24 := byYear(t, rows, 2023), byYear(t, rows, 2024)
	checks := []struct {
		r    analytics.Row
		name string
		want float64
	}{
		{y23, "applications", 47}, {y24, "applications", 63},
		{y23, "applications_natural_person", 40}, {y23, "applications_commercial", 2}, {y23, "applications_legal_service", 5},
		{y23, "handled", 47}, {y23, "disclosed", 31}, {y23, "partly_disclosed", 7},
		{y23, "withheld", 1}, {y24, "withheld", 1}, {y24, "withheld_state_secret", 1},
		{y23, "unable", 1}, {y24, "unable", 15}, {y23, "refused", 1},
		// 其他处理: the single row of 区教育局 (5) plus the three-row 甲镇 (1).
		{y23, "other_handled", 6}, {y24, "other_handled", 4},
		{y23, "review", 2}, {y23, "review_corrected", 1}, {y23, "litigation", 1}, {y24, "litigation", 4},
		{y24, "litigation_maintained", 3},
		{y23, "cases_corrected", 2}, {y23, "cases_concluded", 3},
		// Ratios recomputed from summed parts, never averaged.
		{y23, "disclosure_rate", 38.0 / 47}, {y24, "disclosure_rate", 43.0 / 63},
		{y23, "correction_rate", 2.0 / 3}, {y24, "correction_rate", 1.0 / 4},
		// 甲镇 2024 states a total (30), so its channels are not added again.
		{y23, "publications", 450}, {y24, "publications", 310}, {y23, "publications_portal", 400},
		{y23, "licensing", 40}, {y23, "fees", 1.5},
		{y23, "reports", 3}, {y24, "reports", 3}, {y24, "findings_errors", 1}, {y24, "findings_warnings", 1},
	}
	for _, c := range checks {
		if got := val(t, c.r, c.name); !near(got, c.want) {
			t.Errorf("%d %s = %v, want %v", c.r.Year, c.name, got, c.want)
		}
	}
	// The average of the agencies' rates would differ: make sure the fixture tells them apart.
	agencies, err := a.Values(context.Background(), analytics.Filter{Years: []int{2024}}, analytics.ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, r := range agencies {
		mean += val(t, r, "disclosure_rate") / float64(len(agencies))
	}
	if near(mean, 43.0/63) {
		t.Fatal("fixture cannot tell a mean of rates from the recomputed rate")
	}
}

func TestDistrictEqualsDirectSum(t *testing.T) {
	a := setup(t)
	rows, err := a.Values(context.Background(), analytics.Filter{Years: []int{2024}}, analytics.ByYear)
	if err != nil {
		t.Fatal(err)
	}
	var direct float64
	if err := a.DB().QueryRow(`SELECT sum(value)::DOUBLE FROM current_cells WHERE key = 'table3.new_received.total' AND year = 2024`).Scan(&direct); err != nil {
		t.Fatal(err)
	}
	if got := val(t, rows[0], "applications"); got != direct {
		t.Fatalf("applications %v, direct sum %v", got, direct)
	}
}

func TestFilters(t *testing.T) {
	a := setup(t)
	ctx := context.Background()
	rows, err := a.Values(ctx, analytics.Filter{Level: "township"}, analytics.ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Agency != analyticstest.Town {
		t.Fatalf("level filter: %+v", rows)
	}
	rows, err = a.Values(ctx, analytics.Filter{Search: "教育"}, analytics.ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Agency != analyticstest.Edu {
		t.Fatalf("search filter: %+v", rows)
	}
}

func TestCoverageFindingsReport(t *testing.T) {
	a := setup(t)
	ctx := context.Background()
	cov, err := a.Coverage(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]analytics.Coverage{}
	for _, c := range cov {
		state[c.Agency] = c
	}
	if c := state[analyticstest.Gov]; c.Reported || !c.Expected {
		t.Errorf("区人民政府 2024 should be missing: %+v", c)
	}
	if c := state[analyticstest.Town]; !c.Reported || !c.Late {
		t.Errorf("甲镇 2024 should be late: %+v", c)
	}
	if c := state[analyticstest.Water]; !c.Reported || c.Expected || c.Late {
		t.Errorf("区水务局: %+v", c)
	}
	// CoverageIssues is Coverage without the organs in order, read from fewer rows
	for _, y := range []int{2023, 2024} {
		all, err := a.Coverage(ctx, y)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.DeleteFunc(all, func(c analytics.Coverage) bool { return c.Reported && !c.Late && c.Expected && !c.Incomplete })
		n, got, err := a.CoverageIssues(ctx, y, analytics.Page{})
		if err != nil || !slices.Equal(got, want) || n != len(want) || (y == 2024 && len(want) == 0) {
			t.Errorf("%d: CoverageIssues %d %+v, %v; want %+v", y, n, got, err, want)
		}
		for off := range len(want) + 2 {
			n, got, err := a.CoverageIssues(ctx, y, analytics.Page{Limit: 1, Offset: off})
			if err != nil || n != len(want) || !slices.Equal(got, want[min(off, len(want)):min(off+1, len(want))]) {
				t.Errorf("%d offset %d: CoverageIssues %d %+v, %v; want %d %+v", y, off, n, got, err, len(want), want)
			}
		}
	}
	rules, err := a.FindingsByRule(ctx, analytics.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("rules %+v", rules)
	}
	fs, err := a.Findings(ctx, analytics.Filter{Years: []int{2024}}, "T3-balance")
	if err != nil || len(fs) != 1 || fs[0].Cell != "table3.new_received.total" {
		t.Fatalf("findings %+v %v", fs, err)
	}
	rep, err := a.Report(ctx, fs[0].AgencyID, 2024)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Cells["table3.new_received.total"]
	if c.Value == nil || *c.Value != 20 || !c.Flagged || c.Line == 0 {
		t.Fatalf("cell %+v", c)
	}
	_, _, text, err := a.ReportText(ctx, rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Split(text, "\n")[c.Line-1]
	if !strings.HasPrefix(line, "table3.new_received.total") {
		t.Fatalf("line %d is %q", c.Line, line)
	}
}

func TestCompareAndRisks(t *testing.T) {
	a := setup(t)
	ctx := context.Background()
	ds, err := a.Compare(ctx, 2023, 2024, analytics.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	up, down := analytics.Movers(ds, "applications", 3)
	if len(up) != 2 || up[0].Agency != analyticstest.Edu || len(down) != 0 {
		t.Fatalf("movers up %+v down %+v", up, down)
	}
	for _, d := range ds {
		if d.AgencyID == 0 && d.Metric == "applications" && (d.Change == nil || *d.Change != 16) {
			t.Fatalf("district change %+v", d)
		}
	}
	th := config.Risk{MinApplications: 10, CorrectionRateJump: 10, LitigationJump: 2, DisclosureRateDrop: 15, PublicationsDrop: 0.5, CopiedSimilarity: 0.9}
	r, err := a.Risks(ctx, analytics.RiskQuery{Year: 2024, Thresholds: th, Excluded: 100})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, c := range r.Cards {
		kinds[c.Kind] = c.Agency
	}
	want := map[string]string{
		analytics.RiskDisclosureRate: analyticstest.Town, // 66.7% → 25%
		analytics.RiskLitigation:     analyticstest.Town, // 1 → 4
		analytics.RiskPublications:   analyticstest.Town, // 150 → 30
		analytics.RiskCopiedProse:    analyticstest.Edu,
	}
	for k, ag := range want {
		if kinds[k] != ag {
			t.Errorf("card %s: got %q, want %q (cards %+v)", k, kinds[k], ag, r.Cards)
		}
	}
	if _, ok := kinds[analytics.RiskCorrectionRate]; ok {
		t.Errorf("纠错率 on 3→4 cases must be excluded as a small sample")
	}
	if len(r.Excluded) == 0 {
		t.Errorf("small samples must be said")
	}
}

func TestExport(t *testing.T) {
	a := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	if err := a.ExportParquet(ctx, "cells", 0, dir+"/cells", true); err != nil {
		t.Fatal(err)
	}
	var n float64
	if err := a.DB().QueryRow(`SELECT sum(value)::DOUBLE FROM read_parquet('` + dir + `/cells/*/*.parquet', hive_partitioning = true)
  WHERE key = 'table3.new_received.total' AND year = 2024`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 63 {
		t.Fatalf("parquet sum %v", n)
	}
	for _, what := range analytics.Exportable {
		tb, err := a.ExportTable(ctx, what, 2024)
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		if err := analytics.WriteCSV(&buf, tb); err != nil || !strings.HasPrefix(buf.String(), "\uFEFF") || len(tb.Rows) == 0 {
			t.Fatalf("%s: %v rows %d", what, err, len(tb.Rows))
		}
	}
	if _, err := analytics.ExportSQL("nope", 0); err == nil {
		t.Fatal("unknown export accepted")
	}
}

// TestDataVersionInMemory: over a store, DataVersion is the store's in-memory count and
// equals what the database says, before and after writes; Values answers drawn before a
// write are not served after it.
func TestDataVersionInMemory(t *testing.T) {
	ctx := context.Background()
	db := analyticstest.Build(t, t.TempDir())
	mem, direct := analytics.NewStore(db), analytics.New(db.SQL())
	check := func(step string) int64 {
		t.Helper()
		a, err1 := mem.DataVersion(ctx)
		b, err2 := direct.DataVersion(ctx)
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("%s: in memory %d (%v), in the database %d (%v)", step, a, err1, b, err2)
		}
		return a
	}
	before := check("built")
	f := analytics.Filter{Years: []int{2023}}
	rows, err := mem.Values(ctx, f, analytics.ByYear)
	if err != nil {
		t.Fatal(err)
	}
	apps := val(t, byYear(t, rows, 2023), "applications")
	// A corrected version of 甲镇's 2023 report with 8 more applications.
	s := analyticstest.Specs[0]
	cells := map[string]float64{}
	for k, v := range s.Cells {
		cells[k] = v
	}
	cells["table3.new_received.total"] += 8
	s.Cells = cells
	r := analyticstest.Report(s)
	saved := db.SaveAllDerived([]store.Item{{Report: r, Meta: store.FileMeta{Path: "更正版.txt", SHA256: "corrected",
		SourceFormat: "text", ParserVersion: "test"}}}, analytics.Derivation(), nil)
	if saved[0].Err != nil {
		t.Fatal(saved[0].Err)
	}
	if after := check("saved"); after == before {
		t.Fatal("a save did not move the version")
	}
	rows, err = mem.Values(ctx, f, analytics.ByYear)
	if err != nil {
		t.Fatal(err)
	}
	if got := val(t, byYear(t, rows, 2023), "applications"); !near(got, apps+8) {
		t.Fatalf("after the correction: 新收申请 %v, want %v (an answer of the old version served?)", got, apps+8)
	}
}
