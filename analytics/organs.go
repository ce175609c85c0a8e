package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/ingest"
)

// The organ lists (各单位 on 总览, the API's agencies table and its downloads) are ordered,
// searched and paged in the database over the per-report rows: Go holds the page asked for
// and the count, never every organ of a year (150,000 in a country).

// OrganQuery asks for the organs of one year, one page of them in an order.
type OrganQuery struct {
	Year int
	// Filter selects the organs by level and by a part of the name (as the pages' search);
	// its years, agencies and InAllYears are ignored.
	Filter Filter
	// Metrics are the metrics the rows hold and may be sorted by; a ratio brings its parts
	// (Row.Why needs the denominator).
	Metrics []string
	// NotReported adds the organs of the registry without a report of the year (未报送),
	// after the others in the default order.
	NotReported bool
	// WithFindings keeps only the organs whose report has findings (errors or warnings).
	WithFindings bool
	// Page: Sort is "agency", "level" (by its Chinese name), "status" (by its words), a
	// metric of Metrics, or "" for the default order (organs with a report by id, then those
	// without by name); a missing value sorts last in either direction; ties keep the
	// default order. Limit 0: every row.
	Page Page
}

// OrganRow is one organ of a year on an organ list. A row without a report has no Values
// (every metric 未报送).
type OrganRow struct {
	Row
	Reported bool
	// Late: published after the deadline of its level (ingest.IsLate).
	Late bool
	// Status and Class are the 状态 of the organ's year in words and its style (OrganStatus).
	Status, Class string
}

// OrganPage is one page of an organ list and how many organs the whole list holds.
type OrganPage struct {
	Total int
	Rows  []OrganRow
}

// OrganStatus is the 状态 of an organ's year on the organ lists and the class pages colour it
// with: 未报送 (missing) without a report, else 已报送 or 有错误 (the report has error
// findings; error), followed by ·迟报 when published after the deadline (warning unless it
// has errors).
func OrganStatus(reported, errors, late bool) (status, class string) {
	if !reported {
		return NotReported, "missing"
	}
	status = "已报送"
	if errors {
		status, class = "有错误", "error"
	}
	if late {
		status += "·迟报"
		if class == "" {
			class = "warning"
		}
	}
	return status, class
}

// statusSQL is OrganStatus's words in SQL over the columns reported, errs and late.
func statusSQL() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, rep := range []bool{false, true} {
		for _, e := range []bool{false, true} {
			for _, l := range []bool{false, true} {
				s, _ := OrganStatus(rep, e, l)
				fmt.Fprintf(&b, " WHEN reported = %t AND errs = %t AND late = %t THEN %s", rep, e, l, sqlString(s))
			}
		}
	}
	b.WriteString(" END")
	return b.String()
}

// levelLabelSQL is ingest.LevelLabel in SQL over the column col.
func levelLabelSQL(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for _, l := range ingest.Levels {
		fmt.Fprintf(&b, " WHEN %s THEN %s", sqlString(l[0]), sqlString(l[1]))
	}
	b.WriteString(" ELSE " + col + " END")
	return b.String()
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// lateOrgans returns the organs whose current report of year was published after the
// deadline of its level: the reports published after the earliest deadline of any level
// are read, and ingest.IsLate decides (as Coverage).
func (a *Analytics) lateOrgans(ctx context.Context, year int) ([]int, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT a.id, a.name, a.level, strftime(r.published, '%Y-%m-%d')
  FROM agencies a JOIN current_reports r ON r.agency_id = a.id
  WHERE r.year = ? AND r.published > `+deadlineSQL("a.level", year)+` ORDER BY a.id`, year)
	if err != nil {
		return nil, fmt.Errorf("late reports %d: %w", year, err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		var name, level, pub string
		if err := rows.Scan(&id, &name, &level, &pub); err != nil {
			return nil, err
		}
		if ingest.IsLate(ingest.LevelOf(name, level), year, pub) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// firstDeadline is the earliest deadline of any level for the reports of year: a report
// published by then is in time whatever its level.
func firstDeadline(year int) time.Time {
	first := time.Time{}
	for _, l := range ingest.Levels {
		if d := ingest.Deadline(l[0], year); first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first
}

// deadlineSQL is, over the level column col, a date no later than the deadline of a report
// of year by an organ of that level (ingest.Deadline): the deadline itself for a known level,
// the earliest of any level for an unknown one (ingest.LevelOf may read it from the name).
// A report published by then is in time; one published later is late or close to it, for
// ingest.IsLate to decide.
func deadlineSQL(col string, year int) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for _, l := range ingest.Levels {
		if l[0] != ingest.LevelUnknown {
			fmt.Fprintf(&b, " WHEN %s THEN DATE '%s'", sqlString(l[0]), ingest.Deadline(l[0], year).Format(time.DateOnly))
		}
	}
	fmt.Fprintf(&b, " ELSE DATE '%s' END", firstDeadline(year).Format(time.DateOnly))
	return b.String()
}

// organMetrics are the metrics of q, with the parts of its ratios.
func (q OrganQuery) organMetrics() []Metric {
	if len(q.Metrics) == 0 {
		return nil
	}
	return Filter{Metrics: q.Metrics}.metrics(ByAgencyYear)
}

// Organs returns one page of the organs of q.Year that q selects, in q's order, and their
// count, ordered and paged in the database.
func (a *Analytics) Organs(ctx context.Context, q OrganQuery) (*OrganPage, error) {
	out := &OrganPage{Rows: []OrganRow{}}
	err := a.EachOrgan(ctx, q, func(total int, r OrganRow) error {
		out.Total = total
		out.Rows = append(out.Rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out.Rows) == 0 && q.Page.Offset > 0 {
		// past the end: say how many there are
		q.Page.Offset, q.Page.Limit = 0, 1
		c, err := a.Organs(ctx, q)
		if err != nil {
			return nil, err
		}
		out.Total = c.Total
	}
	return out, nil
}

// EachOrgan calls fn with each organ of q's page in order (and the count of the whole
// list), row by row as the database gives them: a download of every organ streams.
func (a *Analytics) EachOrgan(ctx context.Context, q OrganQuery, fn func(total int, r OrganRow) error) error {
	late, err := a.lateOrgans(ctx, q.Year)
	if err != nil {
		return err
	}
	metrics := q.organMetrics()
	query, args := organsSQL(q, metrics, late)
	rows, err := a.db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("organs %d: %w", q.Year, err)
	}
	defer rows.Close()
	var r OrganRow
	var total int
	vals := make([]sql.NullFloat64, len(metrics))
	var errs bool
	dest := []any{&r.AgencyID, &r.Agency, &r.Level, &r.Reported, &errs, &r.Late, &total}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	for rows.Next() {
		r = OrganRow{}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("organs %d: %w", q.Year, err)
		}
		r.Year = q.Year
		r.Status, r.Class = OrganStatus(r.Reported, errs, r.Late)
		if r.Reported {
			r.Values = make(map[string]*float64, len(metrics))
			store := make([]float64, len(metrics))
			for i, m := range metrics {
				if vals[i].Valid {
					store[i] = vals[i].Float64
					r.Values[m.Name] = &store[i]
				} else {
					r.Values[m.Name] = nil
				}
			}
		}
		if err := fn(total, r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// organsSQL is the query of Organs: the organs with a report of the year (the sums of
// Values by agency and year), then those of the registry without one, their status, the
// count, in the page's order.
func organsSQL(q OrganQuery, metrics []Metric, late []int) (string, []any) {
	f := Filter{Level: q.Filter.Level, Search: q.Filter.Search, Years: []int{q.Year}}
	cond, args := f.where("r")
	var b strings.Builder
	b.WriteString("WITH p AS (SELECT r.agency_id, r.agency, r.level")
	cols := slices.Clone(metrics)
	for _, name := range []string{"findings_errors", "findings_warnings"} {
		if !slices.ContainsFunc(cols, func(m Metric) bool { return m.Name == name }) {
			m, _ := MetricByName(name)
			cols = append(cols, m)
		}
	}
	for _, m := range countMetrics {
		if slices.ContainsFunc(cols, func(c Metric) bool {
			return c.Name == m.Name || (c.Kind == Ratio && (c.Num == m.Name || c.Den == m.Name))
		}) {
			fmt.Fprintf(&b, ", m.%[1]s AS m_%[1]s", m.Name)
		}
	}
	fmt.Fprintf(&b, "\n  FROM current_reports r JOIN %s m ON m.report_id = r.id WHERE %s),\n", MetricsTable, cond)
	// one report an organ a year: its values are the report's (oneSQL), no grouping
	b.WriteString("g AS (SELECT p.agency_id, p.agency, p.level, true AS reported")
	for _, m := range cols {
		fmt.Fprintf(&b, ",\n  (%s)::DOUBLE AS v_%s", oneSQL(m, "p.m_"), m.Name)
	}
	b.WriteString("\n  FROM p)")
	lateList := "false"
	if len(late) > 0 {
		ids := make([]string, len(late))
		for i, id := range late {
			ids[i] = strconv.Itoa(id)
		}
		lateList = "agency_id IN (" + strings.Join(ids, ",") + ")"
	}
	b.WriteString(",\no AS (SELECT agency_id, agency, level, reported, coalesce(v_findings_errors, 0) > 0 AS errs, " + lateList + " AS late")
	for _, m := range cols {
		fmt.Fprintf(&b, ", v_%s", m.Name)
	}
	b.WriteString(" FROM g")
	if q.WithFindings {
		b.WriteString(" WHERE coalesce(v_findings_errors, 0) > 0 OR coalesce(v_findings_warnings, 0) > 0")
	}
	if q.NotReported {
		b.WriteString("\n  UNION ALL SELECT a.id, a.name, a.level, false, false, false")
		for range cols {
			b.WriteString(", NULL::DOUBLE")
		}
		b.WriteString(" FROM agencies a WHERE a.expected AND NOT EXISTS (SELECT 1 FROM current_reports r WHERE r.agency_id = a.id AND r.year = ?)")
		args = append(args, q.Year)
		if q.Filter.Level != "" {
			b.WriteString(" AND a.level = ?")
			args = append(args, q.Filter.Level)
		}
		if q.Filter.Search != "" {
			b.WriteString(" AND contains(a.name, ?)")
			args = append(args, q.Filter.Search)
		}
	}
	b.WriteString(")\nSELECT agency_id, agency, level, reported, errs, late, count(*) OVER () AS total")
	for _, m := range metrics {
		fmt.Fprintf(&b, ", v_%s", m.Name)
	}
	b.WriteString("\nFROM o ORDER BY ")
	key := ""
	switch s := q.Page.Sort; {
	case s == "agency":
		key = "agency"
	case s == "level":
		key = levelLabelSQL("level")
	case s == "status":
		key = statusSQL()
	case slices.ContainsFunc(metrics, func(m Metric) bool { return m.Name == s }) && slices.Contains(q.Metrics, s):
		key = "v_" + s
	}
	if key != "" {
		dir := "ASC"
		if q.Page.Desc {
			dir = "DESC"
		}
		fmt.Fprintf(&b, "%s %s NULLS LAST, ", key, dir)
	}
	b.WriteString("NOT reported, CASE WHEN reported THEN agency_id END, agency, agency_id")
	if q.Page.Limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d OFFSET %d", q.Page.Limit, max(q.Page.Offset, 0))
	}
	return b.String(), args
}

// AgencyQuery asks for a page of the organs of the database (the 单位 list).
type AgencyQuery struct {
	// Filter selects by level and by a part of the name; the rest is ignored.
	Filter Filter
	// Page: Sort is "agency" (the name), "level" (by its Chinese name), "registry" (in the
	// registry first) or "reports" (current reports stored); "" or another: by name. Ties
	// keep the order by name. Limit 0: every organ.
	Page Page
}

// AgencyList returns one page of the organs q selects, in q's order, and how many it
// selects, ordered and paged in the database.
func (a *Analytics) AgencyList(ctx context.Context, q AgencyQuery) (int, []Agency, error) {
	conds, args := []string{"true"}, []any{}
	if q.Filter.Level != "" {
		conds, args = append(conds, "a.level = ?"), append(args, q.Filter.Level)
	}
	if q.Filter.Search != "" {
		conds, args = append(conds, "contains(a.name, ?)"), append(args, q.Filter.Search)
	}
	key := map[string]string{"level": levelLabelSQL("a.level"), "registry": "NOT a.expected", "reports": "reports"}[q.Page.Sort]
	order := ""
	if key != "" {
		dir := "ASC"
		if q.Page.Desc {
			dir = "DESC"
		}
		order = key + " " + dir + ", "
	} else if q.Page.Sort == "agency" && q.Page.Desc {
		order = "a.name DESC, "
	}
	query := `SELECT a.id, a.name, a.level, a.expected, coalesce(n.reports, 0)::BIGINT AS reports, count(*) OVER ()
  FROM agencies a LEFT JOIN (SELECT agency_id, count(*) AS reports FROM current_reports GROUP BY agency_id) n ON n.agency_id = a.id
  WHERE ` + strings.Join(conds, " AND ") + `
  ORDER BY ` + order + `a.name, a.id`
	if q.Page.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Page.Limit, max(q.Page.Offset, 0))
	}
	rows, err := a.db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, nil, fmt.Errorf("agencies: %w", err)
	}
	defer rows.Close()
	out := []Agency{}
	total := 0
	for rows.Next() {
		var g Agency
		if err := rows.Scan(&g.ID, &g.Name, &g.Level, &g.Expected, &g.Reports, &total); err != nil {
			return 0, nil, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	if len(out) == 0 && q.Page.Offset > 0 {
		q.Page.Offset, q.Page.Limit = 0, 1
		total, _, err = a.AgencyList(ctx, q)
	}
	return total, out, err
}
