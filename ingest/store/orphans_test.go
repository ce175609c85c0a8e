package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDeletesOrphans writes rows of every child table for report ids no report has (above
// the highest stored, where a writer breaking the one-transaction rule would leave them),
// reopens, and checks that they are gone, the stored reports whole, and that the next open
// starts its check above them.
func TestOpenDeletesOrphans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.duckdb")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, agency := range []string{"甲镇人民政府", "乙镇人民政府"} {
		r := synth(agency, 2023, int64(i))
		if _, err := db.Save(r, meta(fmt.Sprintf("%d.txt", i), r, "")); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if db, err = Open(path); err != nil { // the check moves past the two reports
		t.Fatal(err)
	}
	top := int64(count(t, db, `SELECT max(id) FROM reports`))
	if got := int64(count(t, db, `SELECT max(upto) FROM orphans_checked`)); got != top {
		t.Fatalf("orphans checked up to %d, want %d", got, top)
	}
	orphan := top + 1000
	for _, q := range []string{
		`INSERT INTO report_cells (report_id, cell_set, value, line, flagged, src_keys, src_text) VALUES (?, 1, [5], [NULL], [], [], [])`,
		`INSERT INTO publications (report_id, channel, count, quote) VALUES (?, 'portal', 1, 'q')`,
		`INSERT INTO findings (report_id, rule, severity, message) VALUES (?, 'T3-balance', 'error', 'm')`,
		`INSERT INTO report_prose (report_id, section, text) VALUES (?, 1, 't')`,
		`INSERT INTO report_metrics (report_id) VALUES (?)`,
		`INSERT INTO report_urls (report_id, page_url, attachment_url, fetched_at, etag, last_modified) VALUES (?, 'u', '', now(), '', '')`,
	} {
		if _, err := db.SQL().Exec(q, orphan); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cells := count(t, db, `SELECT count(*) FROM cell_values WHERE report_id <= ?`, top)
	db.Close()
	if db, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range orphanTables {
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE report_id = ?`, orphan); n != 0 {
			t.Errorf("%s: %d rows of no report left", table, n)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM cell_values WHERE report_id <= ?`, top); n != cells {
		t.Errorf("%d cells of stored reports, want %d", n, cells)
	}
	problems, err := db.Verify()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if !strings.Contains(p, "still owed") { // saved without the cross-year rules: owed, as it should be
			t.Errorf("verify: %s", p)
		}
	}
}
