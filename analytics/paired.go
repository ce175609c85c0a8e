package analytics

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A district change compares like with like: by default (Filter.InAllYears) the district
// figures of the two years beside a change are sums over the same organs, and for each
// metric only over the organs whose value (a ratio: numerator and denominator) is known in
// both years — an organ that stated 主动公开 in one year only is left out of that metric in
// both, and counted (Row.Left of the paired rows, Delta.Unpaired). For consecutive years the
// sums are computed once per data version by one query joining each organ's report of a
// year with its report of the next, grouped by (year, level of each); other pairs (and
// searches, organ selections) ask the same query with their filter.

// pairKey is one group of the paired sums: the earlier year and the organ's level in each.
type pairKey struct {
	year          int
	level, level2 string
}

// pairPart is the sums of one group: per metric of Metrics the earlier and the later
// year's sum (a ratio: its numerator) and for a ratio the denominators, over the organs
// whose value is known in both years; left counts the organs of the group left out.
type pairPart struct {
	pairs                    int // organs of the group (reports in both years)
	from, to, fromDen, toDen []*float64
	left                     []int
}

// pairedSums is the paired sums of consecutive years of one data version.
type pairedSums struct {
	parts map[pairKey]*pairPart
}

// pairedSQL is the query of the paired sums: cond selects the reports (over alias r), join
// pairs a report a with the same organ's report b. p is not materialized: each side is read
// with its own year's condition and only one side is held (the join's build side), not the
// rows of every year twice (at 750,000 reports, ~400 MB held for the first sums).
func pairedSQL(cond, join string) string {
	var b strings.Builder
	b.WriteString("WITH p AS NOT MATERIALIZED (SELECT r.agency_id, r.level, r.year")
	for _, m := range countMetrics {
		fmt.Fprintf(&b, ", m.%[1]s AS m_%[1]s", m.Name)
	}
	fmt.Fprintf(&b, "\n  FROM current_reports r JOIN %s m ON m.report_id = r.id WHERE %s)\nSELECT a.year, a.level, b.level, count(*)::BIGINT", MetricsTable, cond)
	for _, m := range Metrics {
		both := fmt.Sprintf("a.m_%[1]s IS NOT NULL AND b.m_%[1]s IS NOT NULL", m.Name)
		if m.Kind == Ratio {
			both = fmt.Sprintf("a.m_%[1]s IS NOT NULL AND b.m_%[1]s IS NOT NULL AND a.m_%[2]s IS NOT NULL AND b.m_%[2]s IS NOT NULL", m.Num, m.Den)
			fmt.Fprintf(&b, ",\n  (%s)::DOUBLE, (%s)::DOUBLE, (%s)::DOUBLE, (%s)::DOUBLE",
				sumIf("a.m_"+m.Num, both), sumIf("b.m_"+m.Num, both), sumIf("a.m_"+m.Den, both), sumIf("b.m_"+m.Den, both))
		} else {
			fmt.Fprintf(&b, ",\n  (%s)::DOUBLE, (%s)::DOUBLE, NULL::DOUBLE, NULL::DOUBLE", sumIf("a.m_"+m.Name, both), sumIf("b.m_"+m.Name, both))
		}
		fmt.Fprintf(&b, ", (%s)::BIGINT", countIf("NOT ("+both+")"))
	}
	fmt.Fprintf(&b, "\nFROM p a JOIN p b ON b.agency_id = a.agency_id AND %s\nGROUP BY a.year, a.level, b.level", join)
	return b.String()
}

// scanPaired reads the rows of pairedSQL.
func scanPaired(rows *sql.Rows) (map[pairKey]*pairPart, error) {
	defer rows.Close()
	n := len(Metrics)
	parts := map[pairKey]*pairPart{}
	for rows.Next() {
		var k pairKey
		vals := make([]sql.NullFloat64, 4*n)
		left := make([]int64, n)
		var pairs int64
		dest := []any{&k.year, &k.level, &k.level2, &pairs}
		for i := range Metrics {
			dest = append(dest, &vals[4*i], &vals[4*i+1], &vals[4*i+2], &vals[4*i+3], &left[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("paired sums: %w", err)
		}
		p := &pairPart{pairs: int(pairs), from: make([]*float64, n), to: make([]*float64, n), fromDen: make([]*float64, n), toDen: make([]*float64, n), left: make([]int, n)}
		for i := range Metrics {
			p.from[i], p.to[i], p.fromDen[i], p.toDen[i] = ptr(vals[4*i]), ptr(vals[4*i+1]), ptr(vals[4*i+2]), ptr(vals[4*i+3])
			p.left[i] = int(left[i])
		}
		parts[k] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("paired sums: %w", err)
	}
	return parts, nil
}

// pairedSumsOf returns the paired sums of consecutive years of the current data version
// (kept with the district sums: sumsOf).
func (a *Analytics) pairedSumsOf(ctx context.Context) (*pairedSums, error) {
	s, err := a.sumsOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.paired, nil
}

// PairedDistrict is the district of from and to over the same organs, metric by metric:
// for each metric the sums over the organs f selects whose value (a ratio: numerator and
// denominator) is known in both years; Left counts, per metric, the organs with reports in
// both years left out because the value is not known in both. No row when no organ has
// reports in both years. f.Years and f.InAllYears are ignored.
func (a *Analytics) PairedDistrict(ctx context.Context, from, to int, f Filter) ([]Row, error) {
	var parts map[pairKey]*pairPart
	if to == from+1 && f.Search == "" && f.AgencyID == 0 && len(f.AgencyIDs) == 0 {
		ps, err := a.pairedSumsOf(ctx)
		if err != nil {
			return nil, err
		}
		parts = ps.parts
	} else {
		g := f
		g.Years, g.InAllYears, g.Level = nil, false, ""
		cond, args := g.where("r")
		rows, err := a.db.QueryContext(ctx, pairedSQL(cond+" AND r.year IN (?, ?)", "a.year = ? AND b.year = ?"), append(args, from, to, from, to)...)
		if err != nil {
			return nil, fmt.Errorf("paired sums %d–%d: %w", from, to, err)
		}
		if parts, err = scanPaired(rows); err != nil {
			return nil, err
		}
	}
	n := len(Metrics)
	sum, den := [2][]*float64{make([]*float64, n), make([]*float64, n)}, [2][]*float64{make([]*float64, n), make([]*float64, n)}
	left := make([]int, n)
	found := false
	// the groups in one order, so that the same sums always add up to the same last digit
	keys := slices.SortedFunc(maps.Keys(parts), func(x, y pairKey) int {
		return cmp.Or(cmp.Compare(x.year, y.year), strings.Compare(x.level, y.level), strings.Compare(x.level2, y.level2))
	})
	for _, k := range keys {
		p := parts[k]
		if k.year != from || f.Level != "" && (k.level != f.Level || k.level2 != f.Level) {
			continue
		}
		found = true
		for i := range Metrics {
			addTo(&sum[0][i], p.from[i])
			addTo(&sum[1][i], p.to[i])
			addTo(&den[0][i], p.fromDen[i])
			addTo(&den[1][i], p.toDen[i])
			left[i] += p.left[i]
		}
	}
	if !found {
		return nil, nil
	}
	return []Row{districtRow(from, sum[0], den[0], left), districtRow(to, sum[1], den[1], left)}, nil
}
