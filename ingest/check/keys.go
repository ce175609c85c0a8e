package check

import (
	"slices"
	"strings"

	"gongkai/ingest"
)

// A keySet is a report shape's cell keys (ingest.CellKeys) and the same keys grouped by row
// (table3.row, table4.block, table2.item).
type keySet struct {
	keys   []string
	groups [][]string
	// positions in keys: table3[row][column] in the order of ingest.Table3Columns,
	// table4[block][column] in the order of ingest.Table4Columns
	table3 map[string][]int
	table4 map[string][]int
	rows   [][]int // table3 of the shape's rows, in order (ingest.Table3Rows or Table3RowsSingleOther)
	blocks [][]int // table4 of ingest.Table4Blocks, in order
}

// keySets are the key sets of the four report shapes: [2019 format][single 其他 row].
var keySets = func() (s [2][2]keySet) {
	for i, format := range []string{ingest.Format2021, ingest.Format2019} {
		for j, single := range []bool{false, true} {
			keys := ingest.CellKeys(format, single)
			ks := keySet{keys: keys, groups: groupKeys(keys),
				table3: positions(keys, slices.Concat(ingest.Table3Rows, ingest.Table3RowsSingleOther), ingest.Table3Columns, ingest.Table3Key),
				table4: positions(keys, ingest.Table4Blocks, ingest.Table4Columns, ingest.Table4Key)}
			rows := ingest.Table3Rows
			if single {
				rows = ingest.Table3RowsSingleOther
			}
			for _, row := range rows {
				ks.rows = append(ks.rows, ks.table3[row])
			}
			for _, b := range ingest.Table4Blocks {
				ks.blocks = append(ks.blocks, ks.table4[b])
			}
			for _, idx := range slices.Concat(ks.rows, ks.blocks) {
				if idx == nil {
					panic("check: a row of the report's tables is missing from ingest.CellKeys")
				}
			}
			s[i][j] = ks
		}
	}
	return s
}()

// positions gives the position in keys of each row's cells, column by column; a row not
// wholly among keys is left out.
func positions(keys, rows, cols []string, key func(row, col string) string) map[string][]int {
	at := map[string]int{}
	for i, k := range keys {
		at[k] = i
	}
	out := map[string][]int{}
rows:
	for _, row := range rows {
		idx := make([]int, len(cols))
		for j, col := range cols {
			i, ok := at[key(row, col)]
			if !ok {
				continue rows
			}
			idx[j] = i
		}
		out[row] = idx
	}
	return out
}

// keysOf returns r's key set. Its slices are shared: do not change them.
func keysOf(r *ingest.Report) *keySet {
	i, j := 0, 0
	if r.Format == ingest.Format2019 {
		i = 1
	}
	if r.SingleOther {
		j = 1
	}
	return &keySets[i][j]
}

// groupKeys groups keys by row (table3.row, table4.block, table2.item).
func groupKeys(keys []string) [][]string {
	var groups [][]string
	var last string
	for _, k := range keys {
		p := k[:strings.LastIndex(k, ".")]
		if strings.Count(k, ".") == 1 { // table2.licensing
			p = k
		}
		if p != last || len(groups) == 0 {
			groups = append(groups, nil)
			last = p
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], k)
	}
	return groups
}

// cells is a report's cell values read once, in the order of its key set: the rules of
// tables 3 and 4 and the value rules reach a cell by its position instead of by its key.
type cells struct {
	ks *keySet
	v  []*float64 // nil: unread or absent
}

func readCells(r *ingest.Report) *cells {
	ks := keysOf(r)
	c := &cells{ks: ks, v: make([]*float64, len(ks.keys))}
	for i, k := range ks.keys {
		cell, _ := r.Cells.Get(k)
		c.v[i] = cell.Value
	}
	return c
}

// at returns the value of the cell at position i; ok is false when it is unread.
func (c *cells) at(i int) (float64, bool) {
	if p := c.v[i]; p != nil {
		return *p, true
	}
	return 0, false
}

// sum adds the values of the cells at positions idx, in that order; false when any is unread.
func (c *cells) sum(idx []int) (float64, bool) {
	var s float64
	for _, i := range idx {
		p := c.v[i]
		if p == nil {
			return 0, false
		}
		s += *p
	}
	return s, true
}
