package analytics_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

// district is a generated district in a database, with the generator's truth by year.
type district struct {
	a     *analytics.Analytics
	db    *store.DB
	truth map[int][]*ingest.Report
}

// newDistrict generates n organs for the years (every layout), and stores them either through
// the parser (viaParser: the real road, every layout) or as the truth itself.
func newDistrict(t *testing.T, n, from, to int, seed int64, viaParser bool, registry []config.Organ) *district {
	t.Helper()
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen")
	if _, err := generate.Write(generate.Options{Agencies: n, From: from, To: to, Out: gen, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SyncRegistry(registry); err != nil {
		t.Fatal(err)
	}
	d := &district{a: analytics.New(db.SQL()), db: db, truth: map[int][]*ingest.Report{}}
	var m generate.Manifest
	b, err := os.ReadFile(filepath.Join(gen, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, g := range m.Reports {
		b, err := os.ReadFile(filepath.Join(gen, g.Truth))
		if err != nil {
			t.Fatal(err)
		}
		r := &ingest.Report{}
		if err := json.Unmarshal(b, r); err != nil {
			t.Fatal(err)
		}
		r.Agency, r.Level = g.Agency, g.Level
		d.truth[g.Year] = append(d.truth[g.Year], r)
		if !viaParser {
			check.Report(r)
			sum := sha256.Sum256(b)
			if _, err := db.Save(r, store.FileMeta{Path: g.Truth, SHA256: fmt.Sprintf("%x", sum), SourceFormat: "text", ParserVersion: "truth"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if viaParser {
		res, err := pipeline.Run(context.Background(), db, []string{gen}, pipeline.Options{Parse: parse.File, Check: check.Report})
		if err != nil || res.Failed > 0 {
			t.Fatalf("ingest: %v %+v", err, res.Failures)
		}
	}
	return d
}

// truthSum adds the generator's truth of a year in the summary's shape, computed here
// independently of the summary code.
func truthSum(reps []*ingest.Report, s *analytics.Summary, skip func(*ingest.Report) bool) map[string]float64 {
	out := map[string]float64{}
	for _, r := range reps {
		if skip != nil && skip(r) {
			continue
		}
		for _, k := range s.Keys() {
			v, ok := r.Value(k)
			if !ok && strings.HasPrefix(k, "table3.other_handled.") && !r.SingleOther {
				col := strings.TrimPrefix(k, "table3.other_handled.")
				for _, row := range []string{"other_no_supplement", "other_no_fee", "other_other"} {
					x, _ := r.Value(ingest.Table3Key(row, col))
					v += x
				}
			}
			out[k] += v
		}
	}
	return out
}

func same(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// Every layout, both formats, through the parser: every cell of the parsed-back summary
// (Markdown, HTML and DOCX) equals the sum of the truth; a cell is empty only where an organ's own
// report could not be read, and then the summary names that organ.
func TestSummaryParsesBackToTruthSum(t *testing.T) {
	d := newDistrict(t, 14, 2019, 2022, 11, true, nil)
	ctx := context.Background()
	for year := 2019; year <= 2022; year++ {
		s, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: year})
		if err != nil {
			t.Fatal(err)
		}
		if want := generate.FormatFor(year); s.Format != want {
			t.Errorf("%d: summary format %s, want %s", year, s.Format, want)
		}
		if len(s.Included) != 14 {
			t.Errorf("%d: %d organs included, want 14", year, len(s.Included))
		}
		if want := "红寺堡区" + fmt.Sprint(year) + "年政府信息公开工作年度报告（汇总）"; s.Title != want {
			t.Errorf("title %q, want %q", s.Title, want)
		}
		want := truthSum(d.truth[year], s, nil)
		for _, format := range []string{"md", "html", "docx"} {
			var b bytes.Buffer
			if err := analytics.WriteSummary(&b, s, format); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("summary-%d.%s", year, format)
			r, err := parse.File(name, b.Bytes())
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if r.Year != year || r.Format != s.Format {
				t.Errorf("%s: parsed year %d format %s", name, r.Year, r.Format)
			}
			read := 0
			for _, k := range s.Keys() {
				got, ok := r.Value(k)
				if !ok {
					if len(s.Cells[k].Unread) == 0 {
						t.Errorf("%s: %s parsed back empty, but no organ is named as unread", name, k)
					}
					continue
				}
				read++
				if !same(got, want[k]) {
					t.Errorf("%s: %s = %v, truth sum %v", name, k, got, want[k])
				}
			}
			if read < len(s.Keys())*8/10 {
				t.Errorf("%s: only %d of %d cells read back", name, read, len(s.Keys()))
			}
		}
	}
}

// A clean district (the truth stored as it is): the Markdown summary parses back with every
// cell, and the format's checks find no error in it; the sum equals the truth everywhere.
func TestSummaryCleanDistrictPassesChecks(t *testing.T) {
	d := newDistrict(t, 12, 2020, 2021, 5, false, nil)
	ctx := context.Background()
	for _, year := range []int{2020, 2021} {
		s, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: year})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Findings) != 0 || len(s.Flawed) != 0 {
			t.Errorf("%d: clean parts, but findings %+v flawed %+v", year, s.Findings, s.Flawed)
		}
		want := truthSum(d.truth[year], s, nil)
		var b bytes.Buffer
		if err := analytics.WriteSummary(&b, s, "md"); err != nil {
			t.Fatal(err)
		}
		r, err := parse.File("summary.md", b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		check.Report(r)
		for _, f := range r.Findings {
			if f.Severity == ingest.SeverityError {
				t.Errorf("%d: finding on the summary: %s %s %s", year, f.Rule, f.Cell, f.Message)
			}
		}
		for _, k := range s.Keys() {
			got, ok := r.Value(k)
			if !ok || !same(got, want[k]) {
				t.Errorf("%d: %s = %v (%v), want %v", year, k, got, ok, want[k])
			}
		}
	}
}

// An aggregate report in the district (the county government's report marked covers: in the
// registry, its cells the sum of the organs it covers) is not added again: the summary equals
// the truth of the other organs, and says which rule it applied.
func TestSummaryNoDoubleCounting(t *testing.T) {
	d := newDistrict(t, 8, 2023, 2023, 9, false, nil)
	ctx := context.Background()
	parts := d.truth[2023]
	var gov *ingest.Report
	var covered []string
	for _, r := range parts {
		if r.Level == ingest.LevelCounty {
			gov = r
		} else {
			covered = append(covered, r.Agency)
		}
	}
	if gov == nil {
		t.Fatal("no county government in the district")
	}
	before, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2023})
	if err != nil {
		t.Fatal(err)
	}
	// The government's report becomes the whole district's figures (its own plus the others').
	agg := &ingest.Report{Agency: gov.Agency, Year: 2023, Format: gov.Format, Level: gov.Level, SingleOther: before.SingleOther,
		Source: "gov-aggregate.md", Cells: ingest.MakeCells(0)}
	for _, k := range before.Keys() {
		agg.Cells.Set(k, ingest.Cell{Value: before.Value(k)})
	}
	if _, err := d.db.Save(agg, store.FileMeta{Path: agg.Source, SHA256: "aggregate", SourceFormat: "markdown", ParserVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	s, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2023, Covers: map[string][]string{gov.Agency: covered}})
	if err != nil {
		t.Fatal(err)
	}
	want := truthSum(parts, s, func(r *ingest.Report) bool { return r.Agency == gov.Agency })
	for _, k := range s.Keys() {
		if v := s.Value(k); v == nil || !same(*v, want[k]) {
			t.Errorf("%s = %v, want %v (the aggregate counted?)", k, v, want[k])
		}
	}
	if len(s.Aggregates) != 1 || s.Aggregates[0].Name != gov.Agency || len(s.Included) != len(parts)-1 {
		t.Errorf("aggregates %+v, %d included", s.Aggregates, len(s.Included))
	}
	if !strings.Contains(s.Rule, "不重复计算") || !strings.Contains(s.Rule, "1 份汇总报告未计入") {
		t.Errorf("rule not stated: %q", s.Rule)
	}
	// Without covers: in the registry, the same report is just an organ and is added.
	plain, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2023})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Aggregates) != 0 || len(plain.Included) != len(parts) {
		t.Errorf("without covers: aggregates %+v", plain.Aggregates)
	}
	// A 全区汇总 report, recognised by its title, is not added either: the summary of the
	// summary's own Markdown, stored as a report, changes nothing.
	var b bytes.Buffer
	if err := analytics.WriteSummary(&b, s, "md"); err != nil {
		t.Fatal(err)
	}
	r, err := parse.File("全区汇总.md", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	r.Agency = "红寺堡区汇总"
	if _, err := d.db.Save(r, store.FileMeta{Path: r.Source, SHA256: "area", SourceFormat: "markdown", ParserVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	s2, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2023, Covers: map[string][]string{gov.Agency: covered}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s2.Aggregates) != 2 {
		t.Errorf("area summary not recognised: aggregates %+v", s2.Aggregates)
	}
	for _, k := range s.Keys() {
		if v := s2.Value(k); v == nil || !same(*v, want[k]) {
			t.Errorf("with the area summary stored: %s = %v, want %v", k, v, want[k])
		}
	}
}

// Missing is never 0: one unread cell empties the sum's cell with the organ named, unless
// SkipUnread, which the title states; parts with errors are listed with the rules the sum breaks.
func TestSummaryUnreadAndErrors(t *testing.T) {
	d := newDistrict(t, 6, 2024, 2024, 4, false, []config.Organ{{Name: "红寺堡区不存在镇人民政府", Level: ingest.LevelTownship}})
	ctx := context.Background()
	victim := d.truth[2024][1]
	bad := &ingest.Report{Agency: victim.Agency, Year: 2024, Format: victim.Format, Level: victim.Level,
		SingleOther: victim.SingleOther, Source: "bad.txt", Cells: ingest.MakeCells(0)}
	for k, c := range victim.Cells.All() {
		bad.Cells.Set(k, c)
	}
	key := "table3.new_received.natural_person"
	bad.Cells.Set(key, ingest.Cell{})
	v, _ := victim.Value("table4.review.maintained")
	bad.Cells.Set("table4.review.maintained", ingest.Cell{Value: ingest.Num(v + 1)})
	check.Report(bad)
	if _, err := d.db.Save(bad, store.FileMeta{Path: "bad.txt", SHA256: "bad", SourceFormat: "text", ParserVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	s, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Cells[key]; c.Value != nil || len(c.Unread) != 1 || c.Unread[0] != victim.Agency {
		t.Errorf("unread cell: %+v", c)
	}
	if len(s.Missing) != 1 || s.Missing[0].Name != "红寺堡区不存在镇人民政府" {
		t.Errorf("missing: %+v", s.Missing)
	}
	if len(s.Flawed) != 1 || s.Flawed[0].Name != victim.Agency {
		t.Errorf("flawed: %+v", s.Flawed)
	}
	var blamed bool
	for _, f := range s.Findings {
		if f.Rule == ingest.RuleBlockTotal && len(f.Organs) == 1 && f.Organs[0] == victim.Agency {
			blamed = true
		}
	}
	if !blamed {
		t.Errorf("T4-block-total on the sum not blamed on %s: %+v", victim.Agency, s.Findings)
	}
	md := analytics.SummaryMarkdown(s)
	for _, w := range []string{"1 个单位未能读取：" + victim.Agency, "应报未报的单位（1 个", "汇总表不满足 T4-block-total", "红寺堡区不存在镇人民政府"} {
		if !strings.Contains(md, w) {
			t.Errorf("markdown lacks %q", w)
		}
	}
	skip, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2024, SkipUnread: true})
	if err != nil {
		t.Fatal(err)
	}
	if c := skip.Cells[key]; c.Value == nil || len(c.Unread) != 1 {
		t.Errorf("skip-unread: %+v", c)
	}
	if !strings.Contains(skip.Title, "未能读取的单元格未计入") {
		t.Errorf("skip-unread title %q", skip.Title)
	}
	if _, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2024, Organs: []string{"没有这个单位"}}); err == nil {
		t.Error("an unknown organ is not refused")
	}
	one, err := d.a.Summary(ctx, analytics.SummaryOptions{Year: 2024, Levels: []string{ingest.LevelTownship}})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range one.Included {
		if g.Level != ingest.LevelTownship {
			t.Errorf("level filter let in %+v", g)
		}
	}
}

// The XLSX has the template's merged headers, borders and widths; DOCX has gridSpan and vMerge.
func TestSummaryXLSXAndDOCX(t *testing.T) {
	d := newDistrict(t, 5, 2022, 2022, 2, false, nil)
	s, err := d.a.Summary(context.Background(), analytics.SummaryOptions{Year: 2022})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := analytics.WriteSummary(&b, s, "xlsx"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 4 {
		t.Fatalf("sheets %v", sheets)
	}
	merged, err := f.GetMergeCells(sheets[1])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A3:C5": ingest.Table3BalanceNote, "D3:J3": "申请人情况", "D4:D5": "自然人", "E4:I4": "法人或其他组织", "J4:J5": "总计"}
	got := map[string]string{}
	for _, m := range merged {
		got[m.GetStartAxis()+":"+m.GetEndAxis()] = m.GetCellValue()
	}
	for rng, text := range want {
		if got[rng] != text {
			t.Errorf("table 3 merge %s = %q, want %q (all: %v)", rng, got[rng], text, got)
		}
	}
	if w, _ := f.GetColWidth(sheets[1], "C"); w != ingest.Table3Layout(s.SingleOther).Widths[2] {
		t.Errorf("column C width %v", w)
	}
	st, _ := f.GetCellStyle(sheets[1], "D6")
	style, err := f.GetStyle(st)
	if err != nil || len(style.Border) != 4 {
		t.Errorf("number cell without borders: %+v %v", style, err)
	}
	v, _ := f.GetCellValue(sheets[1], "J6")
	if v != ingest.FormatValue(*s.Value("table3.new_received.total")) {
		t.Errorf("J6 = %q", v)
	}
	m4, _ := f.GetMergeCells(sheets[2])
	if len(m4) != 2+5+2+2 { // title rows, five header words, 行政复议, 行政诉讼, two lawsuit kinds
		t.Errorf("table 4: %d merged ranges", len(m4))
	}

	b.Reset()
	if err := analytics.WriteSummary(&b, s, "docx"); err != nil {
		t.Fatal(err)
	}
	doc := docxXML(t, b.Bytes())
	for _, w := range []string{`<w:gridSpan w:val="3"/><w:vMerge w:val="restart"/>`, `<w:vMerge/>`, `<w:gridSpan w:val="7"/>`, s.Title} {
		if !strings.Contains(doc, w) {
			t.Errorf("document.xml lacks %q", w)
		}
	}
}

// docxXML returns word/document.xml of a DOCX, checked to be well-formed XML.
func docxXML(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("document.xml: %v", err)
			}
		}
		return string(data)
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestSummaryTooLarge: a summary over more reports than a consolidated table adds up (the
// limit lowered here to the organs of one level) is refused with ErrSummaryTooLarge, saying
// how many were chosen; the selection under the limit is added up as with no limit at all.
func TestSummaryTooLarge(t *testing.T) {
	d := newDistrict(t, 8, 2024, 2024, 4, false, nil)
	ctx := context.Background()
	for _, level := range []string{ingest.LevelTownship, ingest.LevelDepartment} {
		one := analytics.SummaryOptions{Year: 2024, Levels: []string{level}}
		want, err := d.a.Summary(ctx, one)
		if err != nil {
			t.Fatal(err)
		}
		n := len(want.Included) + len(want.Aggregates)
		if n == 0 || n >= 8 {
			t.Fatalf("%s: %d of 8 organs, the test needs both levels", level, n)
		}
		old := analytics.SetSummaryLimit(n)
		_, err = d.a.Summary(ctx, analytics.SummaryOptions{Year: 2024})
		if !errors.Is(err, analytics.ErrSummaryTooLarge) || !strings.Contains(err.Error(), "选中 8 份报告") {
			t.Errorf("every level over a limit of %d: %v, want ErrSummaryTooLarge naming the 8 reports", n, err)
		}
		got, err := d.a.Summary(ctx, one)
		if err != nil {
			t.Errorf("%s (%d reports, the limit): %v", level, n, err)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the summary under the limit differs from the one without", level)
		}
		analytics.SetSummaryLimit(old)
	}
}
