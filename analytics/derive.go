package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gongkai/ingest"
	"gongkai/ingest/store"
)

// MetricsTable is the table of per-report metrics: one wide row per stored report (every
// version), a column per Count metric (numerators and denominators, never ratios) and
// excluded. It is written with the report (Derivation) and read by every page.
const MetricsTable = "report_metrics"

// implausible is the set of cells of r whose value cannot be true (ingest.ExcludesCell: an
// error of a plausibility rule such as Q-fees-unit): sums leave them out.
func implausible(r *ingest.Report) map[string]bool {
	var bad map[string]bool
	for _, f := range r.Findings {
		if ingest.ExcludesCell(f) {
			if bad == nil {
				bad = map[string]bool{}
			}
			bad[f.Cell] = true
		}
	}
	return bad
}

// implausibleRulesSQL is the SQL list of the plausibility rules (ingest.Rule.Implausible).
func implausibleRulesSQL() string {
	var ids []string
	for _, r := range ingest.Rules {
		if r.Implausible {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return "NULL"
	}
	return inList(ids)
}

// countMetrics are the metrics stored in report_metrics, in column order.
var countMetrics = func() []Metric {
	var out []Metric
	for _, m := range Metrics {
		if m.Kind == Count {
			out = append(out, m)
		}
	}
	return out
}()

// derivedColumns are report_metrics' columns after report_id.
var derivedColumns = func() []string {
	var cols []string
	for _, m := range countMetrics {
		cols = append(cols, m.Name)
	}
	return append(cols, "excluded")
}()

// DeriveRow computes the report_metrics row of a report (without report_id): each Count
// metric (nil when the report says nothing or the value is left out), then excluded, the
// metrics left out for an implausible cell as ",fees," ("" when none).
func DeriveRow(r *ingest.Report) []any {
	bad := implausible(r)
	out := make([]any, 0, len(derivedColumns))
	var excl []string
	for _, m := range countMetrics {
		v, ex := m.src.fn(r, bad)
		if ex {
			excl = append(excl, m.Name)
		}
		if v == nil {
			out = append(out, nil)
		} else {
			out = append(out, *v)
		}
	}
	e := ""
	if len(excl) > 0 {
		e = "," + strings.Join(excl, ",") + ","
	}
	return append(out, e)
}

// Derivation is the per-report metrics table as the store keeps it: cmd/gongkai hands it to
// the ingest pipeline, which writes each report's row in the report's transaction and
// refreshes the cross-year metrics (findings counts) when the cross-year step replaces them.
func Derivation() *store.Derivation {
	var set []string
	for _, m := range countMetrics {
		if m.CrossYear {
			set = append(set, fmt.Sprintf("%s = x.%s", m.Name, m.Name))
		}
	}
	var cols []string
	for _, m := range countMetrics {
		if m.CrossYear {
			cols = append(cols, fmt.Sprintf("coalesce(f.%[1]s, 0)::DOUBLE AS %[1]s", m.Name))
		}
	}
	refresh := fmt.Sprintf(`UPDATE %s SET %s
FROM (SELECT i.id, %s
  FROM (SELECT unnest([{ids}]::BIGINT[]) AS id) i
  LEFT JOIN (SELECT report_id, count(*) FILTER (WHERE severity = 'error') AS findings_errors,
      count(*) FILTER (WHERE severity = 'warning') AS findings_warnings
    FROM findings WHERE report_id IN ({ids}) GROUP BY report_id) f ON f.report_id = i.id) x
WHERE %s.report_id = x.id`, MetricsTable, strings.Join(set, ", "), strings.Join(cols, ", "), MetricsTable)
	return &store.Derivation{Table: MetricsTable, Columns: derivedColumns, Row: DeriveRow, Refresh: []string{refresh}}
}

// perReportSQL is the direct computation of every Count metric of each report of `from r`
// matching cond, from the cells: the reference the stored rows must equal, and the backfill
// of migration 004. Columns: report_id, the metrics, excluded.
func perReportSQL(from, cond string) string {
	var b strings.Builder
	b.WriteString("WITH pub AS (SELECT report_id")
	for _, ch := range Channels {
		fmt.Fprintf(&b, ", sum(count) FILTER (WHERE channel = '%s') AS %s", ch[0], ch[0])
	}
	fmt.Fprintf(&b, `, sum(count) FILTER (WHERE channel = 'total') AS total,
  sum(count) FILTER (WHERE channel <> 'total') AS channels
  FROM publications GROUP BY report_id),
fnd AS (SELECT report_id, count(*) FILTER (WHERE severity = 'error') AS errors,
  count(*) FILTER (WHERE severity = 'warning') AS warnings FROM findings GROUP BY report_id),
bad AS (SELECT report_id, list(cell) AS cells FROM findings
  WHERE severity = 'error' AND rule IN (%s) AND cell <> '' GROUP BY report_id)
SELECT r.id AS report_id`, implausibleRulesSQL())
	for _, m := range countMetrics {
		fmt.Fprintf(&b, ",\n  (%s)::DOUBLE AS %s", m.Part, m.Name)
	}
	b.WriteString(",\n  concat(")
	for i, m := range countMetrics {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "CASE WHEN %s THEN '%s,' ELSE '' END", m.src.excl, m.Name)
	}
	b.WriteString(") AS excl")
	fmt.Fprintf(&b, `
FROM %s r LEFT JOIN cells c ON c.report_id = r.id
  LEFT JOIN pub ON pub.report_id = r.id LEFT JOIN fnd ON fnd.report_id = r.id LEFT JOIN bad ON bad.report_id = r.id
WHERE %s
GROUP BY r.id, r.single_other`, from, cond)
	return b.String()
}

// directRowsSQL wraps perReportSQL so that excluded reads as DeriveRow writes it.
func directRowsSQL(from, cond string) string {
	var b strings.Builder
	b.WriteString("SELECT report_id")
	for _, m := range countMetrics {
		b.WriteString(", " + m.Name)
	}
	b.WriteString(", CASE WHEN excl = '' THEN '' ELSE ',' || excl END AS excluded FROM (" + perReportSQL(from, cond) + ")")
	return b.String()
}

// MigrationSQL is the text of migration 004 (ingest/store/migrations/004_report_metrics.sql),
// generated from Metrics: the per-report metrics table, backfilled from the cells of every
// stored report, and the data version that each write bumps. A test keeps the file equal.
func MigrationSQL() string {
	var b strings.Builder
	b.WriteString(`-- gongkai schema, version 4: per-report metrics, computed once when a report is stored.
-- GENERATED from analytics.Metrics by analytics.MigrationSQL (go test ./analytics -run Migration -update-migration).
--
-- One wide row per report (every version): each Count metric of analytics/README.md, the
-- numerators and denominators of the ratios kept, never the ratios. NULL: the report says
-- nothing (or the cells are unread); excluded lists the metrics left out because a cell has
-- an error of a plausibility rule (",fees,"). Written by the store in the transaction of its
-- report (analytics.Derivation, handed to the pipeline by cmd/gongkai); findings counts are
-- refreshed by the cross-year step. Pages read only these rows, never the long cells.
`)
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n    report_id BIGINT NOT NULL", MetricsTable)
	for _, m := range countMetrics {
		fmt.Fprintf(&b, ",\n    %s DOUBLE", m.Name)
	}
	b.WriteString(",\n    excluded VARCHAR NOT NULL DEFAULT ''\n);\n-- (no index: see 001)\n\n")
	b.WriteString(`-- A counter bumped by every write transaction (reports, cross-year findings, registry), so
-- that rendered pages may be cached until the data changes.
CREATE TABLE IF NOT EXISTS data_version (version BIGINT NOT NULL);
INSERT INTO data_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM data_version);

-- Backfill: the reports stored before this migration, computed from their cells.
`)
	fmt.Fprintf(&b, "INSERT INTO %s (report_id, %s)\n", MetricsTable, strings.Join(derivedColumns, ", "))
	b.WriteString(directRowsSQL("reports", "r.id NOT IN (SELECT report_id FROM "+MetricsTable+")"))
	b.WriteString(";\n")
	return b.String()
}

// DataVersion is a number that changes whenever the stored data changes (each ingest,
// upload, cross-year refresh or registry change): what is drawn from the data may be cached
// under it. Over a store (NewStore) it is read from memory; otherwise from the database.
func (a *Analytics) DataVersion(ctx context.Context) (int64, error) {
	if a.version != nil {
		return a.version(), nil
	}
	var v sql.NullInt64
	if err := a.db.QueryRowContext(ctx, `SELECT max(version) FROM data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v.Int64, nil
}
