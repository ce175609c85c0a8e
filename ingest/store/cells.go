package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gongkai/ingest"
)

// A report's cells are one row of report_cells (migration 011): lists in the order of its
// cell set, the key ids of its format (ingest.CellKeys) stored once in cell_sets. The view
// cell_values gives them back one a row, as the table of that name held them before.

// Prepared is what the writer appends for a report, computed beforehand by Prepare (the
// pipeline does it on its parsing goroutines, not on the one writer).
type Prepared struct {
	report      *ingest.Report // the report it was made from: the writer uses it only for that one
	text        string         // and that text
	values      []any          // float64 or nil (unread), in ingest.CellKeys order
	lines       []any          // int32 or nil
	srcPos      []int          // positions whose src_text is not the value as an integer
	srcText     []any          // their src_text (nil: none)
	proseStart  [7]int32       // section n: byte offset in text, -1: not a part of it
	proseLength [7]int32
	slim        *ingest.Report // Slim's copy, nil until it is called
	slimKeys    []string
}

// Slim makes beforehand, for the cross-year rules run at save time (Across with these
// Keys), the slim copy of the report the store keeps among the recent ones, so that the one
// writer does not clone its cells and prose. It returns p.
func (p *Prepared) Slim(keys []string) *Prepared {
	p.slim, p.slimKeys = slimCopy(p.report, p.report.Agency, "", keys), keys
	return p
}

// Prepare computes what the writer appends for r whose normalised text is text (r.Text
// when empty): its cells as lists, and where its prose sections lie in the text. It only
// reads r; it is safe to call on several goroutines.
func Prepare(r *ingest.Report, text string) *Prepared {
	if text == "" {
		text = r.Text
	}
	keys := formatKeys(r.Format, r.SingleOther)
	p := &Prepared{report: r, text: text, values: make([]any, len(keys)), lines: make([]any, len(keys))}
	for i, k := range keys {
		c, _ := r.Cells.Get(k)
		if c.Value != nil {
			p.values[i] = boxValue(*c.Value)
		}
		if c.Src.Line > 0 {
			p.lines[i] = boxLine(c.Src.Line)
		}
		if !srcIsValue(c) {
			p.srcPos = append(p.srcPos, i)
			p.srcText = append(p.srcText, nullString(c.Src.Text))
		}
	}
	for _, sec := range []int{1, 2, 3, 4, 5, 6} {
		p.proseStart[sec] = -1
		if t, ok := r.Prose[sec]; ok {
			if at := proseAt(text, t); at >= 0 {
				p.proseStart[sec], p.proseLength[sec] = int32(at), int32(len(t))
			}
		}
	}
	return p
}

// formatKeys is ingest.CellKeys, made once a format (it builds ~200 strings a call); the
// slice is shared: read only.
func formatKeys(format string, singleOther bool) []string {
	k := keySet{format, singleOther}
	if v, ok := formatKeyCache.Load(k); ok {
		return v.([]string)
	}
	keys := ingest.CellKeys(format, singleOther)
	formatKeyCache.Store(k, keys)
	return keys
}

var formatKeyCache sync.Map // keySet → []string

// Most values and lines are small whole numbers: boxed once, appending them allocates nothing.
var (
	boxedValues = func() (t [1024]any) {
		for i := range t {
			t[i] = float64(i)
		}
		return t
	}()
	boxedLines = func() (t [4096]any) {
		for i := range t {
			t[i] = int32(i)
		}
		return t
	}()
)

func boxValue(v float64) any {
	if v >= 0 && v < float64(len(boxedValues)) && v == math.Trunc(v) && !math.Signbit(v) {
		return boxedValues[int(v)]
	}
	return v
}

func boxLine(n int) any {
	if n < len(boxedLines) {
		return boxedLines[n]
	}
	return int32(n)
}

// srcIsValue tells whether a cell's src_text is its value written as an integer ("12",
// "-3"), which the view cell_values gives back from the value (CAST(value AS BIGINT) as text)
// without storing it.
func srcIsValue(c ingest.Cell) bool {
	if c.Value == nil || c.Src.Text == "" {
		return false
	}
	v := *c.Value
	if v != math.Trunc(v) || math.Abs(v) >= 1e15 {
		return false
	}
	var buf [24]byte
	return c.Src.Text == string(strconv.AppendInt(buf[:0], int64(v), 10))
}

// cellSet is the keys of a format with their ids in cell_keys and the set's id in
// cell_sets, boxed once so that appending allocates nothing for them.
type cellSet struct {
	id   driver.Value     // int32
	ids  []driver.Value   // key ids (int32), in ingest.CellKeys order
	pos  map[string]int32 // key → its id, for the keys of the set
	keys []string
}

// keySet identifies the cell keys of a report: its format and the shape of table 3's other rows.
type keySet struct {
	format      string
	singleOther bool
}

// cellSetOf returns the cell set of a report's format, adding keys cell_keys lacks and the
// set to cell_sets in the open transaction (a rollback reloads the ids, see abort). Called
// with d.mu held.
func (d *DB) cellSetOf(ctx context.Context, r *ingest.Report) (*cellSet, error) {
	ks := keySet{r.Format, r.SingleOther}
	if s, ok := d.keySets[ks]; ok {
		return s, nil
	}
	keys := r.Keys()
	s := &cellSet{pos: make(map[string]int32, len(keys)), keys: keys}
	sig := make([]string, len(keys))
	var add []any // the keys cell_keys lacks, in one statement
	for i, key := range keys {
		id, ok := d.keyID[key]
		if !ok {
			id = d.maxKeyID + 1
			tbl, row, col := splitKey(key)
			add = append(add, id, key, tbl, row, col)
			d.keyID[key] = id
			d.maxKeyID = id
		}
		s.ids = append(s.ids, id)
		s.pos[key] = id
		sig[i] = strconv.Itoa(int(id))
	}
	if len(add) > 0 {
		q := `INSERT INTO cell_keys (id, key, tbl, row_key, col) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?),", len(add)/5), ",")
		if err := d.exec(ctx, q, add...); err != nil {
			return nil, fmt.Errorf("cell keys: %w", err)
		}
	}
	list := strings.Join(sig, ",")
	setID, ok := d.setID[list]
	if !ok {
		setID = d.maxSetID + 1
		if err := d.exec(ctx, `INSERT INTO cell_sets (id, key_ids) VALUES (?, [`+list+`]::INTEGER[])`, setID); err != nil {
			return nil, fmt.Errorf("cell set: %w", err)
		}
		d.setID[list] = setID
		d.maxSetID = setID
	}
	s.id = setID
	d.keySets[ks] = s
	return s, nil
}

// loadCellSets reads cell_keys and cell_sets into the DB (reload).
func (d *DB) loadCellSets(ctx context.Context) error {
	keyID, maxKeyID, err := d.idsByName(ctx, `SELECT id, key FROM cell_keys`)
	if err != nil {
		return fmt.Errorf("load cell keys: %w", err)
	}
	setID, maxSetID, err := d.idsByName(ctx, `SELECT id, array_to_string(key_ids, ',') FROM cell_sets`)
	if err != nil {
		return fmt.Errorf("load cell sets: %w", err)
	}
	d.keyID, d.maxKeyID, d.keySets = keyID, maxKeyID, map[keySet]*cellSet{}
	d.setID, d.maxSetID = setID, maxSetID
	return nil
}

// idsByName runs q, which gives an id and a name a row, and returns the ids by name and the
// highest id.
func (d *DB) idsByName(ctx context.Context, q string) (map[string]int32, int32, error) {
	rows, err := d.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ids := map[string]int32{}
	var top int32
	for rows.Next() {
		var id int32
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, 0, err
		}
		ids[name] = id
		top = max(top, id)
	}
	return ids, top, rows.Err()
}

// appendChildren appends a report's cells (one row, every key of its format, unread ones
// NULL), publications, findings and prose (a section that is a part of text as its place in
// it). p is what Prepare gave for r (or for the report r is a copy of with more findings).
func appendChildren(a *appenders, id int64, r *ingest.Report, set *cellSet, p *Prepared) error {
	if len(p.values) != len(set.ids) {
		return fmt.Errorf("cells: %d values for %d keys", len(p.values), len(set.ids))
	}
	flagged := []any{}
	for _, f := range r.Findings {
		if f.Cell == "" {
			continue
		}
		if kid, ok := set.pos[f.Cell]; ok && !containsID(flagged, kid) {
			flagged = append(flagged, kid)
		}
	}
	sort.Slice(flagged, func(i, j int) bool { return flagged[i].(int32) < flagged[j].(int32) })
	srcKeys := make([]any, len(p.srcPos))
	for i, pos := range p.srcPos {
		srcKeys[i] = set.ids[pos]
	}
	srcText := p.srcText
	if srcText == nil {
		srcText = []any{}
	}
	if err := a.cells.AppendRow(id, set.id, p.values, p.lines, flagged, srcKeys, srcText); err != nil {
		return fmt.Errorf("cells: %w", err)
	}
	for _, pub := range r.Publications {
		if err := a.pubs.AppendRow(id, pub.Channel, pub.Count, pub.Quote, nullLine(pub.Line), pub.Approx); err != nil {
			return fmt.Errorf("publication: %w", err)
		}
	}
	if err := appendFindings(a, id, r.Findings); err != nil {
		return err
	}
	for _, sec := range []int{1, 2, 3, 4, 5, 6} {
		if t, ok := r.Prose[sec]; ok {
			var err error
			if at := p.proseStart[sec]; at >= 0 {
				err = a.prose.AppendRow(id, int32(sec), "", at, p.proseLength[sec])
			} else {
				err = a.prose.AppendRow(id, int32(sec), t, nil, nil)
			}
			if err != nil {
				return fmt.Errorf("prose: %w", err)
			}
		}
	}
	return nil
}

func containsID(ids []any, id int32) bool {
	for _, x := range ids {
		if x.(int32) == id {
			return true
		}
	}
	return false
}

// migrationSteps are the steps of migrations written in Go, by the marker line that stands
// for them in the migration's SQL.
func (d *DB) migrationSteps() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{"-- gongkai:convert-cells\n": d.convertCells}
}

// convertCellsChunk is how many report ids convertCells groups in one statement: ~6 million
// cell rows, a few hundred MB.
var convertCellsChunk int64 = 32768

// convertCells copies the rows of the table cell_values (migrations 003–010) into
// report_cells and cell_sets (migration 011), a range of report ids at a time. Each range is
// committed with its cell sets (the migration's transaction is committed and a new one
// begun), so that DuckDB holds one range in memory, not a national database (7.8 GB of RSS
// in one transaction at 750,000 reports). Until the migration's last statements drop
// cell_values, the cells view reads that table: a process stopped in between leaves a
// database that reads as before, and the next Open goes on after the last range copied. A
// cell's src_text is listed only where it is not its value written as an integer, as
// Prepare does.
func (d *DB) convertCells(ctx context.Context) error {
	var lo, hi, done sql.NullInt64
	if err := d.conn.QueryRowContext(ctx, `SELECT min(report_id), max(report_id), (SELECT max(report_id) FROM report_cells)
		FROM cell_values`).Scan(&lo, &hi, &done); err != nil {
		return fmt.Errorf("convert cells: %w", err)
	}
	if !lo.Valid {
		return nil
	}
	start := lo.Int64
	if done.Valid && done.Int64 >= start {
		start = done.Int64 + 1 // copied before the process stopped
	}
	for from := start; from <= hi.Int64; from += convertCellsChunk {
		to := from + convertCellsChunk
		for _, q := range []string{
			`CREATE OR REPLACE TEMP TABLE convert_cells AS
			SELECT report_id, list_transform(cs, lambda x: x.k) AS k,
				list_transform(cs, lambda x: x.v) AS value,
				list_transform(cs, lambda x: x.l) AS line,
				list_transform(list_filter(cs, lambda x: x.f), lambda x: x.k) AS flagged,
				list_transform(list_filter(cs, lambda x: NOT x.plain), lambda x: x.k) AS src_keys,
				list_transform(list_filter(cs, lambda x: NOT x.plain), lambda x: x.s) AS src_text
			FROM (SELECT report_id, list({'k': key_id, 'v': value, 'l': line, 'f': flagged, 's': src_text,
					'plain': coalesce(src_text = CAST(TRY_CAST(value AS BIGINT) AS VARCHAR) AND value = trunc(value)
						AND abs(value) < 1e15, false)} ORDER BY key_id) AS cs
				FROM cell_values WHERE report_id >= ? AND report_id < ? GROUP BY report_id)`,
			`INSERT INTO cell_sets (id, key_ids)
			SELECT (SELECT coalesce(max(id), 0) FROM cell_sets) + row_number() OVER (ORDER BY k), k
			FROM (SELECT DISTINCT k FROM temp.convert_cells c WHERE NOT EXISTS (SELECT 1 FROM cell_sets s WHERE s.key_ids = c.k))`,
			`INSERT INTO report_cells (report_id, cell_set, value, line, flagged, src_keys, src_text)
			SELECT c.report_id, s.id, c.value, c.line, c.flagged, c.src_keys, c.src_text
			FROM temp.convert_cells c JOIN cell_sets s ON s.key_ids = c.k ORDER BY c.report_id`,
		} {
			args := []any{}
			if strings.Contains(q, "?") {
				args = []any{from, to}
			}
			if _, err := d.conn.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("convert cells of reports %d–%d: %w", from, to-1, err)
			}
		}
		if err := convertCommit(d, ctx); err != nil {
			return fmt.Errorf("convert cells of reports %d–%d: %w", from, to-1, err)
		}
	}
	if _, err := d.conn.ExecContext(ctx, `DROP TABLE temp.convert_cells`); err != nil {
		return fmt.Errorf("convert cells: %w", err)
	}
	return nil
}

// convertCommit commits a range copied by convertCells and begins the migration's next
// transaction; tests stop a migration here.
var convertCommit = func(d *DB, ctx context.Context) error {
	if err := d.exec(ctx, "COMMIT"); err != nil {
		return err
	}
	return d.exec(ctx, "BEGIN TRANSACTION")
}
