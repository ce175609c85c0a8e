package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"os"
	"path/filepath"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"gongkai/ingest"
)

func BenchmarkLayout(b *testing.B) {
	keys := ingest.CellKeys(ingest.Format2021, false)
	for _, layout := range []string{"wide", "keyid"} {
		b.Run(layout, func(b *testing.B) {
			dir := b.TempDir()
			if d := os.Getenv("D"); d != "" {
				dir, _ = os.MkdirTemp(d, "l")
				defer os.RemoveAll(dir)
			}
			c, _ := duckdb.NewConnector(filepath.Join(dir, "l.duckdb"), nil)
			db := sql.OpenDB(c)
			conn, _ := db.Conn(context.Background())
			ctx := context.Background()
			ddl := `CREATE TABLE cells (report_id BIGINT NOT NULL, key VARCHAR NOT NULL, tbl VARCHAR NOT NULL, row_key VARCHAR NOT NULL, col VARCHAR NOT NULL, value DOUBLE, flagged BOOLEAN NOT NULL, line INTEGER, src_text VARCHAR)`
			if layout == "keyid" {
				ddl = `CREATE TABLE cells (report_id BIGINT NOT NULL, key_id SMALLINT NOT NULL, value DOUBLE, flagged BOOLEAN NOT NULL, line INTEGER, src_text VARCHAR)`
			}
			if _, err := conn.ExecContext(ctx, ddl); err != nil {
				b.Fatal(err)
			}
			var ap *duckdb.Appender
			conn.Raw(func(dc any) error {
				var err error
				ap, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "cells")
				return err
			})
			start := time.Now()
			var tApp, tFlush, tCommit time.Duration
			for batch := 0; batch < 20; batch++ {
				conn.ExecContext(ctx, "BEGIN")
				t0 := time.Now()
				for r := 0; r < 500; r++ {
					id := int64(batch*500 + r)
					for i, k := range keys {
						v := float64(i % 50)
						var err error
						if layout == "keyid" {
							err = ap.AppendRow(id, int16(i), v, false, int32(i+1), "12")
						} else {
							err = ap.AppendRow(id, k, "table3", "new_received", "total", v, false, int32(i+1), "12")
						}
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				tApp += time.Since(t0)
				t0 = time.Now()
				ap.Flush()
				tFlush += time.Since(t0)
				t0 = time.Now()
				if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
					b.Fatal(err)
				}
				tCommit += time.Since(t0)
			}
			ap.Close()
			conn.Close()
			db.Close()
			b.Logf("append %v flush %v commit %v total(with close) %v", tApp, tFlush, tCommit, time.Since(start))
		})
	}
}
