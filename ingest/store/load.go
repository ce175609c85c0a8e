package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gongkai/ingest"
)

// ErrNotFound is returned by Load when no current report of the agency and year is stored.
var ErrNotFound = errors.New("no such report")

func toDriver(v []any) []driver.Value {
	out := make([]driver.Value, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// Stored is a stored report with its identity.
type Stored struct {
	ID       int64
	AgencyID int64
	Year     int
	Revision int
	Current  bool
	Report   *ingest.Report
}

// Current returns the id of the current report of an agency and year.
func (d *DB) Current(agencyID int64, year int) (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.idx.currentOf(agencyID, year)
	return id, ok
}

// AgencyID resolves a name (canonical, alias or printed variant) to the stored agency.
func (d *DB) AgencyID(name string) (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if o, ok := d.reg.Resolve(name); ok {
		id, ok := d.idx.agencyID[clean(o.Name)]
		return id, ok
	}
	id, ok := d.idx.agencyID[clean(name)]
	return id, ok
}

// Load returns the current report of an agency (any name Resolve knows) and year, with its
// cells, publications, findings and prose; ErrNotFound when there is none.
func (d *DB) Load(agency string, year int) (*ingest.Report, error) {
	return d.LoadContext(context.Background(), agency, year)
}

// LoadContext is Load, its queries cancelled with ctx.
func (d *DB) LoadContext(ctx context.Context, agency string, year int) (*ingest.Report, error) {
	aid, ok := d.AgencyID(agency)
	if !ok {
		return nil, fmt.Errorf("%s %d: %w", agency, year, ErrNotFound)
	}
	id, ok := d.Current(aid, year)
	if !ok {
		return nil, fmt.Errorf("%s %d: %w", agency, year, ErrNotFound)
	}
	m, err := d.load(ctx, []int64{id}, nil)
	if err != nil {
		return nil, err
	}
	return m[id].Report, nil
}

// Previous returns the current report of the agency for the year before, nil when none.
func (d *DB) Previous(agencyID int64, year int) (*Stored, error) {
	id, ok := d.Current(agencyID, year-1)
	if !ok {
		return nil, nil
	}
	m, err := d.LoadIDs([]int64{id})
	if err != nil {
		return nil, err
	}
	return m[id], nil
}

// LoadIDs loads reports by id, a few queries for any number of them. Report.Agency is the
// canonical name; Source the stored path.
func (d *DB) LoadIDs(ids []int64) (map[int64]*Stored, error) {
	return d.load(context.Background(), ids, nil)
}

// LoadSlim loads reports by id with only the given cells and the prose: no text,
// publications or findings. It is for rules that compare reports (the cross-year rules
// read ~25 cells of ~200), where loading whole reports was most of their time.
func (d *DB) LoadSlim(ids []int64, keys []string) (map[int64]*Stored, error) {
	if keys == nil {
		keys = []string{}
	}
	return d.load(context.Background(), ids, keys)
}

// load loads reports by id; keys nil: everything, else only those cells and the prose.
func (d *DB) load(ctx context.Context, ids []int64, keys []string) (map[int64]*Stored, error) {
	slim := keys != nil
	out := map[int64]*Stored{}
	if len(ids) == 0 {
		return out, nil
	}
	// The range lets DuckDB skip row groups by their min/max (zone maps): ids are given out in
	// order, so the reports of one ingest chunk lie close together; IN alone scans every row.
	lo, hi := ids[0], ids[0]
	args := make([]any, len(ids), len(ids)+2)
	for i, id := range ids {
		args[i] = id
		lo, hi = min(lo, id), max(hi, id)
	}
	args = append(args, lo, hi)
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ") AND %s BETWEEN ? AND ?"
	names := d.keyNames()
	q := func(query string) (*sql.Rows, error) { return d.db.QueryContext(ctx, query, args...) }

	// the text is read in a slim load too: prose sections are stored as places in it
	texts := map[int64]storedText{}
	rows, err := q(`SELECT r.id, r.agency_id, a.name, r.year, r.format, r.level, r.published, r.source_path, r.text, r.text_z,
		r.revision, r.current, r.single_other, r.incomplete, r.applications_stated, r.applications_quote,
		r.incomplete_reason, r.agency_source
		FROM reports r JOIN agencies a ON a.id = r.agency_id WHERE r.id IN ` + fmt.Sprintf(in, "r.id"))
	if err != nil {
		return nil, fmt.Errorf("load reports: %w", err)
	}
	for rows.Next() {
		room := len(ingest.Table2Keys2019) + len(ingest.Table3Rows)*len(ingest.Table3Columns) + 15
		if slim {
			room = len(keys)
		}
		s := &Stored{Report: &ingest.Report{Cells: ingest.MakeCells(room)}}
		r := s.Report
		var published sql.NullTime
		var apps sql.NullInt64
		var quote, reason, agencySource sql.NullString
		var text string
		var textZ []byte
		if err := rows.Scan(&s.ID, &s.AgencyID, &r.Agency, &s.Year, &r.Format, &r.Level, &published, &r.Source, &text, &textZ,
			&s.Revision, &s.Current, &r.SingleOther, &r.Incomplete, &apps, &quote, &reason, &agencySource); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load reports: %w", err)
		}
		texts[s.ID] = storedText{text: text, z: textZ}
		if !slim {
			t, err := ReportText(text, textZ)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("load reports: report %d: %w", s.ID, err)
			}
			r.Text = t
			texts[s.ID] = storedText{text: t, decoded: true}
		}
		r.Year = s.Year
		r.IncompleteReason, r.AgencySource = reason.String, agencySource.String
		if published.Valid {
			r.Published = published.Time.Format(time.DateOnly)
		}
		if apps.Valid {
			v := apps.Int64
			r.ApplicationsStated = &v
		}
		r.ApplicationsQuote = quote.String
		out[s.ID] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load reports: %w", err)
	}

	cellsQuery := `SELECT report_id, key_id, value, line, src_text FROM cell_values WHERE report_id IN ` + fmt.Sprintf(in, "report_id")
	if slim {
		cellsQuery += " AND key_id IN (" + d.keyIDList(keys) + ")"
	}
	rows, err = q(cellsQuery)
	if err != nil {
		return nil, fmt.Errorf("load cells: %w", err)
	}
	for rows.Next() {
		var id int64
		var keyID int32
		var v sql.NullFloat64
		var line sql.NullInt64
		var text sql.NullString
		if err := rows.Scan(&id, &keyID, &v, &line, &text); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load cells: %w", err)
		}
		key, ok := names[keyID]
		if !ok {
			// A key added after names was taken: take them again.
			names = d.keyNames()
			if key, ok = names[keyID]; !ok {
				rows.Close()
				return nil, fmt.Errorf("load cells: unknown cell key %d", keyID)
			}
		}
		c := ingest.Cell{Src: ingest.Source{Line: int(line.Int64), Text: text.String}}
		if v.Valid {
			c.Value = ingest.Num(v.Float64)
		}
		if s := out[id]; s != nil {
			s.Report.Cells.Set(key, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load cells: %w", err)
	}

	if slim {
		return out, d.loadProse(q, in, out, texts)
	}
	rows, err = q(`SELECT report_id, channel, count, quote, line, coalesce(approx, false) FROM publications WHERE report_id IN ` + fmt.Sprintf(in, "report_id") + ` ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("load publications: %w", err)
	}
	for rows.Next() {
		var id int64
		var p ingest.Publication
		var line sql.NullInt64
		if err := rows.Scan(&id, &p.Channel, &p.Count, &p.Quote, &line, &p.Approx); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load publications: %w", err)
		}
		p.Line = int(line.Int64)
		if s := out[id]; s != nil {
			s.Report.Publications = append(s.Report.Publications, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load publications: %w", err)
	}

	rows, err = q(`SELECT report_id, rule, severity, cell, expected, actual, message, line, related FROM findings WHERE report_id IN ` + fmt.Sprintf(in, "report_id") + ` ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("load findings: %w", err)
	}
	for rows.Next() {
		var id int64
		var f ingest.Finding
		var exp, act sql.NullFloat64
		var line sql.NullInt64
		if err := rows.Scan(&id, &f.Rule, &f.Severity, &f.Cell, &exp, &act, &f.Message, &line, &f.Related); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load findings: %w", err)
		}
		if exp.Valid {
			f.Expected = ingest.Num(exp.Float64)
		}
		if act.Valid {
			f.Actual = ingest.Num(act.Float64)
		}
		f.Line = int(line.Int64)
		if s := out[id]; s != nil {
			s.Report.Findings = append(s.Report.Findings, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load findings: %w", err)
	}

	return out, d.loadProse(q, in, out, texts)
}

// storedText is a report's text as read, decompressed on first use.
type storedText struct {
	text    string
	z       []byte
	decoded bool
}

func (t *storedText) get() (string, error) {
	if !t.decoded {
		s, err := ReportText(t.text, t.z)
		if err != nil {
			return "", err
		}
		t.text, t.z, t.decoded = s, nil, true
	}
	return t.text, nil
}

// loadProse adds the stored prose sections to the loaded reports.
func (d *DB) loadProse(q func(string) (*sql.Rows, error), in string, out map[int64]*Stored, texts map[int64]storedText) error {
	rows, err := q(`SELECT report_id, section, text, start, len FROM report_prose WHERE report_id IN ` + fmt.Sprintf(in, "report_id"))
	if err != nil {
		return fmt.Errorf("load prose: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sec int
		var text string
		var start, n sql.NullInt64
		if err := rows.Scan(&id, &sec, &text, &start, &n); err != nil {
			return fmt.Errorf("load prose: %w", err)
		}
		if start.Valid {
			t, ok := texts[id]
			if !ok {
				continue
			}
			all, err := t.get()
			if err != nil {
				return fmt.Errorf("load prose: report %d: %w", id, err)
			}
			texts[id] = t
			if start.Int64 < 0 || start.Int64+n.Int64 > int64(len(all)) {
				return fmt.Errorf("load prose: report %d section %d: place %d+%d outside its text", id, sec, start.Int64, n.Int64)
			}
			text = all[start.Int64 : start.Int64+n.Int64]
		}
		if s := out[id]; s != nil {
			if s.Report.Prose == nil {
				s.Report.Prose = map[int]string{}
			}
			s.Report.Prose[sec] = text
		}
	}
	return rows.Err()
}

// keyIDList is the ids of the given cell keys, for an IN list (-1 when none is stored yet).
func (d *DB) keyIDList(keys []string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	b.WriteString("-1")
	for _, k := range keys {
		if id, ok := d.keyID[k]; ok {
			fmt.Fprintf(&b, ",%d", id)
		}
	}
	return b.String()
}

// keyNames returns the cell keys by id.
func (d *DB) keyNames() map[int32]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make(map[int32]string, len(d.keyID))
	for k, id := range d.keyID {
		names[id] = k
	}
	return names
}

// CrossYearRule tells whether a finding's rule compares a report with another (X-*,
// S-copied-prose): those are recomputed after each ingest by ReplaceFindings.
func CrossYearRule(rule string) bool {
	return ingest.RuleAcross(rule)
}

// acrossRules lists the identifiers of the rules CrossYearRule accepts.
func acrossRules() []any {
	var out []any
	for _, r := range ingest.Rules {
		if r.Across {
			out = append(out, r.ID)
		}
	}
	return out
}

// ReplaceFindings replaces the cross-year findings (CrossYearRule) of one report.
func (d *DB) ReplaceFindings(reportID int64, fs []ingest.Finding) error {
	return d.ReplaceFindingsAll(map[int64][]ingest.Finding{reportID: fs})
}

// ReplaceFindingsAll replaces the cross-year findings of several reports in one transaction
// and recomputes the flagged mark of their cells. Findings of other rules are kept.
func (d *DB) ReplaceFindingsAll(byReport map[int64][]ingest.Finding) (err error) {
	return d.ReplaceFindingsDerived(byReport, nil)
}

// ReplaceFindingsDerived is ReplaceFindingsAll that also runs dv.Refresh (when dv is not nil)
// over the same reports in the same transaction, so that figures derived from findings (the
// per-report counts of errors and warnings) never disagree with them.
func (d *DB) ReplaceFindingsDerived(byReport map[int64][]ingest.Finding, dv *Derivation) (err error) {
	if len(byReport) == 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	for id, fs := range byReport {
		for _, f := range fs {
			if !CrossYearRule(f.Rule) {
				return fmt.Errorf("report %d: %s is not a cross-year rule", id, f.Rule)
			}
		}
	}
	apps, err := d.appenders()
	if err != nil {
		return err
	}
	if err := d.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			d.abort(ctx)
		}
	}()
	ids := make([]any, 0, len(byReport))
	for id := range byReport {
		ids = append(ids, id)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	across := acrossRules()
	del := `DELETE FROM findings WHERE report_id IN ` + in + ` AND rule IN (` + strings.TrimSuffix(strings.Repeat("?,", len(across)), ",") + `)`
	if err := d.exec(ctx, del, append(ids, across...)...); err != nil {
		return fmt.Errorf("replace findings: %w", err)
	}
	for id, fs := range byReport {
		if err := appendFindings(apps, id, fs); err != nil {
			return err
		}
	}
	if err := apps.flush(); err != nil {
		return fmt.Errorf("replace findings: %w", err)
	}
	if err := d.exec(ctx, `UPDATE report_cells SET flagged = x.ids
		FROM (SELECT f.report_id, coalesce(list(DISTINCT k.id ORDER BY k.id) FILTER (WHERE k.id IS NOT NULL), []::INTEGER[]) AS ids
			FROM (SELECT unnest([`+idList(ids)+`]::BIGINT[]) AS report_id) f
			LEFT JOIN findings g ON g.report_id = f.report_id LEFT JOIN cell_keys k ON k.key = g.cell
			GROUP BY f.report_id) x
		WHERE report_cells.report_id = x.report_id`); err != nil {
		return fmt.Errorf("replace findings: flag cells: %w", err)
	}
	var change Change
	if dv != nil && len(dv.Refresh) > 0 && d.keeping() {
		byID := make([]int64, len(ids))
		for i, id := range ids {
			byID[i] = id.(int64)
		}
		if change.Refreshed, change.Before, err = d.derivedBefore(ctx, dv, byID); err != nil {
			return err
		}
	}
	if dv != nil && len(dv.Refresh) > 0 {
		list := make([]string, len(ids))
		for i, id := range ids {
			list[i] = strconv.FormatInt(id.(int64), 10)
		}
		for _, q := range dv.Refresh {
			if err := d.exec(ctx, strings.ReplaceAll(q, "{ids}", strings.Join(list, ","))); err != nil {
				return fmt.Errorf("replace findings: refresh %s: %w", dv.Table, err)
			}
		}
	}
	if err := d.bumpVersion(ctx); err != nil {
		return err
	}
	if err := d.commitChange(ctx, change); err != nil {
		return fmt.Errorf("replace findings: %w", err)
	}
	return nil
}

// Verify checks the invariants a crash must not break: every report has exactly the cells of
// its format, and no (agency, year) has two current reports. It returns one line per problem.
func (d *DB) Verify() ([]string, error) {
	var problems []string
	rows, err := d.db.Query(`SELECT r.id, r.format, r.single_other, count(c.report_id)::BIGINT
		FROM reports r LEFT JOIN cell_values c ON c.report_id = r.id GROUP BY ALL`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, n int64
		var format string
		var single bool
		if err := rows.Scan(&id, &format, &single, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if want := len(ingest.CellKeys(format, single)); int(n) != want {
			problems = append(problems, fmt.Sprintf("report %d: %d cells, want %d", id, n, want))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = d.db.Query(`SELECT agency_id, year, n FROM duplicate_current`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, y, n int64
		if err := rows.Scan(&a, &y, &n); err != nil {
			return nil, err
		}
		problems = append(problems, fmt.Sprintf("agency %d year %d: %d current reports", a, y, n))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Findings: none without its report, every flagged cell named by a finding of its report
	// and the other way round, and no cross-year work left owed.
	for _, c := range []struct{ q, what string }{
		{`SELECT count(*) FROM findings WHERE report_id NOT IN (SELECT id FROM reports)`, "findings of no report"},
		{`SELECT count(*) FROM cell_values v JOIN cell_keys k ON k.id = v.key_id WHERE v.flagged <>
			EXISTS (SELECT 1 FROM findings f WHERE f.report_id = v.report_id AND f.cell = k.key)`, "cells whose flag disagrees with the findings"},
		{`SELECT count(*) FROM (SELECT DISTINCT agency_id, year FROM pending_cross_year)`, "(agency, year) pairs whose cross-year findings are still owed"},
	} {
		var n int64
		if err := d.db.QueryRow(c.q).Scan(&n); err != nil {
			return nil, fmt.Errorf("verify: %s: %w", c.what, err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	return problems, nil
}

// idList writes report ids (int64 in anys) as a comma-separated list for SQL.
func idList(ids []any) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id.(int64), 10)
	}
	return strings.Join(s, ",")
}
