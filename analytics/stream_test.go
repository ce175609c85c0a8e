package analytics_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gongkai/analytics"
	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// streamDistrict is a district of 23 organs over fromYear and toYear with gaps: some organs
// have no report in one year, some state no publications.
func streamDistrict(t *testing.T) *analytics.Analytics {
	t.Helper()
	i := 0
	a, _, _ := genDistrict(t, 23, func(ag generate.Agency, year int, r *ingest.Report) *ingest.Report {
		i++
		switch {
		case i%7 == 0:
			return nil // no report this year
		case i%5 == 0:
			r.Publications = nil // publications not stated
		}
		return r
	})
	return a
}

// streamFilters are the selections the long tables are tested with.
var streamFilters = []struct {
	name string
	f    analytics.Filter
}{
	{"all", analytics.Filter{}},
	{"township", analytics.Filter{Level: ingest.LevelTownship}},
	{"search", analytics.Filter{Search: "镇"}},
	{"one year", analytics.Filter{Years: []int{toYear}}},
	{"three metrics", analytics.Filter{Metrics: []string{"applications", "disclosure_rate", "publications"}}},
	{"same organs", analytics.Filter{InAllYears: true, Years: []int{fromYear, toYear}}},
}

// windows are the pages tested on a list of n rows: from the start, across chunk and organ
// boundaries, at the end, past the end.
func windows(n int) []analytics.Page {
	return []analytics.Page{{}, {Limit: 1}, {Limit: 7, Offset: 3}, {Limit: 61, Offset: 59}, {Limit: 10, Offset: max(n-4, 0)}, {Limit: 5, Offset: n + 3}}
}

// TestEachAgencyYearEqualsValues: the long table of every organ and year, read a chunk at a
// time (here 5 reports, so every chunk boundary is crossed), gives Values' rows in Values'
// order, every window of them, and in a sorted order the rows Values gives sorted the same
// way (missing values last, ties in Values' order).
func TestEachAgencyYearEqualsValues(t *testing.T) {
	defer analytics.SetChunkRows(analytics.SetChunkRows(5))
	a := streamDistrict(t)
	ctx := context.Background()
	for _, tc := range streamFilters {
		t.Run(tc.name, func(t *testing.T) {
			want, err := a.Values(ctx, tc.f, analytics.ByAgencyYear)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || (tc.name == "all" && len(want) < 30) {
				t.Fatalf("only %d rows: the district is too small to test", len(want))
			}
			sorts := []analytics.Page{{}, {Sort: "agency"}, {Sort: "year", Desc: true}, {Sort: "level"}, {Sort: "applications", Desc: true}, {Sort: "disclosure_rate"}}
			for _, srt := range sorts {
				all := sortedRows(want, srt)
				for _, w := range windows(len(all)) {
					pg := srt
					pg.Limit, pg.Offset = w.Limit, w.Offset
					var got []analytics.Row
					total, err := a.EachAgencyYear(ctx, tc.f, pg, func(r analytics.Row) error {
						got = append(got, r)
						return nil
					})
					if err != nil {
						t.Fatalf("%+v: %v", pg, err)
					}
					lo, hi := span(len(all), pg)
					if total != len(all) {
						t.Errorf("%+v: total %d, want %d", pg, total, len(all))
					}
					if !reflect.DeepEqual(got, nilIfEmpty(all[lo:hi])) {
						t.Errorf("%+v: rows differ from Values:\n got %s\nwant %s", pg, rowNames(got), rowNames(all[lo:hi]))
					}
				}
			}
		})
	}
	if _, err := a.EachAgencyYear(ctx, analytics.Filter{}, analytics.Page{Sort: "no_such_metric"}, func(analytics.Row) error { return nil }); err == nil {
		t.Error("an unknown order was accepted")
	}
}

// sortedRows orders Values' rows as EachAgencyYear's page asks (a stable sort: ties keep
// Values' order; missing values last whichever the direction).
func sortedRows(rows []analytics.Row, pg analytics.Page) []analytics.Row {
	out := slices.Clone(rows)
	if pg.Sort == "" {
		return out
	}
	slices.SortStableFunc(out, func(x, y analytics.Row) int {
		var c int
		switch pg.Sort {
		case "agency":
			c = strings.Compare(x.Agency, y.Agency)
		case "level":
			c = strings.Compare(ingest.LevelLabel(x.Level), ingest.LevelLabel(y.Level))
		case "year":
			c = cmp.Compare(x.Year, y.Year)
		default:
			vx, vy := x.Values[pg.Sort], y.Values[pg.Sort]
			switch {
			case vx == nil && vy == nil:
				return 0
			case vx == nil:
				return 1
			case vy == nil:
				return -1
			}
			c = cmp.Compare(*vx, *vy)
		}
		if pg.Desc {
			c = -c
		}
		return c
	})
	return out
}

// span is the rows [lo, hi) of n that the page pg holds.
func span(n int, pg analytics.Page) (lo, hi int) {
	lo, hi = min(pg.Offset, n), n
	if pg.Limit > 0 {
		hi = min(lo+pg.Limit, n)
	}
	return lo, hi
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func rowNames(rows []analytics.Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s/%d ", r.Agency, r.Year)
	}
	return b.String()
}

// TestEachCompareEqualsCompare: the comparison of every organ and metric, read a few organs
// at a time, gives Compare's deltas in Compare's order (the district's first), and every
// window of them: from the start, across the district block and organ boundaries, past
// the end.
func TestEachCompareEqualsCompare(t *testing.T) {
	defer analytics.SetChunkRows(analytics.SetChunkRows(3))
	a := streamDistrict(t)
	ctx := context.Background()
	n := len(analytics.Metrics)
	for _, tc := range streamFilters {
		t.Run(tc.name, func(t *testing.T) {
			for _, years := range [][2]int{{fromYear, toYear}, {toYear, fromYear}, {toYear, toYear}} {
				want, err := a.Compare(ctx, years[0], years[1], tc.f)
				if err != nil {
					t.Fatal(err)
				}
				pages := append(windows(len(want)), analytics.Page{Limit: n + 2, Offset: n - 1}, analytics.Page{Limit: 3 * n, Offset: 2 * n})
				for _, pg := range pages {
					var got []analytics.Delta
					total, err := a.EachCompare(ctx, years[0], years[1], tc.f, pg, func(d analytics.Delta) error {
						got = append(got, d)
						return nil
					})
					if err != nil {
						t.Fatalf("%v %+v: %v", years, pg, err)
					}
					lo, hi := span(len(want), pg)
					if total != len(want) {
						t.Errorf("%v %+v: total %d, want %d", years, pg, total, len(want))
					}
					if !reflect.DeepEqual(got, nilIfEmpty(want[lo:hi])) {
						t.Errorf("%v %+v: %d deltas differ from Compare's %d", years, pg, len(got), hi-lo)
					}
				}
			}
		})
	}
}

// TestEachOrganYearsEqualsValues: the organ-by-organ reading (a heatmap's rows) gives Values'
// rows cut at each organ, every window of the organs, read 4 reports at a time (an organ's
// two reports never split between reads).
func TestEachOrganYearsEqualsValues(t *testing.T) {
	defer analytics.SetChunkRows(analytics.SetChunkRows(4))
	a := streamDistrict(t)
	ctx := context.Background()
	for _, tc := range streamFilters {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := a.Values(ctx, tc.f, analytics.ByAgencyYear)
			if err != nil {
				t.Fatal(err)
			}
			var want [][]analytics.Row
			for i, r := range rows {
				if i == 0 || r.AgencyID != rows[i-1].AgencyID {
					want = append(want, nil)
				}
				want[len(want)-1] = append(want[len(want)-1], r)
			}
			for _, pg := range windows(len(want)) {
				var got [][]analytics.Row
				total, err := a.EachOrganYears(ctx, tc.f, pg, func(rs []analytics.Row) error {
					got = append(got, slices.Clone(rs))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Errorf("%+v: total %d, want %d", pg, total, len(want))
				}
				lo, hi := span(len(want), pg)
				if !reflect.DeepEqual(got, nilIfEmpty(want[lo:hi])) {
					t.Errorf("%+v: %d organs differ from Values' %d", pg, len(got), hi-lo)
				}
			}
		})
	}
}
