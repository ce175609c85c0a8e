package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/generate"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// storedCell is one row of the cells view.
type storedCell struct {
	value   sql.NullFloat64
	flagged bool
	line    sql.NullInt64
	src     sql.NullString
}

// readCells returns the cells of a report through the view cells, by key.
func readCells(t *testing.T, db *DB, id int64) map[string]storedCell {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT key, value, flagged, line, src_text FROM cells WHERE report_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]storedCell{}
	for rows.Next() {
		var k string
		var c storedCell
		if err := rows.Scan(&k, &c.value, &c.flagged, &c.line, &c.src); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[k]; dup {
			t.Fatalf("report %d: key %s twice", id, k)
		}
		out[k] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// variedCells gives r's cells the shapes a parser produces: unread (no value: NULL, never
// 0), read with the value's own digits, with other characters ("1,234", "12.50", "一"), a
// value without text, decimals, negative and large numbers, with and without a line; and
// findings naming some cells.
func variedCells(r *ingest.Report, rng *rand.Rand) {
	r.Findings = nil
	old := r.Cells
	r.Cells = ingest.MakeCells(0)
	for i, k := range r.Keys() {
		c := old.Of(k)
		line := 0
		if rng.Intn(5) > 0 {
			line = 10 + i/3
		}
		switch rng.Intn(10) {
		case 0:
			c = ingest.Cell{Src: ingest.Source{Line: line, Text: []string{"", "—", "/", "不详"}[rng.Intn(4)]}}
		case 1:
			c = ingest.Cell{Value: ingest.Num(float64(rng.Intn(3000))), Src: ingest.Source{Line: line}}
			c.Src.Text = fmt.Sprintf("%d,%03d", int(*c.Value)/1000, int(*c.Value)%1000)
		case 2:
			c = ingest.Cell{Value: ingest.Num(float64(rng.Intn(90)) + 0.5), Src: ingest.Source{Line: line}}
			c.Src.Text = strconv.FormatFloat(*c.Value, 'f', -1, 64)
		case 3:
			c = ingest.Cell{Value: ingest.Num(12), Src: ingest.Source{Line: line, Text: "12.00"}}
		case 4:
			c = ingest.Cell{Value: ingest.Num(0), Src: ingest.Source{Line: line}} // a value without text
		case 5:
			c = ingest.Cell{Value: ingest.Num(-3), Src: ingest.Source{Line: line, Text: "-3"}}
		case 6:
			c = ingest.Cell{Value: ingest.Num(4e15), Src: ingest.Source{Line: line, Text: "4000000000000000"}}
		default:
			v := float64(rng.Intn(500))
			if c.Value != nil {
				v = *c.Value
			}
			c = ingest.Cell{Value: ingest.Num(v), Src: ingest.Source{Line: line, Text: strconv.FormatFloat(v, 'f', -1, 64)}}
		}
		r.Cells.Set(k, c)
		if rng.Intn(25) == 0 {
			r.Findings = append(r.Findings, ingest.Finding{Rule: "T3-balance", Severity: ingest.SeverityError, Cell: k,
				Message: "不平衡", Line: line})
		}
	}
	r.Findings = append(r.Findings, ingest.Finding{Rule: "T3-balance", Severity: ingest.SeverityWarning, Cell: "table9.no_such_cell", Message: "x"},
		ingest.Finding{Rule: "T3-balance", Severity: ingest.SeverityWarning, Message: "无单元格"})
}

// checkCells compares the stored cells of report id with r's.
func checkCells(t *testing.T, db *DB, id int64, r *ingest.Report) {
	t.Helper()
	got := readCells(t, db, id)
	keys := r.Keys()
	if len(got) != len(keys) {
		t.Fatalf("report %d: %d cells, want %d", id, len(got), len(keys))
	}
	flagged := map[string]bool{}
	for _, f := range r.Findings {
		flagged[f.Cell] = true
	}
	for _, k := range keys {
		c, s := r.Cells.Of(k), got[k]
		switch {
		case c.Value == nil && s.value.Valid:
			t.Errorf("%s: unread stored as %v", k, s.value.Float64)
		case c.Value != nil && (!s.value.Valid || s.value.Float64 != *c.Value):
			t.Errorf("%s: value %v stored as %+v", k, *c.Value, s.value)
		}
		if s.flagged != flagged[k] {
			t.Errorf("%s: flagged %v, want %v", k, s.flagged, flagged[k])
		}
		if want := c.Src.Line; (want == 0) == s.line.Valid || int(s.line.Int64) != want {
			t.Errorf("%s: line %d stored as %+v", k, want, s.line)
		}
		if want := c.Src.Text; (want == "") == s.src.Valid || s.src.String != want {
			t.Errorf("%s: src_text %q stored as %+v", k, want, s.src)
		}
	}
}

// TestCellsRoundTrip: the cells of generated reports of both formats read back through the
// view cells (and Load) exactly as saved, whether the writer or the caller prepared them.
func TestCellsRoundTrip(t *testing.T) {
	db := open(t)
	rng := rand.New(rand.NewSource(11))
	agencies := generate.District(rng, "测试区", 6)
	var items []Item
	for i, a := range agencies {
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			year := 2019 + i
			if format == ingest.Format2021 {
				year = 2022 + i
			}
			r := generate.Truth(rng, a, year, format, nil)
			r.SingleOther = i%2 == 1 && format == ingest.Format2021
			variedCells(r, rng)
			it := Item{Report: r, Meta: meta(fmt.Sprintf("%s-%d.txt", a.Name, year), r, "")}
			if i%2 == 0 {
				it.Prepared = Prepare(r, "")
			}
			items = append(items, it)
		}
	}
	for i, s := range db.SaveAll(items) {
		if s.Err != nil {
			t.Fatal(s.Err)
		}
		r := items[i].Report
		checkCells(t, db, s.ReportID, r)
		loaded, err := db.LoadIDs([]int64{s.ReportID})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range r.Keys() {
			c, l := r.Cells.Of(k), loaded[s.ReportID].Report.Cells.Of(k)
			if (c.Value == nil) != (l.Value == nil) || (c.Value != nil && *c.Value != *l.Value) || c.Src.Line != l.Src.Line || c.Src.Text != l.Src.Text {
				t.Errorf("report %d %s: loaded %+v, saved %+v", s.ReportID, k, l, c)
			}
		}
	}
	if n := count(t, db, `SELECT count(*) FROM cell_sets`); n != 3 {
		t.Errorf("%d cell sets, want 3 (2021, 2021 with one other row, 2019)", n)
	}
	if p, err := db.Verify(); err != nil {
		t.Fatal(err)
	} else {
		for _, x := range p {
			if x != fmt.Sprintf("%d (agency, year) pairs whose cross-year findings are still owed", len(items)) {
				t.Errorf("verify: %s", x)
			}
		}
	}
}

// TestMigrateCellLists opens a database of schema version 10 (a row a cell in cell_values)
// and checks that migration 011 keeps every cell, count and content, and that reports saved
// after it read back as well.
func TestMigrateCellLists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v10.duckdb")
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := sql.OpenDB(c)
	ctx := context.Background()
	for n := 1; n <= 10; n++ {
		names, _ := migrations.ReadDir("migrations")
		for _, e := range names {
			if v, _ := strconv.Atoi(e.Name()[:3]); v == n {
				body, _ := migrations.ReadFile("migrations/" + e.Name())
				if _, err := raw.ExecContext(ctx, string(body)); err != nil {
					t.Fatal(e.Name(), err)
				}
				if _, err := raw.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, n); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// reports of both formats, written as the store of version 10 wrote them
	rng := rand.New(rand.NewSource(5))
	agencies := generate.District(rng, "迁移区", 4)
	keyID := map[string]int{}
	var reports []*ingest.Report
	for i, a := range agencies {
		format := []string{ingest.Format2021, ingest.Format2019}[i%2]
		r := generate.Truth(rng, a, 2020+i, format, nil)
		r.SingleOther = i == 2
		variedCells(r, rng)
		reports = append(reports, r)
		id := i + 1
		if _, err := raw.Exec(`INSERT INTO agencies (id, name, level) VALUES (?, ?, 'township')`, id, a.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO reports (id, agency_id, agency_printed, year, format, level, source_path, source_format, sha256, text,
			parser_version, revision, current, single_other, incomplete) VALUES (?, ?, ?, ?, ?, 'township', 'a.txt', 'text', ?, 't', 'v', 1, true, ?, false)`,
			id, id, a.Name, r.Year, r.Format, fmt.Sprint("sha", id), r.SingleOther); err != nil {
			t.Fatal(err)
		}
		flagged := map[string]bool{}
		for _, f := range r.Findings {
			flagged[f.Cell] = true
			if _, err := raw.Exec(`INSERT INTO findings (report_id, rule, severity, cell, message) VALUES (?, ?, ?, ?, ?)`,
				id, f.Rule, f.Severity, f.Cell, f.Message); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range r.Keys() {
			if _, ok := keyID[k]; !ok {
				keyID[k] = len(keyID) + 1
				tbl, row, col := splitKey(k)
				if _, err := raw.Exec(`INSERT INTO cell_keys VALUES (?, ?, ?, ?, ?)`, keyID[k], k, tbl, row, col); err != nil {
					t.Fatal(err)
				}
			}
			c := r.Cells.Of(k)
			var v any
			if c.Value != nil {
				v = *c.Value
			}
			if _, err := raw.Exec(`INSERT INTO cell_values VALUES (?, ?, ?, ?, ?, ?)`, id, keyID[k], v, flagged[k],
				nullLine(c.Src.Line), nullString(c.Src.Text)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var before int
	if err := raw.QueryRow(`SELECT count(*) FROM cell_values`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`SELECT nextval('report_id') FROM range(10)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	defer func(n int64) { convertCellsChunk = n }(convertCellsChunk)
	convertCellsChunk = 1 // several ranges, the later ones finding their cell sets made

	// a process stopped after two ranges were copied: the next Open goes on after them
	commit := convertCommit
	defer func() { convertCommit = commit }()
	ranges := 0
	convertCommit = func(d *DB, ctx context.Context) error {
		if err := commit(d, ctx); err != nil {
			return err
		}
		if ranges++; ranges == 2 {
			return fmt.Errorf("stopped")
		}
		return nil
	}
	if db, err := Open(path); err == nil {
		db.Close()
		t.Fatal("the migration was not stopped")
	}
	convertCommit = commit

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.SchemaVersion(); v < 11 {
		t.Fatalf("schema version %d", v)
	}
	if n := count(t, db, `SELECT count(*) FROM cells`); n != before {
		t.Fatalf("%d cells after the migration, %d before", n, before)
	}
	for i, r := range reports {
		checkCells(t, db, int64(i+1), r)
	}
	if n := count(t, db, `SELECT count(*) FROM current_cells`); n != before {
		t.Fatalf("%d current cells, want %d", n, before)
	}
	// a report saved after the migration, of a format seen before it
	r := generate.Truth(rng, agencies[0], 2030, ingest.Format2021, nil)
	variedCells(r, rng)
	s := db.SaveAll([]Item{{Report: r, Meta: meta("later.txt", r, "")}})[0]
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	checkCells(t, db, s.ReportID, r)
	for i, r := range reports {
		checkCells(t, db, int64(i+1), r)
	}
}

// TestFailedSaveLeavesNoCells: a report failing inside its transaction, after its cells were
// appended, leaves no row of report_cells (nor of any other table); the others of its batch
// are stored whole.
func TestFailedSaveLeavesNoCells(t *testing.T) {
	db := open(t)
	failInTx = func(r *ingest.Report) error {
		if r.Agency == "乙镇人民政府" {
			return fmt.Errorf("injected")
		}
		return nil
	}
	defer func() { failInTx = func(*ingest.Report) error { return nil } }()
	a, b := synth("甲镇人民政府", 2023, 1), synth("乙镇人民政府", 2023, 2)
	res := db.SaveAll([]Item{{Report: a, Meta: meta("a.txt", a, "")}, {Report: b, Meta: meta("b.txt", b, ""), Prepared: Prepare(b, "")}})
	if res[0].Err != nil || res[1].Err == nil {
		t.Fatalf("%+v", res)
	}
	if n := count(t, db, `SELECT count(*) FROM report_cells`); n != 1 {
		t.Fatalf("%d rows of report_cells, want 1", n)
	}
	for _, table := range orphanTables {
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE report_id NOT IN (SELECT id FROM reports)`); n != 0 {
			t.Errorf("%s: %d rows of the failed report", table, n)
		}
	}
	checkCells(t, db, res[0].ReportID, a)
}

// TestProseAt: a section that is a slice of the text is found where it lies, one that is a
// copy by searching, one that is not in the text not at all; each place gives the section back.
func TestProseAt(t *testing.T) {
	text := "一、总体情况\n本机关依法公开。\n五、问题\n本机关依法公开。\n"
	second := strings.LastIndex(text, "本机关依法公开。")
	for _, c := range []struct {
		section string
		want    int
	}{
		{text[second : second+len("本机关依法公开。")], second},              // a slice: its own place
		{strings.Clone("本机关依法公开。"), strings.Index(text, "本机关依法公开。")}, // a copy: the first place
		{"没有的段落", -1},
		{"", -1},
	} {
		got := proseAt(text, c.section)
		if got != c.want {
			t.Errorf("proseAt(%q) = %d, want %d", c.section, got, c.want)
		}
		if got >= 0 && text[got:got+len(c.section)] != c.section {
			t.Errorf("proseAt(%q): the place gives %q", c.section, text[got:got+len(c.section)])
		}
	}
}

// TestBoxedValues: the values boxed once are the values, and those that are not whole,
// negative, -0 or large are boxed as they are.
func TestBoxedValues(t *testing.T) {
	for _, v := range []float64{0, 1, 12, 1023, 1024, 2.5, -3, math.Copysign(0, -1), 1e18} {
		got := boxValue(v).(float64)
		if got != v || math.Signbit(got) != math.Signbit(v) {
			t.Errorf("boxValue(%v) = %v", v, got)
		}
	}
	for _, n := range []int{1, 255, 4095, 4096, 100000} {
		if got := boxLine(n).(int32); int(got) != n {
			t.Errorf("boxLine(%d) = %d", n, got)
		}
	}
}
