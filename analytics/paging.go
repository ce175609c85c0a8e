package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Page selects a window of a long list in an order: what a page shows and what the JSON
// API's limit, offset and sort give.
type Page struct {
	Limit  int    // rows; 0: all
	Offset int    // rows skipped
	Sort   string // change (default), from, to, agency, level (by its Chinese name)
	Desc   bool
}

// Comparison is one metric compared between two years, organ by organ, one page of it.
type Comparison struct {
	From, To int
	Metric   string
	// All: every organ; otherwise only organs with a report in both years (the default).
	All bool
	// Total is how many organs the comparison covers (before paging).
	Total int
	// Rows is the page.
	Rows []Delta
}

// CompareAgencies compares one metric between two years for the organs f selects, one page
// of them in the page's order, in SQL over the per-report rows. Without all, organs lacking a
// report in either year are left out (LeftOut names them). A change needs both values.
func (a *Analytics) CompareAgencies(ctx context.Context, from, to int, metric string, f Filter, all bool, pg Page) (*Comparison, error) {
	m, ok := MetricByName(metric)
	if !ok {
		return nil, fmt.Errorf("compare: unknown metric %q", metric)
	}
	f.Years = []int{from, to}
	cond, args := f.where("r")
	// An organ's value of a year is its one report's (oneSQL); the organs of both years are
	// a join of one year's rows with the other's, without grouping.
	val := func(side string) string { return oneSQL(m, side+".m_") }
	cols := []string{m.Name}
	if m.Kind == Ratio {
		cols = []string{m.Num, m.Den}
	}
	var b strings.Builder
	b.WriteString("WITH p AS (SELECT r.agency_id, r.agency, r.level, r.year")
	for _, c := range cols {
		fmt.Fprintf(&b, ", m.%[1]s AS m_%[1]s", c)
	}
	fmt.Fprintf(&b, " FROM current_reports r JOIN %s m ON m.report_id = r.id WHERE %s),\n", MetricsTable, cond)
	// the denominators of a ratio, for why a value is missing (Delta.FromWhy)
	den := "NULL::DOUBLE AS d_from, NULL::DOUBLE AS d_to"
	if m.Kind == Ratio {
		den = fmt.Sprintf("x.m_%[1]s::DOUBLE AS d_from, y.m_%[1]s::DOUBLE AS d_to", m.Den)
	}
	join := "JOIN" // organs with a report in both years
	if all {
		join = "FULL JOIN"
	}
	// an organ's name and level are those of the later year, as Compare's
	fmt.Fprintf(&b, `a AS (SELECT coalesce(y.agency_id, x.agency_id) AS agency_id, coalesce(y.agency, x.agency) AS agency, coalesce(y.level, x.level) AS level,
  x.agency_id IS NOT NULL AS has_from, y.agency_id IS NOT NULL AS has_to, (%s)::DOUBLE AS v_from, (%s)::DOUBLE AS v_to, %s
  FROM (SELECT * FROM p WHERE year = ?) x %s (SELECT * FROM p WHERE year = ?) y ON y.agency_id = x.agency_id)
SELECT agency_id, agency, level, has_from, has_to, v_from, v_to, v_to - v_from AS change, count(*) OVER () AS total, d_from, d_to
FROM a`, val("x"), val("y"), den, join)
	args = append(args, from, to)

	dir := "ASC"
	if pg.Desc {
		dir = "DESC"
	}
	order := map[string]string{"from": "v_from", "to": "v_to", "agency": "agency", "level": levelLabelSQL("level")}[pg.Sort]
	if order == "" {
		order = "change"
	}
	fmt.Fprintf(&b, " ORDER BY %s %s NULLS LAST, agency", order, dir)
	if pg.Limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d OFFSET %d", pg.Limit, max(pg.Offset, 0))
	}
	rows, err := a.db.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("compare %s: %w", metric, err)
	}
	defer rows.Close()
	out := &Comparison{From: from, To: to, Metric: metric, All: all, Rows: []Delta{}}
	for rows.Next() {
		var d Delta
		var vf, vt, ch, df, dt sql.NullFloat64
		if err := rows.Scan(&d.AgencyID, &d.Agency, &d.Level, &d.FromReported, &d.ToReported, &vf, &vt, &ch, &out.Total, &df, &dt); err != nil {
			return nil, fmt.Errorf("compare %s: %w", metric, err)
		}
		d.Metric = metric
		d.From, d.To, d.Change = ptr(vf), ptr(vt), ptr(ch)
		d.FromWhy, d.ToWhy = whyOf(m, d.From, d.FromReported, ptr(df)), whyOf(m, d.To, d.ToReported, ptr(dt))
		out.Rows = append(out.Rows, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out.Total == 0 && pg.Offset > 0 {
		// past the end: say how many there are
		c, err := a.CompareAgencies(ctx, from, to, metric, f, all, Page{Limit: 1})
		if err != nil {
			return nil, err
		}
		out.Total = c.Total
	}
	return out, nil
}

func ptr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	x := v.Float64
	return &x
}

// LeftOut are the organs f selects with a report in only one of two years: a comparison of
// the organs present in both leaves them out.
type LeftOut struct {
	Count     int      `json:"count"`
	FromCount int      `json:"from_count"` // how many reported in the earlier year only
	ToCount   int      `json:"to_count"`   // how many reported in the later year only
	OnlyFrom  []string `json:"only_from"`  // reported in the earlier year only (up to the limit)
	OnlyTo    []string `json:"only_to"`    // reported in the later year only (up to the limit)
}

// LeftOut lists (up to limit names of each kind) the organs f selects that reported in only
// one of the years from and to.
func (a *Analytics) LeftOut(ctx context.Context, from, to int, f Filter, limit int) (*LeftOut, error) {
	f.Years = []int{from, to}
	f.InAllYears = false
	cond, args := f.where("r")
	// one current report an organ a year: the organs of one year only are the unmatched
	// rows of a join of one year's reports with the other's
	q := `WITH p AS (SELECT agency_id, agency, year FROM current_reports r WHERE ` + cond + `)
SELECT coalesce(x.agency, y.agency) AS agency, x.agency_id IS NOT NULL AS has_from, count(*) OVER () AS n
FROM (SELECT * FROM p WHERE year = ?) x FULL JOIN (SELECT * FROM p WHERE year = ?) y ON y.agency_id = x.agency_id
WHERE x.agency_id IS NULL OR y.agency_id IS NULL ORDER BY agency`
	rows, err := a.db.QueryContext(ctx, q, append(args, from, to)...)
	if err != nil {
		return nil, fmt.Errorf("left out: %w", err)
	}
	defer rows.Close()
	out := &LeftOut{OnlyFrom: []string{}, OnlyTo: []string{}}
	for rows.Next() {
		var name string
		var hasFrom bool
		if err := rows.Scan(&name, &hasFrom, &out.Count); err != nil {
			return nil, err
		}
		if hasFrom {
			out.FromCount++
			if len(out.OnlyFrom) < limit {
				out.OnlyFrom = append(out.OnlyFrom, name)
			}
		} else {
			out.ToCount++
			if len(out.OnlyTo) < limit {
				out.OnlyTo = append(out.OnlyTo, name)
			}
		}
	}
	return out, rows.Err()
}
