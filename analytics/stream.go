package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The long tables (every organ and year, every organ and metric) of a country are far too
// large to hold: 742,500 reports × 60 metrics is ~1.7 GB as Rows, and one grouped query of
// them does not fit DuckDB's memory limit. They are read in two steps instead, inside one
// read transaction (one snapshot of the data, so a write landing meanwhile cannot drop or
// repeat a row): first the keys of the reports in the order asked for (two integers a report),
// then the wide rows of those reports a chunk at a time. A page of them reads its chunk alone;
// a download streams every chunk in turn. The rows are those of Values(ByAgencyYear), in
// Values' order unless the page sorts them.

// chunkRows, when not 0, is how many reports' rows a chunk reads (set by tests; 0: as many
// as chunkCells allows).
var chunkRows = 0

// reportKey is a current report's id and its organ.
type reportKey struct {
	id       int64
	agencyID int
}

// EachAgencyYear calls fn with the rows Values(f, ByAgencyYear) gives, one for each organ
// and year, in Values' order or the one pg asks for, pg's window of them (Limit 0: all), one
// row at a time as the database gives them, and returns how many rows f selects in all. pg.Sort is
// "" (Values' order: by organ, then year), "agency" (by name), "level" (by its Chinese name),
// "year" or the name of one of f's metrics (missing values last); ties keep Values' order.
func (a *Analytics) EachAgencyYear(ctx context.Context, f Filter, pg Page, fn func(Row) error) (total int, err error) {
	metrics := f.metrics(ByAgencyYear)
	order, err := agencyYearOrder(pg, metrics)
	if err != nil {
		return 0, err
	}
	err = a.inSnapshot(ctx, func(tx *sql.Tx) error {
		keys, err := reportKeys(ctx, tx, f, order)
		if err != nil {
			return err
		}
		total = len(keys)
		lo, hi := window(total, pg)
		return eachRow(ctx, tx, f, keys[lo:hi], pg.Sort == "", metrics, fn)
	})
	return total, err
}

// agencyYearOrder is the SQL order of EachAgencyYear's page.
func agencyYearOrder(pg Page, metrics []Metric) (string, error) {
	key := ""
	switch pg.Sort {
	case "":
	case "agency":
		key = "r.agency"
	case "level":
		key = levelLabelSQL("r.level")
	case "year":
		key = "r.year"
	default:
		i := slices.IndexFunc(metrics, func(m Metric) bool { return m.Name == pg.Sort })
		if i < 0 {
			return "", fmt.Errorf("metrics: cannot order by %q", pg.Sort)
		}
		key = "(" + oneSQL(metrics[i], "m.") + ")::DOUBLE"
	}
	order := valuesOrder
	if key != "" {
		dir := "ASC"
		if pg.Desc {
			dir = "DESC"
		}
		order = key + " " + dir + " NULLS LAST, " + order
	}
	return order, nil
}

// valuesOrder is the order of Values(ByAgencyYear)'s rows (its GROUP BY keys).
const valuesOrder = "r.agency_id, r.agency, r.level, r.year"

// EachCompare calls fn with the deltas Compare(from, to, f) gives, in its order — the
// district's first (one a metric), then organ by organ (by id), every metric of each —
// pg's window of them (Limit 0: all; pg.Sort is not used), and returns how many there are in
// all.
// An organ's two rows are read a chunk of organs at a time, so that a country's comparison
// (150,000 organs × 60 metrics) streams instead of being held.
func (a *Analytics) EachCompare(ctx context.Context, from, to int, f Filter, pg Page, fn func(Delta) error) (total int, err error) {
	district, err := a.CompareDistrict(ctx, from, to, f)
	if err != nil {
		return 0, err
	}
	f.Years = []int{from, to}
	metrics := f.metrics(ByAgencyYear)
	n := len(Metrics)
	err = a.inSnapshot(ctx, func(tx *sql.Tx) error {
		keys, err := reportKeys(ctx, tx, f, valuesOrder)
		if err != nil {
			return err
		}
		organs := organRuns(keys)
		total = len(district) + n*len(organs)
		lo, hi := window(total, pg)
		emit := func(i int, d Delta) error {
			if i < lo || i >= hi {
				return nil
			}
			return fn(d)
		}
		for i, d := range district {
			if err := emit(i, d); err != nil {
				return err
			}
		}
		// the organs the window touches
		first, last := max(lo-len(district), 0)/n, (max(hi-len(district), 0)+n-1)/n
		i := len(district) + first*n
		return eachOrganRows(ctx, tx, f, keys, organs[first:last], metrics, func(rows []Row) error {
			return pairRows(rows, from, to, false, false, func(d Delta) error {
				err := emit(i, d)
				i++
				return err
			})
		})
	})
	return total, err
}

// EachOrganYears calls fn with the rows Values(f, ByAgencyYear) gives, organ by organ (an
// organ's rows, one a year, in Values' order), pg's window of the organs (Limit 0: all;
// pg.Sort is not used), and returns how many organs f selects in all. The rows fn gets are
// valid until it returns.
func (a *Analytics) EachOrganYears(ctx context.Context, f Filter, pg Page, fn func(rows []Row) error) (total int, err error) {
	metrics := f.metrics(ByAgencyYear)
	err = a.inSnapshot(ctx, func(tx *sql.Tx) error {
		keys, err := reportKeys(ctx, tx, f, valuesOrder)
		if err != nil {
			return err
		}
		organs := organRuns(keys)
		total = len(organs)
		lo, hi := window(total, pg)
		return eachOrganRows(ctx, tx, f, keys, organs[lo:hi], metrics, fn)
	})
	return total, err
}

// eachOrganRows calls fn with the rows of each organ of organs (runs of keys, which f
// selected in Values' order), reading the rows of as many whole organs as a chunk holds at a
// time.
func eachOrganRows(ctx context.Context, tx *sql.Tx, f Filter, keys []reportKey, organs []organRun, metrics []Metric, fn func([]Row) error) error {
	per := rowsPerChunk(metrics)
	var rows []Row
	for o := 0; o < len(organs); {
		end, reports := o, 0
		for end < len(organs) && (end == o || reports+organs[end].n <= per) {
			reports += organs[end].n
			end++
		}
		rows = rows[:0]
		err := eachRow(ctx, tx, f, keys[organs[o].start:organs[end-1].start+organs[end-1].n], true, metrics, func(r Row) error {
			rows = append(rows, r)
			return nil
		})
		if err != nil {
			return err
		}
		at := 0
		for _, run := range organs[o:end] {
			if err := fn(rows[at : at+run.n]); err != nil {
				return err
			}
			at += run.n
		}
		o = end
	}
	return nil
}

// organRun is the reports of one organ in a list of report keys ordered by organ.
type organRun struct{ start, n int }

// organRuns splits keys, ordered by organ, into each organ's reports.
func organRuns(keys []reportKey) []organRun {
	var out []organRun
	for i, k := range keys {
		if i == 0 || k.agencyID != keys[i-1].agencyID {
			out = append(out, organRun{start: i})
		}
		out[len(out)-1].n++
	}
	return out
}

// window is the rows [lo, hi) of total that pg selects.
func window(total int, pg Page) (lo, hi int) {
	lo = min(max(pg.Offset, 0), total)
	hi = total
	if pg.Limit > 0 {
		hi = min(lo+pg.Limit, total)
	}
	return lo, hi
}

// inSnapshot runs fn in one read transaction: every query of fn sees the same data.
func (a *Analytics) inSnapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer tx.Rollback() // (it only read)
	return fn(tx)
}

// reportKeys returns the keys of the current reports f selects, in the SQL order given.
func reportKeys(ctx context.Context, tx *sql.Tx, f Filter, order string) ([]reportKey, error) {
	cond, args := f.where("r")
	q := "SELECT r.id, r.agency_id FROM current_reports r"
	if strings.Contains(order, "m.") {
		q += " JOIN " + MetricsTable + " m ON m.report_id = r.id"
	}
	q += " WHERE " + cond + " ORDER BY " + order
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer rows.Close()
	var keys []reportKey
	for rows.Next() {
		var k reportKey
		if err := rows.Scan(&k.id, &k.agencyID); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// eachRow calls fn with the row of Values(ByAgencyYear) of each report of keys, in the
// order of keys, a chunk of reports at a time. byOrgan: keys are in Values' order (by organ,
// then year) and f selected them, so a chunk is every report f selects in a range of organ
// ids, read by one filtered scan, its rows outside the chunk (the ends of a window) skipped;
// otherwise (another order) a chunk is a list of report ids.
func eachRow(ctx context.Context, tx *sql.Tx, f Filter, keys []reportKey, byOrgan bool, metrics []Metric, fn func(Row) error) error {
	sel := reportRowsSQL(metrics) + "\nWHERE "
	n := rowsPerChunk(metrics)
	if !byOrgan {
		n = min(n, maxIDList)
	}
	cond, args := f.where("r")
	for len(keys) > 0 {
		chunk := keys[:min(n, len(keys))]
		keys = keys[len(chunk):]
		var q string
		var qargs []any
		if byOrgan {
			q = sel + cond + " AND r.agency_id BETWEEN ? AND ?"
			qargs = append(slices.Clone(args), chunk[0].agencyID, chunk[len(chunk)-1].agencyID)
		} else {
			ids := make([]string, len(chunk))
			for i, k := range chunk {
				ids[i] = strconv.FormatInt(k.id, 10)
			}
			q = sel + "r.id IN (" + strings.Join(ids, ",") + ")"
		}
		out, err := chunkRowsOf(ctx, tx, q, qargs, metrics, chunk)
		if err != nil {
			return err
		}
		for _, r := range out {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// reportRowsSQL selects each current report's id, agency_id, agency, level and year and the
// values of metrics read off its report_metrics row: the store keeps one current report an
// organ a year, so these are the rows of Values(ByAgencyYear) without grouping (oneSQL).
// Reports are r, their metrics rows m.
func reportRowsSQL(metrics []Metric) string {
	var b strings.Builder
	b.WriteString("SELECT r.id, r.agency_id, r.agency, r.level, r.year")
	for _, m := range metrics {
		fmt.Fprintf(&b, ",\n  (%s)::DOUBLE AS %s", oneSQL(m, "m."), m.Name)
	}
	b.WriteString("\nFROM current_reports r JOIN " + MetricsTable + " m ON m.report_id = r.id")
	return b.String()
}

// maxIDList is the most report ids a chunk lists in its query.
const maxIDList = 4096

// chunkCells bounds the values one chunk of wide rows holds: a chunk of the 60 metrics is
// ~8,000 reports (~25 MB as Rows), of one metric a quarter of a million.
const chunkCells = 1 << 19

// rowsPerChunk is how many reports' rows of these metrics a chunk reads.
func rowsPerChunk(metrics []Metric) int {
	if chunkRows > 0 {
		return chunkRows
	}
	return max(chunkCells/(len(metrics)+1), 1)
}

// chunkRowsOf runs q (id, agency_id, agency, level, year, the metrics' values) and returns
// the rows of the reports of chunk in chunk's order: a row of another report (the ends of a
// range of organs) is left out; a report of chunk without a row is an error.
func chunkRowsOf(ctx context.Context, tx *sql.Tx, q string, args []any, metrics []Metric, chunk []reportKey) ([]Row, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer rows.Close()
	at := make(map[int64]int, len(chunk))
	for i, k := range chunk {
		at[k.id] = i
	}
	out := make([]Row, len(chunk))
	var id int64
	var r Row
	vals := make([]sql.NullFloat64, len(metrics))
	dest := []any{&id, &r.AgencyID, &r.Agency, &r.Level, &r.Year}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	store := make([]float64, len(chunk)*len(metrics)) // the chunk's values, one allocation
	for rows.Next() {
		r = Row{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		i, ok := at[id]
		if !ok {
			continue
		}
		r.Values = make(map[string]*float64, len(metrics))
		vs := store[i*len(metrics) : (i+1)*len(metrics)]
		for j, m := range metrics {
			if vals[j].Valid {
				vs[j] = vals[j].Float64
				r.Values[m.Name] = &vs[j]
			} else {
				r.Values[m.Name] = nil
			}
		}
		out[i] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, r := range out {
		if r.Values == nil {
			return nil, fmt.Errorf("metrics: report %d was not read", chunk[i].id)
		}
	}
	return out, nil
}

// pairRows turns rows of Values(ByAgencyYear) over the years from and to, ordered as Values
// orders them (by organ, then year), into the deltas of Compare, organ by organ, every metric
// of each. district: the rows are the district's (ByYear), one a year, with the organs of both
// years alone when inAllYears (Delta.Unpaired).
func pairRows(rows []Row, from, to int, district, inAllYears bool, emit func(Delta) error) error {
	for start := 0; start < len(rows); {
		end := start + 1
		for !district && end < len(rows) && rows[end].AgencyID == rows[start].AgencyID {
			end++
		}
		if district {
			end = len(rows)
		}
		var pf, pt *Row
		for i := start; i < end; i++ {
			if rows[i].Year == from {
				pf = &rows[i]
			}
			if rows[i].Year == to {
				pt = &rows[i]
			}
		}
		start = end
		ref := pt
		if ref == nil {
			ref = pf
		}
		if ref == nil {
			continue
		}
		for _, mt := range Metrics {
			d := Delta{AgencyID: ref.AgencyID, Agency: ref.Agency, Level: ref.Level, Metric: mt.Name}
			d.FromWhy, d.ToWhy = NotReported, NotReported
			if pf != nil {
				d.From, d.FromReported, d.FromWhy = pf.Values[mt.Name], true, pf.Why(mt.Name)
			}
			if pt != nil {
				d.To, d.ToReported, d.ToWhy = pt.Values[mt.Name], true, pt.Why(mt.Name)
			}
			if inAllYears && district && pf != nil {
				d.Unpaired = pf.Left[mt.Name]
			}
			if d.From != nil && d.To != nil {
				c := *d.To - *d.From
				d.Change = &c
			}
			if err := emit(d); err != nil {
				return err
			}
		}
	}
	return nil
}
