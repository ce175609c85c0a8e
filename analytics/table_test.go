package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/ingest"
	"gongkai/ingest/store"
)

// exampleTable has a text, a coded, a count, a ratio, a missing ratio and a yes/no column.
func exampleTable(t *testing.T) *analytics.Table {
	t.Helper()
	rate, ok := analytics.MetricByName("disclosure_rate")
	if !ok || rate.Kind != analytics.Ratio {
		t.Fatal("no ratio metric disclosure_rate")
	}
	quarter := 0.25
	return &analytics.Table{Name: "x", Title: "示例",
		Columns: []analytics.Column{{Key: "agency", Label: "单位"}, {Key: "level", Label: "级别", Codes: ingest.LevelLabel},
			{Key: "n", Label: "新收申请", Numeric: true}, {Key: "rate", Label: "实质公开率", Numeric: true, Percent: true},
			{Key: "gap", Label: "纠错率", Numeric: true, Percent: true}, {Key: "flag", Label: "有校验发现"}},
		Rows: [][]analytics.Cell{{analytics.Str("甲镇"), analytics.Str(ingest.LevelTownship), analytics.Int(20),
			analytics.Num(rate, &quarter), analytics.Num(rate, nil), {V: true, Text: "是"}}}}
}

func readCSV(t *testing.T, tb *analytics.Table) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := analytics.WriteCSV(&buf, tb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\uFEFF") {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Issue 10 item 12: one export model. CSV and XLSX carry Chinese headers (or the keys), numbers
// as numbers, a ratio as its fraction (a percent format in XLSX, never text) and a missing
// value as an empty cell.
func TestWritersOneModel(t *testing.T) {
	tb := exampleTable(t)
	recs := readCSV(t, tb)
	want := [][]string{{"单位", "级别", "新收申请", "实质公开率", "纠错率", "有校验发现"}, {"甲镇", "乡镇街道", "20", "0.25", "", "是"}}
	if strings.Join(recs[0], ",") != strings.Join(want[0], ",") || strings.Join(recs[1], ",") != strings.Join(want[1], ",") {
		t.Fatalf("CSV\n%q\nwant\n%q", recs, want)
	}
	tb.KeyHeaders = true
	recs = readCSV(t, tb)
	if strings.Join(recs[0], ",") != "agency,level,n,rate,gap,flag" || strings.Join(recs[1], ",") != "甲镇,township,20,0.25,,true" {
		t.Fatalf("CSV with keys: %q", recs)
	}
	tb.KeyHeaders = false

	var buf bytes.Buffer
	if err := analytics.WriteXLSX(&buf, tb); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetName(0)
	raw := func(cell string) string {
		v, _ := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		return v
	}
	if h, _ := x.GetCellValue(sheet, "D1"); h != "实质公开率" {
		t.Errorf("XLSX header %q", h)
	}
	if raw("C2") != "20" || raw("D2") != "0.25" || raw("E2") != "" || raw("B2") != "乡镇街道" {
		t.Errorf("XLSX values C2 %q D2 %q E2 %q B2 %q", raw("C2"), raw("D2"), raw("E2"), raw("B2"))
	}
	if shown, _ := x.GetCellValue(sheet, "D2"); shown != "25.0%" {
		t.Errorf("XLSX ratio shown as %q, want 25.0%% by its number format", shown)
	}
	if typ, _ := x.GetCellType(sheet, "D2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Error("XLSX ratio stored as text")
	}
	// the JSON of the API keeps the percent as shown
	if r := tb.Records(); r[0]["rate"] != 25.0 || r[0]["gap"] != nil {
		t.Errorf("records %v", r[0])
	}
}

// gongkai export and the pages' downloads agree: the exported metric of an organ and year is
// the number the page's table holds, and a finding carries its rule's Chinese name.
func TestExportAgreesWithPages(t *testing.T) {
	db := analyticstest.Build(t, t.TempDir())
	a := analytics.New(db.SQL())
	ctx := context.Background()
	tb, err := a.ExportTable(ctx, "metrics", 2024)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range tb.Columns {
		col[c.Key] = i
	}
	rate, _ := analytics.MetricByName("disclosure_rate")
	if c := tb.Columns[col["disclosure_rate"]]; !c.Percent || c.Label != rate.Label {
		t.Fatalf("ratio column %+v", c)
	}
	rows, err := a.Values(ctx, analytics.Filter{Years: []int{2024}}, analytics.ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range rows {
		page := analytics.Num(rate, r.Values["disclosure_rate"])
		for _, row := range tb.Rows {
			if row[col["agency"]].V != r.Agency {
				continue
			}
			got := row[col["disclosure_rate"]]
			if got.V != page.V || got.Percent != page.Percent {
				t.Errorf("%s: export %v, page %v", r.Agency, got.V, page.V)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no organ compared")
	}
	ft, err := a.ExportTable(ctx, "findings", 0)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, ft)
	rule, name := -1, -1
	for i, h := range recs[0] {
		switch h {
		case "规则编号":
			rule = i
		case "规则":
			name = i
		}
	}
	if rule < 0 || name < 0 || len(recs) < 2 {
		t.Fatalf("findings export: %q", recs)
	}
	for _, r := range recs[1:] {
		if r[name] != ingest.RuleName(r[rule]) || r[name] == r[rule] {
			t.Errorf("rule %s named %q", r[rule], r[name])
		}
	}
	if _, err := strconv.Atoi(recs[1][0]); err != nil {
		t.Errorf("report id %q is not a number", recs[1][0])
	}
}

// Issue 10 item 4: the coverage table decides who is late with the one deadline function
// (ingest.Deadline): a county government publishing on 20 March is on time, a township
// publishing on 10 February is late.
func TestCoverageDeadlineByLevel(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	specs := []analyticstest.Spec{
		{Agency: "某区人民政府", Level: ingest.LevelCounty, Year: 2024, Published: "2025-03-20"},
		{Agency: "某镇人民政府", Level: ingest.LevelTownship, Year: 2024, Published: "2025-02-10"},
		{Agency: "某局", Level: ingest.LevelDepartment, Year: 2024, Published: "2025-01-31"},
	}
	for i, s := range specs {
		r := analyticstest.Report(s)
		saved := db.SaveAllDerived([]store.Item{{Report: r, Meta: store.FileMeta{Path: r.Source, SHA256: strconv.Itoa(i), SourceFormat: "text"}}}, analytics.Derivation(), nil)
		if saved[0].Err != nil {
			t.Fatal(saved[0].Err)
		}
	}
	cov, err := analytics.New(db.SQL()).Coverage(context.Background(), 2024)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != len(specs) {
		t.Fatalf("coverage %+v", cov)
	}
	for _, c := range cov {
		if want := ingest.IsLate(c.Level, 2024, c.Published); c.Late != want {
			t.Errorf("%s (%s) published %s: late %v", c.Agency, c.Level, c.Published, c.Late)
		}
	}
	late := map[string]bool{}
	for _, c := range cov {
		late[c.Agency] = c.Late
	}
	if late["某区人民政府"] || !late["某镇人民政府"] || late["某局"] {
		t.Errorf("late: %v", late)
	}
}

// TestCellNumber: every kind of number a cell holds reads as a number; missing, text and
// flags do not.
func TestCellNumber(t *testing.T) {
	half := 0.5
	tests := []struct {
		c    analytics.Cell
		want float64
		ok   bool
	}{
		{analytics.Int(10), 10, true},
		{analytics.Num(analytics.Metrics[0], &half), 0.5, true},
		{analytics.Cell{V: int32(7)}, 7, true},
		{analytics.Cell{V: 3}, 3, true},
		{analytics.Cell{V: nil, Text: analytics.NotReported}, 0, false},
		{analytics.Str("10"), 0, false},
		{analytics.Cell{V: true, Text: "是"}, 0, false},
	}
	for _, tt := range tests {
		if got, ok := tt.c.Number(); got != tt.want || ok != tt.ok {
			t.Errorf("%#v.Number() = %v, %v; want %v, %v", tt.c, got, ok, tt.want, tt.ok)
		}
	}
}
