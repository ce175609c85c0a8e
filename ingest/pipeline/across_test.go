package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
	"gongkai/ingest/store"
)

// TestCrossYearAtSave: the cross-year findings written while saving (the year before at
// hand, store.Across) equal those of the step after the run (FinishPending, loading from the
// database), whatever the order the years arrive in, with the flagged cells and the derived
// rows (findings counts) that follow from them; and nothing is left owed. The same with the
// prose sketched once on the parsing goroutines (Options.CrossYearSketch, as Standard runs).
func TestCrossYearAtSave(t *testing.T) {
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	if _, err := generate.Write(generate.Options{Agencies: 12, From: 2020, To: 2024, Out: reports, Seed: 7,
		Layouts: []string{"tabs", "markdown"},
		Inject:  map[string]float64{"X-carry-over": 0.3, "X-valid-docs": 0.2, "S-copied-prose": 0.2}}); err != nil {
		t.Fatal(err)
	}
	// byYear[y]: the files of year y, for a run that stores the years latest first
	files, _ := Walk([]string{reports})
	byYear := map[string][]string{}
	for _, f := range files {
		y := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		y = y[len(y)-4:]
		byYear[y] = append(byYear[y], f)
	}
	dv := &store.Derivation{Table: "derived_test", Columns: []string{"findings"},
		Row:     func(r *ingest.Report) []any { return []any{int64(len(r.Findings))} },
		Refresh: []string{`UPDATE derived_test SET findings = (SELECT count(*) FROM findings f WHERE f.report_id = derived_test.report_id) WHERE report_id IN ({ids})`}}
	type state struct{ findings, flagged, derived []string }
	ingestWith := func(name string, atSave bool, runs [][]string) state {
		db := openDB(t, filepath.Join(dir, name+".duckdb"))
		defer db.Close()
		if _, err := db.SQL().Exec(`CREATE TABLE derived_test (report_id BIGINT, findings BIGINT)`); err != nil {
			t.Fatal(err)
		}
		defer func(old bool) { crossYearAtSave = old }(crossYearAtSave)
		crossYearAtSave = atSave
		opt := Options{Parse: parse.File, Check: check.Report, CrossYear: check.Years, CrossYearKeys: check.YearsKeys,
			ParserVersion: parse.Version, Derive: dv, Batch: 7}
		if strings.HasPrefix(name, "sketched") { // the prose sketched on the workers, as Standard does
			opt.CrossYearSketch, opt.CrossYearSketched = sketchOf, yearsSketched(check.DefaultSimilarity)
		}
		for _, paths := range runs {
			if res, err := Run(context.Background(), db, paths, opt); err != nil || res.Failed > 0 {
				t.Fatalf("%s: %s %v %v", name, res.Summary(), err, res.Failures)
			}
		}
		if p, err := db.Verify(); err != nil || len(p) > 0 {
			t.Fatalf("%s: verify: %v %v", name, p, err)
		}
		q := func(query string) []string {
			rows, err := db.SQL().Query(query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			sort.Strings(out)
			return out
		}
		return state{
			findings: q(`SELECT concat_ws('|', parse_filename(r.source_path), f.rule, f.cell, coalesce(f.expected, -1), coalesce(f.actual, -1), f.message, parse_filename(f.related))
				FROM findings f JOIN reports r ON r.id = f.report_id`),
			flagged: q(`SELECT parse_filename(r.source_path) || '|' || c.key FROM cells c JOIN reports r ON r.id = c.report_id WHERE c.flagged`),
			derived: q(`SELECT parse_filename(r.source_path) || '|' || d.findings FROM derived_test d JOIN reports r ON r.id = d.report_id`),
		}
	}
	after := ingestWith("after", false, [][]string{{reports}})
	cross := 0
	for _, f := range after.findings {
		if strings.Contains(f, "|X-") || strings.Contains(f, "|S-copied-prose|") {
			cross++
		}
	}
	if cross == 0 {
		t.Fatal("no cross-year finding in a corpus generated with cross-year errors")
	}
	var latestFirst [][]string
	for y := 2024; y >= 2020; y-- {
		latestFirst = append(latestFirst, byYear[fmt.Sprint(y)])
	}
	for name, runs := range map[string][][]string{"atsave": {{reports}}, "latestfirst": latestFirst,
		"sketched": {{reports}}, "sketchedlatestfirst": latestFirst} {
		before := owedPairs.Load()
		got := ingestWith(name, true, runs)
		owed := owedPairs.Load() - before
		// at save, the year before is at hand for nearly every report (the batches end
		// anywhere); latest first, every report with a year before is owed
		latest := strings.HasSuffix(name, "latestfirst")
		if (!latest && owed > int64(len(files))/4) || (latest && owed < int64(len(files))/2) {
			t.Errorf("%s: %d pairs of %d reports left to FinishPending", name, owed, len(files))
		}
		t.Logf("%s: %d pairs of %d reports left to FinishPending", name, owed, len(files))
		if !reflect.DeepEqual(got, after) {
			t.Errorf("%s: differs from the step after the run:\nfindings %d vs %d\nflagged %d vs %d\nderived %v\nvs %v",
				name, len(got.findings), len(after.findings), len(got.flagged), len(after.flagged), got.derived, after.derived)
		}
	}
	t.Logf("%d findings, %d of them cross-year, identical", len(after.findings), cross)
}
