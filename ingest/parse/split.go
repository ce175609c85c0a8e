package parse

import (
	"strconv"
	"strings"
	"sync"
)

// maxCellDigits bounds a cell read out of a digit run: no count in these tables has more.
const maxCellDigits = 9

// maxSplits stops an enumeration that would not give one answer anyway.
const maxSplits = 64

// maxSplitSteps bounds the work of one enumeration; past it the run is called ambiguous.
const maxSplitSteps = 200000

// rowRule is an arithmetic rule a row's cells obey (a row total, a block total); nil: none.
type rowRule func(v []float64) bool

// rowTotalRule: the last cell is the sum of the others (table 3 rows).
func rowTotalRule(v []float64) bool {
	var s float64
	for _, x := range v[:len(v)-1] {
		s += x
	}
	return s == v[len(v)-1]
}

// blockTotalRule: every fifth cell is the sum of the four before it (table 4).
func blockTotalRule(v []float64) bool {
	for b := 0; b+5 <= len(v); b += 5 {
		if v[b]+v[b+1]+v[b+2]+v[b+3] != v[b+4] {
			return false
		}
	}
	return true
}

// cellsResult is what was read of a row: values (nil where unread), their sources, and why
// cells are unread.
type cellsResult struct {
	vals    []*float64
	toks    []token // the token each cell came from (zero token for unread)
	reason  string  // empty when every cell was read
	line    int     // the line the row's numbers start on
	options [][]float64
}

// readCells reads n cells from a row's number and blank tokens.
//   - exactly n tokens: one cell each; blank cells count as 0 when the row's rule then holds
//     (a blank means 0 in many Word tables), else they are unread;
//   - fewer: the digit runs are split, and the split is taken only if it is the one split
//     the rule admits (separators lost: 21710000218 = 217 1 0 0 0 0 218);
//   - more: nothing is guessed.
func readCells(toks []token, n int, rule rowRule) cellsResult {
	return readCellsAt(toks, n, rule, 0, nil)
}

// readCellsAt is readCells for a row of a table whose last column is lastCol (0: unknown):
// where the row has blank cells or too few of them, its cells are placed by column, so a
// blank cell of merged-cell padding is not taken for a value and a lost cell shifts nothing.
// The row's storage comes from rs (nil: the heap).
func readCellsAt(toks []token, n int, rule rowRule, lastCol int, rs *rowSlab) cellsResult {
	// merged cells shift rows: drop empty cells at the edges while there are too many
	for len(toks) > n && toks[0].kind == tokBlank {
		toks = toks[1:]
	}
	for len(toks) > n && toks[len(toks)-1].kind == tokBlank {
		toks = toks[:len(toks)-1]
	}
	res, vals := rs.newRow(n)
	if len(toks) > 0 {
		res.line = toks[0].line
	}
	if lastCol > 0 && len(toks) > 0 && len(toks) <= n && (len(toks) < n || hasBlank(toks)) && allInCells(toks) {
		return placeByColumn(res, vals, toks, n, rule, lastCol)
	}
	switch {
	case len(toks) == 0:
		res.reason = "没有读到数字"
		return res
	case len(toks) > n:
		res.reason = "数字多于应有的 " + strconv.Itoa(n) + " 格"
		return res
	case len(toks) == n:
		blanks := false
		for i, t := range toks {
			if t.kind == tokBlank {
				blanks = true
				continue
			}
			v, ok := parseNumber(t.text)
			if !ok {
				res.reason = "无法识别的数字 " + t.text
				return res
			}
			vals[i] = v
		}
		if blanks && rule == nil && !allBlankOrZero(toks) {
			// a blank cell with no rule to confirm it: unread, never a silent 0
			for i, t := range toks {
				if t.kind != tokBlank {
					res.vals[i], res.toks[i] = &vals[i], t
				}
			}
			res.reason = "空白单元格"
			return res
		}
		if blanks && rule != nil && !rule(vals) {
			for i, t := range toks {
				if t.kind != tokBlank {
					res.vals[i], res.toks[i] = &vals[i], t
				}
			}
			res.reason = "空白单元格（按 0 计不符合勾稽关系）"
			return res
		}
		for i, t := range toks {
			res.vals[i], res.toks[i] = &vals[i], t
		}
		return res
	}
	// fewer tokens than cells: split digit runs, but only where separators were lost (a
	// line of text); numbers printed in their own cells are never cut apart
	for _, t := range toks {
		if t.kind == tokBlank {
			res.reason = "空白单元格与连写数字混在一行"
			return res
		}
		if t.col > 0 {
			res.reason = "数字少于应有的 " + strconv.Itoa(n) + " 格"
			return res
		}
	}
	splits := enumerateSplits(toks, n, rule)
	switch {
	case len(splits) == 1:
		owner := splitOwners(toks, splits[0].sizes)
		for i, v := range splits[0].vals {
			vals[i] = v
			res.vals[i], res.toks[i] = &vals[i], owner[i]
		}
	case len(splits) == 0:
		res.reason = "连写的数字 " + joinTokens(toks) + " 无法按勾稽关系拆分"
	default:
		res.reason = "连写的数字 " + joinTokens(toks) + " 有多种拆分方式，无法确定"
		for i := range res.toks {
			res.toks[i] = toks[0]
		}
		for _, s := range splits {
			res.options = append(res.options, s.vals)
		}
	}
	return res
}

// maxRowCells is the most cells a row read at once has (table 4's 15).
const maxRowCells = 15

// rowBlock holds a row's cells in one allocation.
type rowBlock struct {
	vals [maxRowCells]*float64
	toks [maxRowCells]token
	nums [maxRowCells]float64
}

// rowBlock7 is rowBlock for rows of up to 7 cells (table 3), the common case.
type rowBlock7 struct {
	vals [7]*float64
	toks [7]token
	nums [7]float64
}

// newRow returns an empty result for a row of n cells and the n values to read into, in
// one allocation.
func newRow(n int) (cellsResult, []float64) {
	switch {
	case n <= 7:
		b := new(rowBlock7)
		return cellsResult{vals: b.vals[:n:n], toks: b.toks[:n:n]}, b.nums[:n:n]
	case n <= maxRowCells:
		b := new(rowBlock)
		return cellsResult{vals: b.vals[:n:n], toks: b.toks[:n:n]}, b.nums[:n:n]
	}
	return cellsResult{vals: make([]*float64, n), toks: make([]token, n)}, make([]float64, n)
}

// rowSlab hands out the storage of one report's rows from blocks reused from report to
// report instead of an allocation a row. The rows read must not be kept past the report:
// their values and sources are copied into the report's cells.
type rowSlab struct {
	b7  []*rowBlock7
	b15 []*rowBlock
	n7  int // blocks handed out
	n15 int
	// reused working storage of the table readers
	masks         []uint32    // readTable3's label masks
	three, single []rowTokens // readTable3's rows found
	t4            []token     // readTable4's numbers
}

// rowSlabs recycles row slabs between reports.
var rowSlabs = sync.Pool{New: func() any { return new(rowSlab) }}

// newRow is newRow(n) with the storage from the slab (s nil: from the heap).
func (s *rowSlab) newRow(n int) (cellsResult, []float64) {
	switch {
	case s == nil || n > maxRowCells:
		return newRow(n)
	case n <= 7:
		if s.n7 == len(s.b7) {
			s.b7 = append(s.b7, new(rowBlock7))
		}
		b := s.b7[s.n7]
		s.n7++
		return cellsResult{vals: b.vals[:n:n], toks: b.toks[:n:n]}, b.nums[:n:n]
	default:
		if s.n15 == len(s.b15) {
			s.b15 = append(s.b15, new(rowBlock))
		}
		b := s.b15[s.n15]
		s.n15++
		return cellsResult{vals: b.vals[:n:n], toks: b.toks[:n:n]}, b.nums[:n:n]
	}
}

// release clears the blocks handed out (they point into the report's text) and gives the
// slab back; nothing read from it may be used after.
func (s *rowSlab) release() {
	for _, b := range s.b7[:s.n7] {
		*b = rowBlock7{}
	}
	for _, b := range s.b15[:s.n15] {
		*b = rowBlock{}
	}
	s.n7, s.n15 = 0, 0
	clear(s.three)
	clear(s.single)
	clear(s.t4)
	s.three, s.single, s.t4 = s.three[:0], s.single[:0], s.t4[:0]
	if len(s.b7) > 256 || len(s.b15) > 64 || cap(s.t4) > 4096 || cap(s.masks) > 1<<16 {
		return // an odd document's many rows are not kept
	}
	rowSlabs.Put(s)
}

func hasBlank(toks []token) bool {
	for _, t := range toks {
		if t.kind == tokBlank {
			return true
		}
	}
	return false
}

func allInCells(toks []token) bool {
	for _, t := range toks {
		if t.col == 0 {
			return false
		}
	}
	return true
}

// placeByColumn reads the cells of a row by their column: cell i stands in column
// lastCol-n+1+i. Blank cells count as 0 only when the row's rule then holds.
func placeByColumn(res cellsResult, vals []float64, toks []token, n int, rule rowRule, lastCol int) cellsResult {
	first := lastCol - n + 1
	var flags [2 * maxRowCells]bool
	have, blank := flags[:n:n], flags[n:2*n]
	if n > maxRowCells {
		have, blank = make([]bool, n), make([]bool, n)
	}
	for _, t := range toks {
		i := t.col - first
		if i < 0 || i >= n {
			if t.kind == tokBlank {
				continue // padding of a merged cell
			}
			res.reason = "数字不在表格的数据列中"
			return res
		}
		if t.kind == tokBlank {
			blank[i], have[i] = true, true
			res.toks[i] = t
			continue
		}
		v, ok := parseNumber(t.text)
		if !ok {
			res.reason = "无法识别的数字 " + t.text
			return res
		}
		vals[i], have[i] = v, true
		res.toks[i] = t
	}
	complete := true
	for i := range have {
		complete = complete && have[i]
	}
	blanksAreZero := complete && rule != nil && rule(vals)
	for i := range vals {
		switch {
		case !have[i]:
			res.reason = "该格缺失"
		case blank[i] && !blanksAreZero:
			res.reason = "空白单元格（按 0 计不符合勾稽关系）"
		default:
			res.vals[i] = &vals[i]
		}
	}
	return res
}

func allBlankOrZero(toks []token) bool {
	for _, t := range toks {
		if t.kind == tokNumber && strings.Trim(t.text, "0") != "" {
			return false
		}
	}
	return true
}

func num(v float64) *float64 { return &v }

func joinTokens(toks []token) string {
	var parts []string
	for _, t := range toks {
		parts = append(parts, t.text)
	}
	return strings.Join(parts, " ")
}

// parseNumber reads a cell's number, whole or decimal (fees are 万元 with decimals).
// A decimal in a count cell is returned too; the checker reports it (V-not-integer).
func parseNumber(s string) (float64, bool) {
	// whole numbers (nearly every cell) without strconv: exact below 2^53
	if n := len(s); n > 0 && n <= 15 {
		var v int64
		i := 0
		if s[0] == '-' {
			i = 1
		}
		if i < n {
			for ; i < n && isDigit(s[i]); i++ {
				v = v*10 + int64(s[i]-'0')
			}
			if i == n {
				if s[0] == '-' {
					return -float64(v), true
				}
				return float64(v), true
			}
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

type split struct {
	vals  []float64
	sizes []int // cells taken from each token
}

// enumerateSplits returns the ways to cut the tokens' digits into n cells (every token at
// least one cell, no leading zeros, decimals never cut) that satisfy rule.
func enumerateSplits(toks []token, n int, rule rowRule) []split {
	var out []split
	vals := make([]float64, 0, n)
	sizes := make([]int, len(toks))
	steps := 0
	var walk func(ti, pos int)
	walk = func(ti, pos int) {
		steps++
		if len(out) > maxSplits || steps > maxSplitSteps {
			return
		}
		if ti == len(toks) {
			if len(vals) == n && (rule == nil || rule(vals)) {
				out = append(out, split{vals: append([]float64(nil), vals...), sizes: append([]int(nil), sizes...)})
			}
			return
		}
		s := toks[ti].text
		if strings.Contains(s, ".") { // decimals are one cell
			if pos != 0 {
				return
			}
			v, _ := strconv.ParseFloat(s, 64)
			vals = append(vals, v)
			sizes[ti] = 1
			walk(ti+1, 0)
			vals = vals[:len(vals)-1]
			return
		}
		if pos == len(s) {
			walk(ti+1, 0)
			return
		}
		// cells still needed after this one must fit: each later token needs ≥ 1 cell
		remainingTokens := len(toks) - ti - 1
		if len(vals) >= n-remainingTokens {
			return
		}
		maxLen := len(s) - pos
		if maxLen > maxCellDigits {
			maxLen = maxCellDigits
		}
		// a sign glued to the cell before it ("12-230") starts a cell but does not say
		// where that cell ends: -2 30, -23 0 and -230 are all candidates
		minLen, digit := 1, 0
		if pos == 0 && s[0] == '-' {
			minLen, digit = 2, 1
			maxLen = min(maxLen+1, len(s))
		}
		for l := minLen; l <= maxLen; l++ {
			part := s[pos : pos+l]
			if l > digit+1 && part[digit] == '0' {
				break
			}
			v, _ := strconv.ParseFloat(part, 64)
			vals = append(vals, v)
			sizes[ti]++
			walk(ti, pos+l)
			sizes[ti]--
			vals = vals[:len(vals)-1]
		}
	}
	walk(0, 0)
	if steps > maxSplitSteps && len(out) == 1 {
		out = append(out, out[0]) // not searched to the end: the one split found may not be the only one
	}
	return out
}

// splitOwners gives each cell the token it was cut from.
func splitOwners(toks []token, sizes []int) []token {
	var out []token
	for i, t := range toks {
		for j := 0; j < sizes[i]; j++ {
			out = append(out, t)
		}
	}
	return out
}
