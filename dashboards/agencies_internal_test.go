package dashboards

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
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

// TestOrganListsInTheDatabase: the organ lists ordered, searched and paged in DuckDB give the
// rows Go gave: the 各单位 table of a page holds only the rows its page shows, and they are
// the rows of the whole table built from Values and Coverage and sorted in Go, for every
// sort, both directions, every page, level filters and search, missing organs included; a
// window of any long table (API limit and offset) is the whole table's rows at that place;
// the 单位 list is Agencies filtered and sorted in Go.
func TestOrganListsInTheDatabase(t *testing.T) {
	s, years := organsServer(t) // (one district for the three: each takes a while to ingest)
	t.Run("agencies pages", func(t *testing.T) { agenciesPages(t, s, years) })
	t.Run("windows", func(t *testing.T) { windowsEqualWhole(t, s, years) })
	t.Run("agency list", func(t *testing.T) { agencyListAsGo(t, s) })
	t.Run("download streams", func(t *testing.T) { downloadStreams(t, s, years) })
}

// downloadStreams: the CSV download of a long table written row by row from the database is
// the CSV of the same table built whole in Go (from Values, Compare and the organ list, as the
// tables were built before they streamed), in every order a table may be sorted by; the
// tables of a fixed order refuse another.
func downloadStreams(t *testing.T, s *Server, years []int) {
	ctx := context.Background()
	last := years[len(years)-1]
	whole := map[string]func(v view) (*analytics.Table, error){
		"agencies": func(v view) (*analytics.Table, error) { return s.tableAgencies(ctx, v) },
		"metrics": func(v view) (*analytics.Table, error) {
			f := v.filter()
			rows, err := s.a.Values(ctx, f, analytics.ByAgencyYear)
			t := metricsHead()
			for _, r := range rows {
				t.Rows = append(t.Rows, metricsRow(r))
			}
			if v.Sort != "" {
				sortTable(t, v.Sort, v.Desc)
			}
			return t, err
		},
		"compare_all": func(v view) (*analytics.Table, error) {
			ds, err := s.a.Compare(ctx, v.From, v.To, v.compareFilter())
			t := compareAllHead(v)
			deltaRows(t, ds, v, true)
			return t, err
		},
		"heatmap": func(v view) (*analytics.Table, error) {
			m := metric(v.Metric)
			f := v.filter()
			f.Metrics = []string{m.Name}
			rows, err := s.a.Values(ctx, f, analytics.ByAgencyYear)
			t := heatmapHead(v)
			idx := map[int]int{}
			for _, r := range rows {
				i, ok := idx[r.AgencyID]
				if !ok {
					i = len(t.Rows)
					idx[r.AgencyID] = i
					ag := analytics.Str(r.Agency)
					ag.Link = agencyLink(r.AgencyID, 0)
					row := []analytics.Cell{ag}
					for range v.Years {
						row = append(row, analytics.Num(m, nil))
					}
					t.Rows = append(t.Rows, row)
				}
				if yi := slices.Index(v.Years, r.Year); yi >= 0 {
					t.Rows[i][yi+1] = analytics.Num(m, r.Values[m.Name])
				}
			}
			return t, err
		},
	}
	views := map[string][]view{
		"agencies":    {{}, {Level: ingest.LevelTownship, Sort: "disclosure_rate", Desc: true}, {Q: "局", Sort: "status"}},
		"metrics":     {{}, {Level: ingest.LevelTownship, Sort: "disclosure_rate", Desc: true}, {Q: "局", Sort: "level"}, {Sort: "year", Desc: true}, {Sort: "agency"}},
		"compare_all": {{}, {Level: ingest.LevelTownship}, {Q: "局", All: true}},
		"heatmap":     {{}, {Level: ingest.LevelTownship, Metric: "disclosure_rate"}, {Q: "局"}},
	}
	for name, st := range s.streams() {
		if whole[name] == nil || views[name] == nil {
			t.Fatalf("stream %s has no reference built in Go", name)
		}
		for _, v := range views[name] {
			v.Year, v.Years, v.From, v.To = last, years, years[0], last
			if v.Metric == "" {
				v.Metric = "applications"
			}
			var got, want bytes.Buffer
			cw, err := analytics.NewCSVWriter(&got, st.head(v))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.rows(ctx, v, analytics.Page{Sort: v.Sort, Desc: v.Desc}, cw.Write); err != nil {
				t.Fatal(err)
			}
			if err := cw.Flush(); err != nil {
				t.Fatal(err)
			}
			w, err := whole[name](v)
			if err != nil {
				t.Fatal(err)
			}
			if err := analytics.WriteCSV(&want, w); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() || len(w.Rows) == 0 {
				t.Errorf("%s %+v: streamed CSV differs from the whole table's (%d rows)\n got %.2000q\nwant %.2000q", name, v.filter(), len(w.Rows), got.String(), want.String())
			}
		}
	}
	for _, name := range []string{"compare_all", "heatmap"} {
		v := view{Year: last, Years: years, From: years[0], To: last, Metric: "applications", Sort: "agency"}
		var he *httpError
		if _, err := s.streams()[name].rows(ctx, v, analytics.Page{Sort: "agency"}, func([]analytics.Cell) error { return nil }); !errors.As(err, &he) || he.status != http.StatusBadRequest {
			t.Errorf("%s sorted by agency: %v, want a 400 that says its order is fixed", name, err)
		}
	}
}

// agenciesPages checks the agencies table, every sort, in pages, filtered by level and search.
func agenciesPages(t *testing.T, s *Server, years []int) {
	for _, filter := range []view{{}, {Level: ingest.LevelTownship}, {Q: "镇"}, {Level: ingest.LevelDepartment, Q: "局"}, {Q: "新设"}} {
		v := filter
		v.Year, v.Years = years[len(years)-1], years
		checkAgenciesPages(t, s, v)
	}
}

// checkAgenciesPages checks the agencies table of the view base, paged and sorted in the
// database, against the same table built and sorted in Go.
func checkAgenciesPages(t *testing.T, s *Server, base view) {
	ctx := context.Background()
	whole, err := s.tableAgencies(ctx, base) // in the order of the answers, unsorted
	if err != nil {
		t.Fatal(err)
	}
	text := func(rows [][]analytics.Cell) []string {
		var out []string
		for _, r := range rows {
			line := ""
			for _, c := range r {
				line += c.Text + "|" + c.Link + "|" + c.Class + fmt.Sprintf("|%v;", c.V)
			}
			out = append(out, line)
		}
		return out
	}
	// the whole table as Go built it before the database paged it: Values and Coverage
	inGo := agenciesInGo(t, s, base)
	if g, w := text(whole.Rows), text(inGo); !slices.Equal(g, w) {
		t.Fatalf("%+v: the organs from the database differ from Go's\n got %v\nwant %v", base, g, w)
	}
	if base.Level == "" && base.Q == "" {
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
	}
	if len(whole.Rows) == 0 {
		t.Fatalf("%+v: no organ", base)
	}
	keys := []string{"", "agency", "level", "status", "applications", "handled", "disclosure_rate", "review", "litigation", "correction_rate", "publications", "findings_errors", "findings_warnings"}
	if base.Level != "" || base.Q != "" {
		keys = []string{"", "status", "disclosure_rate"}
	}
	for _, key := range keys {
		for _, desc := range []bool{false, true} {
			want := &analytics.Table{Columns: whole.Columns, Rows: slices.Clone(whole.Rows)}
			sortTable(want, key, desc)
			for _, page := range []int{1, 2, 99} {
				v := base
				v.Sort, v.Desc, v.win = key, desc, analytics.Page{Limit: pageRows, Offset: (page - 1) * pageRows}
				got, err := window(ctx, s.tableAgencies, v)
				if err != nil {
					t.Fatal(err)
				}
				tv := &tableView{Table: got}
				pg := paginate(tv, map[string][]string{pageParam("agencies"): {fmt.Sprint(page)}}, "/")
				lo := 0
				if pg != nil {
					lo = (pg.Page - 1) * pageRows
				}
				g, w := text(tv.Rows), text(want.Rows[lo:lo+len(tv.Rows)])
				if len(g) == 0 || !slices.Equal(g, w) || got.Total != len(want.Rows) || (pg != nil && pg.Total != len(want.Rows)) {
					t.Errorf("%+v sort %q desc %v page %d: %d rows of %d\n got %v\nwant %v", base, key, desc, page, len(g), got.Total, g, w)
				}
			}
		}
	}
}

// agenciesInGo is the agencies table of v as Go built it from Values and Coverage, in the
// order of their answers (organs with a report by id, then the others by name).
func agenciesInGo(t *testing.T, s *Server, v view) [][]analytics.Cell {
	ctx := context.Background()
	f := v.filter()
	f.Years = []int{v.Year}
	f.Metrics = agencyMetrics
	rows, err := s.a.Values(ctx, f, analytics.ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	cov, err := s.a.Coverage(ctx, v.Year)
	if err != nil {
		t.Fatal(err)
	}
	late := map[int]bool{}
	for _, c := range cov {
		if c.Late {
			late[c.AgencyID] = true
		}
	}
	var out [][]analytics.Cell
	for _, r := range rows {
		e := r.Values["findings_errors"]
		g := analytics.OrganRow{Row: r, Reported: true, Late: late[r.AgencyID]}
		g.Status, g.Class = analytics.OrganStatus(true, e != nil && *e > 0, g.Late)
		out = append(out, agenciesRow(v, g))
	}
	for _, c := range cov {
		if c.Reported || !c.Expected || !matches(v, c.Agency, c.Level) {
			continue
		}
		g := analytics.OrganRow{Row: analytics.Row{AgencyID: c.AgencyID, Agency: c.Agency, Level: c.Level}}
		g.Status, g.Class = analytics.OrganStatus(false, false, false)
		out = append(out, agenciesRow(v, g))
	}
	return out
}

// organsServer is a Server over a generated district of 110 organs × 2023–2024 (errors and
// late reports injected, some reports missing) whose registry holds every organ stored and
// two that never reported.
func organsServer(t *testing.T) (*Server, []int) {
	t.Helper()
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
	t.Cleanup(func() { db.Close() })
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
	s.tables = s.tableFuncs()
	ctx := context.Background()
	years, err := s.a.Years(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s, years
}

// windowsEqualWhole: a table paged in the database (the API's limit and
// offset, a page of the dashboards) holds the rows of the whole table at that place, and says
// how many the whole holds, for every sort of its columns.
func windowsEqualWhole(t *testing.T, s *Server, years []int) {
	ctx := context.Background()
	last := years[len(years)-1]
	text := func(rows [][]analytics.Cell) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprint(r))
		}
		return out
	}
	for _, name := range []string{"agencies", "agency_list", "compare_agencies", "quality_agencies", "quality_coverage", "quality_findings", "risks", "metrics", "compare_all", "heatmap"} {
		fn := s.tableFuncs()[name]
		for _, base := range []view{{}, {Level: ingest.LevelTownship}, {Q: "局"}} {
			base.Year, base.From, base.To, base.Years, base.Metric = last, years[0], last, years, "applications"
			head, err := fn(ctx, base)
			if err != nil {
				t.Fatal(err)
			}
			keys := []string{""}
			if name != "risks" && name != "quality_coverage" && name != "quality_findings" && name != "compare_all" && name != "heatmap" && base.Q == "" { // (another order sorts them all in Go; compare_all and heatmap have one order)
				for _, c := range head.Columns {
					keys = append(keys, c.Key)
				}
			}
			for _, key := range keys {
				for _, desc := range []bool{false, true} {
					v := base
					v.Sort, v.Desc = key, desc
					whole, err := fn(ctx, v)
					if err != nil {
						t.Fatal(err)
					}
					if whole.Windowed {
						t.Fatalf("%s: the whole table is windowed", name)
					}
					n := len(whole.Rows)
					if (name == "agencies" && n < 100 || name == "quality_findings" && n < 20) && base.Level == "" && base.Q == "" {
						t.Fatalf("%s: %d rows, too few for the test", name, n)
					}
					for _, w := range []analytics.Page{{Limit: 7, Offset: 7}, {Limit: 5, Offset: n - 3}, {Limit: 10, Offset: n + 10}} {
						v.win = w
						got, err := fn(ctx, v)
						if err != nil {
							t.Fatal(err)
						}
						lo, hi := min(max(w.Offset, 0), n), min(max(w.Offset, 0)+w.Limit, n)
						if !got.Windowed || got.Total != n || !slices.Equal(text(got.Rows), text(whole.Rows[lo:hi])) {
							t.Errorf("%s %+v sort %q desc %v window %+v: windowed %v, %d rows of %d, want %d of %d\n got %v\nwant %v",
								name, base.filter(), key, desc, w, got.Windowed, len(got.Rows), got.Total, hi-lo, n, text(got.Rows), text(whole.Rows[lo:hi]))
						}
					}
				}
			}
		}
	}
}

// agencyListAsGo: the 单位 list ordered and paged in the database is the organs of
// Agencies filtered as the pages' search (matches) and sorted in Go (reports as numbers).
func agencyListAsGo(t *testing.T, s *Server) {
	ctx := context.Background()
	all, err := s.a.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []view{{}, {Level: ingest.LevelTownship}, {Q: "局"}, {Q: "镇", Level: ingest.LevelTownship}, {Q: "没有这个单位"}} {
		for _, key := range []string{"", "agency", "level", "registry", "reports"} {
			for _, desc := range []bool{false, true} {
				want := slices.DeleteFunc(slices.Clone(all), func(g analytics.Agency) bool { return !matches(v, g.Name, g.Level) })
				slices.SortStableFunc(want, func(a, b analytics.Agency) int {
					var c int
					switch key {
					case "agency":
						c = strings.Compare(a.Name, b.Name)
					case "level":
						c = strings.Compare(ingest.LevelLabel(a.Level), ingest.LevelLabel(b.Level))
					case "registry":
						c = -cmp.Compare(boolInt(a.Expected), boolInt(b.Expected))
					case "reports":
						c = cmp.Compare(a.Reports, b.Reports)
					}
					if desc {
						c = -c
					}
					return c
				})
				total, got, err := s.a.AgencyList(ctx, analytics.AgencyQuery{Filter: v.filter(), Page: analytics.Page{Sort: key, Desc: desc}})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) || !slices.Equal(got, want) {
					t.Errorf("%+v sort %q desc %v: %d organs %v, want %d %v", v.filter(), key, desc, total, got, len(want), want)
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
