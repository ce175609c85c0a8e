package analytics

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// Exportable names what gongkai export writes.
var Exportable = []string{"reports", "cells", "findings", "metrics"}

// ExportSQL returns the query of one export (current reports only), for year (0: all years).
// It has no parameters, so it can stand inside COPY.
func ExportSQL(what string, year int) (string, error) {
	var q string
	switch what {
	case "reports":
		q = `SELECT id AS report_id, agency, district, expected, agency_printed, year, format, level, published,
  source_path, source_format, sha256, parser_version, ingested_at, revision, single_other, incomplete,
  applications_stated FROM current_reports`
	case "cells":
		q = `SELECT report_id, agency, level, year, format, key, tbl, row_key, col, value, flagged, line, src_text
  FROM current_cells`
	case "findings":
		q = `SELECT f.report_id, r.agency, r.year, f.rule, f.severity, f.cell, f.expected, f.actual, f.message,
  f.line, f.related FROM findings f JOIN current_reports r ON r.id = f.report_id`
	case "metrics":
		q, _ = MetricSQL(Filter{}, ByAgencyYear)
	default:
		return "", fmt.Errorf("export: unknown table %q (want %s)", what, strings.Join(Exportable, ", "))
	}
	q = "SELECT * FROM (" + q + ") AS t"
	if year != 0 {
		q += fmt.Sprintf(" WHERE year = %d", year)
	}
	order := map[string]string{"reports": "agency, year", "cells": "agency, year, key", "findings": "agency, year, rule", "metrics": "agency, year"}
	return q + " ORDER BY " + order[what], nil
}

// ExportParquet writes one export as Parquet with DuckDB's COPY; partitioned, path is a
// directory with one year=YYYY folder a year.
func (a *Analytics) ExportParquet(ctx context.Context, what string, year int, path string, partition bool) error {
	q, err := ExportSQL(what, year)
	if err != nil {
		return err
	}
	opts := "FORMAT parquet"
	if partition {
		opts += ", PARTITION_BY (year), OVERWRITE_OR_IGNORE true"
	} else {
		os.Remove(path)
	}
	lit := "'" + strings.ReplaceAll(path, "'", "''") + "'"
	if _, err := a.db.ExecContext(ctx, "COPY ("+q+") TO "+lit+" ("+opts+")"); err != nil {
		return fmt.Errorf("export %s to %s: %w", what, path, err)
	}
	return nil
}

// ExportTable reads one export into a Table (for CSV and XLSX).
func (a *Analytics) ExportTable(ctx context.Context, what string, year int) (*Table, error) {
	q, err := ExportSQL(what, year)
	if err != nil {
		return nil, err
	}
	rows, err := a.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", what, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	t := &Table{Name: what, Title: what}
	for _, c := range cols {
		t.Columns = append(t.Columns, Column{Key: c, Label: c})
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]Cell, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				row[i] = Cell{}
			case time.Time:
				s := x.Format(time.DateOnly)
				if x.Hour() != 0 || x.Minute() != 0 || x.Second() != 0 {
					s = x.Format(time.DateTime)
				}
				row[i] = Str(s)
			case []byte:
				row[i] = Str(string(x))
			case int32:
				row[i] = Int(int64(x))
			case int64:
				row[i] = Int(x)
			case float64:
				row[i] = Cell{V: x}
			case string:
				row[i] = Str(x)
			default:
				row[i] = Str(fmt.Sprint(x))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, rows.Err()
}
