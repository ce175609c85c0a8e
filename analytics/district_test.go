package analytics

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"slices"
	"testing"

	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/store"
)

// The district sums and the paired sums kept up to date by the writes' Changes must equal
// the sums of every report, after any sequence of writes. Each case is a generated district
// written through the real store by a random sequence of batches (new reports, organs
// appearing in a year between two others, corrected re-issues of a current report, the
// same organ and year twice in one batch, cross-year findings refreshing the derived rows,
// registry syncs, cells unread or implausible), the sums asked for after one write or
// after several; each time the kept sums are compared with the full queries over the same
// snapshot, group by group and metric by metric, and at the end through the queries the
// pages used before (Values' SQL, PairedDistrict over an organ selection) for every year,
// level and pair of years.
func TestKeptSumsEqualFullSums(t *testing.T) {
	for _, tc := range []struct {
		name   string
		seed   int64
		organs int
		writes int
		ask    int // ask for the sums after every ask-th write
	}{
		{"every write", 1, 12, 16, 1},
		{"every third write", 2, 12, 18, 3},
		{"more organs", 3, 30, 10, 2},
	} {
		t.Run(tc.name, func(t *testing.T) { keptSumsCase(t, tc.seed, tc.organs, tc.writes, tc.ask) })
	}
}

func keptSumsCase(t *testing.T, seed int64, n, writes, ask int) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(seed))
	organs := generate.District(rng, "", n)
	db, err := store.Open(filepath.Join(t.TempDir(), "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var reg []config.Organ
	for _, o := range organs {
		reg = append(reg, config.Organ{Name: o.Name, Level: o.Level, District: o.District})
	}
	if err := db.SyncRegistry(reg); err != nil {
		t.Fatal(err)
	}
	a := NewStore(db)
	years := []int{2021, 2022, 2023, 2024, 2025}
	serial := 0
	report := func(o generate.Agency, year int) store.Item {
		serial++
		r := generate.Truth(rng, o, year, generate.FormatFor(year), nil)
		r.Source = fmt.Sprintf("%s-%d-%d.txt", o.Name, year, serial)
		r.Text = fmt.Sprintf("%s%d年政府信息公开工作年度报告 %d\n", o.Name, year, serial)
		switch rng.Intn(6) {
		case 0: // a cell unread: the metrics built on it are missing
			for _, k := range []string{ingest.Table3Key("new_received", "total"), ingest.Table3Key("disclosed", "total"), "table2.fees"} {
				if rng.Intn(2) == 0 {
					c := r.Cells.Of(k)
					c.Value = nil
					r.Cells.Set(k, c)
				}
			}
		case 1: // an impossible fee: left out and counted as implausible
			r.Set("table2.fees", ingest.FeesBoundOf(o.Level).Max*3, ingest.Source{Line: 1, Text: "x"})
		}
		r.Findings = nil
		check.Report(r)
		sum := sha256.Sum256([]byte(r.Source + r.Text))
		return store.Item{Report: r, Meta: store.FileMeta{Path: r.Source, SHA256: fmt.Sprintf("%x", sum), SourceFormat: "text", ParserVersion: "test"}}
	}
	// the first state: most organs, most years, some gaps to fill later
	var items []store.Item
	for _, o := range organs {
		for _, y := range years {
			if rng.Intn(3) > 0 {
				items = append(items, report(o, y))
			}
		}
	}
	save := func(items []store.Item) {
		t.Helper()
		for _, s := range db.SaveAllDerived(items, Derivation(), nil) {
			if s.Err != nil {
				t.Fatal(s.Err)
			}
		}
	}
	save(items)
	compare(t, ctx, a, db, "first", false)
	kinds := map[string]int{}
	for w := 1; w <= writes; w++ {
		var kind string
		k := rng.Intn(10)
		if w <= 4 { // every kind at least once
			k = []int{0, 5, 7, 9}[w-1]
		}
		switch {
		case k < 5: // a batch of reports: new ones, re-issues, twice the same organ and year
			kind = "batch"
			var batch []store.Item
			for range 1 + rng.Intn(6) {
				o := organs[rng.Intn(len(organs))]
				y := years[rng.Intn(len(years))]
				batch = append(batch, report(o, y))
				if rng.Intn(8) == 0 {
					batch = append(batch, report(o, y))
					kind = "batch with a report replaced in it"
				}
			}
			save(batch)
		case k < 7: // one corrected re-issue of a current report
			kind = "re-issue"
			o := organs[rng.Intn(len(organs))]
			save([]store.Item{report(o, years[rng.Intn(len(years))])})
		case k < 9: // cross-year findings replaced: the derived rows refreshed in place
			kind = "refresh"
			byReport := map[int64][]ingest.Finding{}
			for range 1 + rng.Intn(4) {
				o := organs[rng.Intn(len(organs))]
				id, ok := db.AgencyID(o.Name)
				if !ok {
					continue
				}
				rid, ok := db.Current(id, years[rng.Intn(len(years))])
				if !ok {
					continue
				}
				var fs []ingest.Finding
				for range rng.Intn(3) {
					fs = append(fs, ingest.Finding{Rule: ingest.RuleCarryOver, Severity: ingest.SeverityError, Message: "测试"})
				}
				if rng.Intn(2) == 0 {
					fs = append(fs, ingest.Finding{Rule: ingest.RuleValidDocs, Severity: ingest.SeverityWarning, Message: "测试"})
				}
				byReport[rid] = fs
			}
			if err := db.ReplaceFindingsDerived(byReport, Derivation()); err != nil {
				t.Fatal(err)
			}
		default:
			kind = "registry"
			if err := db.SyncRegistry(reg); err != nil {
				t.Fatal(err)
			}
		}
		kinds[kind]++
		if w%ask == 0 || w == writes {
			compare(t, ctx, a, db, fmt.Sprintf("write %d (%s)", w, kind), w == writes)
		}
	}
	for _, k := range []string{"batch", "re-issue", "refresh", "registry"} {
		if kinds[k] == 0 {
			t.Errorf("no write of kind %s: the case proves less than it says", k)
		}
	}
	if a.kept.cur == nil || a.kept.full != 1 {
		t.Fatalf("the sums were summed from every report %d times, want once (then kept up to date)", a.kept.full)
	}
}

// compare checks a's kept sums against the full queries over one snapshot.
func compare(t *testing.T, ctx context.Context, a *Analytics, db *store.DB, step string, pages bool) {
	t.Helper()
	kept, err := a.sumsOf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var v int64
	if err := tx.QueryRow(`SELECT max(version) FROM data_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	full, err := fullSums(ctx, tx, v)
	if err != nil {
		t.Fatal(err)
	}
	if kept.version != v {
		t.Fatalf("%s: sums of version %d, the database is at %d", step, kept.version, v)
	}
	sameDistrict(t, step, kept.district.parts, full.district.parts)
	samePaired(t, step, kept.paired.parts, full.paired.parts)
	if !pages {
		return
	}
	// and as the pages read them: every year, level and pair of consecutive years
	direct := New(db.SQL())
	ids, err := queryIntsDB(ctx, db, "SELECT id FROM agencies")
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []string{"", ingest.LevelTownship, ingest.LevelDepartment, ingest.LevelCounty} {
		fs := []Filter{{Level: level}}
		for y := 2021; y <= 2025; y++ {
			fs = append(fs, Filter{Level: level, Years: []int{y}}, Filter{Level: level, Years: []int{y - 1, y}, InAllYears: true})
		}
		for _, f := range fs {
			got := kept.district.districtRows(f)
			q, args := MetricSQL(f, ByYear)
			want, err := direct.values(ctx, q, args, ByYear, Metrics)
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, fmt.Sprintf("%s, %+v", step, f), got, want)
		}
		for y := 2022; y <= 2025; y++ {
			got, err := a.PairedDistrict(ctx, y-1, y, Filter{Level: level})
			if err != nil {
				t.Fatal(err)
			}
			// the same pair asked with an organ selection of every organ: the query, not the sums
			want, err := direct.PairedDistrict(ctx, y-1, y, Filter{Level: level, AgencyIDs: ids})
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, fmt.Sprintf("%s, paired %d–%d level %q", step, y-1, y, level), got, want)
		}
	}
}

func queryIntsDB(ctx context.Context, db *store.DB, q string) ([]int, error) {
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return queryInts(ctx, tx, q)
}

// sameFloat: both missing, or equal (exact for whole numbers, the counts; a sum of fees in
// 万元 with decimals within 1e-9 of its size, the order of the additions differing).
func sameFloat(x, y *float64) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	if *x == math.Trunc(*x) && *y == math.Trunc(*y) && math.Abs(*x) < 1<<52 {
		return *x == *y
	}
	return math.Abs(*x-*y) <= 1e-9*math.Max(1, math.Abs(*y))
}

func sameFloats(x, y []*float64) int {
	for i := range x {
		if !sameFloat(x[i], y[i]) {
			return i
		}
	}
	return -1
}

func showF(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprint(*v)
}

func sameDistrict(t *testing.T, step string, got, want map[aggKey]*aggPart) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: group %+v missing from the kept sums", step, k)
			continue
		}
		if g.reports != w.reports || !slices.Equal(g.left, w.left) || !sameCounts(g.implausible, w.implausible) {
			t.Errorf("%s: group %+v: %d reports, left %v, implausible %v; want %d, %v, %v", step, k, g.reports, g.left, g.implausible, w.reports, w.left, w.implausible)
		}
		for _, pair := range [][2][]*float64{{g.sum, w.sum}, {g.den, w.den}} {
			if i := sameFloats(pair[0], pair[1]); i >= 0 {
				t.Errorf("%s: group %+v: %s %s, want %s", step, k, Metrics[i].Name, showF(pair[0][i]), showF(pair[1][i]))
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: group %+v kept, not in the full sums", step, k)
		}
	}
}

func sameCounts(x, y map[string]int) bool {
	for k, v := range x {
		if y[k] != v {
			return false
		}
	}
	for k, v := range y {
		if x[k] != v {
			return false
		}
	}
	return true
}

func samePaired(t *testing.T, step string, got, want map[pairKey]*pairPart) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: paired group %+v missing from the kept sums", step, k)
			continue
		}
		if g.pairs != w.pairs || !slices.Equal(g.left, w.left) {
			t.Errorf("%s: paired group %+v: %d organs, left %v; want %d, %v", step, k, g.pairs, g.left, w.pairs, w.left)
		}
		for _, pair := range [][2][]*float64{{g.from, w.from}, {g.to, w.to}, {g.fromDen, w.fromDen}, {g.toDen, w.toDen}} {
			if i := sameFloats(pair[0], pair[1]); i >= 0 {
				t.Errorf("%s: paired group %+v: %s %s, want %s", step, k, Metrics[i].Name, showF(pair[0][i]), showF(pair[1][i]))
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: paired group %+v kept, not in the full sums", step, k)
		}
	}
}

func sameRows(t *testing.T, what string, got, want []Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Year != w.Year || !sameCounts(g.Left, w.Left) || !sameCounts(g.Implausible, w.Implausible) {
			t.Errorf("%s: row %d: year %d left %v implausible %v; want %d, %v, %v", what, i, g.Year, g.Left, g.Implausible, w.Year, w.Left, w.Implausible)
		}
		for _, m := range Metrics {
			if !sameFloat(g.Values[m.Name], w.Values[m.Name]) {
				t.Errorf("%s: %d %s %s, want %s", what, g.Year, m.Name, showF(g.Values[m.Name]), showF(w.Values[m.Name]))
			}
		}
	}
}
