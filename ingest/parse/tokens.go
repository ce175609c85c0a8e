package parse

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// tokenKind says what a token of the table stream is.
type tokenKind uint8

const (
	tokText   tokenKind = iota // words: a label, a header, a heading
	tokNumber                  // a run of digits (maybe several cells run together), or a decimal
	tokBlank                   // an empty cell of a structured row (tab, pipe or HTML table)
)

// token is one piece of the document: tables are read from the stream of tokens, so a label
// and its numbers are found whether they share a line, a cell, or nothing at all.
type token struct {
	kind tokenKind
	text string // for tokText the text; for tokNumber the digits as printed (maybe "-3", "18651.06")
	line int    // 1-based line of the normalised text
	off  int    // byte offset of the token's cell (or, in a line without cells, of the token) in the line
	col  int    // 1-based cell of the row, 0 when the line has no cells
	// han is the label text reduced to its Han characters, for matching (tokText only).
	han string
}

// tokenize turns the normalised lines into the token stream. Rows of tab- or pipe-separated
// cells keep their empty cells as tokBlank, so positions survive; inside a cell, text and
// digit runs alternate. A digit glued to a label as its list marker ("40000042.其他…",
// where 2 is the marker of the next row) is given back to the label.
func tokenize(lines []string) []token { return tokenizeRange(nil, lines, 1, len(lines)) }

// tokenBuf is a report's token stream and the Han characters of its labels.
type tokenBuf struct {
	toks []token
	han  hanBuffer
}

// tokenBuffers recycles token streams between reports (tokens point into the lines and are
// not kept after a report is read, nor are the Han strings of their labels).
var tokenBuffers = sync.Pool{New: func() any { return &tokenBuf{toks: make([]token, 0, 1024)} }}

// tokenizeRange appends to toks the tokens of lines from (1-based, inclusive) to to.
func tokenizeRange(toks []token, lines []string, from, to int) []token {
	// the Han characters of labels are written into one buffer (see hanBuffer)
	var han hanBuffer
	return tokenizeInto(toks, &han, lines, from, to)
}

// tokenizeInto is tokenizeRange with the labels' Han characters written into han.
func tokenizeInto(toks []token, han *hanBuffer, lines []string, from, to int) []token {
	from = max(from, 1)
	to = min(to, len(lines))
	for i := from - 1; i < to; i++ {
		line := lines[i]
		n := i + 1
		sep, structured := cellSeparator(line)
		body := line
		if sep == '|' {
			body = strings.TrimSpace(line)
			body = strings.TrimPrefix(body, "|")
			body = strings.TrimSuffix(body, "|")
		}
		off := 0
		for ci := 0; ; ci++ {
			cell := body
			k := -1
			if structured {
				k = strings.IndexByte(body, sep)
			}
			if k >= 0 {
				cell, body = body[:k], body[k+1:]
			}
			cellOff := off
			off += len(cell) + 1
			col := 0
			if structured {
				col = ci + 1
			}
			if c := trimSpace(cell); c == "" {
				if structured {
					toks = append(toks, token{kind: tokBlank, line: n, col: col, off: cellOff})
				}
			} else {
				base := cellOff
				if structured {
					base = -1 // cells: every token carries the cell's offset
				}
				toks = scanCell(toks, han, c, n, col, base, cellOff)
			}
			if k < 0 {
				break
			}
		}
	}
	return toks
}

// cellSeparator tells how a table row separates its cells: pipe rows ("| a | b |") and tab
// rows. A line with neither is one cell.
func cellSeparator(line string) (byte, bool) {
	if strings.IndexByte(line, '|') < 0 { // no pipe row: only a tab can separate cells
		if strings.IndexByte(line, '\t') >= 0 {
			return '\t', true
		}
		return 0, false
	}
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 2 {
		return '|', true
	}
	if strings.IndexByte(line, '\t') >= 0 {
		return '\t', true
	}
	return 0, false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// scanCell appends the tokens of one cell.
// base is the cell's offset in an unstructured line (tokens get their own offsets), or -1
// for a cell of a row (tokens get cellOff).
func scanCell(toks []token, han *hanBuffer, c string, line, col, base, cellOff int) []token {
	textStart, textEnd := -1, -1 // the pending text is c[textStart:textEnd]
	at := func(i int) int {
		if base < 0 {
			return cellOff
		}
		return base + i
	}
	addText := func(from, to int) {
		if textStart < 0 {
			textStart = from
		}
		textEnd = to
	}
	flushText := func() {
		if textStart < 0 {
			return
		}
		raw := c[textStart:textEnd]
		s := trimSpace(raw)
		if s == "" {
			textStart, textEnd = -1, -1
			return
		}
		// s is a slice of raw: where it starts is where the leading space ends
		start := textStart + int(uintptr(unsafe.Pointer(unsafe.StringData(s)))-uintptr(unsafe.Pointer(unsafe.StringData(raw))))
		textStart, textEnd = -1, -1
		if isPunctOnly(s) {
			return
		}
		toks = append(toks, token{kind: tokText, text: s, line: line, col: col, off: at(start), han: han.of(s)})
	}
	i := 0
	for i < len(c) {
		b := c[i]
		neg := false
		// a minus sign (2019 format 本年增/减): at a cell's start, after a space, or glued
		// to the cell before it ("3-1" where separators were lost)
		if (b == '-') && i+1 < len(c) && isDigit(c[i+1]) && (i == 0 || c[i-1] == ' ' || isDigit(c[i-1])) {
			neg = true
		}
		if !isDigit(b) && !neg {
			// bytes of words: digits are ASCII, so a run of text ends on a rune boundary
			// without decoding the characters
			j := i + 1
			for j < len(c) && !isDigit(c[j]) && c[j] != '-' {
				j++
			}
			addText(i, j)
			i = j
			continue
		}
		start := i
		if neg {
			i++
		}
		for i < len(c) && isDigit(c[i]) {
			i++
		}
		// thousands separators: 10,407
		commas := false
		for i+3 < len(c) && c[i] == ',' && isDigit(c[i+1]) && isDigit(c[i+2]) && isDigit(c[i+3]) && (i+4 == len(c) || !isDigit(c[i+4])) {
			i += 4
			commas = true
		}
		digitsEnd := i
		// a decimal point followed by digits continues the number
		if i+1 < len(c) && c[i] == '.' && isDigit(c[i+1]) {
			i++
			for i < len(c) && isDigit(c[i]) {
				i++
			}
			digitsEnd = i
		}
		num := c[start:digitsEnd]
		// list marker: digits directly followed by "." or "、" and a non-digit ("1.属于", "2、重复")
		if digitsEnd < len(c) && !strings.Contains(num, ".") && isMarkerAfter(c[digitsEnd:]) {
			if len(num) == 1 || neg {
				addText(start, digitsEnd)
				continue
			}
			// the last digit is the next label's marker; the rest is a number run
			flushText()
			toks = append(toks, token{kind: tokNumber, text: num[:len(num)-1], line: line, col: col, off: at(start)})
			addText(digitsEnd-1, digitsEnd)
			continue
		}
		// a digit run inside words ("第1季度", "2024年") is text, not a cell
		if digitsEnd < len(c) && isUnitAfter(c[digitsEnd:]) {
			addText(start, digitsEnd)
			continue
		}
		flushText()
		if commas { // the only commas a number holds
			num = strings.ReplaceAll(num, ",", "")
		}
		toks = append(toks, token{kind: tokNumber, text: num, line: line, col: col, off: at(start)})
	}
	flushText()
	return toks
}

// isMarkerAfter tells whether s (what follows a digit run) starts like a list marker's tail.
func isMarkerAfter(s string) bool {
	var sep int
	switch {
	case strings.HasPrefix(s, "."):
		sep = 1
	case strings.HasPrefix(s, "、"):
		sep = len("、")
	default:
		return false
	}
	rest := strings.TrimLeft(s[sep:], " ")
	if rest == "" {
		return false
	}
	r, _ := decodeRune(rest)
	return !unicode.IsDigit(r)
}

// isUnitAfter tells whether a digit run is part of prose or a date rather than a cell:
// followed by 年, 月, 日, 号, 项, 条 (第二十条) and similar.
func isUnitAfter(s string) bool {
	if strings.HasPrefix(s, " ") {
		s = s[1:] // "2024 年"
	}
	r, _ := decodeRune(s)
	switch r {
	case '年', '月', '日', '号', '%', '％', '个', '名', '人', '次', '期', '季', '万', '元', '亿':
		return true
	}
	return false
}

// isPunctOnly tells whether s has no letter, Han or digit (a stray bracket, a dash).
func isPunctOnly(s string) bool {
	if r, _ := decodeRune(s); isHan(r) {
		return false
	}
	for i := 0; i < len(s); {
		r, size := decodeRune(s[i:]) // as range would
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
		i += size
	}
	return true
}

// decodeRune is utf8.DecodeRuneInString with the three-byte sequences whose lead byte
// admits any continuation bytes (E1–EC, EE, EF: U+1000–U+FFFF but for the surrogates and
// U+D000–U+DFFF) decoded inline: the characters of a report, Han and punctuation.
func decodeRune(s string) (rune, int) {
	if len(s) >= 3 {
		if b := s[0]; b >= 0xE1 && b <= 0xEF && b != 0xED && s[1]&0xC0 == 0x80 && s[2]&0xC0 == 0x80 {
			return rune(b&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
		}
	}
	return utf8.DecodeRuneInString(s)
}

// hanOnly keeps the Han characters of s: labels are matched on them alone, so spacing,
// brackets, markers and quotes do not matter.
func hanOnly(s string) string {
	all := true
	for _, r := range s {
		if !isHan(r) {
			all = false
			break
		}
	}
	if all {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if isHan(r) {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

// hanBuffer holds the Han characters of a report's labels: hanOnly's strings, cut out
// of one growing block instead of allocated one by one. Bytes once written are never
// changed (a full block is left to the strings that point into it), so the strings stay
// valid.
type hanBuffer struct{ b []byte }

// of is hanOnly(s), its bytes in the buffer. Runs of Han characters are copied as they
// are printed (a rune decoded from valid UTF-8 encodes back to the same bytes).
func (h *hanBuffer) of(s string) string {
	// the Han characters before the first other one are copied in one piece
	k := hanRun(s, 0)
	if k == len(s) {
		return s
	}
	if cap(h.b)-len(h.b) < len(s) {
		h.b = make([]byte, 0, max(2048, len(s)))
	}
	start := len(h.b)
	h.b = append(h.b, s[:k]...)
	for i := k; i < len(s); {
		// past the characters that are not Han, then the next run of them
		b := s[i]
		if b < utf8.RuneSelf {
			i++
			continue
		}
		if j := hanRun(s, i); j > i {
			h.b = append(h.b, s[i:j]...)
			i = j
			continue
		}
		_, size := decodeRune(s[i:])
		i += size
	}
	if len(h.b) == start {
		return ""
	}
	return unsafe.String(&h.b[start], len(h.b)-start)
}

// hanRun is the end of the run of Han characters of s that starts at i (i: none).
func hanRun(s string, i int) int {
	for i < len(s) {
		b := s[i]
		if b < utf8.RuneSelf {
			return i
		}
		// the CJK block U+4E00–U+9FFF: lead bytes E4–E9 and two continuation bytes
		if b >= 0xE4 && b <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			if b != 0xE4 || s[i+1] >= 0xB8 { // U+4E00 is E4 B8 80
				i += 3
				continue
			}
		}
		r, size := decodeRune(s[i:])
		if size == 1 || !isHan(r) {
			return i
		}
		i += size
	}
	return i
}

// trimSpace is strings.TrimSpace, with the Han character that ends most cells and labels
// told from a space without decoding it.
func trimSpace(s string) string {
	start := 0
	for start < len(s) {
		b := s[start]
		if b >= utf8.RuneSelf {
			if start+2 < len(s) && b >= 0xE4 && b <= 0xEF && s[start+1]&0xC0 == 0x80 && s[start+2]&0xC0 == 0x80 {
				break // U+4000–U+FFFF holds no space
			}
			r, size := utf8.DecodeRuneInString(s[start:])
			if !unicode.IsSpace(r) {
				break
			}
			start += size
			continue
		}
		if asciiSpace[b] == 0 {
			break
		}
		start++
	}
	end := len(s)
	for end > start {
		b := s[end-1]
		if b >= utf8.RuneSelf {
			if end-3 >= start && s[end-3] >= 0xE4 && s[end-3] <= 0xEF && s[end-2]&0xC0 == 0x80 && b&0xC0 == 0x80 {
				break
			}
			r, size := utf8.DecodeLastRuneInString(s[start:end])
			if !unicode.IsSpace(r) {
				break
			}
			end -= size
			continue
		}
		if asciiSpace[b] == 0 {
			break
		}
		end--
	}
	return s[start:end]
}

var asciiSpace = [256]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// isHan tells whether r is a Han character, with the common block checked first.
func isHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r)
}
