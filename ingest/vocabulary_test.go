package ingest

import (
	"strings"
	"testing"
)

// Issue 10 item 4: one deadline function decides who is late, per level and statistics year.
func TestDeadlineByLevelAndYear(t *testing.T) {
	for _, tt := range []struct {
		level     string
		year      int
		published string
		late      bool
		days      int
	}{
		{LevelTownship, 2024, "2025-01-31", false, 0},
		{LevelTownship, 2024, "2025-02-01", true, 1},
		{LevelDepartment, 2024, "2025-03-02", true, 30},
		{LevelCounty, 2024, "2025-02-15", false, 0}, // 县级以上地方人民政府: 3月31日
		{LevelCounty, 2024, "2025-03-31", false, 0},
		{LevelCounty, 2024, "2025-04-01", true, 1},
		{LevelCity, 2024, "2025-04-10", true, 10},
		{LevelUnknown, 2024, "2025-03-01", false, 0},    // never late on a guess
		{LevelDepartment, 2018, "2019-03-01", false, 0}, // 2008 条例: 3月31日 for everyone
		{LevelDepartment, 2018, "2019-04-01", true, 1},
		{LevelTownship, 2024, "", false, 0},
		{LevelTownship, 2024, "2025年2月", false, 0},
		{LevelTownship, 0, "2025-05-01", false, 0},
	} {
		days, late, _ := LateDays(tt.level, tt.year, tt.published)
		if late != tt.late || days != tt.days || IsLate(tt.level, tt.year, tt.published) != tt.late {
			t.Errorf("LateDays(%s, %d, %q) = %d, %v; want %d, %v", tt.level, tt.year, tt.published, days, late, tt.days, tt.late)
		}
	}
	if got := Deadline(LevelCounty, 2023).Format("2006-01-02"); got != "2024-03-31" {
		t.Errorf("county 2023 deadline %s", got)
	}
	if got := DeadlineRule(LevelTownship, 2024); !strings.Contains(got, "1月31日") {
		t.Errorf("township rule %q", got)
	}
	if got := DeadlineNote(2024); !strings.Contains(got, "1月31日") || !strings.Contains(got, "3月31日") {
		t.Errorf("note %q", got)
	}
}

// Every rule has a Chinese name and a severity; the label puts the identifier beside the name.
func TestRulesNamed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Name == "" || r.Name == r.ID || (r.Severity != SeverityError && r.Severity != SeverityWarning) {
			t.Errorf("rule %+v: needs a Chinese name and a severity", r)
		}
		if got := RuleLabel(r.ID); !strings.HasPrefix(got, r.Name) || !strings.Contains(got, r.ID) {
			t.Errorf("RuleLabel(%s) = %q", r.ID, got)
		}
	}
	if RuleName("Z-new") != "Z-new" || RuleLabel("Z-new") != "Z-new" || RuleSeverity("Z-new") != "" {
		t.Error("an unknown rule must be named by its identifier")
	}
}

// Issue 10 item 5: plausibility bounds hold for every level, county governments included; an
// impossible amount is an error that leaves the cell out of sums.
func TestPlausibleFeesEveryLevel(t *testing.T) {
	for _, tt := range []struct {
		level string
		v     float64
		want  string
	}{
		{LevelCounty, 1770000, SeverityError}, // 区人民政府 2023: 1,770,000 万元
		{LevelCounty, 18651.06, ""},           // a real county report
		{LevelCounty, 300000, SeverityWarning},
		{LevelTownship, 35000, SeverityWarning},
		{LevelTownship, 1200, SeverityWarning},
		{LevelTownship, 1200.5, ""},
		{LevelTownship, 200000, SeverityError},
		{LevelDepartment, 12000, SeverityWarning},
		{LevelDepartment, 600000, SeverityError},
		{LevelCity, 99999, ""},
		{LevelCity, 20000000, SeverityError},
		{LevelUnknown, 50000, ""},
		{"towship", 20000000, SeverityError},
	} {
		if got := PlausibleFees(tt.level, tt.v); got != tt.want {
			t.Errorf("PlausibleFees(%s, %v) = %q, want %q", tt.level, tt.v, got, tt.want)
		}
	}
	for _, l := range LevelKeys() {
		if b := FeesBoundOf(l); b.Max <= b.Warn || b.Warn <= 0 {
			t.Errorf("level %s: bounds %+v", l, b)
		}
	}
	fs := []Finding{
		{Rule: RuleFeesUnit, Severity: SeverityError, Cell: "table2.fees"},
		{Rule: RuleFeesUnit, Severity: SeverityWarning, Cell: "table2.fees"},
		{Rule: RuleBalance, Severity: SeverityError, Cell: "table3.new_received.total"},
	}
	if got := ExcludedCells(fs); len(got) != 1 || got[0] != "table2.fees" {
		t.Errorf("ExcludedCells = %v", got)
	}
	if ExcludesCell(fs[1]) || ExcludesCell(fs[2]) {
		t.Error("only an error of a plausibility rule leaves a cell out")
	}
}

func TestLevels(t *testing.T) {
	if !IsLevel(LevelTownship) || IsLevel("towship") {
		t.Error("IsLevel")
	}
	for _, tt := range [][3]string{
		{"某镇人民政府", "", LevelTownship},
		{"某街道办事处", LevelUnknown, LevelTownship},
		{"某区人民政府", LevelUnknown, LevelUnknown},
		{"某镇人民政府", LevelDepartment, LevelDepartment},
	} {
		if got := LevelOf(tt[0], tt[1]); got != tt[2] {
			t.Errorf("LevelOf(%s, %s) = %s", tt[0], tt[1], got)
		}
	}
}

func TestOutcomeLabels(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range []string{OutcomeNew, OutcomeUnchanged, OutcomeReplaced, OutcomeFailed} {
		l := OutcomeLabel(o)
		if l == "" || seen[l] {
			t.Errorf("outcome %q: label %q empty or shared", o, l)
		}
		seen[l] = true
	}
	if OutcomeLabel("bogus") != "" {
		t.Error("an unknown outcome has a label")
	}
}

func TestCellLabel(t *testing.T) {
	for _, tt := range []struct{ key, want string }{
		{Table3Key("new_received", "total"), "表三 " + Table3RowLabels["new_received"] + " 总计"},
		{"prose.1", Headings[0]},
		{"prose.5", Headings[4]},
		{"prose.9", "prose.9"}, // no such section: the key, not a wrong name
		{"bogus", "bogus"},
	} {
		if got := CellLabel(tt.key); got != tt.want {
			t.Errorf("CellLabel(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
