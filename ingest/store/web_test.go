package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// A report fetched from a portal keeps its page, attachment, fetch time and validators in the
// report's transaction; the validators are offered for the URL whose bytes were read.
func TestWebSource(t *testing.T) {
	db := open(t)
	at := time.Date(2026, 1, 20, 8, 30, 0, 0, time.UTC)
	tests := []struct {
		name, page, attachment, etag, lastMod, validatorURL string
	}{
		{"page with tables", "http://127.0.0.1/a/1.html", "", `"v1"`, "", "http://127.0.0.1/a/1.html"},
		{"attachment", "http://127.0.0.1/a/2.html", "http://127.0.0.1/files/2.pdf", "", "Tue, 20 Jan 2026 08:00:00 GMT", "http://127.0.0.1/files/2.pdf"},
		{"no validators", "http://127.0.0.1/a/3.html", "", "", "", ""},
	}
	for i, tt := range tests {
		r := synth("甲镇人民政府", 2020+i, int64(i+1))
		m := meta(tt.page, r, "")
		m.Web = &WebSource{Page: tt.page, Attachment: tt.attachment, FetchedAt: at, ETag: tt.etag, LastModified: tt.lastMod}
		if out, err := db.Save(r, m); err != nil || out != New {
			t.Fatalf("%s: %v %v", tt.name, out, err)
		}
		if n := count(t, db, `SELECT count(*) FROM report_urls u JOIN reports r ON r.id = u.report_id
			WHERE r.year = ? AND u.page_url = ? AND u.attachment_url = ? AND u.fetched_at = ?`, 2020+i, tt.page, tt.attachment, at); n != 1 {
			t.Fatalf("%s: %d report_urls rows", tt.name, n)
		}
	}
	v, err := db.WebValidators()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 2 {
		t.Fatalf("validators: %v", v)
	}
	for _, tt := range tests {
		if tt.validatorURL == "" {
			continue
		}
		if got := v[tt.validatorURL]; got.ETag != tt.etag || got.LastModified != tt.lastMod {
			t.Errorf("%s: validators %+v", tt.name, got)
		}
	}
	// a file's report has no row
	r := synth("乙镇人民政府", 2023, 9)
	if _, err := db.Save(r, meta("b.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM report_urls`); n != 3 {
		t.Fatalf("%d report_urls rows", n)
	}
}

// A migration whose number is below one already applied (helpers land out of order) is still
// applied.
func TestMigrateOutOfOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gap.duckdb")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := sql.OpenDB(c)
	for _, q := range []string{`DROP TABLE report_urls`, `DELETE FROM schema_version WHERE version = 8`,
		`INSERT INTO schema_version (version) VALUES (99)`} {
		if _, err := raw.ExecContext(context.Background(), q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'report_urls'`); n != 1 {
		t.Fatal("migration 008 was skipped because 99 was recorded")
	}
}
