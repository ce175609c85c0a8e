package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// District figures are sums, so they are kept summed: once per data version, one query
// over report_metrics gives a few hundred rows, the reports of each (year, level, whether
// the organ also reported the year before, and the year after) added up. The district of
// any year and any level filter, and of a comparison of two consecutive years over the
// organs that reported in both (同比's default), is then a sum of some of those rows in Go:
// no page filter re-reads every report. Ratios stay ratio-of-sums: the numerator and the
// denominator are each summed over the reports where both are known, and divided last.

// aggKey is one group of the district sums.
type aggKey struct {
	year       int
	level      string
	prev, next bool // the organ has a current report in year−1, in year+1
}

// aggPart is the sums of one group: for each metric of Metrics (by index) the sum (a
// Count) or the summed numerator (a Ratio) and its summed denominator (den), nil when no
// report of the group states it; the reports each metric leaves out; those left out for an
// implausible cell.
type aggPart struct {
	reports     int
	sum, den    []*float64
	left        []int
	implausible map[string]int
}

// districtSums is the grouped sums of one data version.
type districtSums struct {
	parts map[aggKey]*aggPart
}

// districtSQL is the query of the grouped sums: one row per group.
func districtSQL() string {
	var b strings.Builder
	// one current report per organ and year (schema 001): the neighbours in year order
	b.WriteString(`WITH r AS (SELECT id, level, year,
    coalesce(lag(year) OVER w = year - 1, false) AS prev, coalesce(lead(year) OVER w = year + 1, false) AS next
  FROM current_reports WINDOW w AS (PARTITION BY agency_id ORDER BY year)),
p AS (SELECT r.level, r.year, r.prev, r.next, m.excluded`)
	for _, m := range countMetrics {
		fmt.Fprintf(&b, ", m.%[1]s AS m_%[1]s", m.Name)
	}
	fmt.Fprintf(&b, `
  FROM r JOIN %s m ON m.report_id = r.id)
SELECT p.year, p.level, p.prev, p.next, count(*)::BIGINT`, MetricsTable)
	for _, m := range Metrics {
		if m.Kind == Ratio {
			fmt.Fprintf(&b, ",\n  (sum(p.m_%[1]s) FILTER (WHERE p.m_%[2]s IS NOT NULL))::DOUBLE, (sum(p.m_%[2]s) FILTER (WHERE p.m_%[1]s IS NOT NULL))::DOUBLE", m.Num, m.Den)
		} else {
			fmt.Fprintf(&b, ",\n  sum(p.m_%[1]s)::DOUBLE, NULL::DOUBLE", m.Name)
		}
	}
	for _, m := range Metrics {
		fmt.Fprintf(&b, ",\n  %s::BIGINT", leftSQL(m))
	}
	b.WriteString(",\n  histogram(p.excluded) FILTER (WHERE p.excluded <> '')::VARCHAR\nFROM p GROUP BY p.year, p.level, p.prev, p.next")
	return b.String()
}

// districtSums returns the grouped sums of the current data version, computing them once
// per version (callers asking meanwhile wait for that one query).
func (a *Analytics) districtSums(ctx context.Context) (*districtSums, error) {
	version, err := a.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	return a.sums.get(version, func() (*districtSums, error) {
		// (not cancelled with the request that started it: the others waiting want the answer)
		rows, err := a.db.QueryContext(context.WithoutCancel(ctx), districtSQL())
		if err != nil {
			return nil, fmt.Errorf("district sums: %w", err)
		}
		defer rows.Close()
		ds := &districtSums{parts: map[aggKey]*aggPart{}}
		n := len(Metrics)
		for rows.Next() {
			var k aggKey
			p := &aggPart{sum: make([]*float64, n), den: make([]*float64, n), left: make([]int, n)}
			sums, dens := make([]sql.NullFloat64, n), make([]sql.NullFloat64, n)
			left := make([]int64, n)
			var hist sql.NullString
			dest := []any{&k.year, &k.level, &k.prev, &k.next, &p.reports}
			for i := range Metrics {
				dest = append(dest, &sums[i], &dens[i])
			}
			for i := range Metrics {
				dest = append(dest, &left[i])
			}
			dest = append(dest, &hist)
			if err := rows.Scan(dest...); err != nil {
				return nil, fmt.Errorf("district sums: %w", err)
			}
			for i := range Metrics {
				p.sum[i], p.den[i], p.left[i] = ptr(sums[i]), ptr(dens[i]), int(left[i])
			}
			p.implausible = implausibleCounts(hist.String)
			ds.parts[k] = p
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("district sums: %w", err)
		}
		return ds, nil
	})
}

// perVersion keeps a value computed once per data version: the callers asking meanwhile
// wait for that one computation, and a computation for an older version than the one kept
// is answered but not kept.
type perVersion[T any] struct {
	mu      sync.Mutex // held while the value is computed
	version int64
	v       *T
}

// get returns the value of version, computing it when not kept.
func (p *perVersion[T]) get(version int64, compute func() (*T, error)) (*T, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.v != nil && p.version == version {
		return p.v, nil
	}
	v, err := compute()
	if err != nil {
		return nil, err
	}
	if p.v == nil || version >= p.version {
		p.v, p.version = v, version
	}
	return v, nil
}

// fromSums says whether the district rows of f can be summed from the grouped sums: no
// search or organ selection, and, when only organs reporting in every year are kept, one
// year or two consecutive ones.
func fromSums(f Filter) bool {
	if f.Search != "" || f.AgencyID != 0 || len(f.AgencyIDs) > 0 {
		return false
	}
	if !f.InAllYears {
		return true
	}
	ys := slices.Sorted(func(yield func(int) bool) {
		for y := range distinct(f.Years) {
			if !yield(y) {
				return
			}
		}
	})
	return len(ys) <= 1 || (len(ys) == 2 && ys[1] == ys[0]+1)
}

// addTo adds y to *x, a missing y changing nothing and a missing *x taking y.
func addTo(x **float64, y *float64) {
	if y == nil {
		return
	}
	if *x == nil {
		v := *y
		*x = &v
		return
	}
	**x += *y
}

// districtRow is the district's row of year from the sums of every metric of Metrics (by
// index; a ratio: its summed numerator, with its summed denominator in den) and the counts
// of reports each left out: a ratio is the ratio of the sums, missing when either is.
func districtRow(year int, sum, den []*float64, left []int) Row {
	r := Row{Agency: DistrictName, Year: year, Values: make(map[string]*float64, len(Metrics)), Left: map[string]int{}}
	for i, m := range Metrics {
		v := sum[i]
		if m.Kind == Ratio {
			v = nil
			if sum[i] != nil && den[i] != nil && *den[i] != 0 {
				q := *sum[i] / *den[i]
				v = &q
			}
		}
		r.Values[m.Name] = v
		if left[i] > 0 {
			r.Left[m.Name] = left[i]
		}
	}
	return r
}

// districtRows sums the district rows of f (fromSums(f) must hold) from ds: one row a
// year with at least one report selected, ascending, as Values(f, ByYear) gives them.
func (ds *districtSums) districtRows(f Filter) []Row {
	want := distinct(f.Years)
	lo, hi := 0, 0 // the pair of consecutive years compared over the same organs
	if f.InAllYears && len(want) == 2 {
		for y := range want {
			if lo == 0 || y < lo {
				lo = y
			}
		}
		hi = lo + 1
	}
	type acc struct {
		reports     int
		sum, den    []*float64
		left        []int
		implausible map[string]int
	}
	n := len(Metrics)
	byYear := map[int]*acc{}
	for k, p := range ds.parts {
		if len(want) > 0 && !want[k.year] || f.Level != "" && k.level != f.Level {
			continue
		}
		if (k.year == lo && !k.next) || (k.year == hi && !k.prev) {
			continue
		}
		a := byYear[k.year]
		if a == nil {
			a = &acc{sum: make([]*float64, n), den: make([]*float64, n), left: make([]int, n), implausible: map[string]int{}}
			byYear[k.year] = a
		}
		a.reports += p.reports
		for i := range Metrics {
			addTo(&a.sum[i], p.sum[i])
			addTo(&a.den[i], p.den[i])
			a.left[i] += p.left[i]
		}
		for m, c := range p.implausible {
			a.implausible[m] += c
		}
	}
	years := make([]int, 0, len(byYear))
	for y, a := range byYear {
		if a.reports > 0 {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	out := make([]Row, 0, len(years))
	for _, y := range years {
		a := byYear[y]
		r := districtRow(y, a.sum, a.den, a.left)
		r.Implausible = a.implausible
		out = append(out, r)
	}
	return out
}
