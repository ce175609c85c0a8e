package analytics

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

var updateMigration = flag.Bool("update-migration", false, "rewrite ingest/store/migrations/004_report_metrics.sql")

const migrationFile = "../ingest/store/migrations/004_report_metrics.sql"

// TestMigrationMatchesMetrics keeps migration 004 generated from Metrics: a metric added
// without a new column would be silently absent from every page.
func TestMigrationMatchesMetrics(t *testing.T) {
	want := MigrationSQL()
	got, err := os.ReadFile(migrationFile)
	if err != nil && !*updateMigration {
		t.Fatal(err)
	}
	if string(got) != want {
		if *updateMigration {
			if err := os.WriteFile(migrationFile, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Fatal("migration 004 is stale: go test ./analytics -run Migration -update-migration")
	}
}

// spoil makes a generated district look like real ones: some cells unread (nil, with the
// finding the parser gives), some fees implausible (an error of Q-fees-unit), chosen by a
// hash of the file name so that runs agree.
func spoil(r *ingest.Report) {
	h := fnv.New32a()
	h.Write([]byte(r.Source))
	n := h.Sum32()
	switch n % 7 {
	case 1: // a table-3 total unread
		k := "table3.disclosed.total"
		if c, ok := r.Cells.Get(k); ok {
			c.Value = nil
			r.Cells.Set(k, c)
			r.AddFinding(ingest.Finding{Rule: "V-unreadable", Severity: ingest.SeverityError, Cell: k, Message: "无法读取"})
		}
	case 2: // one withheld reason unread: the sum of eight is unknown, not partial
		k := "table3.withheld_third_party.total"
		if c, ok := r.Cells.Get(k); ok {
			c.Value = nil
			r.Cells.Set(k, c)
		}
	case 3: // an impossible fee
		if _, ok := r.Cells.Get("table2.fees"); ok {
			r.AddFinding(ingest.Finding{Rule: "Q-fees-unit", Severity: ingest.SeverityError, Cell: "table2.fees", Message: "收费金额不合常理"})
		}
	case 4: // a review figure implausible in a warning only: still summed
		r.AddFinding(ingest.Finding{Rule: "Q-fees-unit", Severity: ingest.SeverityWarning, Cell: "table4.review.total", Message: "提示"})
	case 5: // publications not stated
		r.Publications = nil
	}
}

// district generates and ingests a district with missing reports and the 2019 format.
func district(t *testing.T, agencies, from, to, missing int) (*store.DB, *Analytics) {
	t.Helper()
	dir := t.TempDir()
	if _, err := generate.Write(generate.Options{Agencies: agencies, From: from, To: to, Out: filepath.Join(dir, "gen"), Seed: 7,
		Missing: missing, Inject: map[string]float64{"T3-balance": 0.1, "X-carry-over": 0.1, "S-copied-prose": 0.1}}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	res, err := pipeline.Run(context.Background(), db, []string{filepath.Join(dir, "gen")}, pipeline.Options{
		Parse: parse.File, Check: func(r *ingest.Report) { check.Report(r); spoil(r) },
		CrossYear: check.Years, CrossYearKeys: check.YearsKeys, ParserVersion: "test", Derive: Derivation(), Batch: 16})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 {
		t.Fatalf("ingest failed: %+v", res.Failures)
	}
	return db, New(db.SQL())
}

func same(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*b))
}

func compareRows(t *testing.T, what string, got, want []Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows stored, %d computed from cells", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.AgencyID != w.AgencyID || g.Year != w.Year {
			t.Fatalf("%s row %d: %d/%d vs %d/%d", what, i, g.AgencyID, g.Year, w.AgencyID, w.Year)
		}
		for _, m := range Metrics {
			if !same(g.Values[m.Name], w.Values[m.Name]) {
				t.Errorf("%s %s %d %s: stored %s, from cells %s", what, g.Agency, g.Year, m.Name, m.Format(g.Values[m.Name]), m.Format(w.Values[m.Name]))
			}
			if g.Left[m.Name] != w.Left[m.Name] || g.Implausible[m.Name] != w.Implausible[m.Name] {
				t.Errorf("%s %d %s: left %d/%d implausible %d/%d", what, g.Year, m.Name, g.Left[m.Name], w.Left[m.Name], g.Implausible[m.Name], w.Implausible[m.Name])
			}
		}
	}
}

// TestStoredMetricsEqualCells: the rows written at ingest equal a direct computation from
// the cells, report by report, and so do the figures of every metric for every level filter,
// by year and by organ, with missing reports, unread cells, implausible cells and cross-year
// findings.
func TestStoredMetricsEqualCells(t *testing.T) {
	db, a := district(t, 12, 2020, 2024, 5)
	ctx := context.Background()
	x := db.SQL()
	if _, err := x.Exec(`CREATE TABLE direct_metrics AS ` + directRowsSQL("reports", "true")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SELECT count(*) FROM (SELECT * FROM direct_metrics EXCEPT SELECT * FROM report_metrics)`,
		`SELECT count(*) FROM (SELECT * FROM report_metrics EXCEPT SELECT * FROM direct_metrics)`} {
		var n int
		if err := x.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d report rows differ", q, n)
		}
	}
	filters := []Filter{{}, {Search: "镇"}, {Years: []int{2021, 2024}}, {Years: []int{2023}},
		// the organs of two years (同比): consecutive years are summed from the grouped
		// district sums, others computed over the organs' rows
		{Years: []int{2022, 2023}, InAllYears: true}, {Years: []int{2024, 2023}, InAllYears: true},
		{Years: []int{2021, 2024}, InAllYears: true}, {Years: []int{2022}, InAllYears: true},
		{Years: []int{2019, 2020}, InAllYears: true}, {Years: []int{2030}},
		{Years: []int{2023}, Metrics: []string{"applications", "disclosure_rate", "findings_errors"}}}
	for _, l := range ingest.Levels {
		filters = append(filters, Filter{Level: l[0]}, Filter{Level: l[0], Years: []int{2020, 2021}, InAllYears: true},
			Filter{Level: l[0], Years: []int{2022}})
	}
	var left, impl int
	for _, f := range filters {
		for _, by := range []Grouping{ByYear, ByAgencyYear} {
			got, err := a.Values(ctx, f, by)
			if err != nil {
				t.Fatal(err)
			}
			q, args := metricSQLFrom("direct_metrics", f, by)
			want, err := a.values(ctx, q, args, by, f.metrics(by))
			if err != nil {
				t.Fatal(err)
			}
			compareRows(t, fmt.Sprintf("%+v by %d", f, by), got, want)
			for _, r := range got {
				left += r.Left["disclosed"] + r.Left["withheld"]
				impl += r.Implausible["fees"]
			}
		}
	}
	// Organ by organ, a filter's Metrics (and a ratio's parts: Row.Why needs the denominator)
	// are the only values computed, and they are the same.
	sub, err := a.Values(ctx, Filter{Years: []int{2023}, Metrics: []string{"disclosure_rate", "fees"}}, ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	full, err := a.Values(ctx, Filter{Years: []int{2023}}, ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) != len(full) || len(sub) == 0 {
		t.Fatalf("metrics subset: %d rows, all metrics: %d", len(sub), len(full))
	}
	for i := range sub {
		if len(sub[i].Values) != 4 || !same(sub[i].Values["disclosure_rate"], full[i].Values["disclosure_rate"]) || !same(sub[i].Values["fees"], full[i].Values["fees"]) ||
			!same(sub[i].Values["handled"], full[i].Values["handled"]) || sub[i].Why("disclosure_rate") != full[i].Why("disclosure_rate") {
			t.Errorf("metrics subset %s: %v", sub[i].Agency, sub[i].Values)
		}
	}
	// The fixture has organs missing in some year, so that "in both years" selects fewer.
	both, err := a.Values(ctx, Filter{Years: []int{2022, 2023}, InAllYears: true}, ByYear)
	if err != nil {
		t.Fatal(err)
	}
	every, err := a.Values(ctx, Filter{Years: []int{2022, 2023}}, ByYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(both) != 2 || len(every) != 2 || *both[0].Values["reports"] == *every[0].Values["reports"] && *both[1].Values["reports"] == *every[1].Values["reports"] {
		t.Errorf("no organ is missing in 2022 or 2023: the test proves less than it says")
	}
	// And once straight from the cells, through the public reference query.
	got, err := a.Values(ctx, Filter{}, ByYear)
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.ValuesDirect(ctx, Filter{}, ByYear)
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, "direct", got, want)
	if left == 0 || impl == 0 {
		t.Errorf("the district lacks unread (%d) or implausible (%d) cells: the test proves less than it says", left, impl)
	}
}

// TestBackfillEqualsDerive: migration 004's backfill from the cells gives the rows the
// store writes at ingest, for every report version.
func TestBackfillEqualsDerive(t *testing.T) {
	db, _ := district(t, 10, 2021, 2023, 3)
	x := db.SQL()
	exec := func(q string) {
		t.Helper()
		if _, err := x.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`CREATE TABLE saved AS SELECT * FROM report_metrics`)
	exec(`DELETE FROM report_metrics`)
	mig := MigrationSQL()
	exec(mig[len(mig)-len(backfillOf(mig)):])
	for _, q := range []string{`SELECT count(*) FROM (SELECT * FROM saved EXCEPT SELECT * FROM report_metrics)`,
		`SELECT count(*) FROM (SELECT * FROM report_metrics EXCEPT SELECT * FROM saved)`} {
		var n int
		if err := x.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows differ", q, n)
		}
	}
	var n, reports int
	x.QueryRow(`SELECT count(*) FROM report_metrics`).Scan(&n)
	x.QueryRow(`SELECT count(*) FROM reports`).Scan(&reports)
	if n != reports || n == 0 {
		t.Errorf("%d rows for %d reports", n, reports)
	}
}

// backfillOf returns the INSERT statement that ends the migration.
func backfillOf(mig string) string {
	i := len(mig)
	for j := range mig {
		if len(mig)-j > 7 && mig[j:j+7] == "INSERT " {
			i = j
		}
	}
	return mig[i:]
}

// TestDataVersionMoves: every ingest changes the data version, so cached pages are dropped.
func TestDataVersionMoves(t *testing.T) {
	db, a := district(t, 3, 2023, 2024, 0)
	ctx := context.Background()
	v1, err := a.DataVersion(ctx)
	if err != nil || v1 == 0 {
		t.Fatalf("version %d, %v", v1, err)
	}
	if err := db.SyncRegistry(nil); err != nil {
		t.Fatal(err)
	}
	v2, _ := a.DataVersion(ctx)
	if v2 <= v1 {
		t.Errorf("version %d after a registry change, was %d", v2, v1)
	}
}
