// Package analyticstest builds a small district database with known numbers, through the
// real store, for the tests of analytics, dashboards and the commands.
package analyticstest

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/store"
)

// Agencies of the fixture. Town, Edu and Gov are in the registry; Gov has no 2024 report;
// Water is not in the registry and reported only for 2024.
const (
	Town  = "甲镇人民政府"
	Edu   = "区教育局"
	Gov   = "区人民政府"
	Water = "区水务局"
)

// Registry is the fixture's configured registry.
var Registry = []config.Organ{
	{Name: Town, Level: ingest.LevelTownship, District: "测试区"},
	{Name: Edu, Level: ingest.LevelDepartment, District: "测试区"},
	{Name: Gov, Level: ingest.LevelCounty, District: "测试区"},
}

// Spec is one report of the fixture: its cells (every other cell is 0), publications, findings.
type Spec struct {
	Agency, Level string
	Year          int
	SingleOther   bool
	Published     string
	Cells         map[string]float64
	Publications  map[string]int64
	Findings      []ingest.Finding
}

// Specs are the fixture's reports. Expected district figures (see analytics tests):
// 2024 实质公开率 = 43/63; 2023 = 38/47; 2023 纠错率 = 2/3; 2023 其他处理 = 6.
var Specs = []Spec{
	{Agency: Town, Level: ingest.LevelTownship, Year: 2023, Published: "2024-01-20",
		Cells: map[string]float64{
			"table3.new_received.natural_person": 10, "table3.new_received.commercial": 2, "table3.new_received.total": 12,
			"table3.disclosed.total": 6, "table3.partly_disclosed.total": 2, "table3.withheld_third_party.total": 1,
			"table3.unable_not_held.total": 1, "table3.refused_repeated.total": 1, "table3.other_no_supplement.total": 1,
			"table3.total_handled.total": 12,
			"table4.review.maintained":   1, "table4.review.corrected": 1, "table4.review.total": 2,
			"table4.litigation_direct.corrected": 1, "table4.litigation_direct.total": 1,
			"table2.licensing": 40, "table2.fees": 1.5,
		},
		Publications: map[string]int64{"portal": 100, "wechat": 50}},
	{Agency: Town, Level: ingest.LevelTownship, Year: 2024, Published: "2025-03-01",
		Cells: map[string]float64{
			"table3.new_received.natural_person": 20, "table3.new_received.total": 20,
			"table3.disclosed.total": 5, "table3.unable_not_held.total": 15, "table3.total_handled.total": 20,
			"table4.litigation_direct.maintained": 3, "table4.litigation_direct.corrected": 1, "table4.litigation_direct.total": 4,
			"table2.licensing": 10,
		},
		Publications: map[string]int64{"portal": 20, "total": 30},
		Findings: []ingest.Finding{{Rule: ingest.RuleBalance, Severity: ingest.SeverityError, Cell: "table3.new_received.total",
			Message: "新收＋结转 ≠ 办结＋结转下年", Line: 3}}},
	{Agency: Edu, Level: ingest.LevelDepartment, Year: 2023, SingleOther: true, Published: "2024-01-25",
		Cells: map[string]float64{
			"table3.new_received.natural_person": 25, "table3.new_received.legal_service": 5, "table3.new_received.total": 30,
			"table3.disclosed.total": 20, "table3.partly_disclosed.total": 5, "table3.other_handled.total": 5,
			"table3.total_handled.total": 30,
		},
		Publications: map[string]int64{"portal": 300}},
	{Agency: Edu, Level: ingest.LevelDepartment, Year: 2024, SingleOther: true, Published: "2025-01-25",
		Cells: map[string]float64{
			"table3.new_received.natural_person": 40, "table3.new_received.total": 40,
			"table3.disclosed.total": 36, "table3.other_handled.total": 4, "table3.total_handled.total": 40,
		},
		Publications: map[string]int64{"portal": 280},
		Findings: []ingest.Finding{{Rule: ingest.RuleCopiedProse, Severity: ingest.SeverityWarning,
			Message: "总体情况与上年报告几乎相同", Related: Edu + " 2023"}}},
	{Agency: Gov, Level: ingest.LevelCounty, Year: 2023, Published: "2024-01-30",
		Cells: map[string]float64{
			"table3.new_received.natural_person": 5, "table3.new_received.total": 5,
			"table3.disclosed.total": 5, "table3.total_handled.total": 5,
		}},
	{Agency: Water, Level: ingest.LevelDepartment, Year: 2024, Published: "2025-01-10",
		Cells: map[string]float64{
			"table3.new_received.natural_person": 3, "table3.new_received.total": 3,
			"table3.disclosed.total": 1, "table3.partly_disclosed.total": 1, "table3.withheld_state_secret.total": 1,
			"table3.total_handled.total": 3,
		}},
}

// Report turns a Spec into a report as the parser would give it: every cell of its format
// set (0 unless given), each with the line it was read from.
func Report(s Spec) *ingest.Report {
	r := &ingest.Report{Source: fmt.Sprintf("%s-%d.txt", s.Agency, s.Year), Agency: s.Agency, Year: s.Year,
		Format: ingest.Format2021, Level: s.Level, Published: s.Published, SingleOther: s.SingleOther}
	text := fmt.Sprintf("%s%d年政府信息公开工作年度报告\n", s.Agency, s.Year)
	for i, k := range r.Keys() {
		v := s.Cells[k]
		src := ingest.FormatValue(v)
		r.Set(k, v, ingest.Source{Line: i + 2, Text: src})
		text += k + "\t" + src + "\n"
	}
	for _, ch := range []string{"portal", "wechat", "weibo", "short_video", "notice_board", "total", "other"} {
		if n, ok := s.Publications[ch]; ok {
			r.Publications = append(r.Publications, ingest.Publication{Channel: ch, Count: n, Quote: fmt.Sprintf("%s发布信息%d条", ch, n)})
		}
	}
	r.Text = text
	r.Prose = map[int]string{1: "一、总体情况"}
	r.Findings = s.Findings
	return r
}

// Build writes the fixture into a new database in dir and returns it open.
func Build(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "fixture.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SyncRegistry(Registry); err != nil {
		t.Fatal(err)
	}
	for _, s := range Specs {
		r := Report(s)
		sum := sha256.Sum256([]byte(r.Text))
		saved := db.SaveAllDerived([]store.Item{{Report: r,
			Meta: store.FileMeta{Path: r.Source, SHA256: fmt.Sprintf("%x", sum), SourceFormat: "text", ParserVersion: "test"}}}, analytics.Derivation(), nil)
		if err := saved[0].Err; err != nil {
			t.Fatalf("save %s %d: %v", s.Agency, s.Year, err)
		}
	}
	return db
}
