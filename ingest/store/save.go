package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"gongkai/config"
	"gongkai/ingest"
)

// Outcome says what Save did with a file.
type Outcome int

const (
	// New: the first report of its agency and year.
	New Outcome = iota + 1
	// Unchanged: these exact bytes were stored before; nothing was written.
	Unchanged
	// Replaced: a different file for an agency and year already stored; it is now the current
	// report and the earlier one stays as a revision (更正版) with current = false.
	Replaced
)

func (o Outcome) String() string {
	switch o {
	case New:
		return ingest.OutcomeNew
	case Unchanged:
		return ingest.OutcomeUnchanged
	case Replaced:
		return ingest.OutcomeReplaced
	}
	return ingest.OutcomeFailed
}

// FileMeta describes the file a report was read from.
type FileMeta struct {
	Path          string // as given
	SHA256        string // hex digest of the file's bytes: the identity of a version
	SourceFormat  string // html, markdown, text, pdf, docx
	ParserVersion string
	Text          string     // normalised text (Report.Text when empty)
	TextZ         []byte     // Text as CompressText gives it, when the caller compressed it beforehand
	Web           *WebSource // set for a report fetched from a portal: stored in report_urls
}

// WebSource says where on the web a report was fetched (table report_urls).
type WebSource struct {
	Page         string    // the report page, or the file's own URL when it was linked directly
	Attachment   string    // the PDF/DOCX attachment read, "" when the page holds the tables
	FetchedAt    time.Time // when the bytes arrived
	ETag         string    // validators of the response read, for the next run's conditional request
	LastModified string
}

// Item is one report to save.
type Item struct {
	Report *ingest.Report
	Meta   FileMeta
	// Sketch is Across.Sketch of the report computed beforehand (the pipeline does it on
	// its parsing goroutines, with ingest.CleanOrganName of the printed name); nil: the
	// writer computes it when it needs it.
	Sketch any
	// Prepared is Prepare(Report, Meta.Text) computed beforehand (the pipeline does it on
	// its parsing goroutines); nil: the writer computes it.
	Prepared *Prepared
}

// Derivation is a table of figures derived from each stored report, one row a report, kept
// in step with the reports by the store: the row is written in the same transaction as its
// report, and Refresh runs in the transaction that replaces cross-year findings. Its meaning
// belongs to the package that defines it (analytics); the store only writes it.
type Derivation struct {
	Table   string                     // e.g. report_metrics; its first column is report_id
	Columns []string                   // the other columns, in the order Row gives them
	Row     func(*ingest.Report) []any // the row of one report (without report_id)
	// Refresh are SQL statements run after cross-year findings were replaced, with {ids}
	// standing for the comma-separated ids of the reports concerned.
	Refresh []string
}

// Saved is the result of saving one Item.
type Saved struct {
	Outcome   Outcome
	ReportID  int64  // the stored report (for Unchanged: the version with the same bytes)
	AgencyID  int64  // 0 for Unchanged
	Agency    string // canonical name (empty for Unchanged)
	Year      int
	NewAgency bool  // the agency was not in the registry and was created (expected = false)
	Err       error // nothing of the report was stored
}

// index mirrors what the reports table says, so that a save needs no look-up query. One
// process holds the file (DuckDB's lock) and all its writes go through this DB. It holds
// an entry a report (750,000 in a national database): kept small.
type index struct {
	sha      *shaIndex // a version's file → its report
	years    map[ayKey]ayEntry
	agencyID map[string]int64 // canonical name → id
}

// ayKey is an (agency, year) pair packed in one word (the agency id above the year's 16 bits):
// a key of 8 bytes instead of 16, and one map for the current report and the highest
// revision instead of two (~25 MB instead of ~50 at 750,000 reports).
type ayKey uint64

func keyAY(agency int64, year int) ayKey { return ayKey(uint64(agency)<<16 | uint64(uint16(year))) }

// ayEntry is what the index knows of an (agency, year): its current report (0: none; ids
// start at 1) and the highest revision stored.
type ayEntry struct {
	current int64
	maxRev  int32
}

func newIndex() *index {
	return &index{sha: newSHAIndex(), years: map[ayKey]ayEntry{}, agencyID: map[string]int64{}}
}

// currentOf returns the current report of an agency and year.
func (x *index) currentOf(agency int64, year int) (int64, bool) {
	e := x.years[keyAY(agency, year)]
	return e.current, e.current != 0
}

// shaKey is a file's SHA-256 as a key of the index: the digest's 32 bytes, not its 64 hex
// characters (a string of them costs twice as much, and one more allocation, a report).
type shaKey [32]byte

// keyOf returns the key of a digest as FileMeta.SHA256 gives it (lowercase hex). Anything
// else (a caller's own identity string) is keyed by its own SHA-256, so that two different
// strings never share a key.
func keyOf(sha string) shaKey {
	var k shaKey
	if len(sha) == 2*len(k) {
		// decoded here, not by hex.Decode of a []byte copy (an allocation a version: 742,500
		// at every Open of a national database)
		bad := byte(0)
		for i := range k {
			hi, lo := hexValue[sha[2*i]], hexValue[sha[2*i+1]]
			k[i] = hi<<4 | lo&0xf
			bad |= hi | lo
		}
		if bad&0xf0 == 0 {
			return k
		}
	}
	return sha256.Sum256([]byte("gongkai-identity\x00" + sha))
}

// hexValue is the value of each lowercase hexadecimal digit, 0xff for every other byte.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = byte(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()

// reload rebuilds the index and the registry from the database.
func (d *DB) reload(ctx context.Context) error {
	idx := newIndex()
	// sized beforehand: grown a row at a time, the array and the map of 742,500 versions
	// cost ~0.6 s of copying and rehashing at every Open of a national database
	var n int
	if err := d.conn.QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&n); err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	idx.years = make(map[ayKey]ayEntry, n)
	shas := make([]shaEntry, 0, n)
	rows, err := d.conn.QueryContext(ctx, `SELECT id, agency_id, year, sha256, revision, current FROM reports`)
	if err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	for rows.Next() {
		var id, agency int64
		var year, rev int
		var sha string
		var cur bool
		if err := rows.Scan(&id, &agency, &year, &sha, &rev, &cur); err != nil {
			rows.Close()
			return fmt.Errorf("load index: %w", err)
		}
		k := keyAY(agency, year)
		shas = append(shas, shaEntry{keyOf(sha), id})
		e := idx.years[k]
		if cur {
			e.current = id
		}
		e.maxRev = max(e.maxRev, int32(rev))
		idx.years[k] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	idx.sha = shaIndexOf(shas) // a file stored twice keeps its first report, as before
	return d.reloadAgencies(ctx, idx)
}

// reloadAgencies reads the registry and the organs' ids into idx, then the cell keys, and
// makes idx and the registry the DB's. reload passes the versions it read; SyncRegistry,
// which changes agencies only, the versions the DB has (reading 750,000 again cost ~4 s).
func (d *DB) reloadAgencies(ctx context.Context, idx *index) error {
	reg := NewRegistry(nil)
	rows, err := d.conn.QueryContext(ctx, `SELECT id, name, level, district, expected, array_to_string(aliases, chr(31)) FROM agencies ORDER BY NOT expected, id`)
	if err != nil {
		return fmt.Errorf("load agencies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var o config.Organ
		var expected bool
		var aliases sql.NullString
		if err := rows.Scan(&id, &o.Name, &o.Level, &o.District, &expected, &aliases); err != nil {
			return fmt.Errorf("load agencies: %w", err)
		}
		if aliases.String != "" {
			o.Aliases = strings.Split(aliases.String, "\x1f")
		}
		reg.add(o, expected)
		idx.agencyID[clean(o.Name)] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load agencies: %w", err)
	}
	if err := d.loadCellSets(ctx); err != nil {
		return err
	}
	d.shaMu.Lock()
	d.idx, d.reg = idx, reg
	d.shaMu.Unlock()
	return nil
}

// registryReloads counts SyncRegistry's reloads of the agencies, for tests.
var registryReloads atomic.Int64

// SyncRegistry writes the configured organs into agencies (expected = true, with level,
// district and aliases), marks agencies no longer configured as not expected, and resolves
// later reports through them. Missing reports of expected agencies can then be noticed.
func (d *DB) SyncRegistry(organs []config.Organ) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	if err := d.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	// an empty registry that leaves every agency as it was (an ingest without one, the
	// usual case) changes nothing the DB holds: the agencies are not read again (~1 s at
	// 150,000 organs)
	changed := len(organs) > 0
	err := func() error {
		var names []string
		for _, o := range organs {
			name := clean(o.Name)
			if name == "" {
				return fmt.Errorf("registry: an organ without a name")
			}
			level := o.Level
			if level == "" {
				level = ingest.LevelUnknown
			}
			names = append(names, name)
			if err := d.exec(ctx, `INSERT INTO agencies (name, level, district, expected, aliases)
				VALUES (?, ?, ?, true, CASE WHEN ? = '' THEN []::VARCHAR[] ELSE string_split(?, chr(31)) END)
				ON CONFLICT (name) DO UPDATE SET level = excluded.level, district = excluded.district,
				expected = true, aliases = excluded.aliases`,
				name, level, o.District, strings.Join(o.Aliases, "\x1f"), strings.Join(o.Aliases, "\x1f")); err != nil {
				return fmt.Errorf("registry %s: %w", name, err)
			}
		}
		q := `UPDATE agencies SET expected = false WHERE expected`
		var args []any
		if len(names) > 0 {
			q += ` AND name NOT IN (` + strings.TrimSuffix(strings.Repeat("?,", len(names)), ",") + `)`
			for _, n := range names {
				args = append(args, n)
			}
		}
		res, err := d.conn.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			changed = true
		}
		return d.bumpVersion(ctx)
	}()
	if err != nil {
		d.exec(ctx, "ROLLBACK")
		return err
	}
	if err := d.commitChange(ctx, Change{}); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if !changed {
		return nil
	}
	registryReloads.Add(1)
	idx := newIndex()
	d.shaMu.RLock()
	idx.sha, idx.years = d.idx.sha, d.idx.years
	d.shaMu.RUnlock()
	return d.reloadAgencies(ctx, idx)
}

// Save stores one report in its own transaction: all of it, or nothing on error.
func (d *DB) Save(r *ingest.Report, meta FileMeta) (Outcome, error) {
	s := d.SaveAll([]Item{{Report: r, Meta: meta}})[0]
	return s.Outcome, s.Err
}

// KnownID returns the id of the stored report read from a file with these bytes (its
// SHA-256), if any.
func (d *DB) KnownID(sha string) (int64, bool) {
	d.shaMu.RLock()
	defer d.shaMu.RUnlock()
	return d.idx.sha.get(keyOf(sha))
}

// Known tells whether a file with these bytes (its SHA-256) is stored, so a caller may skip
// parsing it: saving it would give Unchanged.
func (d *DB) Known(sha string) bool {
	d.shaMu.RLock()
	defer d.shaMu.RUnlock()
	_, ok := d.idx.sha.get(keyOf(sha))
	return ok
}

// SaveAll stores the items in one transaction (group commit: one DuckDB commit costs about a
// millisecond). Each report is written whole; an item that is invalid fails alone before the
// transaction, and if the transaction fails, it is rolled back and every item saved again in
// its own, so that only the one at fault fails. The results are in the items' order.
func (d *DB) SaveAll(items []Item) []Saved { return d.SaveAllDerived(items, nil, nil) }

// SaveAllDerived is SaveAll that also writes, in the same transaction, each new report's row
// of the derived table dv (the per-report metrics of package analytics): rows[i] is item i's
// row when computed beforehand (the pipeline does it on its workers), else dv.Row is called.
// dv nil: no derived row.
func (d *DB) SaveAllDerived(items []Item, dv *Derivation, rows [][]any) []Saved {
	return d.SaveWith(items, SaveOptions{Derive: dv, Rows: rows})
}

// SaveOptions are what SaveWith writes beside the reports.
type SaveOptions struct {
	Derive *Derivation // the derived table (SaveAllDerived); nil: none
	Rows   [][]any     // Rows[i]: item i's derived row computed beforehand; nil: Derive.Row
	Across *Across     // the cross-year rules run at save time; nil: all owed (pending_cross_year)
}

// SaveWith is SaveAllDerived with the cross-year rules run in the reports' transaction
// wherever the organ's report of the year before is at hand (see Across).
func (d *DB) SaveWith(items []Item, o SaveOptions) []Saved {
	dv, rows := o.Derive, o.Rows
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Saved, len(items))
	var todo []int
	for i, it := range items {
		if err := validate(it); err != nil {
			out[i] = Saved{Err: err}
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return out
	}
	if o.Across != nil {
		// earlier years first, so that a report finds the year before it in the same batch
		// (and, when the batch is redone one report at a time, saved just before it)
		sort.SliceStable(todo, func(a, b int) bool { return items[todo[a]].Report.Year < items[todo[b]].Report.Year })
	}
	res, err := d.saveTx(items, todo, dv, rows, o.Across)
	if err == nil {
		for j, i := range todo {
			out[i] = res[j]
		}
		return out
	}
	if len(todo) == 1 {
		out[todo[0]] = Saved{Err: err}
		return out
	}
	for _, i := range todo {
		res, err := d.saveTx(items, []int{i}, dv, rows, o.Across)
		if err != nil {
			out[i] = Saved{Err: err}
			continue
		}
		out[i] = res[0]
	}
	return out
}

func validate(it Item) error {
	r := it.Report
	switch {
	case r == nil:
		return errors.New("no report")
	case it.Meta.SHA256 == "":
		return errors.New("no SHA-256 of the file")
	case strings.TrimSpace(r.Agency) == "":
		return errors.New("no agency name found")
	case r.Year < 1990 || r.Year > 2200:
		return fmt.Errorf("implausible year %d", r.Year)
	case r.Format != ingest.Format2021 && r.Format != ingest.Format2019:
		return fmt.Errorf("unknown format %q", r.Format)
	}
	return r.Validate()
}

// failInTx lets tests fail a report inside the transaction, after its rows were appended.
var failInTx = func(*ingest.Report) error { return nil }

// pendingReport is a reports row waiting for the end of the transaction.
type pendingReport struct {
	row []any // values in reportColumns order
}

const (
	colCurrent = 14 // index of "current" in reportColumns
)

// saveTx writes items[todo] in one transaction. On error everything is rolled back and the
// index reloaded from the database.
func (d *DB) saveTx(items []Item, todo []int, dv *Derivation, rows [][]any, across *Across) (res []Saved, err error) {
	ctx := context.Background()
	apps, err := d.appenders()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := d.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	Phase("begin", t0)
	t0 = time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("save: %v", p)
		}
		if err != nil {
			d.abort(ctx)
		}
	}()
	pending := map[int64]*pendingReport{}
	var order []int64
	var demote []int64
	var owed [][2]int64 // (agency, year) whose cross-year findings are left to FinishPending
	now := time.Now()
	for _, i := range todo {
		it := items[i]
		r := it.Report
		if id, ok := d.idx.sha.get(keyOf(it.Meta.SHA256)); ok {
			res = append(res, Saved{Outcome: Unchanged, ReportID: id, Year: r.Year})
			continue
		}
		s := Saved{Year: r.Year}
		agencyID, name, level, created, err := d.agency(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("%s: agency %s: %w", it.Meta.Path, r.Agency, err)
		}
		s.AgencyID, s.Agency, s.NewAgency = agencyID, name, created
		id, err := d.nextID(ctx)
		if err != nil {
			return nil, err
		}
		s.ReportID = id
		k := keyAY(agencyID, r.Year)
		s.Outcome = New
		if old, ok := d.idx.currentOf(agencyID, r.Year); ok {
			s.Outcome = Replaced
			if p, ok := pending[old]; ok {
				p.row[colCurrent] = false
			} else {
				demote = append(demote, old)
			}
		}
		rev := d.idx.years[k].maxRev + 1
		row := []any(nil)
		if dv != nil && i < len(rows) {
			row = rows[i]
		}
		if across == nil {
			owed = append(owed, [2]int64{agencyID, int64(r.Year)})
		} else {
			var done bool
			if r, done, err = d.acrossAtSave(across, r, it.Prepared, it.Sketch, it.Meta.Path, name, agencyID, id); err != nil {
				return nil, fmt.Errorf("%s: %w", it.Meta.Path, err)
			}
			if !done {
				owed = append(owed, [2]int64{agencyID, int64(r.Year)})
			} else if _, ok := d.idx.currentOf(agencyID, r.Year+1); ok {
				owed = append(owed, [2]int64{agencyID, int64(r.Year) + 1})
			}
			if r != it.Report {
				row = nil // the findings counts changed: derive again
			}
		}
		set, err := d.cellSetOf(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Meta.Path, err)
		}
		text := it.Meta.Text
		if text == "" {
			text = r.Text
		}
		prep := it.Prepared
		if prep == nil || prep.report != it.Report || prep.text != text {
			prep = Prepare(it.Report, text)
		}
		textZ := it.Meta.TextZ
		if textZ == nil {
			if textZ, err = CompressText(text); err != nil {
				return nil, fmt.Errorf("%s: %w", it.Meta.Path, err)
			}
		}
		if err := appendChildren(apps, id, r, set, prep); err != nil {
			return nil, fmt.Errorf("%s: %w", it.Meta.Path, err)
		}
		if dv != nil {
			if err := d.appendDerived(id, r, dv, row); err != nil {
				return nil, fmt.Errorf("%s: %w", it.Meta.Path, err)
			}
		}
		if w := it.Meta.Web; w != nil {
			if err := d.exec(ctx, `INSERT INTO report_urls (report_id, page_url, attachment_url, fetched_at, etag, last_modified)
				VALUES (?, ?, ?, ?, ?, ?)`, id, w.Page, w.Attachment, w.FetchedAt, w.ETag, w.LastModified); err != nil {
				return nil, fmt.Errorf("%s: report_urls: %w", it.Meta.Path, err)
			}
		}
		if err := failInTx(r); err != nil {
			return nil, fmt.Errorf("%s: %w", it.Meta.Path, err)
		}
		var published any
		if t, err := time.Parse("2006-01-02", r.Published); err == nil {
			published = t
		}
		level = firstNonEmpty(level, r.Level, ingest.LevelUnknown)
		pending[id] = &pendingReport{row: []any{id, int32(agencyID), r.Agency, int32(r.Year), r.Format, level, published,
			it.Meta.Path, it.Meta.SourceFormat, it.Meta.SHA256, "", it.Meta.ParserVersion, now, int32(rev),
			true, r.SingleOther, r.Incomplete, nullInt64(r.ApplicationsStated), nullString(r.ApplicationsQuote),
			nullString(r.IncompleteReason), nullString(r.AgencySource), textZ}}
		order = append(order, id)
		d.shaMu.Lock()
		d.idx.sha.put(keyOf(it.Meta.SHA256), id)
		d.shaMu.Unlock()
		d.idx.years[k] = ayEntry{current: id, maxRev: rev}
		res = append(res, s)
	}
	Phase("append", t0)
	t0 = time.Now()
	if len(demote) > 0 {
		q := `UPDATE reports SET current = false WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(demote)), ",") + `)`
		args := make([]any, len(demote))
		for i, id := range demote {
			args[i] = id
		}
		if err := d.exec(ctx, q, args...); err != nil {
			return nil, fmt.Errorf("demote earlier version: %w", err)
		}
	}
	if err := d.markPending(ctx, owed); err != nil {
		return nil, err
	}
	for _, id := range order {
		if err := apps.reports.AppendRow(toDriver(pending[id].row)...); err != nil {
			return nil, fmt.Errorf("report row: %w", err)
		}
	}
	Phase("demote+reports", t0)
	t0 = time.Now()
	if err := apps.flush(); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	Phase("flush", t0)
	t0 = time.Now()
	if err := d.bumpVersion(ctx); err != nil {
		return nil, err
	}
	var change Change
	if d.keeping() {
		change.Demoted = demote
		for _, id := range order {
			if pending[id].row[colCurrent] == true {
				change.Current = append(change.Current, id)
			}
		}
	}
	if err := d.commitChange(ctx, change); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	Phase("commit", t0)
	d.traceMemory(ctx)
	return res, nil
}

// abort rolls back, drops the appenders' buffered rows and reloads the index.
func (d *DB) abort(ctx context.Context) {
	if d.apps != nil {
		for _, ap := range d.apps.all() {
			ap.Clear()
		}
	}
	d.exec(ctx, "ROLLBACK")
	if d.apps != nil {
		d.apps.close()
		d.apps = nil
	}
	d.ids, d.agencyIDs = nil, nil
	d.recent = nil // it may hold reports of the transaction rolled back
	if err := d.reload(ctx); err != nil {
		// The index may now be stale; refuse further writes rather than write wrong revisions.
		d.shaMu.Lock()
		d.idx = newIndex()
		d.shaMu.Unlock()
	}
}

// agency resolves the report's printed name, creating an agency (expected = false) when the
// registry does not know it.
func (d *DB) agency(ctx context.Context, r *ingest.Report) (id int64, name, level string, created bool, err error) {
	if o, ok := d.reg.Resolve(r.Agency); ok {
		if id, ok := d.idx.agencyID[clean(o.Name)]; ok {
			return id, o.Name, o.Level, false, nil
		}
	}
	if r.AgencySource == ingest.AgencyFromFileName || r.AgencySource == ingest.AgencyFromURL {
		// the text names no organ: a name guessed from the file or URL is taken only when
		// the registry knows it, never made a new organ
		return 0, "", "", false, fmt.Errorf("报告正文未写明单位名称，从%s得到的“%s”不在单位名册中",
			ingest.AgencySourceNames[r.AgencySource], r.Agency)
	}
	name = clean(r.Agency)
	if id, ok := d.idx.agencyID[name]; ok {
		return id, name, "", false, nil
	}
	level = firstNonEmpty(r.Level, ingest.LevelUnknown)
	// A national ingest without a registry creates ~150,000 organs: an INSERT … RETURNING
	// each cost about a millisecond, so the id comes from the sequence taken in bulk and the
	// row goes through an appender, flushed in the report's transaction.
	if id, err = d.nextAgencyID(ctx); err != nil {
		return 0, "", "", false, err
	}
	if err := d.apps.agencies.AppendRow(int32(id), name, level, false); err != nil {
		return 0, "", "", false, err
	}
	d.idx.agencyID[name] = id
	d.reg.add(config.Organ{Name: name, Level: level}, false)
	return id, name, level, true, nil
}

// nextID takes a report id from the sequence, 256 at a time.
func (d *DB) nextID(ctx context.Context) (int64, error) {
	return d.take(ctx, &d.ids, "report_id")
}

// nextAgencyID takes an agency id from the sequence, 256 at a time.
func (d *DB) nextAgencyID(ctx context.Context) (int64, error) {
	return d.take(ctx, &d.agencyIDs, "agency_id")
}

// take returns the next id of pool, refilled with 256 values of the sequence seq when empty.
// Ids taken and not used (a rollback) are gaps, never reused.
func (d *DB) take(ctx context.Context, pool *[]int64, seq string) (int64, error) {
	if len(*pool) == 0 {
		rows, err := d.conn.QueryContext(ctx, `SELECT nextval('`+seq+`') FROM range(256)`)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", seq, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, fmt.Errorf("%s: %w", seq, err)
			}
			*pool = append(*pool, id)
		}
		rows.Close()
		if len(*pool) == 0 {
			return 0, errors.New(seq + ": sequence gave nothing")
		}
	}
	id := (*pool)[0]
	*pool = (*pool)[1:]
	return id, nil
}

func appendFindings(a *appenders, id int64, fs []ingest.Finding) error {
	for _, f := range fs {
		if err := a.findings.AppendRow(id, f.Rule, f.Severity, f.Cell, nullFloat(f.Expected), nullFloat(f.Actual),
			f.Message, nullLine(f.Line), f.Related); err != nil {
			return fmt.Errorf("finding %s: %w", f.Rule, err)
		}
	}
	return nil
}

// splitKey splits table3.new_received.total into its table, row and column; a key of two
// parts (table2.licensing) has column "".
func splitKey(key string) (tbl, row, col string) {
	parts := strings.SplitN(key, ".", 3)
	switch len(parts) {
	case 3:
		return parts[0], parts[1], parts[2]
	case 2:
		return parts[0], parts[1], ""
	}
	return key, "", ""
}

func nullLine(n int) any {
	if n <= 0 {
		return nil
	}
	return int32(n)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullInt64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
