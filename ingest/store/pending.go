package store

import (
	"context"
	"fmt"
	"strings"
)

// Cross-year work that is owed. A report stored (new or replacing another) changes the
// cross-year findings of its own (agency, year) and of the year after; saveTx records that in
// pending_cross_year inside the report's own transaction, and the pipeline deletes the rows
// once it has replaced those findings. A process killed in between leaves the rows behind,
// and the next ingest or serve finishes the work (migration 006).

// markPending records, in the open transaction, the (agency, year) pairs whose cross-year
// findings (and those of the year after) are owed: as many rows as pairs, in one statement.
func (d *DB) markPending(ctx context.Context, owed [][2]int64) error {
	if len(owed) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO pending_cross_year (agency_id, year) VALUES `)
	for i, p := range owed {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "(%d, %d)", p[0], p[1])
	}
	if err := d.exec(ctx, b.String()); err != nil {
		return fmt.Errorf("record pending cross-year work: %w", err)
	}
	return nil
}

// PendingCrossYear returns the (agency id, year) pairs whose cross-year findings, and those of
// the year after, are owed, and a mark to hand to DonePendingCrossYear once they are written.
func (d *DB) PendingCrossYear() (pairs [][2]int64, mark int64, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rows, err := d.conn.QueryContext(context.Background(),
		`SELECT agency_id, year, max(seq) FROM pending_cross_year GROUP BY agency_id, year ORDER BY agency_id, year`)
	if err != nil {
		return nil, 0, fmt.Errorf("pending cross-year work: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, y, seq int64
		if err := rows.Scan(&a, &y, &seq); err != nil {
			return nil, 0, fmt.Errorf("pending cross-year work: %w", err)
		}
		pairs = append(pairs, [2]int64{a, y})
		mark = max(mark, seq)
	}
	return pairs, mark, rows.Err()
}

// DonePendingCrossYear deletes the pending rows up to mark (PendingCrossYear's): their
// findings are written. Rows recorded after the mark stay for the next run.
func (d *DB) DonePendingCrossYear(mark int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.exec(context.Background(), `DELETE FROM pending_cross_year WHERE seq <= ?`, mark); err != nil {
		return fmt.Errorf("pending cross-year work done: %w", err)
	}
	return nil
}
