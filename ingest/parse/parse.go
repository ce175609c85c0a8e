// Package parse reads a decoded report (normalised lines) into an ingest.Report: the agency,
// year and level, the six sections, the cells of tables 2, 3 and 4 anchored on their row
// labels, the publication counts stated in the prose, and V-unreadable findings for every
// cell that could not be read. It never guesses a number: a digit run is split only when
// the table's rules admit exactly one split.
package parse

import (
	"errors"
	"fmt"
	"strings"

	"gongkai/ingest"
	"gongkai/ingest/decode"
)

// Version is the parser's version, stored with every report so a re-parse can be told apart.
const Version = "0.1.0"

// ErrNotReport is returned for files that are not annual reports at all.
var ErrNotReport = errors.New("not an annual report")

// File decodes and parses one file's bytes; name is the path as given (used in messages,
// and as a last resort for the year). It returns an error when the bytes are not a report
// (unreadable encoding, no table found); a report with unread cells is not an error: those
// cells are nil with findings.
func File(name string, data []byte) (*ingest.Report, error) {
	doc, err := decode.Read(name, data)
	if err != nil {
		return nil, err
	}
	return Document(name, doc)
}

// Document parses a decoded document. A document is a report when it says so: a title
// naming 政府信息公开工作年度报告 with a year, the outline of the six sections (一、总体情况,
// 二、主动公开政府信息情况), or table 3 itself. A report whose tables are cut or missing is read
// for all it holds and marked incomplete with the reason; anything else (a notice, a news
// item) is refused with ErrNotReport.
func Document(name string, doc *decode.Document) (*ingest.Report, error) {
	r := &ingest.Report{Source: name, Format: ingest.Format2021, Prose: map[int]string{}}
	lines := doc.Lines
	// the text is joined once; prose sections are slices of it
	text := newJoinedFrom(lines, doc.Text)
	r.Text = text.s
	titled := identify(r, name, lines, doc.Title, doc.Meta)
	secs := findSections(lines)
	last := pos{len(lines) + 1, 0}
	first := pos{1, 0}
	lastLine := lastTextLine(lines)

	// table regions
	t3start := first
	if secs.found[3] {
		t3start = secs.start[3]
	} else if secs.found[2] {
		t3start = secs.start[2]
	}
	t3end := last
	for _, n := range []int{4, 5, 6} {
		if secs.found[n] && t3start.before(secs.start[n]) {
			t3end = secs.start[n]
			break
		}
	}
	t2start := first
	if secs.found[2] {
		t2start = secs.start[2]
	} else if secs.found[1] {
		t2start = secs.start[1]
	}
	t2end := t3start
	if !secs.found[3] {
		t2end = last
	}
	t4start, t4end := last, last
	if secs.found[4] {
		t4start, t4end = secs.start[4], secs.end(4, last)
	}

	// only the lines that can hold tables are cut into tokens; prose is read as text
	tfrom, tto := t2start, t3end
	if t4end != last || secs.found[4] {
		tto = t4end
	}
	if !secs.found[2] && !secs.found[3] {
		tfrom = first
	}
	if !secs.found[4] {
		tto = last
	}
	buf := tokenBuffers.Get().(*tokenBuf)
	buf.han.b = buf.han.b[:0]
	toks := tokenizeInto(buf.toks[:0], &buf.han, lines, tfrom.line, tto.line)
	defer func() {
		if cap(toks) <= 1<<16 && cap(buf.han.b) <= 1<<20 { // an odd document's stream is not kept
			buf.toks = toks[:0]
			tokenBuffers.Put(buf)
		}
	}()
	// a text that stops inside the tables (no section 五 or 六) may have been cut in a row:
	// the numbers after the last words are that row's, and the row is not trusted (in
	// table 4, whose numbers follow its header, only the number the text ends on)
	stopped := !secs.found[5] && !secs.found[6]
	cut := false
	if stopped {
		// a row of cells on the last line is the row the cut runs through, even when
		// words follow its numbers (an HTML entity cut in half: "&n")
		k := len(toks)
		for k > 0 && toks[k-1].line == lastLine {
			k--
		}
		kept := k
		for _, t := range toks[k:] {
			if t.kind == tokText || t.col == 0 {
				toks[kept] = t
				kept++
			} else {
				cut = true
			}
		}
		toks = toks[:kept]
	}
	if stopped && len(toks) > 0 && toks[len(toks)-1].kind != tokText {
		lastText := len(toks) - 1
		for lastText >= 0 && toks[lastText].kind != tokText {
			lastText--
		}
		inT4 := secs.found[4] && !(pos{toks[len(toks)-1].line, toks[len(toks)-1].off}).before(t4start)
		switch {
		case inT4 && !cut && endsWithDigit(lines):
			toks = toks[:len(toks)-1]
			cut = true
		case !inT4 && hasNumber(toks[lastText+1:]) && !wholeRow(toks[lastText+1:], lastLine):
			toks = toks[:lastText+1]
			cut = true
		}
	}
	t2toks := tokensBetween(lines, toks, t2start, t2end)
	t3toks := tokensBetween(lines, toks, t3start, t3end)
	t4toks := tokensBetween(lines, toks, t4start, t4end)

	if is2019(t2toks) {
		r.Format = ingest.Format2019
	}

	// table 3
	// the rows of the tables are read into reused storage, given back once their cells
	// are copied into the report
	rs := rowSlabs.Get().(*rowSlab)
	defer rs.release()
	t3 := readTable3(t3toks, rs)
	outline := secs.found[1] && secs.found[2]
	if t3.found == 0 && !titled && !outline {
		return nil, fmt.Errorf("parse %s: %w: no table 3 (收到和处理政府信息公开申请情况) found", name, ErrNotReport)
	}
	// where the cells the text does not reach are said to be lost
	var why []string
	lostReason, lostLine := "表中未找到该行", 0
	if stopped {
		lostReason, lostLine = fmt.Sprintf("文本在第 %d 行中断", lastLine), lastLine
	}
	r.SingleOther = t3.single || r.Format == ingest.Format2019
	rows, bits := ingest.Table3Rows, table3RowBits
	if r.SingleOther {
		rows, bits = ingest.Table3RowsSingleOther, table3RowBitsOne
	}
	// the report's cells, made once its shape is known: room for every key of it
	nkeys := len(ingest.Table2Keys) + len(rows)*len(ingest.Table3Columns) + len(ingest.Table4Blocks)*len(ingest.Table4Columns)
	if r.Format == ingest.Format2019 {
		nkeys += len(ingest.Table2Keys2019) - len(ingest.Table2Keys)
	}
	r.Cells = ingest.MakeCells(nkeys)
	w := cellWriter{r: r}
	t3missing := 0
	for ri, row := range rows {
		c, ok := t3.get(bits[ri])
		if !ok {
			t3missing++
		}
		keys, nums := table3KeysOf(row)
		for i := range ingest.Table3Columns {
			key := keys[i]
			if !ok {
				r.Cells.SetAt(nums[i], ingest.Cell{})
				if t3.found > 0 {
					r.AddFinding(unreadFinding(key, ingest.CellLabel(key), lostReason, lostLine))
				}
				continue
			}
			w.set(nums[i], c, i)
		}
	}
	switch {
	case t3.found == 0:
		why = append(why, "未找到表三")
		r.AddFinding(ingest.Finding{Rule: ingest.RuleMissingSection, Severity: ingest.SeverityError, Cell: "table3",
			Message: "未找到表三（收到和处理政府信息公开申请情况）", Line: lostLine})
	case t3missing > 0 && stopped && !secs.found[4]:
		why = append(why, fmt.Sprintf("表三在第%d行中断", lastLine))
	case t3missing > 0:
		why = append(why, fmt.Sprintf("表三缺少%d行", t3missing))
	}

	// table 2
	labels2 := table2Labels2021
	if r.Format == ingest.Format2019 {
		labels2 = table2Labels2019
	}
	prose1 := text.between(first, t2start)
	if secs.found[1] {
		prose1 = text.between(secs.start[1], secs.end(1, last))
	}
	t2 := readTable2(t2toks, labels2, prose1, rs)
	for li, l := range labels2 {
		for i, n := range l.nums {
			if !t2.has[li] {
				r.Cells.SetAt(n, ingest.Cell{})
				continue
			}
			w.set(n, t2.rows[li], i)
		}
	}
	if t2.n == 0 {
		if stopped && secs.found[2] && !secs.found[3] && t3.found == 0 {
			why = append(why, fmt.Sprintf("表二在第%d行中断", lastLine))
		} else {
			why = append(why, "未找到表二")
		}
		r.AddFinding(ingest.Finding{Rule: ingest.RuleMissingSection, Severity: ingest.SeverityError, Cell: "table2",
			Message: "未找到表二（主动公开政府信息情况）"})
	} else {
		t2missing := 0
		for li, l := range labels2 {
			for _, key := range l.keys {
				if !t2.has[li] {
					t2missing++
					reason, line := "表中未找到该行", 0
					if stopped && t3.found == 0 {
						reason, line = lostReason, lostLine
					}
					r.AddFinding(unreadFinding(key, ingest.CellLabel(key), reason, line))
				}
			}
		}
		if t2missing > 0 && stopped && t3.found == 0 {
			why = append(why, fmt.Sprintf("表二在第%d行中断", lastLine))
		}
	}

	// table 4
	t4, ok := readTable4(t4toks, cut, rs)
	for b := range ingest.Table4Blocks {
		for f := range ingest.Table4Columns {
			n := table4Nums[b][f]
			if !ok {
				r.Cells.SetAt(n, ingest.Cell{})
				continue
			}
			w.set(n, t4, b*5+f)
		}
	}
	switch {
	case !ok && secs.found[4] && stopped:
		why = append(why, fmt.Sprintf("表四在第%d行中断", lastLine))
	case !ok:
		why = append(why, "未找到表四")
	case cut && t4.reason != "":
		why = append(why, fmt.Sprintf("表四在第%d行中断", lastLine))
	}
	if !ok {
		r.AddFinding(ingest.Finding{Rule: ingest.RuleMissingSection, Severity: ingest.SeverityError, Cell: "table4",
			Message: "未找到表四（行政复议、行政诉讼情况）", Line: lostLine})
	}

	// a text that stops inside the tables is a cut-off page
	if len(why) == 0 && stopped && (cut || hasUnread(r)) {
		why = append(why, fmt.Sprintf("文本在第%d行结束，未见第五、六部分", lastLine))
	}
	if len(why) > 0 {
		r.Incomplete = true
		r.IncompleteReason = strings.Join(why, "；")
	}

	// prose
	r.Prose[1] = prose1
	if secs.found[5] {
		r.Prose[5] = text.between(secs.start[5], secs.end(5, last))
	}
	if secs.found[6] {
		r.Prose[6] = text.between(secs.start[6], last)
	}
	p1line := 1
	if secs.found[1] {
		p1line = secs.start[1].line
	}
	readProse(r, r.Prose[1], p1line, lines)
	if doc.Pages != nil { // a PDF: every cell says its page and its line on the page
		for key, c := range r.Cells.All() {
			if c.Src.Line > 0 {
				c.Src.Page, c.Src.PageLine = doc.PageLine(c.Src.Line)
				r.Cells.Set(key, c)
			}
		}
	}
	return r, nil
}

// wholeRow tells whether the numbers a text stops after are a whole row: cells of a
// structured row (tabs, pipes, an HTML table) on a line before the text's last line, which
// the line break closed. Numbers one a line, or on the last line, may be cut.
func wholeRow(toks []token, lastLine int) bool {
	for _, t := range toks {
		if t.col == 0 || t.line >= lastLine {
			return false
		}
	}
	return true
}

// lastTextLine is the 1-based number of the last line that is not blank (0: none).
func lastTextLine(lines []string) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return i + 1
		}
	}
	return 0
}

// cellWriter stores a report's cells.
type cellWriter struct {
	r *ingest.Report
}

// set stores cell i of a read row as the cell of key number n, or a nil cell with its
// V-unreadable finding.
func (w *cellWriter) set(n int, c cellsResult, i int) {
	if i < len(c.vals) && c.vals[i] != nil {
		w.r.Cells.SetValue(n, *c.vals[i], srcOf(c.toks[i]))
		return
	}
	w.r.Cells.SetAt(n, ingest.Cell{})
	key := ingest.KeyOfNumber(n)
	w.r.AddFinding(unreadFinding(key, ingest.CellLabel(key), c.reasonFor(min(i, len(c.vals)-1)), c.line))
}

// table3Keys and table4Keys are the cell keys by row (or block) and column, built once;
// table3Nums and table4Nums their key numbers.
var (
	table3Nums = func() map[string][]int {
		m := map[string][]int{}
		for row, keys := range table3Keys {
			m[row] = keyNums(keys)
		}
		return m
	}()
	table4Nums = func() [][]int {
		out := make([][]int, len(table4Keys))
		for b, keys := range table4Keys {
			out[b] = keyNums(keys)
		}
		return out
	}()
	table3Keys = func() map[string][]string {
		m := map[string][]string{}
		for _, rows := range [][]string{ingest.Table3Rows, ingest.Table3RowsSingleOther} {
			for _, row := range rows {
				for _, col := range ingest.Table3Columns {
					if len(m[row]) < len(ingest.Table3Columns) {
						m[row] = append(m[row], ingest.Table3Key(row, col))
					}
				}
			}
		}
		return m
	}()
	table4Keys = func() [][]string {
		out := make([][]string, len(ingest.Table4Blocks))
		for b, block := range ingest.Table4Blocks {
			for _, col := range ingest.Table4Columns {
				out[b] = append(out[b], ingest.Table4Key(block, col))
			}
		}
		return out
	}()
)

// table3KeysOf is the keys of a table-3 row's cells in column order, and their numbers.
func table3KeysOf(row string) ([]string, []int) {
	if k, ok := table3Keys[row]; ok {
		return k, table3Nums[row]
	}
	k := make([]string, len(ingest.Table3Columns))
	for i, col := range ingest.Table3Columns {
		k[i] = ingest.Table3Key(row, col)
	}
	return k, keyNums(k)
}

// keyNums is the numbers of cell keys; a string that is no key is a programming error.
func keyNums(keys []string) []int {
	out := make([]int, len(keys))
	for i, k := range keys {
		n, ok := ingest.KeyNumber(k)
		if !ok {
			panic("parse: no cell key " + k)
		}
		out[i] = n
	}
	return out
}

func endsWithDigit(lines []string) bool {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimRight(lines[i], " \t|")
		if l == "" {
			continue
		}
		return l[len(l)-1] >= '0' && l[len(l)-1] <= '9'
	}
	return false
}

func hasUnread(r *ingest.Report) bool {
	for _, c := range r.Cells.All() {
		if c.Value == nil {
			return true
		}
	}
	return false
}

// is2019 tells whether table 2 is in the 2019 format (its column and row words).
func is2019(toks []token) bool {
	for _, t := range toks {
		if t.kind == tokText && (strings.Contains(t.han, "新制作") || strings.Contains(t.han, "上一年项目") || strings.Contains(t.han, "采购项目") || strings.Contains(t.han, "对外公开总数")) {
			return true
		}
	}
	return false
}
