package parse

import (
	"regexp"
	"strings"
	"unsafe"
)

// pos is a place in the normalised text: line (1-based) and byte offset in the line.
type pos struct{ line, off int }

func (p pos) before(q pos) bool { return p.line < q.line || (p.line == q.line && p.off < q.off) }

// sectionHeading recognises the heading of one of the six sections. Headings are found by
// their words after a numeral (一、 二. …), not by their exact wording: publishers vary it
// (四、因政府信息公开工作被申请行政复议、提起行政诉讼情况; 五、存在问题及改进情况; 行政法复议).
type sectionHeading struct {
	n     int
	words []string       // any of these must appear in the line (cheap filter)
	re    *regexp.Regexp // the heading itself
	at    *regexp.Regexp // re anchored at the start: the heading starting right there
}

const numeral = `[一二三四五六七八九][ ]?[、.,][ ]?`

var sectionHeadings = []sectionHeading{
	{1, []string{"总体情况", "概述"}, regexp.MustCompile(numeral + `(?:总体情况|概述)`), nil},
	{2, []string{"主动公开"}, regexp.MustCompile(numeral + `主动公开政府信息`), nil},
	{3, []string{"申请情况", "依申请"}, regexp.MustCompile(numeral + `(?:收到和处理政府信息公开申请|依申请公开政府信息)`), nil},
	{4, []string{"复议", "诉讼"}, regexp.MustCompile(numeral + `[^。，,:：\n0-9结]{0,24}?(?:行政复议|行政法复议|复议)[^。，,\n0-9]{0,12}?(?:行政诉讼|诉讼)`), nil},
	{5, []string{"问题"}, regexp.MustCompile(numeral + `(?:存在的?主要问题|存在问题|主要问题|工作中存在的)`), nil},
	{6, []string{"其他需要报告"}, regexp.MustCompile(numeral + `其他需要报告`), nil},
}

func init() {
	for i := range sectionHeadings {
		sectionHeadings[i].at = regexp.MustCompile(`^(?:` + sectionHeadings[i].re.String() + `)`)
	}
}

// sections are the start of each section found (zero pos when absent).
type sections struct {
	start [7]pos
	found [7]bool
}

// findSections finds the headings in order: each after the one before it, so the table of
// contents in the opening paragraph (总体情况、主动公开政府信息情况…) is not taken for them.
func findSections(lines []string) sections {
	var s sections
	from := pos{1, 0}
	for _, h := range sectionHeadings {
		p, ok := findHeading(lines, h, from)
		if !ok {
			continue
		}
		s.start[h.n], s.found[h.n] = p, true
		from = pos{p.line, p.off + 1}
	}
	return s
}

func findHeading(lines []string, h sectionHeading, from pos) (pos, bool) {
	for i := from.line - 1; i < len(lines); i++ {
		line := lines[i]
		off := 0
		if i == from.line-1 {
			off = from.off
			if off > len(line) {
				continue
			}
		}
		// every heading starts with a numeral and its mark (一、): the expression is run
		// from the first one, and not at all on a line without one
		k := numeralAt(line, off)
		if k < 0 {
			continue
		}
		hit := false
		for _, w := range h.words {
			if strings.Contains(line, w) {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		// every match of the heading starts where numeral matches: the first numeral the
		// heading starts at is where the unanchored expression's leftmost match starts
		for ; k >= 0; k = numeralAt(line, k+1) {
			if h.at.MatchString(line[k:]) {
				return pos{i + 1, k}, true
			}
		}
	}
	return pos{}, false
}

// numeralAt is the offset of the first match of numeral in line at or after from (-1:
// none), found without the regular expression: one of 一…九, maybe a space, then 、 . or ,.
// The marks are looked for (a few bytes to compare), and the numeral before each.
func numeralAt(line string, from int) int {
	if from+3 >= len(line) {
		return -1
	}
	// the next comma, full stop and E3 byte (、 is E3 80 81) at or after m, each found
	// with IndexByte; -1 once there is none left
	m := from + 3
	next := func(c byte, at int) int {
		if k := strings.IndexByte(line[at:], c); k >= 0 {
			return at + k
		}
		return -1
	}
	comma, stop, e3 := next(',', m), next('.', m), next(0xE3, m)
	for {
		m = -1
		for _, k := range [3]int{comma, stop, e3} {
			if k >= 0 && (m < 0 || k < m) {
				m = k
			}
		}
		if m < 0 {
			return -1
		}
		switch m {
		case comma:
			comma = next(',', m+1)
		case stop:
			stop = next('.', m+1)
		default:
			e3 = next(0xE3, m+1)
			if m+2 >= len(line) || line[m+1] != 0x80 || line[m+2] != 0x81 {
				continue
			}
		}
		// the numeral right before the mark, or before a space before it
		i := m - 3
		if line[m-1] == ' ' {
			i = m - 4
		}
		if i >= from && isNumeralAt(line, i) {
			return i
		}
	}
}

// isNumeralAt tells whether one of 一二三四五六七八九 starts at line[i] (which has 3 bytes).
func isNumeralAt(line string, i int) bool {
	if i < 0 || i+3 > len(line) {
		return false
	}
	switch line[i : i+3] {
	case "一", "二", "三", "四", "五", "六", "七", "八", "九":
		return true
	}
	return false
}

// end returns where section n ends: the start of the next section found, or the end.
func (s sections) end(n int, last pos) pos {
	for m := n + 1; m <= 6; m++ {
		if s.found[m] {
			return s.start[m]
		}
	}
	return last
}

// tokensBetween returns the tokens from a (inclusive) to b (exclusive). A text token that
// runs into a from before it (a heading inside a long line of prose) is cut at a.
func tokensBetween(lines []string, toks []token, a, b pos) []token {
	i := 0
	for i < len(toks) && (pos{toks[i].line, toks[i].off}).before(a) {
		i++
	}
	j := i
	for j < len(toks) && (pos{toks[j].line, toks[j].off}).before(b) {
		j++
	}
	out := toks[i:j]
	if i > 0 && a.line >= 1 && a.line <= len(lines) {
		prev := toks[i-1]
		if prev.kind == tokText && prev.line == a.line && prev.col == 0 {
			rest := lines[a.line-1][min(a.off, len(lines[a.line-1])):]
			if k := strings.IndexAny(rest, "0123456789"); k >= 0 {
				rest = rest[:k]
			}
			if rest = strings.TrimSpace(rest); rest != "" {
				cut := token{kind: tokText, text: rest, line: a.line, off: a.off, han: hanOnly(rest)}
				out = append([]token{cut}, out...)
			}
		}
	}
	return out
}

// joined is the document's lines joined with "\n", with where each line starts, so that a
// section's text is a slice of it rather than a copy.
type joined struct {
	s     string
	start []int // byte offset of each line (0-based index)
}

func newJoined(lines []string) joined { return newJoinedFrom(lines, "") }

// newJoinedFrom is newJoined, taking text as it is when the lines are its slices, in order,
// one "\n" between them (decode.Document.Text), instead of copying them.
func newJoinedFrom(lines []string, text string) joined {
	if len(lines) > 0 && len(text) > 0 {
		start := make([]int, len(lines)+1)
		p := 0
		ok := true
		for i, l := range lines {
			if i > 0 {
				if p >= len(text) || text[p] != '\n' {
					ok = false
					break
				}
				p++
			}
			if len(l) > 0 && (p+len(l) > len(text) || unsafe.StringData(l) != unsafe.StringData(text[p:])) {
				ok = false
				break
			}
			start[i] = p
			p += len(l)
		}
		if ok && p == len(text) {
			start[len(lines)] = p
			return joined{s: text, start: start}
		}
	}
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	var b strings.Builder
	b.Grow(n)
	start := make([]int, len(lines)+1)
	for i, l := range lines {
		start[i] = b.Len()
		b.WriteString(l)
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	start[len(lines)] = b.Len()
	return joined{s: b.String(), start: start}
}

// offset is the byte offset of p in the joined text.
func (j joined) offset(p pos) int {
	if p.line < 1 {
		return 0
	}
	if p.line > len(j.start)-1 {
		return len(j.s)
	}
	line := j.start[p.line-1]
	end := len(j.s)
	if p.line < len(j.start)-1 {
		end = j.start[p.line] - 1 // the line's own end, before its "\n"
	}
	return min(line+p.off, end)
}

// between returns the text from a to b (b exclusive), as a slice of the joined text.
func (j joined) between(a, b pos) string {
	if !a.before(b) {
		return ""
	}
	x, y := j.offset(a), j.offset(b)
	if x >= y {
		return ""
	}
	return strings.TrimSuffix(j.s[x:y], "\n")
}
