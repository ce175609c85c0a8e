package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
)

// TestCrossYearSlimLoad: the cross-year rules give the same findings whether the stored
// reports are loaded whole or with only check.YearsKeys and the prose.
func TestCrossYearSlimLoad(t *testing.T) {
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	if _, err := generate.Write(generate.Options{Agencies: 8, From: 2021, To: 2024, Out: reports, Seed: 5,
		Layouts: []string{"tabs", "markdown"},
		Inject:  map[string]float64{"X-carry-over": 0.3, "X-valid-docs": 0.2, "S-copied-prose": 0.2}}); err != nil {
		t.Fatal(err)
	}
	findings := func(keys []string) []string {
		db := openDB(t, filepath.Join(dir, fmt.Sprintf("db%v.duckdb", keys != nil)))
		defer db.Close()
		opt := Options{Parse: parse.File, Check: check.Report, CrossYear: check.Years, CrossYearKeys: keys, ParserVersion: parse.Version}
		if _, err := Run(context.Background(), db, []string{reports}, opt); err != nil {
			t.Fatal(err)
		}
		rows, err := db.SQL().Query(`SELECT r.source_path, f.rule, f.cell, coalesce(f.expected, -1), coalesce(f.actual, -1), f.message, f.related
			FROM findings f JOIN reports r ON r.id = f.report_id ORDER BY 1, 2, 3, 6`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var src, rule, cell, msg, rel string
			var exp, act float64
			if err := rows.Scan(&src, &rule, &cell, &exp, &act, &msg, &rel); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.Join([]string{filepath.Base(src), rule, cell, fmt.Sprint(exp), fmt.Sprint(act), msg, filepath.Base(rel)}, "|"))
		}
		return out
	}
	whole, slim := findings(nil), findings(check.YearsKeys)
	cross := 0
	for _, f := range whole {
		if strings.Contains(f, "|X-") || strings.Contains(f, "|S-copied-prose|") {
			cross++
		}
	}
	if cross == 0 {
		t.Fatal("no cross-year finding in a corpus generated with cross-year errors")
	}
	if !reflect.DeepEqual(whole, slim) {
		t.Fatalf("findings differ:\nwhole %d: %v\nslim %d: %v", len(whole), whole, len(slim), slim)
	}
	t.Logf("%d findings, %d of them cross-year, identical", len(whole), cross)
}
