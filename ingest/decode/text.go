package decode

import (
	"bytes"
	"strings"
	"unsafe"
)

// Text reads plain text: the fallback reader, its Sniff accepts anything. Lines are kept
// as they are after Normalize (tabs survive: tab-separated table rows stay rows); page
// footers and punctuation rules are dropped; an archiver's header lines ("标题: …",
// "发布时间: …") go into Meta and stay in Lines.
type Text struct{}

// Kind returns "text".
func (Text) Kind() string { return "text" }

// Sniff accepts any bytes: Text is the fallback (Read rejects what is not text).
func (Text) Sniff(data []byte) bool { return true }

// Read decodes data as plain text.
func (Text) Read(name string, data []byte) (*Document, error) {
	s, enc, err := decodeBytes(name, data, false)
	if err != nil {
		return nil, err
	}
	return textDocument("text", enc, s, nil), nil
}

// textDocument splits s into normalised lines, dropping page chrome; edit, when not nil,
// rewrites each normalised line and returns false to drop it.
func textDocument(kind, enc, s string, edit func(string) (string, bool)) *Document {
	ls := newLineSet(len(s)+16, countLines(s))
	ls.sep = true
	splitLines(s, ls.add)
	lines := ls.lines()
	out := lines[:0]
	for _, l := range lines {
		if edit != nil {
			var keep bool
			if l, keep = edit(l); !keep {
				continue
			}
		}
		if isPageChrome(l) {
			continue
		}
		out = append(out, l)
	}
	doc := &Document{Kind: kind, Encoding: enc, Meta: map[string]string{}, Lines: collapseBlank(out)}
	doc.Text = packLines(ls.buf, doc.Lines)
	headerMeta(doc.Lines, doc.Meta)
	return doc
}

// Markdown reads Markdown: pipe tables and '#' headings. Lines are kept as they are (the
// parser reads the pipes) except that table separator lines (|---|---|) are dropped,
// "**" bold markers are removed and headings lose their leading '#'s.
type Markdown struct{}

// Kind returns "markdown".
func (Markdown) Kind() string { return "markdown" }

// Sniff accepts text where pipe tables (rows with a |---| separator) or '#' headings
// dominate the markup: at least one separator line and two pipe rows, or at least two
// headings making up at least 1 line in 20.
func (Markdown) Sniff(data []byte) bool {
	v := sniffView(data, 0)
	if bytes.IndexByte(v, '|') < 0 && bytes.IndexByte(v, '#') < 0 {
		return false
	}
	var pipes, seps, heads, nonblank int
	s := unsafe.String(unsafe.SliceData(v), len(v)) // read only
	for s != "" {
		l := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		nonblank++
		switch l[0] {
		case '|':
			if isTableSeparator(l) {
				seps++
			} else if len(l) > 1 && l[len(l)-1] == '|' {
				pipes++
			}
		case '#':
			if headingLevel(l) > 0 {
				heads++
			}
		default:
			if l[0] <= '|' && isTableSeparator(l) {
				seps++
			}
		}
	}
	if seps >= 1 && pipes >= 2 {
		return true
	}
	return heads >= 2 && heads*20 >= nonblank
}

// Read decodes data as Markdown.
func (Markdown) Read(name string, data []byte) (*Document, error) {
	s, enc, err := decodeBytes(name, data, false)
	if err != nil {
		return nil, err
	}
	return textDocument("markdown", enc, s, markdownLine), nil
}

// markdownLine rewrites one normalised Markdown line.
func markdownLine(l string) (string, bool) {
	if l == "" {
		return l, true
	}
	if isTableSeparator(l) {
		return "", false
	}
	if n := headingLevel(l); n > 0 {
		l = strings.TrimLeft(l[n:], " ")
		l = strings.TrimRight(strings.TrimRight(l, "#"), " ")
	}
	if strings.Contains(l, "**") {
		l = strings.TrimSpace(strings.ReplaceAll(l, "**", ""))
	}
	return l, true
}

// isTableSeparator reports whether l is a Markdown table separator line: only '|', '-',
// ':' and spaces, with at least one '|' and a run of "---" ("|---|:--:|").
func isTableSeparator(l string) bool {
	if !strings.Contains(l, "|") || !strings.Contains(l, "--") {
		return false
	}
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '|', '-', ':', ' ', '\t':
		default:
			return false
		}
	}
	return true
}

// headingLevel returns n for a Markdown ATX heading "### …" (1 to 6 '#'s followed by a
// space or the end of the line), else 0.
func headingLevel(l string) int {
	n := 0
	for n < len(l) && l[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n < len(l) && l[n] != ' ' && l[n] != '\t' {
		return 0
	}
	return n
}
