// Package analytics computes gongkai's named metrics from the DuckDB database written by
// ingest/store. Every figure the dashboards and exports show is defined here (Metrics) and
// computed in SQL over the views current_reports and current_cells; district totals add
// counts only, and ratios are recomputed from the summed numerators and denominators.
package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Analytics answers questions about one gongkai database.
type Analytics struct {
	db *sql.DB
}

// New returns an Analytics reading db (a DuckDB database with gongkai's schema).
func New(db *sql.DB) *Analytics { return &Analytics{db: db} }

// DB returns the database, for callers that export it.
func (a *Analytics) DB() *sql.DB { return a.db }

// Filter selects reports. The zero Filter selects every current report.
type Filter struct {
	Years    []int  // statistics years; empty: all
	Level    string // township, department, county, city; empty: all
	Search   string // part of the agency's name; empty: all
	AgencyID int    // one agency; 0: all
}

// where returns the SQL condition over the report alias r and its arguments.
func (f Filter) where(r string) (string, []any) {
	conds := []string{"true"}
	var args []any
	if len(f.Years) > 0 {
		ph := make([]string, len(f.Years))
		for i, y := range f.Years {
			ph[i] = "?"
			args = append(args, y)
		}
		conds = append(conds, r+".year IN ("+strings.Join(ph, ",")+")")
	}
	if f.Level != "" {
		conds = append(conds, r+".level = ?")
		args = append(args, f.Level)
	}
	if f.Search != "" {
		conds = append(conds, "contains("+r+".agency, ?)")
		args = append(args, f.Search)
	}
	if f.AgencyID != 0 {
		conds = append(conds, r+".agency_id = ?")
		args = append(args, f.AgencyID)
	}
	return strings.Join(conds, " AND "), args
}

// Grouping says what one row of metric values covers.
type Grouping int

const (
	// ByYear gives one row a year: the district (all selected agencies) summed.
	ByYear Grouping = iota
	// ByAgencyYear gives one row per agency and year.
	ByAgencyYear
)

// DistrictName is the Agency of district rows.
const DistrictName = "全区合计"

// Row is the metric values of one agency (or the district) in one year. A nil value: the
// reports say nothing about it (no report, or the cells unread).
type Row struct {
	AgencyID int                 `json:"agency_id,omitempty"`
	Agency   string              `json:"agency"`
	Level    string              `json:"level,omitempty"`
	Year     int                 `json:"year"`
	Values   map[string]*float64 `json:"values"`
}

// Value returns the metric's value, nil when absent.
func (r Row) Value(name string) *float64 { return r.Values[name] }

// partsSQL is the per-report CTE chain; %s is the filter on current_reports r.
func partsSQL(cond string) string {
	var b strings.Builder
	b.WriteString("WITH pub AS (SELECT report_id")
	for _, ch := range Channels {
		fmt.Fprintf(&b, ", sum(count) FILTER (WHERE channel = '%s') AS %s", ch[0], ch[0])
	}
	b.WriteString(`, sum(count) FILTER (WHERE channel = 'total') AS total,
  sum(count) FILTER (WHERE channel <> 'total') AS channels
  FROM publications GROUP BY report_id),
fnd AS (SELECT report_id, count(*) FILTER (WHERE severity = 'error') AS errors,
  count(*) FILTER (WHERE severity = 'warning') AS warnings FROM findings GROUP BY report_id),
p AS (SELECT r.id AS report_id, r.agency_id, r.agency, r.level, r.year`)
	for _, m := range Metrics {
		if m.Kind == Count {
			fmt.Fprintf(&b, ",\n  (%s)::DOUBLE AS m_%s", m.Part, m.Name)
		}
	}
	fmt.Fprintf(&b, `
  FROM current_reports r LEFT JOIN cells c ON c.report_id = r.id
  LEFT JOIN pub ON pub.report_id = r.id LEFT JOIN fnd ON fnd.report_id = r.id
  WHERE %s
  GROUP BY r.id, r.agency_id, r.agency, r.level, r.year, r.single_other)
`, cond)
	return b.String()
}

// aggSQL is the aggregate of a metric over rows of p.
func aggSQL(m Metric) string {
	if m.Kind == Ratio {
		return fmt.Sprintf("(sum(p.m_%[1]s) FILTER (WHERE p.m_%[2]s IS NOT NULL)) / nullif(sum(p.m_%[2]s) FILTER (WHERE p.m_%[1]s IS NOT NULL), 0)", m.Num, m.Den)
	}
	return fmt.Sprintf("sum(p.m_%s)", m.Name)
}

// MetricSQL returns the query computing every metric for the filter and grouping, with its
// arguments: for documentation, tests and the export of metrics.
func MetricSQL(f Filter, by Grouping) (string, []any) {
	cond, args := f.where("r")
	var b strings.Builder
	b.WriteString(partsSQL(cond))
	keys := "p.year"
	if by == ByAgencyYear {
		keys = "p.agency_id, p.agency, p.level, p.year"
	}
	b.WriteString("SELECT " + keys)
	for _, m := range Metrics {
		fmt.Fprintf(&b, ",\n  (%s)::DOUBLE AS %s", aggSQL(m), m.Name)
	}
	b.WriteString("\nFROM p GROUP BY " + keys + " ORDER BY " + keys)
	return b.String(), args
}

// Values computes every metric for the selected reports, one row a year (ByYear: the
// district, summed) or one row per agency and year (ByAgencyYear).
func (a *Analytics) Values(ctx context.Context, f Filter, by Grouping) ([]Row, error) {
	q, args := MetricSQL(f, by)
	rows, err := a.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		vals := make([]sql.NullFloat64, len(Metrics))
		dest := []any{}
		if by == ByAgencyYear {
			dest = append(dest, &r.AgencyID, &r.Agency, &r.Level)
		}
		dest = append(dest, &r.Year)
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		if by == ByYear {
			r.Agency = DistrictName
		}
		r.Values = make(map[string]*float64, len(Metrics))
		for i, m := range Metrics {
			if vals[i].Valid {
				v := vals[i].Float64
				r.Values[m.Name] = &v
			} else {
				r.Values[m.Name] = nil
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Years returns the statistics years with at least one current report, ascending.
func (a *Analytics) Years(ctx context.Context) ([]int, error) {
	rows, err := a.db.QueryContext(ctx, "SELECT DISTINCT year FROM current_reports ORDER BY year")
	if err != nil {
		return nil, fmt.Errorf("years: %w", err)
	}
	defer rows.Close()
	var ys []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		ys = append(ys, y)
	}
	return ys, rows.Err()
}

// Agency is one organ of the database.
type Agency struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Level    string `json:"level"`
	Expected bool   `json:"expected"` // listed in the registry
	Reports  int    `json:"reports"`  // current reports stored
}

// Agencies returns every organ, by name.
func (a *Analytics) Agencies(ctx context.Context) ([]Agency, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT a.id, a.name, a.level, a.expected,
  (SELECT count(*) FROM current_reports r WHERE r.agency_id = a.id)::BIGINT
  FROM agencies a ORDER BY a.name`)
	if err != nil {
		return nil, fmt.Errorf("agencies: %w", err)
	}
	defer rows.Close()
	var out []Agency
	for rows.Next() {
		var g Agency
		if err := rows.Scan(&g.ID, &g.Name, &g.Level, &g.Expected, &g.Reports); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Agency returns one organ by id.
func (a *Analytics) Agency(ctx context.Context, id int) (Agency, error) {
	var g Agency
	err := a.db.QueryRowContext(ctx, `SELECT a.id, a.name, a.level, a.expected,
  (SELECT count(*) FROM current_reports r WHERE r.agency_id = a.id)::BIGINT
  FROM agencies a WHERE a.id = ?`, id).Scan(&g.ID, &g.Name, &g.Level, &g.Expected, &g.Reports)
	if err != nil {
		return g, fmt.Errorf("agency %d: %w", id, err)
	}
	return g, nil
}
