package decode

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// pseg is a run of characters of one visual line with no wide gap: a cell.
type pseg struct {
	text   string
	x0, x1 float64
	y0, y1 float64
	num    bool // only digits (and a sign or decimal point): a number cell
	// gaps are the places inside the cell where the characters stand apart (a space or
	// more): x between the characters and the byte offset in text; a line of text that
	// crosses two cells of a table row is cut there.
	gaps []pgap
}

// pgap is a place inside a cell where a narrow gap was.
type pgap struct {
	x0, x1 float64 // the gap's extent
	i      int     // byte offset in the cell's text of the character after the gap
}

// pline is a visual line of a page.
type pline struct {
	chars []pchar
	cy, h float64
	segs  []pseg
}

// groupLines groups a page's characters into visual lines, top to bottom.
//
// rules are the page's vertical ruling lines when they were read (nil otherwise): a line's
// characters on either side of one are in different cells.
func groupLines(chars []pchar, rules []vrule) []*pline {
	cs := append([]pchar(nil), chars...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].cy() < cs[j].cy() })
	var lines []*pline
	for _, c := range cs {
		var best *pline
		bestD := 0.0
		// a character joins a line whose centre it is close to (the last few lines: lines
		// are met top to bottom)
		for k := len(lines) - 1; k >= 0 && k >= len(lines)-4; k-- {
			l := lines[k]
			tol := 0.45 * max(l.h, c.h())
			if d := abs(c.cy() - l.cy); d <= tol && (best == nil || d < bestD) {
				best, bestD = l, d
			}
		}
		if best == nil {
			best = &pline{cy: c.cy(), h: c.h()}
			lines = append(lines, best)
		}
		best.chars = append(best.chars, c)
		if isLineChar(c.r) {
			// the line's centre and height follow its full-height characters
			n := 0
			sum := 0.0
			for _, x := range best.chars {
				if isLineChar(x.r) {
					sum += x.cy()
					n++
					best.h = max(best.h, x.h())
				}
			}
			best.cy = sum / float64(n)
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].cy < lines[j].cy })
	// a line of punctuation only (quotation marks drawn above the line's middle) joins
	// the nearest line of text
	orig := append([]*pline(nil), lines...)
	kept := lines[:0]
	for i, l := range orig {
		punct := true
		for _, c := range l.chars {
			if isLineChar(c.r) {
				punct = false
				break
			}
		}
		if punct {
			var best *pline
			for _, k := range []int{i - 1, i + 1} {
				if k >= 0 && k < len(orig) && len(orig[k].chars) > 0 {
					m := orig[k]
					if abs(m.cy-l.cy) <= 0.8*m.h && (best == nil || abs(m.cy-l.cy) < abs(best.cy-l.cy)) {
						best = m
					}
				}
			}
			if best != nil {
				best.chars = append(best.chars, l.chars...)
				l.chars = nil
				continue
			}
		}
		kept = append(kept, l)
	}
	lines = kept
	for _, l := range lines {
		sort.SliceStable(l.chars, func(i, j int) bool { return l.chars[i].x0 < l.chars[j].x0 })
		l.segs = segments(l, rules)
	}
	return lines
}

// isLineChar reports whether r is a character whose box spans the line's height (Han
// characters, letters and digits; not punctuation).
func isLineChar(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0x4E00 && r <= 0x9FFF
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// segments cuts a line into cells at wide gaps (more than 1.2 em: justified prose spreads
// its characters up to about one em); a narrower gap is a space, except between two
// digits (letter-spaced numbers) or two CJK characters (justified Chinese text).
func segments(l *pline, rules []vrule) []pseg {
	var segs []pseg
	var b strings.Builder
	var cur pseg
	em := max(l.h, 1)
	for i, c := range l.chars {
		if i > 0 {
			prev := l.chars[i-1]
			gap := c.x0 - prev.x1
			// digits of one number are close; two numbers of neighbouring cells are not
			if gap > 1.2*em || isDigit(prev.r) && isDigit(c.r) && gap > 0.6*em || ruleBetween(rules, prev.cx(), c.cx(), l.cy) {
				cur.text = b.String()
				segs = append(segs, cur)
				b.Reset()
			} else if gap > 0.25*em && !(isDigit(prev.r) && isDigit(c.r)) && !(isCJK(prev.r) && isCJK(c.r) && gap < 0.7*em) {
				b.WriteByte(' ')
				cur.gaps = append(cur.gaps, pgap{prev.x1, c.x0, b.Len()})
			} else if gap > 0.5*em {
				cur.gaps = append(cur.gaps, pgap{prev.x1, c.x0, b.Len()})
			}
		}
		if b.Len() == 0 {
			cur = pseg{x0: c.x0, y0: c.y0, y1: c.y1}
		}
		cur.x1 = max(cur.x1, c.x1)
		cur.y0, cur.y1 = min(cur.y0, c.y0), max(cur.y1, c.y1)
		b.WriteRune(c.r)
	}
	if b.Len() > 0 {
		cur.text = b.String()
		segs = append(segs, cur)
	}
	for i := range segs {
		segs[i].num = isNumberCell(segs[i].text)
	}
	return segs
}

// ruleBetween reports whether a vertical rule crossing the line at y stands between x0
// and x1.
func ruleBetween(rules []vrule, x0, x1, y float64) bool {
	for _, r := range rules {
		if x0 < r.x && r.x < x1 && r.y0-1 <= y && y <= r.y1+1 {
			return true
		}
	}
	return false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isCJK reports whether r is a Han character or CJK/full-width punctuation.
func isCJK(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r >= 0xFF00 && r <= 0xFFEF || r == 0x201C || r == 0x201D
}

// isNumberCell reports whether a cell's text is a number: digits, maybe with a sign, a
// decimal point or thousands separators.
func isNumberCell(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' || r == ',' || r == '-' || r == ' ':
		default:
			return false
		}
	}
	return digits > 0
}

// tline is a line of the document being laid out: a visual line of a page, or a label
// rebuilt from several.
type tline struct {
	page int
	cy   float64
	h    float64
	segs []pseg
	gone bool // merged into another line
	// stack is a label rebuilt from a narrow cell (joinStacks): it stays a line of its own
	stack bool
}

func (l *tline) numbers() int {
	n := 0
	for _, s := range l.segs {
		if s.num {
			n++
		}
	}
	return n
}

// isRow reports whether the line is a table row with numbers: at least two cells, one of
// them a number.
func (l *tline) isRow() bool { return len(l.segs) >= 2 && l.numbers() > 0 }

// bare reports whether a row has no text cell (its label is on the lines around it).
func (l *tline) bare() bool {
	for _, s := range l.segs {
		if !s.num {
			return false
		}
	}
	return true
}

// overlapsText reports whether one of the line's text cells overlaps x0..x1.
func (l *tline) overlapsText(x0, x1 float64) bool {
	for _, s := range l.segs {
		if !s.num && s.x0 < x1 && x0 < s.x1 {
			return true
		}
	}
	return false
}

func (l *tline) text() string {
	var b strings.Builder
	for i, s := range l.segs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.text)
	}
	return b.String()
}

func runeCount(s string) int { return len([]rune(s)) }

// joinText joins two pieces of one cell: CJK text without a space, Latin words and numbers
// with one.
func joinText(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	ra, _ := lastRune(a)
	rb := []rune(b)[0]
	if isCJK(ra) || isCJK(rb) {
		return a + b
	}
	return a + " " + b
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

// layoutPage rebuilds one page's lines: vertical labels are joined, label fragments
// wrapped around a row are merged into the row.
func layoutPage(page int, p ppage) []*tline {
	var lines []*tline
	for _, l := range groupLines(p.chars, p.vrules) {
		lines = append(lines, &tline{page: page, cy: l.cy, h: max(l.h, 1), segs: l.segs})
	}
	// the left edge of the number columns: labels live left of it
	minNum := 1e9
	for _, l := range lines {
		if l.numbers() >= 3 {
			for _, s := range l.segs {
				if s.num {
					minNum = min(minNum, s.x0)
				}
			}
		}
	}
	lines = joinStacks(lines, minNum)
	mergeFragments(lines)
	out := lines[:0]
	for _, l := range lines {
		if !l.gone && len(l.segs) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// joinStacks finds labels printed in a narrow cell, one to three characters a line (三、本
// 年度办理结果 down the side of table 3), left of the number columns, and makes each one
// line placed where it starts.
func joinStacks(lines []*tline, minNum float64) []*tline {
	type ref struct {
		line *tline
		seg  int
	}
	isStackSeg := func(s pseg) bool {
		t := strings.ReplaceAll(s.text, " ", "")
		if s.num || s.x1 > minNum || runeCount(t) > 3 {
			return false
		}
		for _, r := range t {
			if !isCJK(r) {
				return false
			}
		}
		return true
	}
	used := map[*tline]map[int]bool{}
	var added []*tline
	for i, l := range lines {
		for si, s := range l.segs {
			if !isStackSeg(s) || used[l][si] {
				continue
			}
			stack := []ref{{l, si}}
			x0, x1 := s.x0, s.x1
			lastY, h := l.cy, l.h
			for _, m := range lines[i+1:] {
				if m.cy-lastY > 3*h {
					break
				}
				for mi, ms := range m.segs {
					if isStackSeg(ms) && !used[m][mi] && ms.x0 < x1+3 && x0-3 < ms.x1 {
						stack = append(stack, ref{m, mi})
						lastY = m.cy
						break
					}
				}
			}
			if len(stack) < 3 {
				continue
			}
			var b strings.Builder
			for _, r := range stack {
				b.WriteString(strings.ReplaceAll(r.line.segs[r.seg].text, " ", ""))
				if used[r.line] == nil {
					used[r.line] = map[int]bool{}
				}
				used[r.line][r.seg] = true
			}
			added = append(added, &tline{page: l.page, cy: l.cy - 0.01, h: l.h, segs: []pseg{{text: b.String(), x0: x0, x1: x1}}, stack: true})
		}
	}
	if len(added) == 0 {
		return lines
	}
	for l, segs := range used {
		kept := l.segs[:0:0]
		for i, s := range l.segs {
			if !segs[i] {
				kept = append(kept, s)
			}
		}
		l.segs = kept
	}
	lines = append(lines, added...)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].cy < lines[j].cy })
	return lines
}

// mergeFragments gives the lines of text between two table rows to the row whose label
// they continue: lines under a row whose label starts on its own line (cells aligned at
// the top), lines around a row that has no label of its own (cells centred vertically), or
// a line clearly closer to one row than to the other.
func mergeFragments(lines []*tline) {
	var rows []int
	for i, l := range lines {
		if l.isRow() {
			rows = append(rows, i)
		}
	}
	isFrag := func(l *tline) bool {
		if l.numbers() > 0 || len(l.segs) == 0 || l.stack {
			return false
		}
		for _, s := range l.segs {
			if runeCount(s.text) > 30 {
				return false
			}
		}
		return true
	}
	assign := map[*tline]*tline{}
	for k := -1; k < len(rows); k++ {
		var a, b *tline
		from, to := 0, len(lines)
		if k >= 0 {
			a = lines[rows[k]]
			from = rows[k] + 1
		}
		if k+1 < len(rows) {
			b = lines[rows[k+1]]
			to = rows[k+1]
		}
		if a == nil && b == nil {
			continue
		}
		frags := lines[from:to]
		// the lines between must all be fragments
		for _, f := range frags {
			if !isFrag(f) {
				frags = nil
				break
			}
		}
		if len(frags) == 0 {
			continue
		}
		done := make([]bool, len(frags))
		// a row without a label of its own (cells centred): the lines just above and below
		// it in the column of the nearest one are its label
		if b != nil && b.bare() {
			next := b
			var col *pseg
			for i := len(frags) - 1; i >= 0; i-- {
				f := frags[i]
				if next.cy-f.cy > 2.6*b.h || col != nil && !overlapsAll(f, col.x0, col.x1) {
					break
				}
				if col == nil {
					c := f.segs[0]
					for _, s := range f.segs[1:] {
						c.x0, c.x1 = min(c.x0, s.x0), max(c.x1, s.x1)
					}
					col = &c
				}
				assign[f], done[i], next = b, true, f
			}
		}
		// lines under a row whose label starts on the row's line (cells at the top)
		if a != nil {
			prev := a
			for i, f := range frags {
				if done[i] {
					break
				}
				ok := f.cy-prev.cy <= 2.6*a.h
				for _, s := range f.segs {
					ok = ok && a.overlapsText(s.x0, s.x1)
				}
				if !ok {
					break
				}
				assign[f], done[i], prev = a, true, f
			}
		}
		// a line just above a row, in the row's label cells (a label of two lines centred
		// on the row, the numbers beside the second)
		if b != nil && !b.bare() {
			for i := len(frags) - 1; i >= 0 && !done[i]; i-- {
				f := frags[i]
				if b.cy-f.cy > 1.6*b.h {
					break
				}
				ok := true
				for _, s := range f.segs {
					ok = ok && b.overlapsText(s.x0, s.x1)
				}
				if !ok {
					break
				}
				assign[f], done[i] = b, true
				splitOnColumns(f, b)
			}
		}
		for i, f := range frags {
			if done[i] {
				continue
			}
			da, db := 1e9, 1e9
			if a != nil {
				da = f.cy - a.cy
			}
			if b != nil {
				db = b.cy - f.cy
			}
			switch {
			case a != nil && da <= 1.2*a.h && da < 0.7*db:
				assign[f] = a
			case b != nil && db <= 1.2*b.h && db < 0.7*da:
				assign[f] = b
			}
		}
	}
	if len(assign) == 0 {
		return
	}
	// rebuild each row that received fragments: its text cells and the fragments' cells
	// grouped into columns by overlap, each column's pieces in top-to-bottom order
	pieces := map[*tline][]*tline{}
	for f, r := range assign {
		pieces[r] = append(pieces[r], f)
		f.gone = true
	}
	for r, fs := range pieces {
		type piece struct {
			cy  float64
			seg pseg
		}
		type column struct {
			x0, x1 float64
			ps     []piece
		}
		var cols []*column
		add := func(cy float64, s pseg) {
			for _, c := range cols {
				if s.x0 < c.x1 && c.x0 < s.x1 {
					c.ps = append(c.ps, piece{cy, s})
					c.x0, c.x1 = min(c.x0, s.x0), max(c.x1, s.x1)
					return
				}
			}
			cols = append(cols, &column{s.x0, s.x1, []piece{{cy, s}}})
		}
		var nums []pseg
		for _, s := range r.segs {
			if s.num {
				nums = append(nums, s)
			} else {
				add(r.cy, s)
			}
		}
		for _, f := range fs {
			for _, s := range f.segs {
				add(f.cy, s)
			}
		}
		segs := make([]pseg, 0, len(cols)+len(nums))
		for _, c := range cols {
			sort.SliceStable(c.ps, func(i, j int) bool { return c.ps[i].cy < c.ps[j].cy })
			text := ""
			for _, p := range c.ps {
				text = joinText(text, p.seg.text)
			}
			segs = append(segs, pseg{text: text, x0: c.x0, x1: c.x1})
		}
		segs = append(segs, nums...)
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].x0 < segs[j].x0 })
		r.segs = segs
	}
}

// splitOnColumns cuts a fragment's cells that cross from one text cell of row r into the
// next, at the gap between the two.
func splitOnColumns(f, r *tline) {
	var cols []pseg
	for _, s := range r.segs {
		if !s.num {
			cols = append(cols, s)
		}
	}
	var out []pseg
	for _, s := range f.segs {
		for k := 0; k+1 < len(cols); k++ {
			a, b := cols[k], cols[k+1]
			if s.x0 >= a.x1 || s.x1 <= b.x0 {
				continue
			}
			// the gap nearest to the boundary between the two cells
			best, bd := -1, 1e9
			mid := (a.x1 + b.x0) / 2
			for gi, g := range s.gaps {
				if d := abs((g.x0+g.x1)/2 - mid); d < bd {
					best, bd = gi, d
				}
			}
			if best < 0 || bd > b.x0-a.x1+2*r.h {
				continue
			}
			g := s.gaps[best]
			left := pseg{text: strings.TrimSpace(s.text[:g.i]), x0: s.x0, x1: g.x0, y0: s.y0, y1: s.y1}
			s = pseg{text: strings.TrimSpace(s.text[g.i:]), x0: g.x1, x1: s.x1, y0: s.y0, y1: s.y1, gaps: s.gaps[best+1:]}
			for gi := range s.gaps {
				s.gaps[gi].i -= g.i
			}
			out = append(out, left)
		}
		out = append(out, s)
	}
	f.segs = out
}

// overlapsAll reports whether every cell of the line overlaps x0..x1.
func overlapsAll(l *tline, x0, x1 float64) bool {
	for _, s := range l.segs {
		if s.x1 <= x0 || s.x0 >= x1 {
			return false
		}
	}
	return true
}

// alignColumns puts the numbers of a table's rows on the table's columns, read from the
// header above the rows, when the rows carry fewer numbers than the header has columns (a
// cell left empty prints nothing): each number goes to the nearest column and the others
// stay empty cells. Nothing changes unless every number of every row has a column of its
// own.
//
// pages give the ruling lines of the pages read for them; a region whose rows need empty
// cells and whose pages have no rules read yet adds its pages to want.
func alignColumns(lines []*tline, pages []ppage, want map[int]bool) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		cells := make([]string, len(l.segs))
		for k, s := range l.segs {
			cells[k] = s.text
		}
		out[i] = cells
	}
	for i := 0; i < len(lines); {
		if !lines[i].isRow() {
			i++
			continue
		}
		// a region: rows, with at most a few lines of text between them
		j := i + 1
		last := i
		for j < len(lines) {
			if lines[j].isRow() {
				last = j
			} else if j-last > 3 || runeCount(lines[j].text()) > 30 {
				break
			}
			j++
		}
		alignRegion(lines, out, i, last+1, pages, want)
		i = last + 1
	}
	return out
}

func alignRegion(lines []*tline, out [][]string, from, to int, pages []ppage, want map[int]bool) {
	defer padLabels(lines, out, from, to)
	k, minX := 0, 1e9
	for _, l := range lines[from:to] {
		if l.isRow() {
			k = max(k, l.numbers())
			for _, s := range l.segs {
				if s.num {
					minX = min(minX, s.x0)
				}
			}
		}
	}
	// the header: the lines above the first row, back to a longer line of text
	type col struct{ x0, x1, c float64 }
	var segs []pseg
	em := lines[from].h
	for h := from - 1; h >= 0 && h >= from-10; h-- {
		l := lines[h]
		if l.isRow() || runeCount(l.text()) > 30 || isSectionHeading(l.text()) {
			break
		}
		for _, s := range l.segs {
			if (s.x0+s.x1)/2 >= minX-2*em {
				segs = append(segs, s)
			}
		}
	}
	// the columns: where the numbers of the rows stand; or the header's cells, when the
	// header has more columns than the numbers show and agrees with every one of them
	// (a column empty in every row prints no number at all)
	var centres []float64
	for _, l := range lines[from:to] {
		if l.isRow() {
			for _, s := range l.segs {
				if s.num {
					centres = append(centres, (s.x0+s.x1)/2)
				}
			}
		}
	}
	sort.Float64s(centres)
	var cols []col
	for _, c := range centres {
		if n := len(cols); n > 0 && c-cols[n-1].x1 < 0.6*em {
			cols[n-1].x1 = c
			continue
		}
		cols = append(cols, col{c, c, c})
	}
	for i := range cols {
		cols[i].c = (cols[i].x0 + cols[i].x1) / 2
	}
	var head []col
	for _, s := range segs {
		c := (s.x0 + s.x1) / 2
		merged := false
		for i := range head {
			if abs(head[i].c-c) < em {
				head[i].x0, head[i].x1 = min(head[i].x0, s.x0), max(head[i].x1, s.x1)
				merged = true
				break
			}
		}
		if !merged {
			head = append(head, col{s.x0, s.x1, c})
		}
	}
	// a heading over several columns (法人或其他组织) is not a column
	kept := head[:0]
	for _, c := range head {
		inside := 0
		for _, d := range head {
			if d.c != c.c && d.c > c.x0 && d.c < c.x1 {
				inside++
			}
		}
		if inside < 2 {
			kept = append(kept, c)
		}
	}
	head = kept
	if len(head) > len(cols) {
		agree := true
		for _, c := range cols {
			near := false
			for _, h := range head {
				near = near || abs(h.c-c.c) <= em
			}
			agree = agree && near
		}
		if agree {
			cols = head
		}
	}
	if len(cols) <= k || len(cols) > 20 {
		return
	}
	// empty cells: the table's ruling lines say best which column a number is in
	ruled := true
	for _, l := range lines[from:to] {
		if l.page >= 1 && l.page <= len(pages) && !pages[l.page-1].ruled {
			ruled = false
			if want != nil {
				want[l.page] = true
			}
		}
	}
	if ruled && alignOnRules(lines, out, from, to, pages) {
		return
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].c < cols[j].c })
	spacing := 1e9
	for i := 1; i < len(cols); i++ {
		spacing = min(spacing, cols[i].c-cols[i-1].c)
	}
	place := make(map[int][]int) // line → column of each number
	for li := from; li < to; li++ {
		l := lines[li]
		if !l.isRow() {
			continue
		}
		var at []int
		taken := map[int]bool{}
		for _, s := range l.segs {
			if !s.num {
				continue
			}
			c := (s.x0 + s.x1) / 2
			best, bd := -1, 1e9
			for ci, col := range cols {
				if d := abs(col.c - c); d < bd {
					best, bd = ci, d
				}
			}
			if best < 0 || bd > spacing/2 || taken[best] || (len(at) > 0 && best < at[len(at)-1]) {
				return
			}
			taken[best] = true
			at = append(at, best)
		}
		place[li] = at
	}
	for li, at := range place {
		l := lines[li]
		var cells []string
		for _, s := range l.segs {
			if !s.num {
				cells = append(cells, s.text)
			}
		}
		nums := make([]string, len(cols))
		n := 0
		for _, s := range l.segs {
			if s.num {
				nums[at[n]] = s.text
				n++
			}
		}
		out[li] = append(cells, nums...)
	}
}

// alignOnRules places the numbers of a region's rows in the cells the page's vertical
// ruling lines draw around them: each row's cells right of the leftmost number's cell are
// number cells, a number in each or none. It changes nothing and reports false when a row
// has no rules across it, two numbers share a cell, or text stands in a number cell.
func alignOnRules(lines []*tline, out [][]string, from, to int, pages []ppage) bool {
	// bounds returns the x of the vertical rules crossing line l, sorted, close ones as one
	bounds := func(l *tline) []float64 {
		var xs []float64
		for _, r := range pages[l.page-1].vrules {
			if r.y0-1 <= l.cy && l.cy <= r.y1+1 {
				xs = append(xs, r.x)
			}
		}
		sort.Float64s(xs)
		kept := xs[:0]
		for _, x := range xs {
			if n := len(kept); n > 0 && x-kept[n-1] < 1.5 {
				continue
			}
			kept = append(kept, x)
		}
		return kept
	}
	cellOf := func(b []float64, x float64) int {
		for i := 0; i+1 < len(b); i++ {
			if b[i] <= x && x < b[i+1] {
				return i
			}
		}
		return -1
	}
	grids := map[int][]float64{}
	numLeft := 1e9
	for li := from; li < to; li++ {
		l := lines[li]
		if !l.isRow() {
			continue
		}
		b := bounds(l)
		if len(b) < 2 {
			return false
		}
		grids[li] = b
		for _, s := range l.segs {
			if s.num {
				c := cellOf(b, (s.x0+s.x1)/2)
				if c < 0 {
					return false
				}
				numLeft = min(numLeft, b[c])
			}
		}
	}
	rows := map[int][]string{}
	for li, b := range grids {
		l := lines[li]
		first := -1 // the row's first number cell
		for i := 0; i+1 < len(b); i++ {
			if b[i] >= numLeft-1 {
				first = i
				break
			}
		}
		if first < 0 {
			return false
		}
		nums := make([]string, len(b)-1-first)
		var cells []string
		for _, s := range l.segs {
			c := cellOf(b, (s.x0+s.x1)/2)
			if !s.num {
				if c >= first {
					return false
				}
				cells = append(cells, s.text)
				continue
			}
			if c < first || nums[c-first] != "" {
				return false
			}
			nums[c-first] = s.text
		}
		rows[li] = append(cells, nums...)
	}
	for li, r := range rows {
		out[li] = r
	}
	return true
}

// padLabels gives every row of a region as many label cells as the row with the most, so
// that the numbers of all rows sit in the same cells (a group label printed once, beside the
// group's first row, would shift that row's numbers by one cell).
func padLabels(lines []*tline, out [][]string, from, to int) {
	most := 0
	texts := func(l *tline) int {
		n := 0
		for _, s := range l.segs {
			if !s.num {
				n++
			}
		}
		return n
	}
	for _, l := range lines[from:to] {
		if l.isRow() {
			most = max(most, texts(l))
		}
	}
	for li := from; li < to; li++ {
		l := lines[li]
		if !l.isRow() {
			continue
		}
		n := texts(l)
		if n == most {
			continue
		}
		// the text cells come first in out[li] only when the row starts with text
		if len(l.segs) > 0 && !l.segs[0].num || n == 0 {
			cells := append([]string(nil), out[li][:n]...)
			for k := n; k < most; k++ {
				cells = append(cells, "")
			}
			out[li] = append(cells, out[li][n:]...)
		}
	}
}

// isSectionHeading reports whether a line starts like a section heading: 一、 … 六、.
func isSectionHeading(s string) bool {
	for _, h := range []string{"一、", "二、", "三、", "四、", "五、", "六、", "七、"} {
		if strings.HasPrefix(s, h) {
			return true
		}
	}
	return false
}

// runningLines finds the running headers and footers: the first or last line of a page
// whose text (digits aside) is the first or last line of at least half the pages.
func runningLines(pages [][]*tline) map[*tline]bool {
	drop := map[*tline]bool{}
	if len(pages) < 3 {
		return drop
	}
	key := func(l *tline) string {
		return strings.Map(func(r rune) rune {
			if isDigit(r) || r == ' ' {
				return -1
			}
			return r
		}, l.text())
	}
	count := map[string]int{}
	for _, p := range pages {
		seen := map[string]bool{}
		for _, l := range edgeLines(p) {
			if k := key(l); !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	for _, p := range pages {
		for _, l := range edgeLines(p) {
			if count[key(l)]*2 >= len(pages) && count[key(l)] >= 2 {
				drop[l] = true
			}
		}
	}
	return drop
}

func edgeLines(p []*tline) []*tline {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p
	}
	return []*tline{p[0], p[len(p)-1]}
}

// reflow joins the lines of a paragraph of prose that the page wrapped: a line of text
// reaching the right margin and the next line of text starting at the left margin.
func reflow(page []*tline, cells [][]string) {
	left, right := 1e9, 0.0
	for _, l := range page {
		if len(l.segs) == 1 {
			left = min(left, l.segs[0].x0)
			right = max(right, l.segs[0].x1)
		}
	}
	for i := 0; i+1 < len(page); i++ {
		a, b := page[i], page[i+1]
		if len(cells[i]) != 1 || len(cells[i+1]) != 1 || len(a.segs) != 1 || len(b.segs) != 1 {
			continue
		}
		if a.segs[0].x1 < right-1.5*a.h || b.segs[0].x0 > left+0.5*b.h || b.cy-a.cy > 2.2*a.h || isSectionHeading(b.text()) {
			continue
		}
		cells[i+1][0] = joinText(cells[i][0], cells[i+1][0])
		b.segs[0].x0 = a.segs[0].x0
		cells[i] = nil
	}
}

// layoutPDF turns the pages' characters into the document's lines.
func layoutPDF(pages []ppage) *Document {
	doc, _ := layout(pages)
	return doc
}

// wantsRules reports whether a page's own tables need its ruling lines to place their
// numbers (the part of layout that decides it, without the rest).
func wantsRules(p ppage) bool {
	lines := layoutPage(1, p)
	want := map[int]bool{}
	alignColumns(lines, []ppage{p}, want)
	return len(want) > 0
}

// layout turns the pages' characters into the document's lines, and says which pages
// (1-based, in order) have a table whose columns their ruling lines would settle and that
// were not read for them.
func layout(pages []ppage) (*Document, []int) {
	doc := &Document{Kind: "pdf", Encoding: "utf-8", Meta: map[string]string{}}
	var byPage [][]*tline
	for pi, p := range pages {
		byPage = append(byPage, layoutPage(pi+1, p))
	}
	drop := runningLines(byPage)
	var all []*tline
	for _, p := range byPage {
		for _, l := range p {
			if !drop[l] {
				all = append(all, l)
			}
		}
	}
	want := map[int]bool{}
	cells := alignColumns(all, pages, want)
	// reflow page by page
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].page == all[i].page {
			j++
		}
		reflow(all[i:j], cells[i:j])
		i = j
	}
	debug := os.Getenv("GONGKAI_PDF_DEBUG") != ""
	var raw []string
	var rawPages []int
	for i, l := range all {
		if cells[i] == nil {
			continue
		}
		line := strings.Join(cells[i], "\t")
		if debug {
			var b strings.Builder
			fmt.Fprintf(&b, "y%.0f| ", l.cy)
			for _, s := range l.segs {
				fmt.Fprintf(&b, "[%.0f-%.0f]", s.x0, s.x1)
			}
			line = b.String() + " " + line
		}
		raw = append(raw, line)
		rawPages = append(rawPages, l.page)
	}
	raw, rawPages = splitPipeTables(raw, rawPages)
	ls := newLineSet(len(raw)*40, len(raw))
	for _, l := range raw {
		ls.add(l)
	}
	lines := ls.lines()
	page := 1
	for i, l := range lines {
		if isPageChrome(l) {
			continue
		}
		if rawPages[i] != page {
			// a page's text starts with its marker (Chinese numerals: no digit the tables
			// could take for a number), so the stored text shows the pages
			page = rawPages[i]
			doc.Lines = append(doc.Lines, PageMarker(page))
			doc.Pages = append(doc.Pages, page)
		}
		doc.Lines = append(doc.Lines, l)
		doc.Pages = append(doc.Pages, rawPages[i])
	}
	var wanted []int
	for pn := range want {
		wanted = append(wanted, pn)
	}
	sort.Ints(wanted)
	return doc, wanted
}

// mdSeparator is a Markdown table separator run (|---|:--:|, dashes of any width, spaces
// inside where the line wrapped) and the spaces around it.
var mdSeparator = regexp.MustCompile(`\s*\|(?:\s*[-—–―─:]+\s*\|)+\s*`)

// mdRowBreak is the place between two Markdown table rows that a browser ran together.
var mdRowBreak = regexp.MustCompile(`\|(?:\s*\|)+`)

// mdTrailingEmpty is an empty last cell at the end of a line: "| 0 | |".
var mdTrailingEmpty = regexp.MustCompile(`\|\s*\|\s*$`)

// splitPipeTables undoes a browser's print-out of a Markdown file: its pipe tables were
// shown as paragraphs, rows running on into each other ("| 32 | 34 | | | 二、… | 2 |") and
// wrapped at the page's width. Only a document that shows a Markdown separator row is
// touched. A line with pipes is cut into the text before the first pipe and one line per
// table row, its cells tab-separated; a row boundary is a pipe followed by another (an
// empty cell between rows is no number); separator runs and "## " heading marks end a line.
func splitPipeTables(raw []string, pages []int) ([]string, []int) {
	has := false
	for _, l := range raw {
		if strings.Count(l, "|") >= 3 && mdSeparator.MatchString(l) && strings.ContainsAny(mdSeparator.FindString(l), "-—–―─") {
			has = true
			break
		}
	}
	if !has {
		return raw, pages
	}
	var out []string
	var outPages []int
	for i, l := range raw {
		if strings.Count(l, "|") < 2 && !strings.Contains(l, "## ") {
			out = append(out, l)
			outPages = append(outPages, pages[i])
			continue
		}
		if strings.Trim(l, "|-—–―─: \t") == "" {
			continue // the rest of a separator row wrapped onto its own line
		}
		l = mdSeparator.ReplaceAllString(l, "\n")
		l = strings.ReplaceAll(l, "## ", "\n")
		// pipes with nothing between them at the end of the line: the row's last cell is
		// empty (no row follows)
		lastEmpty := false
		if m := mdTrailingEmpty.FindStringIndex(l); m != nil {
			l, lastEmpty = l[:m[0]]+"|", true
		}
		l = mdRowBreak.ReplaceAllString(l, "|\n|")
		parts := strings.Split(l, "\n")
		for pi, part := range parts {
			part = strings.TrimSpace(part)
			if part == "" || strings.Trim(part, "| ") == "" {
				continue
			}
			if k := strings.IndexByte(part, '|'); k > 0 {
				// text before the table's first pipe: a label or prose of its own
				out = append(out, strings.TrimSpace(part[:k]))
				outPages = append(outPages, pages[i])
				part = part[k:]
			}
			var cells []string
			for _, c := range strings.Split(strings.Trim(part, "| "), "|") {
				cells = append(cells, strings.TrimSpace(c))
			}
			if lastEmpty && pi == len(parts)-1 {
				cells = append(cells, "")
			}
			out = append(out, strings.Join(cells, "\t"))
			outPages = append(outPages, pages[i])
		}
	}
	return out, outPages
}

// PageMarker is the line that starts page n (n ≥ 2) in a PDF's text: "—— 第十二页 ——".
func PageMarker(n int) string { return "—— 第" + chineseNumber(n) + "页 ——" }

// chineseNumber writes 1 ≤ n < 10000 in Chinese numerals (十二, 一百零五).
func chineseNumber(n int) string {
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	if n < 10 {
		return string(d[n])
	}
	if n < 20 {
		s := "十"
		if n%10 != 0 {
			s += string(d[n%10])
		}
		return s
	}
	var b strings.Builder
	units := []struct {
		v int
		s string
	}{{1000, "千"}, {100, "百"}, {10, "十"}, {1, ""}}
	zero := false
	started := false
	for _, u := range units {
		q := n / u.v % 10
		if q == 0 {
			zero = started
			continue
		}
		if zero {
			b.WriteRune(d[0])
			zero = false
		}
		b.WriteRune(d[q])
		b.WriteString(u.s)
		started = true
	}
	return b.String()
}
