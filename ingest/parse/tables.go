package parse

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai/ingest"
)

// rowTokens are the number and blank tokens read for one table row.
type rowTokens struct {
	key  string
	bit  uint // the row's label bit (see rowLabel)
	nums []token
	// again are the numbers of a second printing of the row before the next row (a page
	// break that repeats a row); nil when the row is printed once.
	again []token
}

// numbersAfter returns the number and blank tokens that follow toks[i] up to the next text
// token, and the index of that text token.
func numbersAfter(toks []token, i int) ([]token, int) {
	j := i + 1
	for j < len(toks) && toks[j].kind != tokText {
		j++
	}
	return toks[i+1 : j], j
}

func hasNumber(ts []token) bool {
	for _, t := range ts {
		if t.kind == tokNumber {
			return true
		}
	}
	return false
}

// findRows reads rows anchored on their labels, in printed order: each label is looked for
// after the previous row, and only until a label of one of the next two rows shows up, so a
// missing row does not make the search run off with a later row's numbers.
func findRows(rows []rowTokens, toks []token, masks []uint32, labels []rowLabel) []rowTokens {
	rows = rows[:0]
	p := 0
	for k, l := range labels {
		own := uint32(1) << l.bit
		var next uint32
		if k+1 < len(labels) {
			next |= 1 << labels[k+1].bit
		}
		if k+2 < len(labels) {
			next |= 1 << labels[k+2].bit
		}
		stop := len(toks)
		for i := p; i < len(toks); i++ {
			if masks[i]&next != 0 && masks[i]&own == 0 {
				stop = i
				break
			}
		}
		for i := p; i < stop; i++ {
			if masks[i]&own == 0 {
				continue
			}
			nums, next := numbersAfter(toks, i)
			if !hasNumber(nums) {
				continue // a header word or a group label ((六)其他处理 before its 1.…)
			}
			row := rowTokens{key: l.key, bit: l.bit, nums: nums}
			p = next
			// the same row printed again before the next row (a header repeated after a
			// page break has no numbers and is passed over like any header)
			for j := next; j < len(toks); j++ {
				if masks[j]&next2(k, labels) != 0 && masks[j]&own == 0 {
					break
				}
				if masks[j]&own != 0 {
					if again, after := numbersAfter(toks, j); hasNumber(again) {
						row.again, p = again, after
						break
					}
				}
			}
			rows = append(rows, row)
			break
		}
	}
	return rows
}

// next2 is the label mask of the two rows after row k.
func next2(k int, labels []rowLabel) uint32 {
	var m uint32
	if k+1 < len(labels) {
		m |= 1 << labels[k+1].bit
	}
	if k+2 < len(labels) {
		m |= 1 << labels[k+2].bit
	}
	return m
}

// twice settles a row printed twice: the same numbers count once; different numbers (or
// one printing unreadable) leave the row unread, naming both lines.
func twice(r rowTokens, c cellsResult, lastCol int, rs *rowSlab) cellsResult {
	if r.again == nil {
		return c
	}
	c2 := readCellsAt(r.again, 7, rowTotalRule, lastCol, rs)
	same := c.reason == "" && c2.reason == "" && len(c.vals) == len(c2.vals)
	for i := 0; same && i < len(c.vals); i++ {
		same = c.vals[i] != nil && c2.vals[i] != nil && *c.vals[i] == *c2.vals[i]
	}
	if same {
		return c
	}
	return cellsResult{vals: make([]*float64, 7), toks: make([]token, 7), line: c.line,
		reason: fmt.Sprintf("该行印了两次且数字不同，另一处在第 %d 行", c2.line)}
}

// table3Labels for a report with the single-row （六）.
var table3LabelsSingle = func() []rowLabel {
	var out []rowLabel
	for _, l := range table3Labels {
		switch l.key {
		case "other_no_supplement":
			out = append(out, rowLabel{key: "other_handled", words: otherHandledWords, bit: otherHandledBit})
		case "other_no_fee", "other_other":
		default:
			out = append(out, l)
		}
	}
	return out
}()

// rowBits is the number of table-3 label bits: the 25 rows of the 2021 format and the
// single-row （六）其他处理.
const rowBits = otherHandledBit + 1

// table3Read is the outcome of reading table 3.
type table3Read struct {
	single bool
	rows   [rowBits]cellsResult // by label bit
	has    [rowBits]bool        // the rows read
	found  int                  // rows whose label or position was found
}

// set stores row bit's cells.
func (t *table3Read) set(bit uint, c cellsResult) { t.rows[bit], t.has[bit] = c, true }

// get is row bit's cells, if read.
func (t *table3Read) get(bit uint) (cellsResult, bool) { return t.rows[bit], t.has[bit] }

// readTable3 reads table 3 from its tokens. Rows anchored on labels first; when that leaves
// rows unread, rows by position: the lines with a full row of numbers, if there are exactly
// as many as the format has rows and every label printed beside them agrees (PDF
// conversions put labels away from their numbers).
func readTable3(toks []token, rs *rowSlab) table3Read {
	rs.masks = labelMasks(toks, rs.masks)
	masks := rs.masks
	rs.three = findRows(rs.three, toks, masks, table3Labels)
	rs.single = findRows(rs.single, toks, masks, table3LabelsSingle)
	three, single := rs.three, rs.single
	isSingle := hasKey(single, "other_handled") && !hasKey(three, "other_no_supplement")
	rows, labels := three, table3Labels
	if isSingle {
		rows, labels = single, table3LabelsSingle
	}
	res := table3Read{single: isSingle}
	lastCol := commonLastColumn(rows)
	clean := 0
	for _, r := range rows {
		c := twice(r, readCellsAt(r.nums, 7, rowTotalRule, lastCol, rs), lastCol, rs)
		res.set(r.bit, c)
		if c.reason == "" {
			clean++
		}
	}
	res.found = len(rows)
	if clean < len(labels) {
		if byPos, ok := table3ByPosition(toks); ok {
			pc := 0
			for b := range byPos.rows {
				if byPos.has[b] && byPos.rows[b].reason == "" {
					pc++
				}
			}
			if pc > clean {
				return byPos
			}
		}
	}
	resolveByColumns(&res)
	return res
}

// commonLastColumn is the column most rows of a table end their numbers in (0 when the
// rows are not cells, or too few agree).
func commonLastColumn(rows []rowTokens) int {
	// the last column of each row (at most one a label: a few dozen), counted pairwise
	var buf [32]int
	last := buf[:0]
	for _, r := range rows {
		for i := len(r.nums) - 1; i >= 0; i-- {
			if r.nums[i].kind == tokNumber {
				if r.nums[i].col > 0 {
					last = append(last, r.nums[i].col)
				}
				break
			}
		}
	}
	best, bestN := 0, 0
	for i, c := range last {
		k := 0
		for _, d := range last {
			if d == c {
				k++
			}
		}
		_ = i
		if k > bestN || (k == bestN && c > best) {
			best, bestN = c, k
		}
	}
	if bestN < 3 {
		return 0
	}
	return best
}

func hasKey(rows []rowTokens, key string) bool {
	for _, r := range rows {
		if r.key == key {
			return true
		}
	}
	return false
}

// table3ByPosition reads table 3 row by row in printed order from the lines that carry a
// full row of numbers.
func table3ByPosition(toks []token) (table3Read, bool) {
	type group struct {
		label *token
		nums  []token
	}
	var groups []group
	for i := 0; i < len(toks); {
		line := toks[i].line
		j := i
		var label *token
		var nums []token
		for j < len(toks) && toks[j].line == line {
			t := toks[j]
			if t.kind == tokText && len(nums) == 0 {
				tt := t
				label = &tt
			} else if t.kind != tokText {
				nums = append(nums, t)
			}
			j++
		}
		if countNumbers(nums) >= 6 {
			groups = append(groups, group{label, nums})
		}
		i = j
	}
	var labels []rowLabel
	switch len(groups) {
	case len(table3Labels):
		labels = table3Labels
	case len(table3LabelsSingle):
		labels = table3LabelsSingle
	default:
		return table3Read{}, false
	}
	res := table3Read{single: len(labels) == len(table3LabelsSingle), found: len(groups)}
	for i, g := range groups {
		if g.label != nil {
			// a label beside the numbers must be this row's, if it names any row at all
			for _, l := range labels {
				if l.matches(g.label.han) && l.key != labels[i].key && !labels[i].matches(g.label.han) {
					return table3Read{}, false
				}
			}
		}
		res.set(labels[i].bit, readCells(g.nums, 7, rowTotalRule))
	}
	resolveByColumns(&res)
	return res, true
}

func countNumbers(ts []token) int {
	n := 0
	for _, t := range ts {
		if t.kind == tokNumber {
			n++
		}
	}
	return n
}

// resolveByColumns settles rows whose digit run could be split several ways, using the
// column rules (T3-balance, T3-outcome-sum) with the rows already read: a split is taken
// only when exactly one of the candidates satisfies every checkable column equation.
func resolveByColumns(res *table3Read) {
	outcome := outcomeBits
	if res.single {
		outcome = outcomeBitsSingle
	}
	for changed := true; changed; {
		changed = false
		for b := range res.rows {
			key, c := uint(b), res.rows[b]
			if !res.has[b] || len(c.options) < 2 {
				continue
			}
			var keep [][]float64
			checked := false
			for _, opt := range c.options {
				ok, any := columnsHold(res, key, opt, outcome)
				checked = checked || any
				if ok {
					keep = append(keep, opt)
				}
			}
			if checked && len(keep) == 1 {
				for i, v := range keep[0] {
					c.vals[i] = num(v)
				}
				c.reason, c.options = "", nil
				res.rows[key] = c
				changed = true
			}
		}
	}
	resolveJointly(res, outcome)
}

// resolveJointly settles several ambiguous rows at once: every combination of their
// candidate splits is tried against every column equation, and taken only if exactly one
// combination makes them all hold.
func resolveJointly(res *table3Read, outcome []uint) {
	var keys []uint
	combos := 1
	for b := range res.rows {
		if c := &res.rows[b]; res.has[b] && len(c.options) >= 2 {
			keys = append(keys, uint(b))
			combos *= len(c.options)
		}
	}
	if len(keys) < 2 || combos > 20000 {
		return
	}
	sort.Slice(keys, func(i, j int) bool { return rowKeys[keys[i]] < rowKeys[keys[j]] })
	choice := make([]int, len(keys))
	var found []int
	count := 0
	var walk func(i int)
	walk = func(i int) {
		if count > 1 {
			return
		}
		if i == len(keys) {
			trial := *res
			for j, k := range keys {
				c := trial.rows[k]
				vals := make([]*float64, len(c.vals))
				for x, v := range c.options[choice[j]] {
					vals[x] = num(v)
				}
				c.vals = vals
				trial.rows[k] = c
			}
			if allColumnsHold(&trial, outcome) {
				count++
				found = append([]int(nil), choice...)
			}
			return
		}
		for o := range res.rows[keys[i]].options {
			choice[i] = o
			walk(i + 1)
		}
	}
	walk(0)
	if count != 1 {
		return
	}
	for j, k := range keys {
		c := res.rows[k]
		for x, v := range c.options[found[j]] {
			c.vals[x] = num(v)
		}
		c.reason, c.options = "", nil
		res.rows[k] = c
	}
}

// allColumnsHold tells whether every column equation holds, all its cells being read.
func allColumnsHold(res *table3Read, outcome []uint) bool {
	for key := range res.rows {
		if !res.has[key] {
			continue
		}
		ok, _ := columnsHold(res, uint(key), nil, outcome)
		if !ok {
			return false
		}
	}
	checked := false
	for key := range res.rows {
		if !res.has[key] {
			continue
		}
		if _, any := columnsHold(res, uint(key), nil, outcome); any {
			checked = true
		}
	}
	return checked
}

// columnsHold checks the column equations that involve row key (with values opt) and whose
// other cells are all read. It returns whether they hold and whether any could be checked.
func columnsHold(res *table3Read, key uint, opt []float64, outcome []uint) (bool, bool) {
	get := func(row uint, col int) (float64, bool) {
		if row == key && opt != nil {
			return opt[col], true
		}
		c, ok := res.get(row)
		if !ok || c.vals[col] == nil {
			return 0, false
		}
		return *c.vals[col], true
	}
	anyChecked := false
	for col := 0; col < 7; col++ {
		// balance: new + carried = total_handled + carried_forward
		if key == bitNewReceived || key == bitCarriedOver || key == bitTotalHandled || key == bitCarriedForward {
			a, ok1 := get(bitNewReceived, col)
			b, ok2 := get(bitCarriedOver, col)
			c, ok3 := get(bitTotalHandled, col)
			d, ok4 := get(bitCarriedForward, col)
			if ok1 && ok2 && ok3 && ok4 {
				anyChecked = true
				if a+b != c+d {
					return false, true
				}
			}
		}
		if key == bitTotalHandled || slices.Contains(outcome, key) {
			total, ok := get(bitTotalHandled, col)
			sum, all := 0.0, ok
			for _, r := range outcome {
				v, ok := get(r, col)
				if !ok {
					all = false
					break
				}
				sum += v
			}
			if all {
				anyChecked = true
				if sum != total {
					return false, true
				}
			}
		}
	}
	return true, anyChecked
}

// rowKeys are the row keys by label bit.
var rowKeys = func() [rowBits]string {
	var out [rowBits]string
	for _, l := range table3Labels {
		out[l.bit] = l.key
	}
	out[otherHandledBit] = "other_handled"
	return out
}()

// rowBit is the label bit of a table-3 row key.
func rowBit(key string) uint {
	for b, k := range rowKeys {
		if k == key {
			return uint(b)
		}
	}
	panic("parse: no table-3 row " + key)
}

// the label bits of the rows the column rules name, and of the outcome rows
var (
	bitNewReceived    = rowBit("new_received")
	bitCarriedOver    = rowBit("carried_over")
	bitTotalHandled   = rowBit("total_handled")
	bitCarriedForward = rowBit("carried_forward")
	outcomeBits       = rowBitsOf(ingest.Table3OutcomeRows)
	outcomeBitsSingle = rowBitsOf(ingest.Table3RowsSingleOther[2:21])
	table3RowBits     = rowBitsOf(ingest.Table3Rows)
	table3RowBitsOne  = rowBitsOf(ingest.Table3RowsSingleOther)
)

func rowBitsOf(keys []string) []uint {
	out := make([]uint, len(keys))
	for i, k := range keys {
		out[i] = rowBit(k)
	}
	return out
}

// readTable2 reads table 2's rows anywhere in its section (some conversions print the
// 第二十条第（一）项 rows after the others). A row whose digit run splits several ways is
// settled by prose, when prose states counts of that row and exactly one split agrees.
func readTable2(toks []token, labels []table2Label, prose string, rs *rowSlab) table2Read {
	var out table2Read
	for li, l := range labels {
		for i, t := range toks {
			if t.kind != tokText || !l.matches(t.han) {
				continue
			}
			nums, _ := numbersAfter(toks, i)
			if !hasNumber(nums) {
				continue
			}
			c := readCellsAt(nums, len(l.keys), nil, 0, rs)
			if len(c.options) > 1 {
				c = confirmByProse(c, l.keys, prose)
			}
			out.rows[li], out.has[li] = c, true
			out.n++
			break
		}
	}
	return out
}

// table2Read is what was read of table 2: the rows by their label's index.
type table2Read struct {
	rows [maxTable2Rows]cellsResult
	has  [maxTable2Rows]bool
	n    int // rows read
}

// maxTable2Rows bounds the rows of table 2 (8 in the 2019 format).
const maxTable2Rows = 8

// reDocCount finds counts of documents stated in prose: 制发…规范性文件88件, 现行有效…698件.
var reDocCount = regexp.MustCompile(`(制发|印发|出台|新制定|废止|失效|现行有效)[^。；;，,]{0,16}?(\d+)[ ]?件`)

// confirmByProse keeps the one split of a table-2 row that agrees with every count the
// prose states for it (made: 制发/印发/出台; repealed: 废止/失效; valid: 现行有效), if there is
// exactly one; otherwise c is returned unchanged.
func confirmByProse(c cellsResult, keys []string, prose string) cellsResult {
	if len(keys) != 3 || !strings.HasPrefix(keys[0], "table2.normative_documents") && !strings.HasPrefix(keys[0], "table2.regulations") {
		return c
	}
	word := "规范性文件"
	if strings.HasPrefix(keys[0], "table2.regulations") {
		word = "规章"
	}
	stated := map[int]map[float64]bool{}
	eachSentence(prose, func(sentence string) bool {
		eachClause(sentence, func(clause string) {
			if !strings.Contains(clause, word) {
				return
			}
			for _, m := range reDocCount.FindAllStringSubmatch(clause, -1) {
				v, err := strconv.ParseFloat(m[2], 64)
				if err != nil {
					continue
				}
				col := 0
				switch m[1] {
				case "废止", "失效":
					col = 1
				case "现行有效":
					col = 2
				}
				if stated[col] == nil {
					stated[col] = map[float64]bool{}
				}
				stated[col][v] = true
			}
		})
		return true
	})
	if len(stated) == 0 {
		return c
	}
	var keep []float64
	n := 0
	for _, opt := range c.options {
		ok := true
		for col, vals := range stated {
			ok = ok && vals[opt[col]]
		}
		if ok {
			keep, n = opt, n+1
		}
	}
	if n != 1 {
		return c
	}
	for i, v := range keep {
		c.vals[i] = num(v)
		c.toks[i] = token{kind: tokNumber, text: c.toks[0].text, line: c.line}
	}
	c.reason, c.options = "", nil
	return c
}

// reasonFor is the reason cell k is unread ("" when read).
func (c cellsResult) reasonFor(k int) string {
	if c.vals[k] != nil {
		return ""
	}
	if c.reason == "" {
		return "没有读到数字"
	}
	return c.reason
}

// readTable4 reads the 15 numbers of table 4: the rows of numbers in its section, under the
// rule that each block's total is the sum of its four results. In a text cut inside the
// table (cut), a row printed one number a line keeps its complete blocks; a row of cells
// the cut runs through stays unread.
func readTable4(toks []token, cut bool, rs *rowSlab) (cellsResult, bool) {
	nums := rs.t4[:0]
	defer func() { rs.t4 = nums }()
	// the rows of numbers, up to where prose starts again (a section 五 whose heading was lost)
	lineEnd, lineHasNumber := 0, false // the tokens of toks[i]'s line end at lineEnd
	for i, t := range toks {
		if t.kind == tokText && utf8.RuneCountInString(t.han) > 20 && hasNumber(nums) {
			break
		}
		if t.kind == tokBlank {
			if i >= lineEnd {
				// the tokens of a line are together: does this line hold a number?
				lineEnd, lineHasNumber = i, false
				for lineEnd > 0 && toks[lineEnd-1].line == t.line {
					lineEnd--
				}
				for lineEnd < len(toks) && toks[lineEnd].line == t.line {
					lineHasNumber = lineHasNumber || toks[lineEnd].kind == tokNumber
					lineEnd++
				}
			}
			if lineHasNumber {
				nums = append(nums, t)
			}
			continue
		}
		if t.kind == tokNumber {
			nums = append(nums, t)
		}
	}
	if !hasNumber(nums) {
		return cellsResult{}, false
	}
	if cut && len(nums) < 15 {
		return table4Blocks(nums), true
	}
	return readCellsAt(nums, 15, blockTotalRule, 0, rs), true
}

// table4Blocks reads the complete blocks of a table-4 row the text stops in: only when its
// numbers stand one a line (each a whole cell, the one the text ended on already dropped),
// and each block only when its total is the sum of its four results.
func table4Blocks(nums []token) cellsResult {
	res := cellsResult{vals: make([]*float64, 15), toks: make([]token, 15), line: nums[0].line}
	res.reason = "文本在表中中断"
	for i, t := range nums {
		if t.kind != tokNumber || t.col > 0 || (i > 0 && nums[i-1].line == t.line) || strings.ContainsAny(t.text, ".-") {
			return res
		}
	}
	for b := 0; (b+1)*5 <= len(nums); b++ {
		v := make([]float64, 5)
		for i := range v {
			x, ok := parseNumber(nums[b*5+i].text)
			if !ok {
				return res
			}
			v[i] = x
		}
		if !blockTotalRule(v) {
			return res
		}
		for i := range v {
			res.vals[b*5+i], res.toks[b*5+i] = &v[i], nums[b*5+i]
		}
	}
	return res
}

// srcOf is the provenance of a cell read from token t.
func srcOf(t token) ingest.Source {
	return ingest.Source{Line: t.line, Col: t.col, Text: t.text}
}

// unreadFinding is the V-unreadable finding of one cell.
func unreadFinding(key, where, reason string, line int) ingest.Finding {
	msg := fmt.Sprintf("%s 无法读取：%s", where, reason)
	if line > 0 {
		msg += fmt.Sprintf("（第 %d 行）", line)
	}
	return ingest.Finding{Rule: ingest.RuleUnreadable, Severity: ingest.SeverityError, Cell: key, Message: msg, Line: line}
}
