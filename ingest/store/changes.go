package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Change is what one committed write did to the current reports, for a reader that keeps
// figures up to date by adjusting them (analytics' district sums) instead of recomputing
// them from every report. A write that changes none (the registry) has an empty Change.
type Change struct {
	Version int64   // the data version the write committed (DataVersion after it)
	Current []int64 // reports that became current
	Demoted []int64 // reports current before the write and not after (their rows unchanged)
	// Refreshed are current reports whose derived row (Derivation.Refresh) the write
	// rewrote; Before[i] is Refreshed[i]'s row before, in Derivation.Columns order.
	Refreshed []int64
	Before    [][]any
}

// journal keeps the Changes of the latest writes while a reader asked for them (KeepChanges).
type journal struct {
	mu      sync.Mutex
	on      bool
	changes []Change // consecutive versions, oldest first
}

// maxChanges bounds the journal: a reader further behind recomputes.
const maxChanges = 1024

// KeepChanges makes the DB keep the Changes of its next writes (up to the latest 1,024),
// for ChangesSince. Off by default: a bulk ingest needs none.
func (d *DB) KeepChanges() {
	d.changes.mu.Lock()
	d.changes.on = true
	d.changes.mu.Unlock()
}

// keeping says whether Changes are kept.
func (d *DB) keeping() bool {
	d.changes.mu.Lock()
	defer d.changes.mu.Unlock()
	return d.changes.on
}

// ChangesSince returns the Changes of the writes after data version v, oldest first, and
// whether they are all kept (false: the journal does not reach back to v). A Change may be
// returned before its write is committed (or while its commit fails): a reader takes only
// those up to the version its snapshot of the database says (the data_version table).
func (d *DB) ChangesSince(v int64) ([]Change, bool) {
	d.changes.mu.Lock()
	defer d.changes.mu.Unlock()
	cs := d.changes.changes
	if !d.changes.on {
		return nil, false
	}
	if len(cs) == 0 {
		return nil, v >= d.version.Load()
	}
	if v < cs[0].Version-1 {
		return nil, false
	}
	i := int(v - (cs[0].Version - 1))
	if i > len(cs) {
		return nil, true
	}
	return append([]Change(nil), cs[i:]...), true
}

// record adds the Change of the write about to commit (version DataVersion+1), when kept.
func (d *DB) record(c Change) {
	d.changes.mu.Lock()
	defer d.changes.mu.Unlock()
	if !d.changes.on {
		return
	}
	c.Version = d.version.Load() + 1
	if n := len(d.changes.changes); n > 0 && d.changes.changes[n-1].Version != c.Version-1 {
		d.changes.changes = d.changes.changes[:0] // not consecutive: start again
	}
	d.changes.changes = append(d.changes.changes, c)
	if len(d.changes.changes) > maxChanges {
		d.changes.changes = append([]Change(nil), d.changes.changes[len(d.changes.changes)-maxChanges:]...)
	}
}

// unrecord drops the Change of a write whose commit failed.
func (d *DB) unrecord() {
	d.changes.mu.Lock()
	defer d.changes.mu.Unlock()
	if n := len(d.changes.changes); n > 0 && d.changes.changes[n-1].Version == d.version.Load()+1 {
		d.changes.changes = d.changes.changes[:n-1]
	}
}

// commitChange records c, then commits (commit); the record is dropped if the commit fails.
func (d *DB) commitChange(ctx context.Context, c Change) error {
	d.record(c)
	if err := d.commit(ctx); err != nil {
		d.unrecord()
		return err
	}
	return nil
}

// derivedBefore reads the derived rows of ids (dv's columns) inside the open transaction,
// before a Refresh rewrites them.
func (d *DB) derivedBefore(ctx context.Context, dv *Derivation, ids []int64) ([]int64, [][]any, error) {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = fmt.Sprint(id)
	}
	rows, err := d.conn.QueryContext(ctx, `SELECT report_id, `+strings.Join(dv.Columns, ", ")+` FROM `+dv.Table+
		` WHERE report_id IN (`+strings.Join(list, ",")+`)`)
	if err != nil {
		return nil, nil, fmt.Errorf("%s before refresh: %w", dv.Table, err)
	}
	defer rows.Close()
	var got []int64
	var before [][]any
	for rows.Next() {
		var id int64
		row := make([]any, len(dv.Columns))
		dest := []any{&id}
		for i := range row {
			dest = append(dest, &row[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("%s before refresh: %w", dv.Table, err)
		}
		got = append(got, id)
		before = append(before, row)
	}
	return got, before, rows.Err()
}
