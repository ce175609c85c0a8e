package analytics_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/store"
)

// Regression tests of issue 10 items 2, 3 and 5, on districts made by the generator (its
// truth reports, checked as ingest checks them, stored through the real store): a missing
// value is never a delta or a fall; a comparison of years compares the same organs and names
// those it leaves out; an impossible fee (an error of the plausibility kind) is left out of
// the district's sums and the exclusion is counted.

const (
	fromYear = 2024
	toYear   = 2025
)

// edit changes or drops (returns nil) one generated report before it is checked and stored.
type edit func(a generate.Agency, year int, r *ingest.Report) *ingest.Report

// genDistrict generates n organs for fromYear and toYear, applies ed, checks and stores the
// reports. It returns the analytics, the organs, and the stored reports by organ and year.
func genDistrict(t *testing.T, n int, ed edit) (*analytics.Analytics, []generate.Agency, map[string]map[int]*ingest.Report) {
	t.Helper()
	rng := rand.New(rand.NewSource(11))
	organs := generate.District(rng, "", n)
	db, err := store.Open(filepath.Join(t.TempDir(), "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var reg []config.Organ
	for _, a := range organs {
		reg = append(reg, config.Organ{Name: a.Name, Level: a.Level, District: a.District})
	}
	if err := db.SyncRegistry(reg); err != nil {
		t.Fatal(err)
	}
	stored := map[string]map[int]*ingest.Report{}
	var items []store.Item
	for _, a := range organs {
		var prev *ingest.Report
		for year := fromYear; year <= toYear; year++ {
			r := generate.Truth(rng, a, year, generate.FormatFor(year), prev)
			prev = r
			r.Source = fmt.Sprintf("%s-%d.txt", a.Name, year)
			if r.Text == "" {
				r.Text = fmt.Sprintf("%s%d年政府信息公开工作年度报告\n", a.Name, year)
			}
			if ed != nil {
				if r = ed(a, year, r); r == nil {
					continue
				}
			}
			r.Findings = nil
			check.Report(r)
			if stored[a.Name] == nil {
				stored[a.Name] = map[int]*ingest.Report{}
			}
			stored[a.Name][year] = r
			sum := sha256.Sum256([]byte(r.Source + r.Text))
			items = append(items, store.Item{Report: r, Meta: store.FileMeta{Path: r.Source, SHA256: fmt.Sprintf("%x", sum), SourceFormat: "text", ParserVersion: "test"}})
		}
	}
	for _, s := range db.SaveAllDerived(items, analytics.Derivation(), nil) {
		if s.Err != nil {
			t.Fatal(s.Err)
		}
	}
	return analytics.New(db.SQL()), organs, stored
}

// cellSum sums a cell over the stored reports of year: of every organ, or (both) of the
// organs with reports in both years; reports whose cell is unread or has an error finding
// of the plausibility kind are left out, as the district figures leave them out.
func cellSum(stored map[string]map[int]*ingest.Report, key string, year int, both bool) (sum float64, left int) {
	for _, ys := range stored {
		if both && (ys[fromYear] == nil || ys[toYear] == nil) {
			continue
		}
		r := ys[year]
		if r == nil {
			continue
		}
		v, ok := r.Value(key)
		if !ok || excluded(r, key) {
			left++
			continue
		}
		sum += v
	}
	return sum, left
}

// excluded: the report has an error finding of the plausibility kind on the cell (ingest's
// rule, ExcludesCell; the fee cases below check the finding itself).
func excluded(r *ingest.Report, key string) bool {
	for _, f := range r.Findings {
		if f.Cell == key && ingest.ExcludesCell(f) {
			return true
		}
	}
	return false
}

func deltaOf(ds []analytics.Delta, agency, metric string) (analytics.Delta, bool) {
	for _, d := range ds {
		if d.Agency == agency && d.Metric == metric {
			return d, true
		}
	}
	return analytics.Delta{}, false
}

func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(*v)
}

var riskThresholds = config.Risk{MinApplications: 1, CorrectionRateJump: 1, LitigationJump: 1, DisclosureRateDrop: 1, PublicationsDrop: 0.01}

// Item 2: a value missing in either year — no report, not stated, unread — is never a
// change, a mover or a risk card; the year is marked reported or not (未说明 / 未报送).
func TestMissingIsNeverAFall(t *testing.T) {
	unset := func(key string) func(r *ingest.Report) {
		return func(r *ingest.Report) {
			c := r.Cells.Of(key)
			c.Value = nil
			r.Cells.Set(key, c)
		}
	}
	// Each case spoils its own organ of one district: the organ at position i+1.
	tests := []struct {
		name         string
		year         int                    // the year spoiled
		drop         bool                   // no report that year
		spoil        func(r *ingest.Report) // or this change to the report
		metrics      []string               // metrics that must have no change for the organ
		fromReported bool
		toReported   bool
	}{
		{"no report in the later year", toYear, true, nil, []string{"applications", "publications", "disclosure_rate", "fees"}, true, false},
		{"no report in the earlier year", fromYear, true, nil, []string{"applications", "publications", "disclosure_rate"}, false, true},
		{"publications not stated", toYear, false, func(r *ingest.Report) { r.Publications = nil }, []string{"publications"}, true, true},
		{"publications not stated the year before", fromYear, false, func(r *ingest.Report) { r.Publications = nil }, []string{"publications"}, true, true},
		{"applications unread", toYear, false, unset("table3.new_received.total"), []string{"applications"}, true, true},
		{"handled unread: no disclosure rate", toYear, false, unset("table3.total_handled.total"), []string{"handled", "disclosure_rate"}, true, true},
		{"one withheld reason unread: no sum of eight", toYear, false, unset("table3.withheld_third_party.total"), []string{"withheld", "withheld_third_party"}, true, true},
	}
	pos := map[string]int{}
	a, organs, _ := genDistrict(t, len(tests)+3, func(ag generate.Agency, year int, r *ingest.Report) *ingest.Report {
		if _, ok := pos[ag.Name]; !ok {
			pos[ag.Name] = len(pos)
		}
		i := pos[ag.Name] - 1
		if i < 0 || i >= len(tests) || year != tests[i].year {
			return r
		}
		if tests[i].drop {
			return nil
		}
		tests[i].spoil(r)
		return r
	})
	ctx := context.Background()
	deltas, err := a.Compare(ctx, fromYear, toYear, analytics.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deltas {
		if (d.From == nil || d.To == nil) && d.Change != nil {
			t.Errorf("%s %s: %s → %s has a change %v", d.Agency, d.Metric, show(d.From), show(d.To), *d.Change)
		}
	}
	risks, err := a.Risks(ctx, analytics.RiskQuery{Year: toYear, Thresholds: riskThresholds})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range risks.Cards {
		if c.Metric != "" && (c.From == nil || c.To == nil) {
			t.Errorf("risk card %s of %s on a missing value: %s", c.Title, c.Agency, c.Detail)
		}
		if strings.Contains(c.Detail, "—") || strings.Contains(c.Detail, "下降 100%") {
			t.Errorf("risk card shows a missing value as a fall: %s %s", c.Agency, c.Detail)
		}
	}
	if len(risks.Cards) == 0 {
		t.Error("no risk card at all under thresholds of 1: the test proves less than it says")
	}
	comparisons := map[string]map[bool]*analytics.Comparison{}
	for i, tt := range tests {
		victim := organs[i+1].Name
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range tt.metrics {
				d, ok := deltaOf(deltas, victim, m)
				if !ok {
					t.Fatalf("no delta of %s %s", victim, m)
				}
				if d.Change != nil || d.FromReported != tt.fromReported || d.ToReported != tt.toReported {
					t.Errorf("%s %s: %s → %s change %s, reported %v/%v; want no change, reported %v/%v",
						victim, m, show(d.From), show(d.To), show(d.Change), d.FromReported, d.ToReported, tt.fromReported, tt.toReported)
				}
				if (tt.year == toYear && d.To != nil) || (tt.year == fromYear && d.From != nil) {
					t.Errorf("%s %s: the missing year has a value (%s → %s)", victim, m, show(d.From), show(d.To))
				}
				up, down := analytics.Movers(deltas, m, 100)
				for _, mv := range append(up, down...) {
					if mv.Agency == victim {
						t.Errorf("%s is a mover of %s", victim, m)
					}
				}
				for _, all := range []bool{false, true} {
					if comparisons[m] == nil {
						comparisons[m] = map[bool]*analytics.Comparison{}
					}
					c := comparisons[m][all]
					if c == nil {
						if c, err = a.CompareAgencies(ctx, fromYear, toYear, m, analytics.Filter{}, all, analytics.Page{}); err != nil {
							t.Fatal(err)
						}
						comparisons[m][all] = c
						for _, r := range c.Rows {
							if (r.From == nil || r.To == nil) && r.Change != nil {
								t.Errorf("CompareAgencies(all=%v) %s %s: %s → %s has a change", all, r.Agency, m, show(r.From), show(r.To))
							}
						}
					}
					for _, r := range c.Rows {
						if r.Agency == victim && r.Change != nil {
							t.Errorf("CompareAgencies(all=%v) %s %s: change %v", all, r.Agency, m, *r.Change)
						}
					}
				}
			}
			for _, c := range risks.Cards {
				if c.Agency == victim && slices.Contains(tt.metrics, c.Metric) {
					t.Errorf("risk card %s of %s on its missing %s: %s", c.Title, c.Agency, c.Metric, c.Detail)
				}
			}
		})
	}
}

// Item 3: by default the district of both years is the same organs (those with a report in
// both), LeftOut names who was left out and how many of each kind; with every organ the
// district sums differ by exactly those organs.
func TestSameOrgansCompared(t *testing.T) {
	tests := []struct {
		name          string
		onlyFrom      []int // organs (by position) without a report in the later year
		onlyTo        []int // organs without a report in the earlier year
		level         string
		wantFromCount int // of the organs the level selects (-1: not checked)
		wantToCount   int
	}{
		{"every organ both years", nil, nil, "", 0, 0},
		{"one new organ", nil, []int{3}, "", 0, 1},
		{"one organ gone", []int{4}, nil, "", 1, 0},
		{"new and gone", []int{4, 6}, []int{3}, "", 2, 1},
		{"the district government gone", []int{0}, nil, "", 1, 0},
		{"level filter keeps its own", []int{0, 11}, []int{1, 10}, ingest.LevelTownship, -1, -1},
	}
	metrics := []struct{ name, key string }{
		{"applications", "table3.new_received.total"},
		{"handled", "table3.total_handled.total"},
		{"disclosed", "table3.disclosed.total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos := map[string]int{}
			a, organs, stored := genDistrict(t, 12, func(ag generate.Agency, year int, r *ingest.Report) *ingest.Report {
				if _, ok := pos[ag.Name]; !ok {
					pos[ag.Name] = len(pos)
				}
				p := pos[ag.Name]
				if year == toYear && slices.Contains(tt.onlyFrom, p) || year == fromYear && slices.Contains(tt.onlyTo, p) {
					return nil
				}
				return r
			})
			sel := map[string]map[int]*ingest.Report{}
			var wantFrom, wantTo []string
			for _, o := range organs {
				if tt.level != "" && o.Level != tt.level {
					continue
				}
				sel[o.Name] = stored[o.Name]
				switch p := pos[o.Name]; {
				case slices.Contains(tt.onlyFrom, p):
					wantFrom = append(wantFrom, o.Name)
				case slices.Contains(tt.onlyTo, p):
					wantTo = append(wantTo, o.Name)
				}
			}
			if tt.wantFromCount >= 0 && (len(wantFrom) != tt.wantFromCount || len(wantTo) != tt.wantToCount) {
				t.Fatalf("the case selects %d/%d left-out organs, want %d/%d", len(wantFrom), len(wantTo), tt.wantFromCount, tt.wantToCount)
			}
			if tt.wantFromCount < 0 && len(wantFrom)+len(wantTo) == 0 {
				t.Fatal("the case leaves no organ of its level out: it proves nothing")
			}
			slices.Sort(wantFrom)
			slices.Sort(wantTo)
			ctx := context.Background()
			f := analytics.Filter{Level: tt.level}
			lo, err := a.LeftOut(ctx, fromYear, toYear, f, 100)
			if err != nil {
				t.Fatal(err)
			}
			if lo.Count != len(wantFrom)+len(wantTo) || lo.FromCount != len(wantFrom) || lo.ToCount != len(wantTo) ||
				!slices.Equal(lo.OnlyFrom, wantFrom) || !slices.Equal(lo.OnlyTo, wantTo) {
				t.Errorf("LeftOut = %+v, want only %d: %q, only %d: %q", lo, fromYear, wantFrom, toYear, wantTo)
			}
			if lo1, err := a.LeftOut(ctx, fromYear, toYear, f, 1); err != nil || lo1.FromCount != lo.FromCount || lo1.ToCount != lo.ToCount || len(lo1.OnlyFrom) > 1 || len(lo1.OnlyTo) > 1 {
				t.Errorf("LeftOut with a limit of 1 name = %+v (%v): the counts must stay whole", lo1, err)
			}
			for _, both := range []bool{true, false} {
				g := f
				g.InAllYears = both
				ds, err := a.CompareDistrict(ctx, fromYear, toYear, g)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range metrics {
					d, ok := deltaOf(ds, analytics.DistrictName, m.name)
					if !ok {
						t.Fatalf("no district delta of %s", m.name)
					}
					wf, _ := cellSum(sel, m.key, fromYear, both)
					wt, _ := cellSum(sel, m.key, toYear, both)
					if d.From == nil || d.To == nil || *d.From != wf || *d.To != wt || d.Change == nil || *d.Change != wt-wf {
						t.Errorf("district %s (same organs: %v): %s → %s change %s, want %v → %v", m.name, both, show(d.From), show(d.To), show(d.Change), wf, wt)
					}
				}
				c, err := a.CompareAgencies(ctx, fromYear, toYear, "applications", f, !both, analytics.Page{})
				if err != nil {
					t.Fatal(err)
				}
				want := len(sel)
				if both {
					want -= lo.Count
				}
				if c.Total != want || len(c.Rows) != want {
					t.Errorf("CompareAgencies(all=%v): %d organs (%d rows), want %d", !both, c.Total, len(c.Rows), want)
				}
				for _, r := range c.Rows {
					if both && (slices.Contains(wantFrom, r.Agency) || slices.Contains(wantTo, r.Agency)) {
						t.Errorf("the same-organ comparison lists %s, who has one year only", r.Agency)
					}
				}
			}
		})
	}
}

// Item 5: an impossible fee — 区人民政府 2023: 1,770,000 万元 — is an error finding of the
// plausibility kind at every level; the district's sum leaves the cell out and counts it
// (Implausible, Left), while a fee that only looks like 元 (a warning) is still summed.
func TestImplausibleFeeLeftOut(t *testing.T) {
	// Each case gives its fee to its own organ of the level; cases of one district share it
	// (one county government a district).
	tests := []struct {
		name     string
		district int     // which generated district
		level    string  // the organ given the fee: the first of the level not yet taken
		fee      float64 // 万元
		severity string  // the finding expected ("" none)
	}{
		{"county government, 1,770,000 万元", 0, ingest.LevelCounty, 1770000, ingest.SeverityError},
		{"department, impossible", 0, ingest.LevelDepartment, ingest.FeesBoundOf(ingest.LevelDepartment).Max * 2, ingest.SeverityError},
		{"township, impossible", 0, ingest.LevelTownship, ingest.FeesBoundOf(ingest.LevelTownship).Max + 0.5, ingest.SeverityError},
		{"department, ordinary", 0, ingest.LevelDepartment, 1234.5, ""},
		{"township, a round 千万元: looks like 元", 0, ingest.LevelTownship, ingest.FeesBoundOf(ingest.LevelTownship).WholeWarn, ingest.SeverityWarning},
		{"county government, large but possible", 1, ingest.LevelCounty, ingest.FeesBoundOf(ingest.LevelCounty).Warn, ingest.SeverityWarning},
		{"department at its maximum", 1, ingest.LevelDepartment, ingest.FeesBoundOf(ingest.LevelDepartment).Max, ingest.SeverityError},
	}
	for district := 0; district <= 1; district++ {
		victims := map[string]int{} // organ → case
		taken := map[int]bool{}
		want := 0
		for _, tt := range tests {
			if tt.district == district {
				want++
			}
		}
		a, _, stored := genDistrict(t, 12, func(ag generate.Agency, year int, r *ingest.Report) *ingest.Report {
			if year != fromYear {
				return r
			}
			for i, tt := range tests {
				if _, has := victims[ag.Name]; has || taken[i] || tt.district != district || tt.level != ag.Level {
					continue
				}
				victims[ag.Name], taken[i] = i, true
				r.Set("table2.fees", tt.fee, ingest.Source{Line: 1, Text: ingest.FormatValue(tt.fee)})
				break
			}
			return r
		})
		rows, err := a.Values(context.Background(), analytics.Filter{Years: []int{fromYear}}, analytics.ByYear)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		sum, left := cellSum(stored, "table2.fees", fromYear, false)
		v := rows[0].Value("fees")
		if v == nil || !near(*v, sum) {
			t.Errorf("district %d: fees %s, want %v (the cells without an error finding)", district, show(v), sum)
		}
		wantImpl, errorFees := 0, 0.0
		for victim, i := range victims {
			tt := tests[i]
			t.Run(tt.name, func(t *testing.T) {
				var got []ingest.Finding
				for _, f := range stored[victim][fromYear].Findings {
					if f.Cell == "table2.fees" {
						got = append(got, f)
					}
				}
				if tt.severity == "" && len(got) > 0 || tt.severity != "" && (len(got) != 1 || got[0].Severity != tt.severity || got[0].Rule != ingest.RuleFeesUnit) {
					t.Errorf("%s fees %v: findings %+v, want %q of %s", victim, tt.fee, got, tt.severity, ingest.RuleFeesUnit)
				}
			})
			if tt.severity == ingest.SeverityError {
				wantImpl++
				errorFees += tt.fee
			}
		}
		if len(victims) != want {
			t.Fatalf("district %d: %d organs took a fee, want %d", district, len(victims), want)
		}
		if rows[0].Implausible["fees"] != wantImpl || rows[0].Left["fees"] != left || wantImpl == 0 {
			t.Errorf("district %d fees: implausible %d, left %d; want %d, %d", district, rows[0].Implausible["fees"], rows[0].Left["fees"], wantImpl, left)
		}
		if v != nil && near(*v, sum+errorFees) {
			t.Errorf("district %d: the impossible fees are in the sum", district)
		}
	}
}
