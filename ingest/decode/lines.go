package decode

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// lineSet collects normalised lines with few allocations: every line is normalised into
// one shared buffer, and the strings are cut out of it at the end.
type lineSet struct {
	buf  []byte
	ends []int
	// sep: a "\n" follows every line in buf, so that the lines kept can be packed in place
	// into the text joined by "\n" (see packLines)
	sep bool
}

func newLineSet(sizeHint, linesHint int) *lineSet {
	return &lineSet{buf: make([]byte, 0, sizeHint), ends: make([]int, 0, linesHint)}
}

// add normalises raw and appends it.
func (ls *lineSet) add(raw string) {
	ls.buf = normalizeAppend(ls.buf, raw)
	ls.ends = append(ls.ends, len(ls.buf))
	if ls.sep {
		ls.buf = append(ls.buf, '\n')
	}
}

// lines returns the lines added, in order.
func (ls *lineSet) lines() []string {
	all := unsafe.String(unsafe.SliceData(ls.buf), len(ls.buf))
	out := make([]string, len(ls.ends))
	a := 0
	for i, b := range ls.ends {
		out[i] = all[a:b]
		a = b
		if ls.sep {
			a++
		}
	}
	return out
}

// packLines moves the lines kept from a lineSet with sep (in order: lines of buf, parts of
// them, or strings from elsewhere such as edited lines) to the start of buf, one "\n" between
// them, and returns them joined: the document's text without a copy. lines are changed to
// point at their new place. It changes nothing and returns "" when a line would overwrite
// bytes of buf not yet moved (an edit that made a line longer), or when the lines of buf
// are not in order.
func packLines(buf []byte, lines []string) string {
	if len(buf) == 0 || len(lines) == 0 {
		return ""
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	// at is where l starts in buf (-1: empty, or a string elsewhere)
	at := func(l string) int {
		if len(l) == 0 {
			return -1
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(l)))
		if p < base || p >= base+uintptr(len(buf)) {
			return -1
		}
		return int(p - base)
	}
	// check first, move after: every line must land before the next line of buf starts
	p, prevEnd := 0, 0
	next := 0 // index of the next line of buf after the current one (len(lines): none)
	for i, l := range lines {
		if k := at(l); k >= 0 {
			if k < prevEnd {
				return "" // not in order
			}
			prevEnd = k + len(l)
		}
		if next <= i {
			next = i + 1
			for next < len(lines) && at(lines[next]) < 0 {
				next++
			}
		}
		limit := len(buf)
		if next < len(lines) {
			limit = at(lines[next])
		}
		if i > 0 {
			p++ // the "\n" before it
		}
		p += len(l)
		end := p
		if i < len(lines)-1 {
			end++ // the "\n" after it
		}
		if end > limit {
			return ""
		}
	}
	p = 0
	for i, l := range lines {
		if i > 0 {
			buf[p] = '\n'
			p++
		}
		copy(buf[p:], l)
		if len(l) > 0 {
			lines[i] = unsafe.String(&buf[p], len(l))
		}
		p += len(l)
	}
	return unsafe.String(unsafe.SliceData(buf), p)
}

// splitLines calls fn for every line of s; lines end at "\n", "\r\n", a lone "\r", "\f"
// or "\v" (a page break in text extracted from a PDF is a line break).
func splitLines(s string, fn func(string)) {
	if strings.IndexByte(s, '\r') < 0 && strings.IndexByte(s, '\f') < 0 && strings.IndexByte(s, '\v') < 0 {
		for s != "" {
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				fn(s)
				return
			}
			fn(s[:i])
			s = s[i+1:]
		}
		return
	}
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\f', '\v':
			fn(s[start:i])
			start = i + 1
		case '\r':
			fn(s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(s) {
		fn(s[start:])
	}
}

// countLines estimates the number of lines of s.
func countLines(s string) int { return strings.Count(s, "\n") + 1 }

// collapseBlank removes leading and trailing empty lines and collapses runs of empty
// lines to one, in place.
func collapseBlank(lines []string) []string {
	out := lines[:0]
	for _, l := range lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	if len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// isPageChrome reports whether a normalised line of text is page furniture rather than
// report text: a page footer ("— 4 —", "- 4 -", "第 4 页 共 9 页", "4/9", "Page 4 of 9")
// or a rule of punctuation ("------", "******", "======"). Lines with a '\t' or '|' (table
// rows) are never chrome, nor are lines of one or two punctuation characters (a "—" may be
// a table cell meaning none).
func isPageChrome(l string) bool {
	if l == "" || len(l) > 80 || strings.IndexByte(l, '\t') >= 0 || strings.IndexByte(l, '|') >= 0 {
		return false
	}
	if isPunctRule(l) {
		return true
	}
	return isPageFooter(l)
}

func isPunctRule(l string) bool {
	n := 0
	for _, r := range l {
		switch {
		case r == ' ':
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			n++
		default:
			return false
		}
	}
	return n >= 3
}

func isDash(r rune) bool {
	switch r {
	case '-', '~', '—', '―', '─', '━', '–':
		return true
	}
	return false
}

// isPageFooter matches the page-number lines of printed reports.
func isPageFooter(l string) bool {
	if strings.IndexAny(l, "0123456789") < 0 {
		return false
	}
	// Work on the line without spaces.
	s := l
	if strings.IndexByte(l, ' ') >= 0 {
		s = strings.ReplaceAll(l, " ", "")
	}
	// Strip surrounding dashes: "—4—", "-第4页-".
	trimmed := strings.TrimFunc(s, isDash)
	dashed := len(trimmed) < len(s)
	if trimmed == "" {
		return false
	}
	if allDigits(trimmed, 4) {
		// "— 4 —" needs dashes on both sides.
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		return dashed && isDash(first) && isDash(last)
	}
	// "4/9": a page number over a page count.
	if i := strings.IndexByte(trimmed, '/'); i > 0 {
		p, c := trimmed[:i], trimmed[i+1:]
		if allDigits(p, 4) && allDigits(c, 4) && atoiSmall(p) <= atoiSmall(c) && atoiSmall(p) > 0 {
			return true
		}
	}
	// "第4页共9页", "共9页第4页", "第4页/共9页", "第4页".
	rest := trimmed
	for seen := 0; seen < 2; seen++ {
		var ok bool
		if rest, ok = cutPageWord(rest); !ok {
			break
		}
		if rest = strings.TrimLeft(rest, "/,、."); rest == "" {
			return true
		}
	}
	// "Page 4 of 9", "page 4".
	low := strings.ToLower(trimmed)
	if strings.HasPrefix(low, "page") {
		low = low[4:]
		if i := strings.Index(low, "of"); i > 0 {
			return allDigits(low[:i], 4) && allDigits(low[i+2:], 4)
		}
		return allDigits(low, 4)
	}
	return false
}

// cutPageWord removes a leading "第N页" or "共N页" from s.
func cutPageWord(s string) (string, bool) {
	var ok bool
	if s, ok = strings.CutPrefix(s, "第"); !ok {
		if s, ok = strings.CutPrefix(s, "共"); !ok {
			return s, false
		}
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 4 {
		return s, false
	}
	return strings.CutPrefix(s[i:], "页")
}

func allDigits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// cutMetaLine splits a normalised header line "标题: 平潭…" into its key and value. The key
// must be 1–8 Han characters (no digits, spaces or punctuation).
func cutMetaLine(l string) (key, value string, ok bool) {
	i := strings.IndexByte(l, ':')
	if i <= 0 || i > 8*3 {
		return "", "", false
	}
	key = l[:i]
	n := 0
	for _, r := range key {
		if !unicode.Is(unicode.Han, r) {
			return "", "", false
		}
		n++
	}
	if n > 8 {
		return "", "", false
	}
	return key, strings.TrimSpace(l[i+1:]), true
}

// headerMeta reads an archiver's header ("标题: …", "发布时间: …" lines at the top of the
// file, at least two of them) into meta.
func headerMeta(lines []string, meta map[string]string) {
	i := 0
	for i < len(lines) && lines[i] == "" {
		i++
	}
	type kv struct{ k, v string }
	var found []kv
	for ; i < len(lines) && len(found) < 32; i++ {
		k, v, ok := cutMetaLine(lines[i])
		if !ok {
			break
		}
		found = append(found, kv{k, v})
	}
	if len(found) < 2 {
		return
	}
	for _, f := range found {
		setMeta(meta, f.k, f.v)
	}
}

// setMeta records a non-empty value under key unless the key was already found.
func setMeta(meta map[string]string, key, value string) {
	if key == "" || value == "" {
		return
	}
	if _, ok := meta[key]; !ok {
		meta[key] = value
	}
}
