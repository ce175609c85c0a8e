// Package store keeps reports in DuckDB (github.com/duckdb/duckdb-go/v2, the driver formerly
// at github.com/marcboeker/go-duckdb). It is the only code that writes the database: the
// schema lives in migrations/*.sql, applied in order by Open and recorded in schema_version.
//
// Writes go through one connection held by the DB and are serialised; every report is
// written whole inside a DuckDB transaction (cells, publications, findings and prose through
// appenders on the same connection, the reports row last), so a crash leaves either the whole
// report or nothing. SaveAll groups several reports into one transaction (group commit) because
// a DuckDB commit costs about a millisecond here; a report never spans two transactions.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"gongkai/ingest"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrLocked is returned by Open when another process holds the database file (DuckDB allows
// one read-write process per file), for example a running gongkai serve.
type ErrLocked struct {
	Path string // the database file
	PID  int    // the process holding it, 0 when DuckDB did not say
}

func (e *ErrLocked) Error() string {
	who := "另一进程"
	whoEn := "another process"
	if e.PID > 0 {
		name := processName(e.PID)
		if name != "" {
			who = fmt.Sprintf("另一进程（PID %d，%s）", e.PID, name)
			whoEn = fmt.Sprintf("another process (PID %d, %s)", e.PID, name)
		} else {
			who = fmt.Sprintf("另一进程（PID %d）", e.PID)
			whoEn = fmt.Sprintf("another process (PID %d)", e.PID)
		}
	}
	return fmt.Sprintf("数据库 %s 正被%s占用：请停止 gongkai serve，或用 gongkai ingest --server URL 把文件交给正在运行的服务"+
		" (database %s is in use by %s: stop gongkai serve, or hand the files to the running service with gongkai ingest --server URL)",
		e.Path, who, e.Path, whoEn)
}

// processName returns the command name of pid where the system tells it (Linux /proc).
func processName(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

var lockPID = regexp.MustCompile(`PID (\d+)`)

// lockError turns DuckDB's "Could not set lock on file …" into ErrLocked; other errors pass.
func lockError(path string, err error) error {
	if err == nil || !strings.Contains(err.Error(), "Could not set lock") {
		return err
	}
	e := &ErrLocked{Path: path}
	if m := lockPID.FindStringSubmatch(err.Error()); m != nil {
		e.PID, _ = strconv.Atoi(m[1])
	}
	return e
}

// DB is an open gongkai database. Its methods are safe for concurrent use; writes are
// serialised on one connection.
type DB struct {
	path string
	db   *sql.DB

	mu   sync.Mutex // guards everything below: the writer connection and the in-memory index
	conn *sql.Conn
	apps *appenders
	reg  *Registry
	idx  *index
	ids  []int64 // report ids taken from the sequence, not yet used

	agencyIDs []int64        // agency ids taken from the sequence, not yet used
	recent    *recentReports // the last reports saved, for Across; nil after a rollback

	keyID    map[string]int32    // cell_keys: key → id
	maxKeyID int32               // the highest id in cell_keys
	setID    map[string]int32    // cell_sets: key ids joined with commas → id
	maxSetID int32               // the highest id in cell_sets
	keySets  map[keySet]*cellSet // the cell set of a format

	// shaMu also guards d.idx (the pointer) and d.idx.sha, so that Known, called by the
	// parsing workers, does not wait for a transaction the writer holds mu for.
	shaMu sync.RWMutex

	commits int // transactions of saveTx committed, for traceMemory

	// version mirrors data_version for readers (DataVersion): read at Open, moved by commit.
	version atomic.Int64

	changes journal // the Changes of the latest writes, for readers that asked (KeepChanges)
}

// Open opens (creating if needed) the database at path, applies pending migrations and
// removes rows of reports that were never committed (none are expected: see the package doc).
// A file held by another process gives *ErrLocked.
func Open(path string) (*DB, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, lockError(path, fmt.Errorf("open %s: %w", path, err))
	}
	sdb := sql.OpenDB(connector)
	ctx := context.Background()
	conn, err := sdb.Conn(ctx)
	if err != nil {
		sdb.Close()
		return nil, lockError(path, fmt.Errorf("open %s: %w", path, err))
	}
	d := &DB{path: path, db: sdb, conn: conn}
	// DuckDB checkpoints when the WAL passes checkpoint_threshold (16 MB by default): with
	// that, an ingest spent more time in checkpoints, each rewriting the tables' last row
	// groups and metadata, than in writing rows. At 256 MB an ingest of 10,000 reports
	// checkpoints once, at Close; a crash replays at most that much WAL at the next Open.
	if err := d.exec(ctx, `SET checkpoint_threshold = '256MB'`); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	t0 := time.Now()
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	Phase("open.migrate", t0)
	t0 = time.Now()
	if err := d.cleanOrphans(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	Phase("open.orphans", t0)
	t0 = time.Now()
	if err := d.reload(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	Phase("open.index", t0)
	var v int64
	if err := d.conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM data_version`).Scan(&v); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: data version: %w", path, err)
	}
	d.version.Store(v)
	return d, nil
}

// DataVersion is a number that moves whenever data written through this DB are committed
// (reports, cross-year findings, registry), read from memory: readers may cache what they
// drew under it without asking the database. It is the process's own count; DuckDB lets one
// process at a time write the file, so no other writer can move the data behind it.
func (d *DB) DataVersion() int64 { return d.version.Load() }

// Path returns the database file.
func (d *DB) Path() string { return d.path }

// SQL returns the database handle for reading (analytics, dashboards). Do not write through
// it: the store keeps an index of what it wrote.
func (d *DB) SQL() *sql.DB { return d.db }

// Close flushes and closes the appenders, the writer connection and the database, so that
// DuckDB checkpoints its WAL into the file.
func (d *DB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	t0 := time.Now()
	if d.apps != nil {
		errs = append(errs, d.apps.close())
		d.apps = nil
	}
	if d.conn != nil {
		errs = append(errs, d.conn.Close())
		d.conn = nil
	}
	if d.db != nil {
		errs = append(errs, d.db.Close())
		d.db = nil
	}
	Phase("close", t0)
	if traceOn {
		fmt.Fprint(os.Stderr, PhaseReport())
	}
	return errors.Join(errs...)
}

// SchemaVersion returns the highest migration applied.
func (d *DB) SchemaVersion() (int, error) {
	var v int
	err := d.db.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

// backfillMarker starts the last part of a migration that only copies rows stored before it
// into its new tables (004's report_metrics, generated by analytics.MigrationSQL): in a
// database created by this Open there are none, and migrate leaves that part out.
const backfillMarker = "\n-- Backfill:"

// skipFreshBackfill lets a test run the backfills of a new database too.
var skipFreshBackfill = true

// migrate applies the embedded migrations newer than schema_version, each in a transaction.
func (d *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var exists int
	if err := d.conn.QueryRowContext(ctx,
		`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'`).Scan(&exists); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	// Every migration not recorded is applied, not only those above the highest: helpers land
	// numbers out of order (008 before 005), and a database migrated in between must still get
	// the lower one.
	applied := map[int]bool{}
	if exists > 0 {
		rows, err := d.conn.QueryContext(ctx, `SELECT version FROM schema_version`)
		if err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("schema version: %w", err)
			}
			applied[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
	}
	ran := false
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if applied[n] {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if exists == 0 && skipFreshBackfill {
			// a new database has no rows to backfill: planning 004's statement alone took
			// ~0.6 s of every first Open (its tables are empty; the statement does nothing)
			if before, _, ok := strings.Cut(string(body), backfillMarker); ok {
				body = []byte(before)
			}
		}
		if err := d.exec(ctx, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		// A migration may hand a step to Go at a marker line (migrationSteps), in the
		// same transaction: the SQL before it runs first, the SQL after it last.
		parts := []string{string(body)}
		var step func(context.Context) error
		for marker, f := range d.migrationSteps() {
			if before, after, ok := strings.Cut(string(body), marker); ok {
				parts, step = []string{before, after}, f
				break
			}
		}
		for i, part := range parts {
			if i == 1 {
				if err := step(ctx); err != nil {
					d.exec(ctx, "ROLLBACK")
					return fmt.Errorf("migration %s: %w", base, err)
				}
			}
			if strings.TrimSpace(part) == "" {
				continue
			}
			if _, err := d.conn.ExecContext(ctx, part); err != nil {
				d.exec(ctx, "ROLLBACK")
				return fmt.Errorf("migration %s: %w", base, err)
			}
		}
		if _, err := d.conn.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, n); err != nil {
			d.exec(ctx, "ROLLBACK")
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if err := d.exec(ctx, "COMMIT"); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		applied[n] = true
		ran = true
	}
	if ran {
		// DuckDB 1.5 cannot replay an ALTER TABLE … ADD COLUMN from the WAL (an internal
		// error after a crash): a new schema goes into the database file at once
		if err := d.exec(ctx, "CHECKPOINT"); err != nil {
			return fmt.Errorf("checkpoint after migrations: %w", err)
		}
	}
	return nil
}

// cleanOrphans deletes rows that point at no report. Reports are written in one transaction,
// so there should be none; this keeps the promise even if a writer ever broke that rule. Only
// ids above the highest report id of the last check are looked at (orphans_checked, migration
// 010: reports are never deleted and ids only grow, so an orphan cannot lie below it).
func (d *DB) cleanOrphans(ctx context.Context) error {
	var upto, top int64
	if err := d.conn.QueryRowContext(ctx, `SELECT coalesce(max(upto), 0) FROM orphans_checked`).Scan(&upto); err != nil {
		return fmt.Errorf("orphans checked: %w", err)
	}
	for _, t := range orphanTables {
		if _, err := d.conn.ExecContext(ctx,
			`DELETE FROM `+t+` WHERE report_id > ? AND report_id NOT IN (SELECT id FROM reports WHERE id > ?)`, upto, upto); err != nil {
			return fmt.Errorf("clean %s: %w", t, err)
		}
	}
	if err := d.conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM reports`).Scan(&top); err != nil {
		return fmt.Errorf("orphans checked: %w", err)
	}
	if top > upto {
		if err := d.exec(ctx, `DELETE FROM orphans_checked; INSERT INTO orphans_checked VALUES (?)`, top); err != nil {
			return fmt.Errorf("orphans checked: %w", err)
		}
	}
	return nil
}

// orphanTables are the tables whose rows belong to a report (column report_id).
var orphanTables = []string{"report_cells", "publications", "findings", "report_prose", "report_metrics", "report_urls"}

func (d *DB) exec(ctx context.Context, q string, args ...any) error {
	_, err := d.conn.ExecContext(ctx, q, args...)
	return err
}

// appenders are the bulk writers of the child tables, on the writer connection.
type appenders struct {
	agencies, cells, pubs, findings, prose, reports *duckdb.Appender
	derived                                         map[string]*duckdb.Appender // by table
	conn                                            *sql.Conn
}

var (
	cellColumns    = []string{"report_id", "cell_set", "value", "line", "flagged", "src_keys", "src_text"}
	pubColumns     = []string{"report_id", "channel", "count", "quote", "line", "approx"}
	findingColumns = []string{"report_id", "rule", "severity", "cell", "expected", "actual", "message", "line", "related"}
	proseColumns   = []string{"report_id", "section", "text", "start", "len"}
	agencyColumns  = []string{"id", "name", "level", "expected"}
	reportColumns  = []string{"id", "agency_id", "agency_printed", "year", "format", "level", "published",
		"source_path", "source_format", "sha256", "text", "parser_version", "ingested_at", "revision",
		"current", "single_other", "incomplete", "applications_stated", "applications_quote",
		"incomplete_reason", "agency_source", "text_z"}
)

func (d *DB) appenders() (*appenders, error) {
	if d.apps != nil {
		return d.apps, nil
	}
	a := &appenders{}
	err := d.conn.Raw(func(dc any) error {
		c := dc.(driver.Conn)
		var err error
		mk := func(table string, cols []string) *duckdb.Appender {
			if err != nil {
				return nil
			}
			var ap *duckdb.Appender
			ap, err = duckdb.NewAppenderWithColumns(c, "", "", table, cols)
			return ap
		}
		a.agencies = mk("agencies", agencyColumns)
		a.cells = mk("report_cells", cellColumns)
		a.pubs = mk("publications", pubColumns)
		a.findings = mk("findings", findingColumns)
		a.prose = mk("report_prose", proseColumns)
		a.reports = mk("reports", reportColumns)
		return err
	})
	if err != nil {
		a.close()
		return nil, fmt.Errorf("appender: %w", err)
	}
	a.conn = d.conn
	d.apps = a
	return a, nil
}

// all returns the appenders in flush order: derived tables and children first, reports last.
func (a *appenders) all() []*duckdb.Appender {
	var out []*duckdb.Appender
	for _, ap := range a.derived {
		out = append(out, ap)
	}
	for _, ap := range []*duckdb.Appender{a.agencies, a.cells, a.pubs, a.findings, a.prose, a.reports} {
		if ap != nil {
			out = append(out, ap)
		}
	}
	return out
}

// derivedAppender returns the appender of a derived table, made on first use.
func (a *appenders) derivedAppender(dv *Derivation) (*duckdb.Appender, error) {
	if ap, ok := a.derived[dv.Table]; ok {
		return ap, nil
	}
	var ap *duckdb.Appender
	err := a.conn.Raw(func(dc any) error {
		var err error
		ap, err = duckdb.NewAppenderWithColumns(dc.(driver.Conn), "", "", dv.Table, append([]string{"report_id"}, dv.Columns...))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appender %s: %w", dv.Table, err)
	}
	if a.derived == nil {
		a.derived = map[string]*duckdb.Appender{}
	}
	a.derived[dv.Table] = ap
	return ap, nil
}

// appendDerived appends the derived row of a report being saved (vals nil: dv.Row(r)).
func (d *DB) appendDerived(id int64, r *ingest.Report, dv *Derivation, vals []any) error {
	ap, err := d.apps.derivedAppender(dv)
	if err != nil {
		return err
	}
	if vals == nil {
		vals = dv.Row(r)
	}
	if len(vals) != len(dv.Columns) {
		return fmt.Errorf("%s: %d values for %d columns", dv.Table, len(vals), len(dv.Columns))
	}
	row := make([]driver.Value, 0, len(vals)+1)
	row = append(row, id)
	for _, v := range vals {
		row = append(row, v)
	}
	if err := ap.AppendRow(row...); err != nil {
		return fmt.Errorf("%s: %w", dv.Table, err)
	}
	return nil
}

// bumpVersion counts one more change of the data, inside the open transaction, so that
// readers may cache what they drew until it changes (analytics.DataVersion).
func (d *DB) bumpVersion(ctx context.Context) error {
	if err := d.exec(ctx, `UPDATE data_version SET version = version + 1`); err != nil {
		return fmt.Errorf("data version: %w", err)
	}
	return nil
}

// commit commits the open transaction, which bumped data_version, then moves DataVersion:
// after the commit, never before, so that a reader seeing the new version sees the new data
// (one drawing the new data under the old version is only recomputed once more).
func (d *DB) commit(ctx context.Context) error {
	if err := d.exec(ctx, "COMMIT"); err != nil {
		return err
	}
	d.version.Add(1)
	return nil
}

// flush writes the appenders' rows into the open transaction, the reports rows last.
func (a *appenders) flush() error {
	for _, ap := range a.all() {
		if err := ap.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (a *appenders) close() error {
	var errs []error
	for _, ap := range a.all() {
		errs = append(errs, ap.Close())
	}
	return errors.Join(errs...)
}
