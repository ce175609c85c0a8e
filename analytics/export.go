package analytics

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"gongkai/ingest"
)

// One export model: gongkai export and the dashboards' /download/… write Tables through the
// same writers (WriteCSV, WriteXLSX). A table has Chinese headers for people or, with
// Table.KeyHeaders, the keys for machines; numbers stay numbers (a ratio is its fraction, shown
// as a percent in XLSX); a missing value is an empty cell, never 0 and never a dash. Parquet is
// always written with the keys, by DuckDB.

// Exportable names what gongkai export writes.
var Exportable = []string{"reports", "cells", "findings", "metrics"}

// exportColumns are the Chinese headers of the exported columns, by key.
var exportColumns = map[string]string{
	"report_id": "报告编号", "agency": "单位", "district": "所属区县", "expected": "名录内单位",
	"agency_printed": "报告所署单位名称", "year": "年度", "format": "报告格式", "level": "级别",
	"published": "发布日期", "source_path": "来源文件", "source_format": "文件格式", "sha256": "文件SHA-256",
	"parser_version": "解析程序版本", "ingested_at": "入库时间", "revision": "版本", "single_other": "（六）其他处理为一行",
	"incomplete": "报告不完整", "applications_stated": "正文所述申请数",
	"key": "单元格键", "cell_label": "单元格", "tbl": "表", "row_key": "行", "col": "列", "value": "数值",
	"flagged": "有校验发现", "line": "原文行号", "src_text": "原文",
	"rule": "规则编号", "rule_name": "规则", "severity": "严重程度", "cell": "单元格键", "expected_value": "应为",
	"actual": "实为", "message": "说明", "related": "对照报告",
	"agency_id": "单位编号",
}

// exportKeysOnly are the exported columns written only with the keys (--headers keys, Parquet):
// source_path is a path on the server, never shown in a file a clerk opens.
var exportKeysOnly = map[string]bool{"source_path": true}

// exportCodes turn a column's codes into words for the Chinese headers (level, severity).
var exportCodes = map[string]func(string) string{
	"level": ingest.LevelLabel, "severity": ingest.SeverityLabel,
}

// exportDerived are columns added in Go beside a key column: the Chinese name of a rule, the
// format's words for a cell.
var exportDerived = map[string]struct {
	after string
	of    func(string) string
}{
	"rule_name":  {"rule", ingest.RuleName},
	"cell_label": {"key", ingest.CellLabel},
}

// ExportSQL returns the query of one export (current reports only), for year (0: all years).
// It has no parameters, so it can stand inside COPY.
func ExportSQL(what string, year int) (string, error) {
	q, order, err := exportSQL(what, year)
	if err != nil {
		return "", err
	}
	return q + " ORDER BY " + order, nil
}

// exportSQL is ExportSQL without its order, and the order.
func exportSQL(what string, year int) (q, order string, err error) {
	switch what {
	case "reports":
		q = `SELECT id AS report_id, agency, district, expected, agency_printed, year, format, level, published,
  source_path, source_format, sha256, parser_version, ingested_at, revision, single_other, incomplete,
  applications_stated FROM current_reports`
	case "cells":
		q = `SELECT report_id, agency, level, year, format, key, tbl, row_key, col, value, flagged, line, src_text
  FROM current_cells`
	case "findings":
		q = `SELECT f.report_id, r.agency, r.year, f.rule, f.severity, f.cell, f.expected AS expected_value, f.actual,
  f.message, f.line, f.related FROM findings f JOIN current_reports r ON r.id = f.report_id`
	case "metrics":
		// each report's row, not grouped: the grouping of a country's 742,500 reports did
		// not fit DuckDB's memory limit, a sort does (on disk if need be)
		q = "SELECT * EXCLUDE (id) FROM (" + reportRowsSQL(Metrics) + ")"
	default:
		return "", "", fmt.Errorf("不能导出 %q（可导出：%s）", what, strings.Join(Exportable, "、"))
	}
	q = "SELECT * FROM (" + q + ") AS t"
	if year != 0 {
		q += fmt.Sprintf(" WHERE year = %d", year)
	}
	order = map[string]string{"reports": "agency, year", "cells": "agency, year, key", "findings": "agency, year, rule", "metrics": "agency, year"}[what]
	return q, order, nil
}

// ExportParquet writes one export as Parquet with DuckDB's COPY, its columns named by the
// keys; partitioned, path is a directory with one year=YYYY folder a year.
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
		return fmt.Errorf("导出 %s 到 %s 失败：%w", what, path, err)
	}
	return nil
}

// exportTitles are the sheet titles of the exports.
var exportTitles = map[string]string{"reports": "报告", "cells": "单元格", "findings": "校验发现", "metrics": "指标"}

// ExportTable returns the export of what (one of Exportable) as a table, for tests and small
// exports; EachExport streams it.
func (a *Analytics) ExportTable(ctx context.Context, what string, year int) (*Table, error) {
	var t *Table
	_, err := a.EachExport(ctx, what, year, func(head *Table) error {
		t = head
		return nil
	}, func(row []Cell) error {
		t.Rows = append(t.Rows, row)
		return nil
	})
	return t, err
}

// ExportCount is how many rows the export of what has.
func (a *Analytics) ExportCount(ctx context.Context, what string, year int) (int, error) {
	q, _, err := exportSQL(what, year) // (counted unordered: ordering 148 million cells to count them took 16 GB)
	if err != nil {
		return 0, err
	}
	var n int
	if err := a.db.QueryRowContext(ctx, "SELECT count(*) FROM ("+q+")").Scan(&n); err != nil {
		return 0, fmt.Errorf("导出 %s 失败：%w", what, err)
	}
	return n, nil
}

// EachExport runs the export of what (one of Exportable, in the one model of the downloads:
// Chinese column names beside the keys, codes in words, the metrics' ratios as fractions
// marked Percent, rule and cell names beside their keys) and calls start with its table without rows (its columns), then row with each row in
// order as the database gives it: an export of a country (742,500 reports × 60 metrics, or
// their 148 million cells) streams instead of being held. It returns how many rows it gave.
func (a *Analytics) EachExport(ctx context.Context, what string, year int, start func(*Table) error, row func([]Cell) error) (int, error) {
	q, err := ExportSQL(what, year)
	if err != nil {
		return 0, err
	}
	rows, err := a.db.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("导出 %s 失败：%w", what, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	t := &Table{Name: what, Title: exportTitles[what]}
	type derived struct {
		at int // the source column
		of func(string) string
	}
	var plan []any // per output column: int (source column) or derived
	for i, c := range cols {
		t.Columns = append(t.Columns, exportColumn(c))
		plan = append(plan, i)
		for name, d := range exportDerived {
			if d.after == c {
				t.Columns = append(t.Columns, Column{Key: name, Label: exportColumns[name]})
				plan = append(plan, derived{i, d.of})
			}
		}
	}
	if err := start(t); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		clear(vals)
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		out := make([]Cell, len(plan))
		for j, p := range plan {
			switch p := p.(type) {
			case int:
				out[j] = exportCell(vals[p], t.Columns[j])
			case derived:
				if s, ok := vals[p.at].(string); ok && s != "" {
					out[j] = Str(p.of(s))
				}
			}
		}
		if err := row(out); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// exportColumn is the column of an exported key: its Chinese header, a metric's label (and
// Percent for a ratio), its codes' words.
func exportColumn(key string) Column {
	c := Column{Key: key, Label: exportColumns[key], Codes: exportCodes[key], KeysOnly: exportKeysOnly[key]}
	if m, ok := MetricByName(key); ok {
		c.Label, c.Numeric, c.Percent = m.Label, true, m.Kind == Ratio
		if m.Unit != "" && m.Kind != Ratio {
			c.Label += "（" + m.Unit + "）"
		}
	}
	if c.Label == "" {
		c.Label = key
	}
	return c
}

// exportCell turns a value read from DuckDB into a cell: numbers stay numbers, dates are
// written as dates, NULL is missing.
func exportCell(v any, col Column) Cell {
	switch x := v.(type) {
	case nil:
		return Cell{}
	case time.Time:
		s := x.Format(time.DateOnly)
		if x.Hour() != 0 || x.Minute() != 0 || x.Second() != 0 {
			s = x.Format(time.DateTime)
		}
		return Str(s)
	case []byte:
		return Str(string(x))
	case int32:
		return Int(int64(x))
	case int64:
		return Int(x)
	case float64:
		return Cell{V: x, Percent: col.Percent}
	case bool:
		if x {
			return Cell{V: true, Text: "是"}
		}
		return Cell{V: false, Text: "否"}
	case string:
		return Str(x)
	}
	return Str(fmt.Sprint(v))
}
