package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/ingest"

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

// TestMigrationOutOfOrder: a migration whose number is below the highest applied (another
// helper's, landed later) is still applied, once.
func TestMigrationOutOfOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.duckdb")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := synth("甲镇人民政府", 2024, 1)
	if _, err := db.Save(r, meta("a.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	// as if 006 had never been applied, while a later one was
	for _, q := range []string{`DROP TABLE pending_cross_year`, `DROP SEQUENCE pending_cross_year_seq`,
		`DELETE FROM schema_version WHERE version = 6`, `INSERT INTO schema_version (version) VALUES (99)`} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	db.Close()
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM schema_version WHERE version = 6`); n != 1 {
		t.Fatalf("006 recorded %d times", n)
	}
	// 006 owes the cross-year findings of the report stored before it
	pairs, _, err := db.PendingCrossYear()
	if err != nil || len(pairs) != 1 || pairs[0][1] != 2024 {
		t.Fatalf("pending after 006: %v %v", pairs, err)
	}
}

// TestPendingInSameTransaction: saving records the cross-year work owed with the report, a
// failed save records none, and DonePendingCrossYear keeps what came after its mark.
func TestPendingInSameTransaction(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := synth("甲镇人民政府", 2023, 1)
	if _, err := db.Save(r, meta("a.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Save(r, meta("a.txt", r, "")); err != nil { // unchanged: nothing owed
		t.Fatal(err)
	}
	pairs, mark, err := db.PendingCrossYear()
	if err != nil || len(pairs) != 1 {
		t.Fatalf("pending %v %v", pairs, err)
	}
	bad := synth("乙镇人民政府", 2023, 2)
	failInTx = func(x *ingest.Report) error {
		if x == bad {
			return errors.New("injected")
		}
		return nil
	}
	defer func() { failInTx = func(*ingest.Report) error { return nil } }()
	if _, err := db.Save(bad, meta("b.txt", bad, "")); err == nil {
		t.Fatal("injected failure not reported")
	}
	r24 := synth("甲镇人民政府", 2024, 3)
	if _, err := db.Save(r24, meta("c.txt", r24, "")); err != nil {
		t.Fatal(err)
	}
	if err := db.DonePendingCrossYear(mark); err != nil {
		t.Fatal(err)
	}
	pairs, _, err = db.PendingCrossYear()
	if err != nil || len(pairs) != 1 || pairs[0][1] != 2024 {
		t.Fatalf("after done: %v %v (want only 2024, saved after the mark)", pairs, err)
	}
}

// TestSetLimits: the configured memory limit and threads reach DuckDB; a malformed size is
// refused with the key's name.
func TestSetLimits(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "l.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetLimits("512MB", 1); err != nil {
		t.Fatal(err)
	}
	var mem string
	var threads int
	if err := db.SQL().QueryRow(`SELECT current_setting('memory_limit'), current_setting('threads')`).Scan(&mem, &threads); err != nil {
		t.Fatal(err)
	}
	if threads != 1 || !strings.Contains(mem, "MiB") && !strings.Contains(mem, "MB") {
		t.Fatalf("memory_limit %q, threads %d", mem, threads)
	}
	if err := db.SetLimits("4 gigs'; DROP TABLE reports; --", 0); err == nil || !strings.Contains(err.Error(), "duckdb.memory_limit") {
		t.Fatalf("malformed size: %v", err)
	}
}

// TestLimitWriteMemory: the settings reach DuckDB.
func TestLimitWriteMemory(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	settings := func() (out []string) {
		for _, s := range writeMemory {
			var v string
			if err := db.SQL().QueryRow(`SELECT current_setting(?)`, s.name).Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	before := settings()
	if err := db.LimitWriteMemory(); err != nil {
		t.Fatal(err)
	}
	after := settings()
	for i, s := range writeMemory {
		if after[i] == before[i] || !strings.Contains(after[i], "MiB") && !strings.Contains(after[i], "MB") {
			t.Errorf("%s: %q, then %q (set %s)", s.name, before[i], after[i], s.value)
		}
	}
}

// TestFreshSkipsBackfill: a new database left out 004's backfill (it has no rows to copy)
// and has the same tables, views, columns and rows as one that ran it; a database of
// version 3 with a report still gets the report's metrics row.
func TestFreshSkipsBackfill(t *testing.T) {
	if !strings.Contains(string(mustRead(t, "migrations/004_report_metrics.sql")), backfillMarker) {
		t.Fatal("migration 004 has no backfill marker: Open would run its backfill in every new database")
	}
	schema := func(skip bool) string {
		old := skipFreshBackfill
		skipFreshBackfill = skip
		defer func() { skipFreshBackfill = old }()
		db, err := Open(filepath.Join(t.TempDir(), "f.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var s string
		if err := db.SQL().QueryRow(`SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, ''), E'\n' ORDER BY table_name, ordinal_position)
			FROM information_schema.columns`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`SELECT count(*) FROM report_metrics`, `SELECT count(*) FROM data_version`,
			`SELECT count(*) FROM schema_version`} {
			s += fmt.Sprintf("\n%s: %d", q, count(t, db, q))
		}
		return s
	}
	if fresh, full := schema(true), schema(false); fresh != full {
		t.Fatalf("a new database without the backfill:\n%s\nwith it:\n%s", fresh, full)
	}

	// version 3 with one report: 004 computes its metrics row
	path := filepath.Join(t.TempDir(), "v3.duckdb")
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := sql.OpenDB(c)
	for _, name := range []string{"migrations/001_init.sql", "migrations/002_prose.sql", "migrations/003_cell_values.sql"} {
		if _, err := raw.Exec(string(mustRead(t, name))); err != nil {
			t.Fatal(name, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO schema_version (version) VALUES (1), (2), (3)`,
		`INSERT INTO agencies (name, level) VALUES ('甲镇人民政府', 'township')`,
		`INSERT INTO reports (id, agency_id, agency_printed, year, format, level, source_path, source_format, sha256, text,
			parser_version, revision, current, single_other, incomplete) VALUES (7, 1, '甲镇', 2023, '2021', 'township', 'a.txt', 'text', 'abc', 't', 'v', 1, true, false, false)`,
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
	if n := count(t, db, `SELECT count(*) FROM report_metrics WHERE report_id = 7 AND reports = 1`); n != 1 {
		t.Fatalf("metrics rows of the report stored before 004: %d", n)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := migrations.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
