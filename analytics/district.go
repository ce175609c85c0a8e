package analytics

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gongkai/ingest/store"
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
			num, den := "p.m_"+m.Num, "p.m_"+m.Den
			fmt.Fprintf(&b, ",\n  (%s)::DOUBLE, (%s)::DOUBLE", sumIf(num, den+" IS NOT NULL"), sumIf(den, num+" IS NOT NULL"))
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

// scanDistrict reads the rows of districtSQL.
func scanDistrict(rows *sql.Rows) (*districtSums, error) {
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
}

// sumsAt is the district sums and the paired sums of one snapshot of the data.
type sumsAt struct {
	version  int64 // the data version of the snapshot (data_version as it read it)
	district *districtSums
	paired   *pairedSums
}

// keptSums holds the sums of the latest snapshot computed; mu is held while they are
// brought up to date (callers asking meanwhile wait for that one computation).
type keptSums struct {
	mu   sync.Mutex
	cur  *sumsAt
	full int // times summed from every report (for tests)
}

// sumsOf returns the district sums and the paired sums of the current data version (or a
// later one). After a write they are adjusted by the reports the write touched (advance,
// from the store's Changes); only without Changes (no store, a reader too far behind)
// are they summed again from every report. Each is read in one transaction together with
// data_version, so that the sums and their version are of the same snapshot.
func (a *Analytics) sumsOf(ctx context.Context) (*sumsAt, error) {
	version, err := a.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	k := &a.kept
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cur != nil && k.cur.version >= version {
		return k.cur, nil
	}
	// (not cancelled with the request that started it: the others waiting want the answer)
	ctx = context.WithoutCancel(ctx)
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("district sums: %w", err)
	}
	defer tx.Rollback()
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM data_version`).Scan(&v); err != nil {
		return nil, fmt.Errorf("district sums: data version: %w", err)
	}
	var s *sumsAt
	if old := k.cur; old != nil && v == old.version {
		s = old
	} else if old != nil && v > old.version && a.changes != nil {
		if cs, ok := a.changes(old.version); ok && int64(len(cs)) >= v-old.version && cs[0].Version == old.version+1 {
			if s, err = advance(ctx, tx, old, cs[:v-old.version], v); err != nil {
				return nil, err
			}
		}
	}
	if s == nil {
		if s, err = fullSums(ctx, tx, v); err != nil {
			return nil, err
		}
		k.full++
	}
	k.cur = s
	return s, nil
}

// fullSums computes the sums of the snapshot of tx (data version v) from every report.
func fullSums(ctx context.Context, tx *sql.Tx, v int64) (*sumsAt, error) {
	rows, err := tx.QueryContext(ctx, districtSQL())
	if err != nil {
		return nil, fmt.Errorf("district sums: %w", err)
	}
	ds, err := scanDistrict(rows)
	if err != nil {
		return nil, err
	}
	// the paired sums one pair of consecutive years at a time: a join holds one year's rows
	years, err := queryInts(ctx, tx, yearsSQL) // of tx's snapshot, not Years' memo
	if err != nil {
		return nil, fmt.Errorf("paired sums: %w", err)
	}
	parts := map[pairKey]*pairPart{}
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1]+1 {
			continue
		}
		rows, err := tx.QueryContext(ctx, pairedSQL("r.year IN (?, ?)", "a.year = ? AND b.year = ?"), years[i-1], years[i], years[i-1], years[i])
		if err != nil {
			return nil, fmt.Errorf("paired sums %d–%d: %w", years[i-1], years[i], err)
		}
		ps, err := scanPaired(rows)
		if err != nil {
			return nil, err
		}
		maps.Copy(parts, ps)
	}
	return &sumsAt{version: v, district: ds, paired: &pairedSums{parts: parts}}, nil
}

// maxAdvance is the most reports a step of advance reads: past it, summing every report
// again costs no more.
const maxAdvance = 20000

// metricRow is one report's row of report_metrics as the sums read it.
type metricRow struct {
	year     int
	level    string
	v        []float64 // by countMetrics index
	ok       []bool    // v[i] is known
	excluded string
}

// countIndex is the index of each Count metric in countMetrics.
var countIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range countMetrics {
		m[c.Name] = i
	}
	return m
}()

// advance brings old up to the snapshot of tx (data version v) by the Changes cs of the
// writes between: the organs whose reports the writes made current, demoted or refreshed
// are taken out of the sums as they were (every report of theirs current at old's version,
// each in its group of year, level and neighbours) and put back as they are now, so that
// an organ whose new report fills the year between two others moves those two to other
// groups too. nil (no error): too many reports changed, sum them all again.
func advance(ctx context.Context, tx *sql.Tx, old *sumsAt, cs []store.Change, v int64) (*sumsAt, error) {
	made, demoted := map[int64]bool{}, map[int64]bool{}
	before := map[int64][]any{} // a refreshed report's row as it was at old's version
	for _, c := range cs {
		for _, id := range c.Current {
			made[id] = true
		}
		for _, id := range c.Demoted {
			if made[id] {
				delete(made, id) // current and replaced between the two versions: never counted
			} else {
				demoted[id] = true
			}
		}
		for i, id := range c.Refreshed {
			if _, seen := before[id]; !seen && !made[id] {
				before[id] = c.Before[i]
			}
		}
	}
	touched := make([]int64, 0, len(made)+len(demoted)+len(before))
	for _, set := range []map[int64]bool{made, demoted} {
		for id := range set {
			touched = append(touched, id)
		}
	}
	for id := range before {
		touched = append(touched, id)
	}
	if len(touched) == 0 {
		return &sumsAt{version: v, district: old.district, paired: old.paired}, nil
	}
	if len(touched) > maxAdvance {
		return nil, nil
	}
	// the organs concerned, and every report of theirs current then or now
	agencies, err := queryInts(ctx, tx, `SELECT DISTINCT agency_id FROM reports WHERE id IN (`+idList(touched)+`)`)
	if err != nil {
		return nil, fmt.Errorf("district sums: %w", err)
	}
	if len(agencies) == 0 {
		return &sumsAt{version: v, district: old.district, paired: old.paired}, nil
	}
	cond := "current"
	if len(demoted) > 0 {
		ids := make([]int64, 0, len(demoted))
		for id := range demoted {
			ids = append(ids, id)
		}
		cond = "(current OR id IN (" + idList(ids) + "))"
	}
	type rep struct {
		id, agency int64
		year       int
		level      string
		current    bool
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, agency_id, year, level, current FROM reports WHERE agency_id IN (`+idList(agencies)+`) AND `+cond)
	if err != nil {
		return nil, fmt.Errorf("district sums: %w", err)
	}
	var reps []rep
	for rows.Next() {
		var r rep
		if err := rows.Scan(&r.id, &r.agency, &r.year, &r.level, &r.current); err != nil {
			rows.Close()
			return nil, fmt.Errorf("district sums: %w", err)
		}
		reps = append(reps, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("district sums: %w", err)
	}
	if len(reps) > maxAdvance {
		return nil, nil
	}
	ids := make([]int64, len(reps))
	for i, r := range reps {
		ids[i] = r.id
	}
	values := map[int64]metricRow{}
	if len(ids) > 0 {
		rows, err = tx.QueryContext(ctx, `SELECT report_id, `+strings.Join(derivedColumns, ", ")+` FROM `+MetricsTable+` WHERE report_id IN (`+idList(ids)+`)`)
		if err != nil {
			return nil, fmt.Errorf("district sums: %w", err)
		}
		n := len(countMetrics)
		vals := make([]sql.NullFloat64, n)
		var id int64
		var excl string
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		dest = append(dest, &excl)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("district sums: %w", err)
			}
			m := metricRow{v: make([]float64, n), ok: make([]bool, n), excluded: excl}
			for i, x := range vals {
				m.v[i], m.ok[i] = x.Float64, x.Valid
			}
			values[id] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("district sums: %w", err)
		}
	}
	// each organ's reports then and now, by year
	then, now := map[int64]map[int]metricRow{}, map[int64]map[int]metricRow{}
	put := func(in map[int64]map[int]metricRow, r rep, m metricRow) {
		if in[r.agency] == nil {
			in[r.agency] = map[int]metricRow{}
		}
		m.year, m.level = r.year, r.level
		in[r.agency][r.year] = m
	}
	for _, r := range reps {
		m, ok := values[r.id]
		if !ok {
			continue // (no metrics row: not in the sums' join either)
		}
		if r.current {
			put(now, r, m)
		}
		if (r.current && !made[r.id]) || demoted[r.id] {
			if b, ok := before[r.id]; ok {
				m = rowOf(b)
			}
			put(then, r, m)
		}
	}
	next := newSumsEdit(old)
	for _, ag := range agencies {
		next.organ(then[int64(ag)], -1)
		next.organ(now[int64(ag)], +1)
	}
	return next.done(v), nil
}

// rowOf reads a derived row as the store hands it (Derivation.Columns order).
func rowOf(b []any) metricRow {
	n := len(countMetrics)
	m := metricRow{v: make([]float64, n), ok: make([]bool, n)}
	for i := range n {
		if i < len(b) {
			if x, ok := b[i].(float64); ok {
				m.v[i], m.ok[i] = x, true
			}
		}
	}
	if len(b) > n {
		m.excluded, _ = b[n].(string)
	}
	return m
}

// idList is ids as an SQL list.
func idList[T int | int64](ids []T) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(id), 10))
	}
	return b.String()
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryInts runs q, which gives one integer column.
func queryInts(ctx context.Context, db querier, q string) ([]int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// sumsEdit is a copy of some sums being adjusted: a group is copied the first time it
// changes (the old sums stay as they were for whoever reads them).
type sumsEdit struct {
	old      *sumsAt
	district map[aggKey]*aggPart
	paired   map[pairKey]*pairPart
	dcopied  map[aggKey]bool
	pcopied  map[pairKey]bool
}

func newSumsEdit(old *sumsAt) *sumsEdit {
	return &sumsEdit{old: old, district: maps.Clone(old.district.parts), paired: maps.Clone(old.paired.parts),
		dcopied: map[aggKey]bool{}, pcopied: map[pairKey]bool{}}
}

// copyFloats copies xs and the values they point to.
func copyFloats(xs []*float64) []*float64 {
	out := make([]*float64, len(xs))
	for i, x := range xs {
		if x != nil {
			v := *x
			out[i] = &v
		}
	}
	return out
}

// part returns the group k's sums to change.
func (e *sumsEdit) part(k aggKey) *aggPart {
	p := e.district[k]
	if e.dcopied[k] {
		return p
	}
	n := len(Metrics)
	if p == nil {
		p = &aggPart{sum: make([]*float64, n), den: make([]*float64, n), left: make([]int, n), implausible: map[string]int{}}
	} else {
		p = &aggPart{reports: p.reports, sum: copyFloats(p.sum), den: copyFloats(p.den), left: slices.Clone(p.left), implausible: maps.Clone(p.implausible)}
		if p.implausible == nil {
			p.implausible = map[string]int{}
		}
	}
	e.district[k], e.dcopied[k] = p, true
	return p
}

// pair returns the paired group k's sums to change.
func (e *sumsEdit) pair(k pairKey) *pairPart {
	p := e.paired[k]
	if e.pcopied[k] {
		return p
	}
	n := len(Metrics)
	if p == nil {
		p = &pairPart{from: make([]*float64, n), to: make([]*float64, n), fromDen: make([]*float64, n), toDen: make([]*float64, n), left: make([]int, n)}
	} else {
		p = &pairPart{pairs: p.pairs, from: copyFloats(p.from), to: copyFloats(p.to), fromDen: copyFloats(p.fromDen), toDen: copyFloats(p.toDen), left: slices.Clone(p.left)}
	}
	e.paired[k], e.pcopied[k] = p, true
	return p
}

// addScaled adds s·y to *x (allocating it when nil).
func addScaled(x **float64, y, s float64) {
	if *x == nil {
		*x = new(float64)
	}
	**x += s * y
}

// parts returns the values of metric m in r (a ratio: numerator and denominator) and
// whether the sums count them (every part known).
func (r metricRow) parts(m Metric) (num, den float64, known bool) {
	if m.Kind == Ratio {
		i, j := countIndex[m.Num], countIndex[m.Den]
		return r.v[i], r.v[j], r.ok[i] && r.ok[j]
	}
	i := countIndex[m.Name]
	return r.v[i], 0, r.ok[i]
}

// organ adds (s = +1) or takes out (s = −1) one organ's reports, by year, from the sums:
// each report in its group of year, level and neighbours, each pair of consecutive years in
// the paired sums. As districtSQL and pairedSQL sum them.
func (e *sumsEdit) organ(reps map[int]metricRow, s int) {
	f := float64(s)
	for y, r := range reps {
		_, prev := reps[y-1]
		b, next := reps[y+1]
		p := e.part(aggKey{year: y, level: r.level, prev: prev, next: next})
		p.reports += s
		for i, m := range Metrics {
			num, den, known := r.parts(m)
			if !known {
				p.left[i] += s
				continue
			}
			addScaled(&p.sum[i], num, f)
			if m.Kind == Ratio {
				addScaled(&p.den[i], den, f)
			}
		}
		if r.excluded != "" {
			for name := range implausibleCounts("{" + r.excluded + "=1}") {
				p.implausible[name] += s
			}
		}
		if !next {
			continue
		}
		q := e.pair(pairKey{year: y, level: r.level, level2: b.level})
		q.pairs += s
		for i, m := range Metrics {
			n1, d1, k1 := r.parts(m)
			n2, d2, k2 := b.parts(m)
			if !k1 || !k2 {
				q.left[i] += s
				continue
			}
			addScaled(&q.from[i], n1, f)
			addScaled(&q.to[i], n2, f)
			if m.Kind == Ratio {
				addScaled(&q.fromDen[i], d1, f)
				addScaled(&q.toDen[i], d2, f)
			}
		}
	}
}

// done returns the adjusted sums of data version v: a group left without reports is
// dropped, and a sum left without a known value is missing again, as the queries give it.
func (e *sumsEdit) done(v int64) *sumsAt {
	for k := range e.dcopied {
		p := e.district[k]
		if p.reports == 0 {
			delete(e.district, k)
			continue
		}
		for i := range Metrics {
			if p.reports-p.left[i] == 0 {
				p.sum[i], p.den[i] = nil, nil
			}
		}
		for m, c := range p.implausible {
			if c == 0 {
				delete(p.implausible, m)
			}
		}
	}
	for k := range e.pcopied {
		p := e.paired[k]
		if p.pairs == 0 {
			delete(e.paired, k)
			continue
		}
		for i := range Metrics {
			if p.pairs-p.left[i] == 0 {
				p.from[i], p.to[i], p.fromDen[i], p.toDen[i] = nil, nil, nil, nil
			}
		}
	}
	return &sumsAt{version: v, district: &districtSums{parts: e.district}, paired: &pairedSums{parts: e.paired}}
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
	// the groups in one order, so that the same sums always add up to the same last digit
	keys := slices.SortedFunc(maps.Keys(ds.parts), func(x, y aggKey) int {
		return cmp.Or(cmp.Compare(x.year, y.year), strings.Compare(x.level, y.level), boolCmp(x.prev, y.prev), boolCmp(x.next, y.next))
	})
	for _, k := range keys {
		p := ds.parts[k]
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

// boolCmp orders false before true.
func boolCmp(x, y bool) int {
	switch {
	case x == y:
		return 0
	case !x:
		return -1
	}
	return 1
}
