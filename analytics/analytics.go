// Package analytics computes gongkai's named metrics from the DuckDB database written by
// ingest/store. Every figure the dashboards and exports show is defined here (Metrics) and
// computed in SQL over the views current_reports and current_cells; district totals add
// counts only, and ratios are recomputed from the summed numerators and denominators.
package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gongkai/ingest/store"
)

// distinct returns the distinct values of xs.
func distinct(xs []int) map[int]bool {
	m := map[int]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Analytics answers questions about one gongkai database.
type Analytics struct {
	db      *sql.DB
	version func() int64 // the store's data version in memory; nil: ask the database

	mu       sync.Mutex
	memoedAt int64            // the data version memo holds answers of
	memo     map[string][]Row // Values answers of that version
	memoSize int              // the estimated bytes of memo

	years perVersion[[]int] // Years' answer of the latest version asked (every request's view reads it)
	// kept is the district sums and the paired sums (same organs, same metric), kept up
	// to date by the writes' Changes (changes: the store's, nil without one).
	kept    keptSums
	changes func(since int64) ([]store.Change, bool)
}

// New returns an Analytics reading db (a DuckDB database with gongkai's schema). Its
// DataVersion asks the database; NewStore's is read from memory.
func New(db *sql.DB) *Analytics { return &Analytics{db: db} }

// NewStore returns an Analytics over the store d that this process writes through: its
// DataVersion is d's in-memory count, so cached answers are served without a query. Its
// district sums follow the store's writes (store.DB.KeepChanges) instead of being summed
// again from every report after each.
func NewStore(d *store.DB) *Analytics {
	d.KeepChanges()
	return &Analytics{db: d.SQL(), version: d.DataVersion, changes: d.ChangesSince}
}

// DB returns the database, for callers that export it.
func (a *Analytics) DB() *sql.DB { return a.db }

// Filter selects reports. The zero Filter selects every current report.
type Filter struct {
	Years    []int  // statistics years; empty: all
	Level    string // township, department, county, city; empty: all
	Search   string // part of the agency's name; empty: all
	AgencyID int    // one agency; 0: all
	// AgencyIDs selects these agencies only (a heatmap's page of organs); empty: all.
	AgencyIDs []int
	// InAllYears keeps only organs with a current report in every year of Years, so that a
	// comparison of years compares the same organs (同比 by default).
	InAllYears bool
	// Metrics, when not empty, are the only metrics an organ-by-organ answer (ByAgencyYear)
	// computes: its rows' Values hold these names alone, so a caller must ask for every
	// metric it reads. A table of 150,000 organs showing nine metrics then reads nine
	// columns, not all of them. Empty: every metric. District rows always hold every metric.
	Metrics []string
}

// metrics are the metrics the filter asks for with this grouping (every one when f.Metrics
// is empty, and for district rows); unknown names are ignored.
func (f Filter) metrics(by Grouping) []Metric {
	if len(f.Metrics) == 0 || by == ByYear {
		return Metrics
	}
	var out []Metric
	for _, m := range Metrics {
		if slices.Contains(f.Metrics, m.Name) {
			out = append(out, m)
		}
	}
	// a ratio asked for brings its parts: Row.Why needs the denominator
	for _, m := range out {
		if m.Kind != Ratio {
			continue
		}
		for _, part := range []string{m.Num, m.Den} {
			if !slices.ContainsFunc(out, func(x Metric) bool { return x.Name == part }) {
				p, _ := MetricByName(part)
				out = append(out, p)
			}
		}
	}
	return out
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
	if len(f.AgencyIDs) > 0 {
		ids := make([]string, len(f.AgencyIDs))
		for i, id := range f.AgencyIDs {
			ids[i] = strconv.Itoa(id)
		}
		conds = append(conds, r+".agency_id IN ("+strings.Join(ids, ",")+")")
	}
	if f.InAllYears && len(f.Years) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.Years)), ",")
		conds = append(conds, r+".agency_id IN (SELECT agency_id FROM current_reports WHERE year IN ("+ph+
			") GROUP BY agency_id HAVING count(DISTINCT year) = ?)")
		for _, y := range f.Years {
			args = append(args, y)
		}
		args = append(args, len(distinct(f.Years)))
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
	// Left (district rows only) counts, per metric, the reports of the year that did not
	// enter its sum: the value unread or not stated (a ratio: either part), or left out for
	// an implausible cell. Implausible counts the latter alone.
	Left        map[string]int `json:"left,omitempty"`
	Implausible map[string]int `json:"implausible,omitempty"`
}

// Value returns the metric's value, nil when absent.
func (r Row) Value(name string) *float64 { return r.Values[name] }

// oneSQL is aggSQL over one report: a metric's value for one organ and one year, whose
// columns are named prefix+name. The store keeps one current report an organ a year, so an
// organ's sums of a year are its report's values: a sum over one row is that value (NULL
// when NULL), a ratio of parts summed where both are known is num / den (NULL when either
// is). Organ-by-organ queries read it instead of grouping (risksSQL, CompareAgencies, Organs).
func oneSQL(m Metric, prefix string) string {
	if m.Kind == Ratio {
		return fmt.Sprintf("%[3]s%[1]s / nullif(%[3]s%[2]s, 0)", m.Num, m.Den, prefix)
	}
	return prefix + m.Name
}

// sumIf is sum(x) over the rows where cond holds, as sum(x) FILTER (WHERE cond) (NULL when
// no row counts), written as a CASE in the aggregate's input: DuckDB's grouped aggregation
// goes over the hash table once more for every FILTER, and the paired sums' ~270 of them
// took 6–9 s of CPU a pair of years at 750,000 reports.
func sumIf(x, cond string) string { return fmt.Sprintf("sum(CASE WHEN %s THEN %s END)", cond, x) }

// countIf is count(*) FILTER (WHERE cond), as sumIf.
func countIf(cond string) string { return fmt.Sprintf("count(CASE WHEN %s THEN 1 END)", cond) }

// aggSQL is the aggregate of a metric over rows of p.
func aggSQL(m Metric) string {
	if m.Kind == Ratio {
		num, den := "p.m_"+m.Num, "p.m_"+m.Den
		return fmt.Sprintf("(%s) / nullif(%s, 0)", sumIf(num, den+" IS NOT NULL"), sumIf(den, num+" IS NOT NULL"))
	}
	return fmt.Sprintf("sum(p.m_%s)", m.Name)
}

// leftSQL counts the reports of p that a metric's sum leaves out (the implausible ones are
// counted from p.excluded, see Values).
func leftSQL(m Metric) string {
	if m.Kind == Ratio {
		return countIf(fmt.Sprintf("p.m_%s IS NULL OR p.m_%s IS NULL", m.Num, m.Den))
	}
	return fmt.Sprintf("count(*) - count(p.m_%s)", m.Name)
}

// groupedSQL aggregates the per-report rows p (agency_id, agency, level, year, m_<metric>…,
// excluded) by the grouping.
func groupedSQL(with string, by Grouping, metrics []Metric) string {
	var b strings.Builder
	b.WriteString(with)
	keys := "p.year"
	if by == ByAgencyYear {
		keys = "p.agency_id, p.agency, p.level, p.year"
	}
	b.WriteString("SELECT " + keys)
	for _, m := range metrics {
		fmt.Fprintf(&b, ",\n  (%s)::DOUBLE AS %s", aggSQL(m), m.Name)
	}
	if by == ByYear {
		for _, m := range metrics {
			fmt.Fprintf(&b, ",\n  %s::BIGINT", leftSQL(m))
		}
		// the distinct lists of implausible metrics with their counts, to be split in Go
		b.WriteString(",\n  histogram(p.excluded) FILTER (WHERE p.excluded <> '')::VARCHAR")
	}
	b.WriteString("\nFROM p GROUP BY " + keys + " ORDER BY " + keys)
	return b.String()
}

// implausibleCounts reads DuckDB's histogram of excluded lists ({,fees,=2, ,fees,licensing,=1})
// into reports left out per metric, ratios counting either part.
func implausibleCounts(hist string) map[string]int {
	out := map[string]int{}
	hist = strings.TrimSuffix(strings.TrimPrefix(hist, "{"), "}")
	if hist == "" {
		return out
	}
	for _, kv := range strings.Split(hist, ", ") {
		i := strings.LastIndex(kv, "=")
		if i < 0 {
			continue
		}
		n, err := strconv.Atoi(kv[i+1:])
		if err != nil {
			continue
		}
		names := map[string]bool{}
		for _, name := range strings.Split(strings.Trim(kv[:i], ","), ",") {
			names[name] = true
		}
		for _, m := range Metrics {
			if names[m.Name] || (m.Kind == Ratio && (names[m.Num] || names[m.Den])) {
				out[m.Name] += n
			}
		}
	}
	return out
}

// MetricSQL returns the query computing every metric for the filter and grouping from the
// per-report rows of report_metrics, with its arguments: for documentation, tests and the
// export of metrics.
func MetricSQL(f Filter, by Grouping) (string, []any) { return metricSQLFrom(MetricsTable, f, by) }

// metricSQLFrom is MetricSQL over another table of per-report rows of the same columns.
func metricSQLFrom(table string, f Filter, by Grouping) (string, []any) {
	cond, args := f.where("r")
	var b strings.Builder
	b.WriteString("WITH p AS (SELECT r.agency_id, r.agency, r.level, r.year, m.excluded")
	for _, m := range countMetrics {
		fmt.Fprintf(&b, ", m.%[1]s AS m_%[1]s", m.Name)
	}
	fmt.Fprintf(&b, "\n  FROM current_reports r JOIN %s m ON m.report_id = r.id\n  WHERE %s)\n", table, cond)
	return groupedSQL(b.String(), by, f.metrics(by)), args
}

// DirectSQL is MetricSQL computed directly from the long cells table instead of the stored
// per-report rows: slow, for tests that check the stored rows against it.
func DirectSQL(f Filter, by Grouping) (string, []any) {
	cond, args := f.where("r")
	var b strings.Builder
	b.WriteString("WITH d AS (" + directRowsSQL("current_reports", cond) + "),\n")
	b.WriteString("p AS (SELECT r.agency_id, r.agency, r.level, r.year, d.excluded")
	for _, m := range countMetrics {
		fmt.Fprintf(&b, ", d.%[1]s AS m_%[1]s", m.Name)
	}
	b.WriteString("\n  FROM current_reports r JOIN d ON d.report_id = r.id)\n")
	return groupedSQL(b.String(), by, f.metrics(by)), args
}

// Values computes every metric for the selected reports, one row a year (ByYear: the
// district, summed) or one row per agency and year (ByAgencyYear), from the stored
// per-report rows.
//
// Answers are kept until the data version moves (pages ask for the same figures many times);
// callers must not change the rows they get.
func (a *Analytics) Values(ctx context.Context, f Filter, by Grouping) ([]Row, error) {
	version, err := a.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	if by == ByYear {
		f.Metrics = nil // district rows hold every metric (the key says so)
	}
	key := fmt.Sprintf("%+v|%d", f, by)
	a.mu.Lock()
	if a.memoedAt == version {
		if rows, ok := a.memo[key]; ok {
			a.mu.Unlock()
			return rows, nil
		}
	}
	a.mu.Unlock()
	if by == ByYear && fromSums(f) {
		s, err := a.sumsOf(ctx)
		if err != nil {
			return nil, err
		}
		return s.district.districtRows(f), nil // (a sum of a few hundred rows: not worth keeping)
	}
	q, args := MetricSQL(f, by)
	rows, err := a.values(ctx, q, args, by, f.metrics(by))
	if err != nil {
		return nil, err
	}
	size := len(rows) * rowBytes
	if size > maxMemoBytes/8 {
		return rows, nil // an organ-by-organ answer of a whole year: computed again when asked
	}
	a.mu.Lock()
	if version > a.memoedAt || a.memo == nil || len(a.memo) >= maxMemo || a.memoSize+size > maxMemoBytes {
		a.memoedAt, a.memo, a.memoSize = version, map[string][]Row{}, 0
	}
	if version == a.memoedAt { // (an answer of an older version is not kept)
		a.memo[key] = rows
		a.memoSize += size
	}
	a.mu.Unlock()
	return rows, nil
}

// maxMemo bounds the Values answers kept, and maxMemoBytes their estimated size: a row
// holds a map of every metric (rowBytes: one year organ by organ at 20,000 organs took 45 MB
// of Go heap). At 150,000 organs that year is ~350 MB, more than the whole memo may hold.
const (
	maxMemo      = 512
	maxMemoBytes = 64 << 20
	rowBytes     = 2300
)

// ValuesDirect is Values computed from the cells (DirectSQL), for tests.
func (a *Analytics) ValuesDirect(ctx context.Context, f Filter, by Grouping) ([]Row, error) {
	q, args := DirectSQL(f, by)
	return a.values(ctx, q, args, by, f.metrics(by))
}

func (a *Analytics) values(ctx context.Context, q string, args []any, by Grouping, metrics []Metric) ([]Row, error) {
	rows, err := a.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer rows.Close()
	var out []Row
	// one set of scan targets for every row (a year organ by organ is 150,000 rows)
	var r Row
	vals := make([]sql.NullFloat64, len(metrics))
	left := make([]int64, len(metrics))
	var hist sql.NullString
	dest := []any{}
	if by == ByAgencyYear {
		dest = append(dest, &r.AgencyID, &r.Agency, &r.Level)
	}
	dest = append(dest, &r.Year)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if by == ByYear {
		for i := range metrics {
			dest = append(dest, &left[i])
		}
		dest = append(dest, &hist)
	}
	for rows.Next() {
		r = Row{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		if by == ByYear {
			r.Agency = DistrictName
			r.Left, r.Implausible = map[string]int{}, implausibleCounts(hist.String)
			for i, m := range metrics {
				if left[i] > 0 {
					r.Left[m.Name] = int(left[i])
				}
			}
		}
		r.Values = make(map[string]*float64, len(metrics))
		store := make([]float64, len(metrics)) // the row's values, one allocation
		for i, m := range metrics {
			if vals[i].Valid {
				store[i] = vals[i].Float64
				r.Values[m.Name] = &store[i]
			} else {
				r.Values[m.Name] = nil
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Years returns the statistics years with at least one current report, ascending. The
// answer is kept until the data version moves (every page asks); callers must not change it.
func (a *Analytics) Years(ctx context.Context) ([]int, error) {
	version, err := a.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	ys, err := a.years.get(version, func() (*[]int, error) {
		// (not cancelled with the request that started it: the others waiting want the answer)
		ys, err := a.queryYears(context.WithoutCancel(ctx))
		return &ys, err
	})
	if err != nil {
		return nil, err
	}
	return *ys, nil
}

// yearsSQL gives the statistics years with at least one current report, ascending.
const yearsSQL = `SELECT DISTINCT year FROM current_reports ORDER BY year`

func (a *Analytics) queryYears(ctx context.Context) ([]int, error) {
	ys, err := queryInts(ctx, a.db, yearsSQL)
	if err != nil {
		return nil, fmt.Errorf("years: %w", err)
	}
	if ys == nil {
		ys = []int{} // no year: an empty list, not null, in the API
	}
	return ys, nil
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
