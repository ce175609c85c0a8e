package decode

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTML reads web pages, including whole site pages saved by a collector: scripts, styles,
// forms and site chrome (navigation, menus, breadcrumbs, share bars, headers, footers,
// sidebars) are dropped; block elements break lines, inline elements do not; each table
// row becomes one line of "\t"-separated cells laid out on the table's grid (rowspan and
// colspan honoured). Title comes from <title>; Meta from <meta name=… content=…>, a
// collector's div.meta header and the page's small metadata table (索引号, 发布机构 …).
type HTML struct{}

// Kind returns "html".
func (HTML) Kind() string { return "html" }

// sniffTags are the tags an HTML file may start with.
var sniffTags = []string{"!doctype", "html", "head", "body", "meta", "title", "table", "div", "p", "br",
	"span", "style", "script", "link", "article", "section", "h1", "h2", "h3", "font", "center"}

// Sniff accepts bytes that start (after a BOM and white space) with an HTML tag or
// comment, or that contain "<html" or "<!doctype html" in their first kilobyte.
func (HTML) Sniff(data []byte) bool {
	v := sniffView(data, 1024)
	if bytes.IndexByte(v, '<') < 0 {
		return false
	}
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	v = v[i:]
	if len(v) > 1 && v[0] == '<' {
		if v[1] == '!' && len(v) > 3 && v[2] == '-' && v[3] == '-' {
			return indexFold(v, "<html") >= 0 || indexFold(v, "<body") >= 0 ||
				indexFold(v, "<div") >= 0 || indexFold(v, "<p") >= 0 || indexFold(v, "<table") >= 0
		}
		for _, t := range sniffTags {
			if len(v) > len(t)+1 && indexFold(v[1:len(t)+1], t) == 0 {
				c := v[len(t)+1]
				if c == '>' || c == ' ' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
					return true
				}
			}
		}
	}
	return indexFold(v, "<html") >= 0 || indexFold(v, "<!doctype html") >= 0
}

// Read decodes data as HTML.
func (HTML) Read(name string, data []byte) (*Document, error) {
	s, enc, err := decodeBytes(name, data, true)
	if err != nil {
		return nil, err
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil, errorf(name, "html: %v", err)
	}
	return htmlDocument(enc, s, root), nil
}

// htmlDocument reads the document out of a page's tree.
func htmlDocument(enc, s string, root *html.Node) *Document {
	doc := &Document{Kind: "html", Encoding: enc, Meta: map[string]string{}}
	w := &htmlWalker{meta: doc.Meta, arena: &textArena{}}
	w.head(root)
	doc.Title = w.title
	w.walk(root)
	w.flush()
	ls := newLineSet(len(s)/2, len(w.lines))
	for _, l := range w.lines {
		ls.add(l)
	}
	doc.Lines = collapseBlank(ls.lines())
	// the title and metadata may be slices of the page or of the walk's blocks: copied,
	// so that what a report keeps of them (its organ's name) does not hold the page
	doc.Title = strings.Clone(doc.Title)
	for k, v := range doc.Meta {
		doc.Meta[k] = strings.Clone(v)
	}
	return doc
}

// htmlWalker turns a parsed page into raw (not yet normalised) lines.
type htmlWalker struct {
	lines []string
	line  []byte
	// white space pending between the last rune written and the next one
	pendSpace, pendNewline bool
	last                   rune
	pre                    int // depth inside <pre>

	meta      map[string]string
	arena     *textArena // where the lines and cells read are kept
	title     string
	titleDone bool

	// A cell walker (cell true) writes its lines, trimmed, straight into cellBuf instead
	// of lines, except inside a metadata block (metaDepth > 0), whose lines are read.
	cell      bool
	metaDepth int
	cellBuf   []byte
	cw        *htmlWalker // the walker reused for the cells of this walker's tables

	// buffers reused across tables
	rows   []*html.Node
	cells  []*html.Node
	occ    []span
	flat   []string
	grid   [][]string
	rowEnd []int
}

// textArena keeps the strings a page's walk makes (lines, cell texts) in a few blocks
// instead of one allocation each. Bytes once written are never changed (a full block is
// left to the strings that point into it), so the strings stay valid.
type textArena struct{ b []byte }

// room makes sure n more bytes fit in the current block.
func (a *textArena) room(n int) {
	if cap(a.b)-len(a.b) < n {
		a.b = make([]byte, 0, max(16<<10, n))
	}
}

// keep returns a string of b's bytes.
func (a *textArena) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	a.room(len(b))
	start := len(a.b)
	a.b = append(a.b, b...)
	return unsafe.String(&a.b[start], len(b))
}

// join is strings.Join(parts, string(sep)) kept in the arena.
func (a *textArena) join(parts []string, sep byte) string {
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	if n <= 0 {
		return ""
	}
	a.room(n)
	start := len(a.b)
	for i, p := range parts {
		if i > 0 {
			a.b = append(a.b, sep)
		}
		a.b = append(a.b, p...)
	}
	return unsafe.String(&a.b[start], n)
}

// head collects <title> (the first one) and <meta name|property=… content=…> tags from
// anywhere in the page (a collector may have saved the site's head inside the body).
func (w *htmlWalker) head(n *html.Node) {
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.Title:
			if !w.titleDone {
				w.titleDone = true
				w.title = Normalize(collapseSpace(textOf(n)))
			}
			return
		case atom.Meta:
			key := attr(n, "name")
			if key == "" {
				key = attr(n, "property")
			}
			if key != "" {
				setMeta(w.meta, key, Normalize(attr(n, "content")))
			}
			return
		case atom.Script, atom.Style:
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.head(c)
	}
}

// flush ends the current line.
func (w *htmlWalker) flush() {
	if len(w.line) > 0 {
		if w.cell && w.metaDepth == 0 {
			w.cellBuf = appendCellLine(w.cellBuf, w.line)
		} else {
			w.lines = append(w.lines, w.arena.keep(w.line))
		}
		w.line = w.line[:0]
	}
	w.pendSpace, w.pendNewline, w.last = false, false, 0
}

// blank ends the current line and adds an empty one (around tables).
func (w *htmlWalker) blank() {
	w.flush()
	w.lines = append(w.lines, "")
}

// text appends a text node, collapsing white space as a browser does: a run of white space
// is one space, except that a run with a line break between two wide (CJK) characters is
// nothing (Word breaks its source lines inside Chinese words).
func (w *htmlWalker) text(s string) {
	for i := 0; i < len(s); {
		b := s[i]
		switch b {
		case '\n', '\r':
			i++
			if w.pre > 0 {
				if b == '\n' {
					w.flush()
				}
				continue
			}
			w.pendSpace, w.pendNewline = true, true
			continue
		case ' ', '\t', '\f':
			i++
			if w.pre > 0 {
				w.line = append(w.line, b)
				w.last = rune(b)
				continue
			}
			w.pendSpace = true
			continue
		}
		r, size := rune(b), 1
		if b >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if w.pendSpace {
			if len(w.line) > 0 && !(w.pendNewline && isWide(w.last) && isWide(r)) {
				w.line = append(w.line, ' ')
			}
			w.pendSpace, w.pendNewline = false, false
		}
		if r == utf8.RuneError && size == 1 {
			// an invalid byte is written as U+FFFD
			w.line = utf8.AppendRune(w.line, r)
			w.last = r
			i++
			continue
		}
		// Copy the run of characters up to the next white space or invalid byte in one piece.
		j := i + size
		last := r
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				if c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '\f' {
					break
				}
				last = rune(c)
				j++
				continue
			}
			rr, sz := utf8.DecodeRuneInString(s[j:])
			if rr == utf8.RuneError && sz == 1 {
				break
			}
			last = rr
			j += sz
		}
		w.line = append(w.line, s[i:j]...)
		w.last = last
		i = j
	}
}

// isWide reports whether r is an East Asian wide character (Han, CJK punctuation, kana,
// full-width forms), between which a source line break is not a space.
func isWide(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F ||
		r >= 0xFF00 && r <= 0xFF60 || r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x20000 && r <= 0x3FFFF
}

// isSkipTag reports whether elements of atom a are never text.
func isSkipTag(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Head, atom.Iframe, atom.Select,
		atom.Button, atom.Template, atom.Textarea, atom.Svg, atom.Math, atom.Object,
		atom.Embed, atom.Canvas, atom.Audio, atom.Video, atom.Title, atom.Meta,
		atom.Link, atom.Input, atom.Img, atom.Map, atom.Frameset, atom.Option:
		return true
	}
	return false
}

// isChromeTag reports whether elements of atom a are site chrome unless they hold the
// report (an ASP.NET page wraps everything in one <form>).
func isChromeTag(a atom.Atom) bool {
	switch a {
	case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form, atom.Menu:
		return true
	}
	return false
}

// isBlockTag reports whether elements of atom a break lines.
func isBlockTag(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Dl,
		atom.Dt, atom.Dd, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Tr, atom.Td, atom.Th, atom.Tbody,
		atom.Thead, atom.Tfoot, atom.Caption, atom.Blockquote, atom.Pre, atom.Section,
		atom.Article, atom.Main, atom.Center, atom.Address, atom.Hr, atom.Fieldset,
		atom.Figure, atom.Figcaption, atom.Body, atom.Html, atom.Details, atom.Summary,
		atom.Legend:
		return true
	}
	return false
}

// chromeWords, found in a lower-cased class or id, mark site chrome.
var chromeWords = []string{
	"nav", "menu", "breadcrumb", "crumb", "share", "footer", "header", "toolbar", "sidebar",
	"bdshare", "topbar", "top-bar", "copyright", "gotop", "backtop", "go-top", "fenxiang",
	"dqwz", "weizhi", "skip", "search", "login", "sitemap", "friendlink", "related",
}

// chromeTokens, equal to a whole lower-cased class token or id, mark site chrome.
var chromeTokens = map[string]bool{
	"head": true, "top": true, "foot": true, "bottom": true, "position": true, "location": true,
	"print": true, "close": true, "ad": true, "ads": true, "banner": true,
}

// reportMarkers are texts only the report itself contains: an element that contains one
// is never dropped as chrome.
var reportMarkers = []string{"总体情况", "總體情況", "主动公开政府信息情况", "收到和处理政府信息公开申请",
	"本年新收", "行政复议", "行政復議"}

// isChrome reports whether an element looks like site chrome by tag, class, id or style.
func isChrome(n *html.Node) bool {
	if isChromeTag(n.DataAtom) {
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "class", "id":
			v := strings.ToLower(a.Val)
			for tok := range strings.FieldsSeq(v) {
				if chromeTokens[tok] {
					return true
				}
			}
			for _, wd := range chromeWords {
				if strings.Contains(v, wd) {
					return true
				}
			}
		case "style":
			if hiddenStyle(a.Val) {
				return true
			}
		case "hidden":
			return true
		}
	}
	return false
}

// hiddenStyle reports whether an inline style hides the element (display:none,
// visibility:hidden), without allocating.
func hiddenStyle(style string) bool {
	b := unsafe.Slice(unsafe.StringData(style), len(style))
	for _, p := range [...]struct{ prop, val string }{{"display", "none"}, {"visibility", "hidden"}} {
		for rest := b; ; {
			i := indexFold(rest, p.prop)
			if i < 0 {
				break
			}
			rest = rest[i+len(p.prop):]
			v := bytes.TrimLeft(rest, " \t\n\r")
			if len(v) == 0 || v[0] != ':' {
				continue
			}
			v = bytes.TrimLeft(v[1:], " \t\n\r")
			if indexFold(v, p.val) == 0 {
				return true
			}
		}
	}
	return false
}

// containsReport reports whether the text under n contains a report marker.
func containsReport(n *html.Node) bool {
	if n.Type == html.TextNode {
		for _, m := range reportMarkers {
			if strings.Contains(n.Data, m) {
				return true
			}
		}
		return false
	}
	if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if containsReport(c) {
			return true
		}
	}
	return false
}

// isMetaBlock reports whether n is a collector's metadata header (<div class="meta">).
func isMetaBlock(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "class" || a.Key == "id" {
			for tok := range strings.FieldsSeq(strings.ToLower(a.Val)) {
				if tok == "meta" {
					return true
				}
			}
		}
	}
	return false
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		w.element(n)
		return
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c)
		}
	}
}

func (w *htmlWalker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func (w *htmlWalker) element(n *html.Node) {
	a := n.DataAtom
	if isSkipTag(a) {
		return
	}
	if isChrome(n) && !containsReport(n) {
		return
	}
	switch {
	case a == atom.Table:
		w.table(n)
	case a == atom.Br:
		w.flush()
	case a == atom.Pre:
		w.flush()
		w.pre++
		w.children(n)
		w.pre--
		w.flush()
	case isMetaBlock(n):
		w.flush()
		start := len(w.lines)
		w.metaDepth++
		w.children(n)
		w.flush()
		w.metaDepth--
		for _, l := range w.lines[start:] {
			if k, v, ok := cutMetaLine(Normalize(l)); ok {
				setMeta(w.meta, k, v)
			}
		}
		if w.cell && w.metaDepth == 0 {
			// The block's lines are cell text too, in their place.
			for _, l := range w.lines[start:] {
				w.cellBuf = appendCellLine(w.cellBuf, unsafe.Slice(unsafe.StringData(l), len(l)))
			}
			w.lines = w.lines[:start]
		}
	case isBlockTag(a):
		w.flush()
		w.children(n)
		w.flush()
	default:
		w.children(n)
	}
}

// appendTableRows appends the rows of table (or row group) t to rows (not those of tables
// nested in it).
func appendTableRows(rows []*html.Node, t *html.Node) []*html.Node {
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Tr:
			rows = append(rows, c)
		case atom.Thead, atom.Tbody, atom.Tfoot:
			rows = appendTableRows(rows, c)
		}
	}
	return rows
}

// appendRowCells appends the td/th cells of row tr to cells.
func appendRowCells(cells []*html.Node, tr *html.Node) []*html.Node {
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
			cells = append(cells, c)
		}
	}
	return cells
}

// hasTable reports whether a table is nested under n.
func hasTable(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Table || hasTable(c)) {
			return true
		}
	}
	return false
}

// textLen counts the runes of text under n, stopping once it passes max.
func textLen(n *html.Node, max int) int {
	if n.Type == html.TextNode {
		return utf8.RuneCountInString(strings.TrimSpace(n.Data))
	}
	if n.Type == html.ElementNode && isSkipTag(n.DataAtom) {
		return 0
	}
	total := 0
	for c := n.FirstChild; c != nil && total <= max; c = c.NextSibling {
		total += textLen(c, max-total)
	}
	return total
}

const (
	maxColumns    = 256 // a grid wider than this is cut (reports have at most 17)
	layoutCellLen = 300 // a cell with more text than this is page layout, not data
)

// table lays out a table: a data table as one "\t"-joined line a row on its grid,
// surrounded by empty lines; a layout table (one that holds another table or long text
// in a cell: old sites lay whole pages out in tables) as flowing text, its cells as blocks.
func (w *htmlWalker) table(t *html.Node) {
	// The walker's row buffer is taken for this table: a layout table's cells (or a
	// caption) may hold tables that are walked before this one is done; they get a
	// buffer of their own.
	rows := appendTableRows(w.rows[:0], t)
	w.rows = nil
	defer func() { w.rows = rows[:0] }()
	layout := false
	for _, tr := range rows {
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			td := c
			if hasTable(td) || textLen(td, layoutCellLen) > layoutCellLen {
				layout = true
				break
			}
		}
		if layout {
			break
		}
	}
	w.flush()
	if layout {
		for c := t.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c)
		}
		w.flush()
		return
	}
	w.blank()
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Caption {
			w.walk(c)
			w.flush()
		}
	}
	grid := w.layoutGrid(rows)
	for _, cells := range grid {
		empty := true
		for _, c := range cells {
			if c != "" {
				empty = false
				break
			}
		}
		if !empty {
			w.lines = append(w.lines, w.arena.join(cells, '\t'))
		}
	}
	if len(rows) <= 12 {
		tableMeta(grid, w.meta)
	}
	w.blank()
}

// span is a cell reaching down into later rows.
type span struct {
	text string
	left int // rows still covered
}

// layoutGrid places the cells of rows on the table's grid: a rowspan cell's text is
// repeated in the rows it spans at its column; a colspan cell's text is followed by empty
// cells for the extra columns. The grid returned is only valid until the next call (its
// storage is reused from table to table).
func (w *htmlWalker) layoutGrid(rows []*html.Node) [][]string {
	occ := w.occ[:0]
	flat := w.flat[:0]
	rowEnd := w.rowEnd[:0]
	for ri, tr := range rows {
		col := 0
		fill := func() {
			for col < len(occ) && occ[col].left > 0 && col < maxColumns {
				flat = append(flat, occ[col].text)
				occ[col].left--
				col++
			}
		}
		w.cells = appendRowCells(w.cells[:0], tr)
		for _, td := range w.cells {
			fill()
			if col >= maxColumns {
				break
			}
			text := w.cellText(td)
			cs := spanAttr(td, "colspan", 1)
			if cs < 1 {
				cs = 1
			}
			rs := spanAttr(td, "rowspan", 1)
			if rs == 0 || rs > len(rows)-ri {
				rs = len(rows) - ri
			}
			if rs < 1 {
				rs = 1
			}
			if col+cs > maxColumns {
				cs = maxColumns - col
			}
			for k := 0; k < cs; k++ {
				v := ""
				if k == 0 {
					v = text
				}
				flat = append(flat, v)
				for len(occ) <= col {
					occ = append(occ, span{})
				}
				occ[col] = span{text: v, left: rs - 1}
				col++
			}
		}
		// Columns further right still covered by cells from rows above.
		last := -1
		for c := len(occ) - 1; c >= col; c-- {
			if occ[c].left > 0 {
				last = c
				break
			}
		}
		for ; col <= last; col++ {
			if occ[col].left > 0 {
				flat = append(flat, occ[col].text)
				occ[col].left--
			} else {
				flat = append(flat, "")
			}
		}
		rowEnd = append(rowEnd, len(flat))
	}
	grid := w.grid[:0]
	start := 0
	for _, end := range rowEnd {
		grid = append(grid, flat[start:end:end])
		start = end
	}
	w.occ, w.flat, w.grid, w.rowEnd = occ, flat, grid, rowEnd
	return grid
}

// spanAttr reads a rowspan/colspan attribute; def when absent or not a number.
func spanAttr(n *html.Node, key string, def int) int {
	v := strings.TrimSpace(attr(n, key))
	if v == "" {
		return def
	}
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 {
		return def
	}
	if i > 5 {
		return 65534
	}
	x, _ := strconv.Atoi(v[:i])
	return x
}

// cellText returns the text of a table cell: its paragraphs and line breaks joined without
// a separator (a header word split over lines, 商业<br>企业, is one word), trimmed.
func (w *htmlWalker) cellText(td *html.Node) string {
	cw := w.cw
	if cw == nil {
		cw = &htmlWalker{meta: w.meta, arena: w.arena, titleDone: true, cell: true}
		w.cw = cw
	}
	cw.lines, cw.line, cw.cellBuf = cw.lines[:0], cw.line[:0], cw.cellBuf[:0]
	cw.pendSpace, cw.pendNewline, cw.last, cw.pre, cw.metaDepth = false, false, 0, 0, 0
	cw.children(td)
	cw.flush()
	return w.arena.keep(bytes.TrimFunc(cw.cellBuf, unicode.IsSpace))
}

// appendCellLine appends one line of a cell's text to buf: trimmed, its tabs made spaces.
func appendCellLine(buf, line []byte) []byte {
	l := bytes.TrimFunc(line, unicode.IsSpace)
	for len(l) > 0 {
		i := bytes.IndexByte(l, '\t')
		if i < 0 {
			return append(buf, l...)
		}
		buf = append(buf, l[:i]...)
		buf = append(buf, ' ')
		l = l[i+1:]
	}
	return buf
}

// metaLabels are the labels of the metadata table gov pages print above a document.
var metaLabels = map[string]bool{
	"名称": true, "标题": true, "索引号": true, "分类": true, "主题分类": true, "发布机构": true,
	"发文机关": true, "公开日期": true, "发布日期": true, "发布时间": true, "成文日期": true,
	"生成日期": true, "文号": true, "发文字号": true, "关键词": true, "时效": true, "来源": true,
	"信息来源": true, "公开方式": true, "公开范围": true, "有效性": true,
}

// tableMeta reads label/value pairs of a small metadata table into meta.
func tableMeta(grid [][]string, meta map[string]string) {
	for _, cells := range grid {
		for i := 0; i+1 < len(cells); i++ {
			k := strings.TrimSuffix(Normalize(cells[i]), ":")
			if metaLabels[k] {
				setMeta(meta, k, Normalize(cells[i+1]))
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns all text under n.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// collapseSpace collapses runs of white space to one space and trims.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
