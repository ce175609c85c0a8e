package dashboards

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

// TestAgenciesPageRowsEqualWholeTable: the 各单位 table of a page draws only the rows its page
// shows, and they are the rows of the whole table (as the API and downloads give it) sorted
// the same way, for every sort and page, missing organs included.
func TestAgenciesPageRowsEqualWholeTable(t *testing.T) {
	dir := t.TempDir()
	_, err := generate.Write(generate.Options{Agencies: 110, From: 2023, To: 2024, Out: filepath.Join(dir, "gen"), Seed: 3, Missing: 8,
		Inject: map[string]float64{"T3-balance": 0.2, "S-late": 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := pipeline.Run(context.Background(), db, []string{filepath.Join(dir, "gen")}, pipeline.Options{
		Parse: parse.File, Check: check.Report, CrossYear: check.Years, CrossYearKeys: check.YearsKeys,
		ParserVersion: "test", Derive: analytics.Derivation(), Batch: 32}); err != nil {
		t.Fatal(err)
	}
	// every organ stored is expected, and two that never reported: 未报送 rows
	reg := []config.Organ{{Name: "新设乡人民政府", Level: ingest.LevelTownship}, {Name: "新设区统计局", Level: ingest.LevelDepartment}}
	rows, err := db.SQL().Query("SELECT name, level FROM agencies")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o config.Organ
		if err := rows.Scan(&o.Name, &o.Level); err != nil {
			t.Fatal(err)
		}
		reg = append(reg, o)
	}
	rows.Close()
	if err := db.SyncRegistry(reg); err != nil {
		t.Fatal(err)
	}
	s := &Server{a: analytics.NewStore(db)}
	ctx := context.Background()
	years, err := s.a.Years(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base := view{Year: years[len(years)-1], Years: years}
	whole, err := s.tableAgencies(ctx, base) // in the order of the answers, unsorted
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Rows) <= 2*pageRows {
		t.Fatalf("%d organs: the table needs more than two pages for this test", len(whole.Rows))
	}
	var missing bool
	for _, r := range whole.Rows {
		missing = missing || r[2].Text == "未报送"
	}
	if !missing {
		t.Fatal("no organ is missing: the test proves less than it says")
	}
	text := func(rows [][]analytics.Cell) []string {
		var out []string
		for _, r := range rows {
			line := ""
			for _, c := range r {
				line += c.Text + "|" + c.Link + "|" + c.Class + ";"
			}
			out = append(out, line)
		}
		return out
	}
	for _, key := range []string{"", "agency", "level", "status", "applications", "disclosure_rate", "findings_errors"} {
		for _, desc := range []bool{false, true} {
			want := &analytics.Table{Columns: whole.Columns, Rows: slices.Clone(whole.Rows)}
			sortTable(want, key, desc)
			for _, page := range []int{1, 2, 3, 99} {
				v := base
				v.Sort, v.Desc, v.page = key, desc, page
				got, err := s.tableAgencies(ctx, v)
				if err != nil {
					t.Fatal(err)
				}
				tv := &tableView{Table: got}
				pg := paginate(tv, map[string][]string{pageParam("agencies"): {fmt.Sprint(page)}}, "/")
				lo := (pg.Page - 1) * pageRows
				g, w := text(tv.Rows), text(want.Rows[lo:lo+len(tv.Rows)])
				if len(g) == 0 || !slices.Equal(g, w) || pg.Total != len(want.Rows) {
					t.Errorf("sort %q desc %v page %d: %d rows of %d\n got %v\nwant %v", key, desc, page, len(g), pg.Total, g, w)
				}
			}
		}
	}
}
