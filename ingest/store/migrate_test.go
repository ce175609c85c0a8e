package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// TestMigrateCells opens a database of schema version 2 (cells a table with its key as four
// strings) and checks that migration 003 keeps every cell, read through the cells view.
func TestMigrateCells(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.duckdb")
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := sql.OpenDB(c)
	for _, name := range []string{"migrations/001_init.sql", "migrations/002_prose.sql"} {
		body, _ := migrations.ReadFile(name)
		if _, err := raw.ExecContext(context.Background(), string(body)); err != nil {
			t.Fatal(name, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO schema_version (version) VALUES (1), (2)`,
		`INSERT INTO agencies (name, level) VALUES ('甲镇人民政府', 'township')`,
		`INSERT INTO reports (id, agency_id, agency_printed, year, format, level, source_path, source_format, sha256, text,
			parser_version, revision, current, single_other, incomplete) VALUES (7, 1, '甲镇', 2023, '2021', 'township', 'a.txt', 'text', 'abc', 't', 'v', 1, true, false, false)`,
		`INSERT INTO cells VALUES (7, 'table3.new_received.total', 'table3', 'new_received', 'total', 4, true, 12, '4'),
			(7, 'table2.licensing', 'table2', 'licensing', '', NULL, false, NULL, NULL)`,
		`SELECT nextval('report_id') FROM range(7)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM cells WHERE report_id = 7 AND key = 'table3.new_received.total' AND tbl = 'table3'
		AND row_key = 'new_received' AND col = 'total' AND value = 4 AND flagged AND line = 12 AND src_text = '4'`); n != 1 {
		t.Fatalf("migrated cell: %d rows", n)
	}
	if n := count(t, db, `SELECT count(*) FROM current_cells WHERE key = 'table2.licensing' AND col = '' AND value IS NULL AND year = 2023`); n != 1 {
		t.Fatalf("migrated cell through current_cells: %d rows", n)
	}
	// A report saved after the migration reuses the two keys and adds the others.
	r := synth("甲镇人民政府", 2024, 1)
	if _, err := db.Save(r, meta("b.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM cell_keys`); n != len(r.Keys()) {
		t.Fatalf("%d cell keys, want %d", n, len(r.Keys()))
	}
	if n := count(t, db, `SELECT count(DISTINCT key) FROM cells`); n != len(r.Keys()) {
		t.Fatalf("%d distinct keys in cells, want %d", n, len(r.Keys()))
	}
}
