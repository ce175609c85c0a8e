package store

import (
	"context"
	"fmt"
)

// WebValidators returns, for every URL whose bytes a stored report was read from (the
// attachment, else the page), the ETag and Last-Modified its server gave, so the next fetch
// can be conditional. URLs whose server offered neither are left out.
func (d *DB) WebValidators() (map[string]WebSource, error) {
	rows, err := d.conn.QueryContext(context.Background(), `
		SELECT CASE WHEN attachment_url <> '' THEN attachment_url ELSE page_url END AS u,
		       arg_max(etag, fetched_at), arg_max(last_modified, fetched_at)
		FROM report_urls WHERE etag <> '' OR last_modified <> ''
		GROUP BY u`)
	if err != nil {
		return nil, fmt.Errorf("web validators: %w", err)
	}
	defer rows.Close()
	out := map[string]WebSource{}
	for rows.Next() {
		var u string
		var w WebSource
		if err := rows.Scan(&u, &w.ETag, &w.LastModified); err != nil {
			return nil, fmt.Errorf("web validators: %w", err)
		}
		out[u] = w
	}
	return out, rows.Err()
}
