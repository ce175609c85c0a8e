package decode

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The stream reader: the same lines, tables, title and metadata as the tree walker
// (htmlWalker over html.Parse's tree), read in one pass over x/net/html's Tokenizer,
// without building the tree. It keeps the stack of open elements that html.Parse would
// keep, with the parser's own rules for implied end tags, scopes and table modes
// (x/net/html's parse.go, which it follows line for line where it matters), and gives the
// walker's answers as elements open and close:
//   - site chrome (an element the walker drops unless it holds a report marker) is walked
//     as if kept, from a checkpoint; when it closes without a marker in its text, the
//     output is rolled back to the checkpoint;
//   - a table is first read as a data table (its rows and cells buffered, each cell's text
//     read as the walker's cell walker reads it); once one of its cells proves to hold a
//     table or more than layoutCellLen runes of text, the walker would have laid it out as
//     page layout: the tokenizer restarts right after the table's start tag and the table
//     is walked again as flowing blocks.
// The few things html.Parse does that a stack cannot follow (foster-parented table
// content, foreign SVG/MathML content, templates, framesets, <plaintext>, chrome
// formatting elements re-opened by the adoption agency, a <form> closed below other
// elements, chrome attributes on a later <html>/<body> tag) make the page fall back to the
// tree walker: streamHTML then reports ok false.

// element contexts: what the walker does with an element's content
const (
	ctxWalk uint8 = iota // walked
	ctxSkip              // never text (script, style, head, … and all under them)
	ctxData              // the row structure of a data table: only captions and cells are walked
)

// element roles: what the walker does when an element opens and closes
const (
	roleBlock   uint8 = 1 << iota // breaks lines before and after
	rolePre                       // <pre>
	roleMeta                      // a collector's metadata block
	roleCell                      // a cell of a data table
	roleData                      // a data table
	roleRaw                       // raw text element (script, style, title, textarea, xmp, …)
	roleTitle                     // the page's first <title>
	roleSkipOwn                   // opens a skipped subtree
)

// sEntry is an open element.
type sEntry struct {
	a        atom.Atom
	mode     atom.Atom // the insertion mode while this element is the top (see stream.mode)
	name     string    // the tag name when a is 0
	ctx      uint8
	role     uint8
	region   int32 // 1 + index of the chrome region this element opened, or 0
	fmtRole  bool  // a formatting element with chrome or metadata attributes
	lastText bool  // its last child is a text node
	hasChild bool
	att      *tableAttempt // the data table this element belongs to
	metaLo   int           // roleMeta: the first line of the block
	savePre  int32         // roleCell: the walker's state outside the cell
	saveMeta int32
	cs, rs   int32 // roleCell: colspan and rowspan as spanAttr reads them
}

// chromeRegion is the walker's state before an element that looks like chrome.
type chromeRegion struct {
	markers   int // markers seen before it opened
	lines     int
	line      []byte
	pendSpace bool
	pendNL    bool
	last      rune
	cellBuf   int
	journal   int
	cellMeta  int
	cellAtt   *tableAttempt
}

// gcell is a buffered cell of a data table.
type gcell struct {
	text   string
	cs, rs int
	mlo    int // its metadata in the table's cellMeta
	mhi    int
}

// tableAttempt is a table being read as a data table.
type tableAttempt struct {
	entry     int // index of the table in the stack
	off       int // offset of the byte after its start tag
	lines     int // lines before its leading blank line
	journal   int
	regions   int
	formOpen  bool
	metaDepth int
	pre       int
	cells     []gcell
	rowStarts []int
	cellMeta  []metaKV
	cellLen   int // runes of trimmed text nodes in the open cell (textLen)
}

type metaKV struct{ k, v string }

// tableStorage is a finished data table's storage, reused by the next.
type tableStorage struct {
	cells     []gcell
	rowStarts []int
}

type sAttr struct{ key, val []byte }

// streamSignal stops the token loop: a fallback to the tree, or a table to read again as
// page layout.
type streamSignal struct{ rewind *tableAttempt }

// stream is the state of one page's read.
type stream struct {
	src   string
	z     *html.Tokenizer
	off   int // offset of the byte after the current token
	read  int // bytes tokenized, restarts included (a bound against pathological restarts)
	w     htmlWalker
	st    []sEntry
	attrs []sAttr
	names map[string]string

	headMeta map[string]string
	journal  []metaKV
	title    []byte
	titleSet bool // the first <title> was seen
	titleOn  bool // its text is being read

	regions []chromeRegion
	spare   []tableStorage
	markers int // report markers seen (in text a chrome region may hold)
	tail    []byte

	cellAtt     *tableAttempt // the data table whose cell is open
	runTotal    int           // the current text run (adjacent text tokens are one node)
	runLead     int
	runTrail    int
	runAllSpace bool

	formOpen    bool // x/net/html's form element pointer is set
	bodyStarted bool
	tagName     []byte
	nameBuf     []byte
	tagAtom     atom.Atom
	attrsRead   bool   // attrs holds the current tag's attributes (none for an implied tag)
	raw         []byte // the current start tag from the end of its name (valid until the next token)
	keys        uint8  // attrKeysIn(raw), once keysRead
	keysRead    bool
}

// streamHTML reads page s; ok is false when the page needs the tree.
func streamHTML(enc, s string) (doc *Document, ok bool) {
	st := &stream{src: s, headMeta: map[string]string{}}
	st.w.arena = &textArena{}
	st.w.lines = make([]string, 0, len(s)/64+16)
	st.st = make([]sEntry, 0, 32)
	// the document's html and body elements (html.Parse always makes both)
	st.st = append(st.st, sEntry{a: atom.Html, ctx: ctxWalk, role: roleBlock}, sEntry{a: atom.Body, ctx: ctxWalk, role: roleBlock})
	st.names = map[string]string{}
	st.z = html.NewTokenizer(strings.NewReader(s))
	for {
		sig := st.loop()
		if sig == nil {
			break
		}
		if sig.rewind == nil {
			return nil, false
		}
		st.rewind(sig.rewind)
		if st.read > 4*len(s)+1<<16 {
			return nil, false
		}
	}
	for len(st.st) > 0 {
		st.pop()
	}
	st.w.flush()
	doc = &Document{Kind: "html", Encoding: enc, Meta: st.headMeta}
	for _, kv := range st.journal {
		setMeta(doc.Meta, kv.k, kv.v)
	}
	doc.Title = Normalize(collapseSpace(string(st.title)))
	ls := newLineSet(len(s)/2, len(st.w.lines))
	for _, l := range st.w.lines {
		ls.add(l)
	}
	doc.Lines = collapseBlank(ls.lines())
	for k, v := range doc.Meta {
		doc.Meta[k] = strings.Clone(v)
	}
	return doc, true
}

// loop reads tokens to the end of the page or to a signal.
func (s *stream) loop() (sig *streamSignal) {
	defer func() {
		if r := recover(); r != nil {
			if x, ok := r.(streamSignal); ok {
				sig = &x
				return
			}
			panic(r)
		}
	}()
	for {
		tt := s.z.Next()
		n := len(s.z.Raw())
		s.off += n
		s.read += n
		switch tt {
		case html.ErrorToken:
			return nil
		case html.TextToken:
			s.textToken(s.z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			if s.rawTop() {
				fallback() // cannot happen: the tokenizer reads raw text to its end tag
			}
			s.readTag(true)
			s.startTag(s.tagAtom)
		case html.EndTagToken:
			if s.rawTop() {
				s.pop()
				continue
			}
			s.readTag(false)
			s.endTag(s.tagAtom)
		case html.CommentToken:
			t := s.top()
			t.hasChild, t.lastText = true, false
		}
	}
}

func fallback() { panic(streamSignal{}) }

// rewind restarts the read of attempt's table as a layout table.
func (s *stream) rewind(att *tableAttempt) {
	s.st = s.st[:att.entry+1]
	t := &s.st[att.entry]
	t.ctx, t.role, t.att = ctxWalk, roleBlock, nil
	t.lastText, t.hasChild = false, false
	s.w.lines = s.w.lines[:att.lines]
	s.w.line = s.w.line[:0]
	s.w.pendSpace, s.w.pendNewline, s.w.last = false, false, 0
	s.w.cell, s.w.metaDepth, s.w.pre = false, att.metaDepth, att.pre
	s.journal = s.journal[:att.journal]
	s.regions = s.regions[:att.regions]
	s.formOpen = att.formOpen
	s.cellAtt = nil
	s.titleOn = false
	s.z = html.NewTokenizer(strings.NewReader(s.src[att.off:]))
	s.off = att.off
}

func (s *stream) top() *sEntry { return &s.st[len(s.st)-1] }

func (s *stream) rawTop() bool { return s.st[len(s.st)-1].role&roleRaw != 0 }

// readTag reads the current tag's name; its attributes are read when asked for (attrs).
// The name is cut from the raw tag as the tokenizer's readTagName cuts it, lower-cased as
// its TagName does (which copies it on every call); a name with a NUL goes through
// TagName.
func (s *stream) readTag(start bool) {
	raw := s.z.Raw()
	i := 1
	if !start {
		i = 2
	}
	j := i
	for j < len(raw) {
		c := raw[j]
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '/' || c == '>' {
			break
		}
		if c == 0 {
			j = -1
			break
		}
		j++
	}
	if j < 0 || i > len(raw) {
		s.tagName, _ = s.z.TagName()
	} else {
		s.tagName = raw[i:j]
		for k, c := range s.tagName {
			if 'A' <= c && c <= 'Z' {
				s.tagName = append(s.nameBuf[:0], raw[i:j]...)
				for k2, c2 := range s.tagName[k:] {
					if 'A' <= c2 && c2 <= 'Z' {
						s.tagName[k+k2] = c2 + 'a' - 'A'
					}
				}
				s.nameBuf = s.tagName
				break
			}
		}
	}
	s.tagAtom = atom.Lookup(s.tagName)
	s.attrs = s.attrs[:0]
	s.attrsRead = !start
	s.raw = nil
	switch {
	case start && j < 0:
		s.raw = raw
	case start && j < len(raw) && raw[j] != '>':
		s.raw = raw[j:] // where the attributes are, if any
	}
	s.keysRead = false
}

// mayHave reports whether the current tag may have an attribute named one of keys: the
// tokenizer's attribute keys are bytes of the raw tag, lower-cased, so a key absent from
// the raw tag (in any case) is absent from its attributes, and TagAttr (which copies
// each key and value) need not be called.
func (s *stream) mayHave(keys uint8) bool {
	if len(s.attrs) == 0 && (s.attrsRead || len(s.raw) == 0) {
		return false
	}
	if !s.keysRead {
		s.keysRead = true
		s.keys = attrKeysIn(s.raw)
	}
	return s.keys&keys != 0
}

// the attribute keys the walker asks about, as bits
const (
	keyClass uint8 = 1 << iota
	keyID
	keyStyle
	keyHidden
	keyColspan
	keyRowspan
)

var attrKeyNames = [...]string{"class", "id", "style", "hidden", "colspan", "rowspan"}

// attrKeysIn returns the keys found (in any case) in raw, in one pass.
func attrKeysIn(raw []byte) uint8 {
	var m uint8
	for i := 0; i < len(raw); i++ {
		c := raw[i] | 0x20
		if c != 'c' && c != 'i' && c != 's' && c != 'h' && c != 'r' {
			continue
		}
		for k, name := range attrKeyNames {
			if name[0] != c || i+len(name) > len(raw) {
				continue
			}
			ok := true
			for j := 1; j < len(name); j++ {
				if raw[i+j]|0x20 != name[j] {
					ok = false
					break
				}
			}
			if ok {
				m |= 1 << k
			}
		}
	}
	return m
}

// attrsOf returns the current start tag's attributes.
func (s *stream) attrsOf() []sAttr {
	if !s.attrsRead {
		s.attrsRead = true
		for {
			k, v, more := s.z.TagAttr()
			if k == nil && !more {
				break
			}
			s.attrs = append(s.attrs, sAttr{k, v})
			if !more {
				break
			}
		}
	}
	return s.attrs
}

// nameOf is the tag name kept for an element without an atom.
func (s *stream) nameOf(a atom.Atom) string {
	if a != 0 {
		return ""
	}
	if n, ok := s.names[string(s.tagName)]; ok {
		return n
	}
	if s.names == nil {
		s.names = map[string]string{}
	}
	n := string(s.tagName)
	s.names[n] = n
	return n
}

func (s *stream) attr(key string) ([]byte, bool) {
	for _, a := range s.attrsOf() {
		if string(a.key) == key {
			return a.val, true
		}
	}
	return nil, false
}

// ---- text ----

const htmlSpace = " \t\r\n\f"

func (s *stream) textToken(d []byte) {
	t := s.top()
	if t.role&roleRaw != 0 {
		s.rawText(t, d)
		return
	}
	switch s.mode() {
	case atom.Table, atom.Tbody, atom.Tr:
		d = stripNUL(d)
		if len(bytes.Trim(d, htmlSpace)) != 0 {
			fallback() // foster parenting
		}
		s.insertText(d)
		return
	case atom.Colgroup:
		if len(bytes.TrimLeft(d, htmlSpace)) != 0 {
			fallback()
		}
		s.insertText(d)
		return
	}
	if !s.bodyStarted {
		if len(bytes.TrimLeft(d, htmlSpace)) == 0 {
			return // before the body: ignored or in the head
		}
		s.bodyStarted = true
	}
	if (t.a == atom.Pre || t.a == atom.Listing) && !t.hasChild {
		if len(d) > 0 && d[0] == '\r' {
			d = d[1:]
		}
		if len(d) > 0 && d[0] == '\n' {
			d = d[1:]
		}
	}
	d = stripNUL(d)
	if len(d) == 0 {
		return
	}
	s.insertText(d)
}

func stripNUL(d []byte) []byte {
	if bytes.IndexByte(d, 0) < 0 {
		return d
	}
	return bytes.ReplaceAll(d, []byte{0}, nil)
}

// insertText adds d as text of the top element.
func (s *stream) insertText(d []byte) {
	t := s.top()
	cont := t.lastText
	t.hasChild, t.lastText = true, true
	s.noteText(t, d, cont, true)
	if t.ctx == ctxWalk {
		s.w.text(unsafe.String(unsafe.SliceData(d), len(d)))
	}
}

// rawText adds the text of a raw text element.
func (s *stream) rawText(t *sEntry, d []byte) {
	cont := t.lastText
	t.hasChild, t.lastText = true, true
	if t.role&roleTitle != 0 && s.titleOn {
		s.title = append(s.title, d...)
	}
	s.noteText(t, d, cont, t.a != atom.Script && t.a != atom.Style)
	if t.ctx == ctxWalk {
		s.w.text(unsafe.String(unsafe.SliceData(d), len(d)))
	}
}

// noteText looks for report markers (for open chrome regions) and counts the text of an
// open data cell (textLen). cont says d continues the text node of the last token.
func (s *stream) noteText(t *sEntry, d []byte, cont, markers bool) {
	if markers && len(s.regions) > 0 && s.regions[len(s.regions)-1].markers == s.markers {
		found := hasMarker(d)
		if !found && cont && len(s.tail) > 0 {
			j := append(s.tail[:len(s.tail):len(s.tail)], d[:min(len(d), maxMarkerLen)]...)
			found = hasMarker(j)
		}
		if found {
			s.markers++
		}
		if !cont {
			s.tail = s.tail[:0]
		}
		if len(d) >= maxMarkerLen {
			s.tail = append(s.tail[:0], d[len(d)-maxMarkerLen:]...)
		} else {
			s.tail = append(s.tail, d...)
			if len(s.tail) > maxMarkerLen {
				s.tail = append(s.tail[:0], s.tail[len(s.tail)-maxMarkerLen:]...)
			}
		}
	}
	if s.cellAtt != nil && t.ctx != ctxSkip {
		att := s.cellAtt
		if cont {
			att.cellLen -= s.runTrimmed()
		} else {
			s.runTotal, s.runLead, s.runTrail, s.runAllSpace = 0, 0, 0, true
		}
		s.addRun(d)
		att.cellLen += s.runTrimmed()
		if att.cellLen > layoutCellLen {
			panic(streamSignal{rewind: att})
		}
	}
}

var maxMarkerLen = func() int {
	n := 0
	for _, m := range reportMarkers {
		n = max(n, len(m))
	}
	return n
}()

func hasMarker(d []byte) bool {
	for _, m := range reportMarkers {
		if bytes.Contains(d, unsafe.Slice(unsafe.StringData(m), len(m))) {
			return true
		}
	}
	return false
}

// addRun adds d to the current text run's rune counts.
func (s *stream) addRun(d []byte) {
	total, lead, trail, all := 0, 0, 0, true
	for i := 0; i < len(d); {
		r, size := rune(d[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(d[i:])
		}
		i += size
		total++
		if unicode.IsSpace(r) {
			trail++
			if all {
				lead++
			}
		} else {
			all = false
			trail = 0
		}
	}
	switch {
	case s.runAllSpace && all:
		s.runLead += total
	case s.runAllSpace:
		s.runLead = s.runTotal + lead
		s.runTrail = trail
		s.runAllSpace = false
	case all:
		s.runTrail += total
	default:
		s.runTrail = trail
	}
	s.runTotal += total
}

func (s *stream) runTrimmed() int {
	if s.runAllSpace {
		return 0
	}
	return s.runTotal - s.runLead - s.runTrail
}

// ---- modes and scopes ----

// mode is the element that sets x/net/html's insertion mode (td for a cell, tr, tbody for
// a row group, caption, colgroup, table) or 0 for "in body".
func (s *stream) mode() atom.Atom { return s.st[len(s.st)-1].mode }

// modeOf is the mode an element sets, or parent's.
func modeOf(a, parent atom.Atom) atom.Atom {
	switch a {
	case atom.Td, atom.Th:
		return atom.Td
	case atom.Tbody, atom.Thead, atom.Tfoot:
		return atom.Tbody
	case atom.Tr, atom.Caption, atom.Colgroup, atom.Table:
		return a
	}
	return parent
}

type scopeKind int

const (
	scopeDefault scopeKind = iota
	scopeListItem
	scopeButton
	scopeTable
)

// inScope is the index of the highest open element with one of atoms in scope, or -1.
func (s *stream) inScope(sc scopeKind, atoms ...atom.Atom) int {
	for i := len(s.st) - 1; i >= 0; i-- {
		a := s.st[i].a
		for _, m := range atoms {
			if a == m {
				return i
			}
		}
		switch sc {
		case scopeListItem:
			if a == atom.Ol || a == atom.Ul {
				return -1
			}
		case scopeButton:
			if a == atom.Button {
				return -1
			}
		case scopeTable:
			if a == atom.Html || a == atom.Table || a == atom.Template {
				return -1
			}
			continue
		}
		switch a {
		case atom.Applet, atom.Caption, atom.Html, atom.Table, atom.Td, atom.Th, atom.Marquee,
			atom.Object, atom.Template, atom.Select:
			return -1
		}
	}
	return -1
}

// popTo pops the open elements down to index i (i itself included). strict says the
// pops are not the closing of a cell, caption or object: a chrome formatting element
// popped then would be re-opened by html.Parse.
func (s *stream) popTo(i int, strict bool) {
	for len(s.st) > i {
		if strict && s.top().fmtRole {
			fallback()
		}
		s.pop()
	}
}

func (s *stream) popUntil(sc scopeKind, atoms ...atom.Atom) bool {
	i := s.inScope(sc, atoms...)
	if i < 0 {
		return false
	}
	s.popTo(i, true)
	return true
}

func (s *stream) closeP() { s.popUntil(scopeButton, atom.P) }

// generateImpliedEndTags pops dd, dt, li, optgroup, option, p, rb, rp, rt, rtc.
func (s *stream) generateImpliedEndTags(except atom.Atom) {
	for {
		switch a := s.top().a; a {
		case atom.Dd, atom.Dt, atom.Li, atom.Optgroup, atom.Option, atom.P, atom.Rb, atom.Rp, atom.Rt, atom.Rtc:
			if a == except {
				return
			}
			s.pop()
			continue
		}
		return
	}
}

// clearTo pops to the innermost of atoms (or html).
func (s *stream) clearTo(atoms ...atom.Atom) {
	for i := len(s.st) - 1; i >= 0; i-- {
		a := s.st[i].a
		if a == atom.Html || a == atom.Template {
			s.popTo(i+1, false)
			return
		}
		for _, m := range atoms {
			if a == m {
				s.popTo(i+1, false)
				return
			}
		}
	}
}

func isSpecial(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Applet, atom.Area, atom.Article, atom.Aside, atom.Base, atom.Basefont,
		atom.Bgsound, atom.Blockquote, atom.Body, atom.Br, atom.Button, atom.Caption, atom.Center,
		atom.Col, atom.Colgroup, atom.Dd, atom.Details, atom.Dir, atom.Div, atom.Dl, atom.Dt,
		atom.Embed, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.Frame,
		atom.Frameset, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Head, atom.Header,
		atom.Hgroup, atom.Hr, atom.Html, atom.Iframe, atom.Img, atom.Input, atom.Keygen, atom.Li,
		atom.Link, atom.Listing, atom.Main, atom.Marquee, atom.Menu, atom.Meta, atom.Nav,
		atom.Noembed, atom.Noframes, atom.Noscript, atom.Object, atom.Ol, atom.P, atom.Param,
		atom.Plaintext, atom.Pre, atom.Script, atom.Section, atom.Select, atom.Source, atom.Style,
		atom.Summary, atom.Table, atom.Tbody, atom.Td, atom.Template, atom.Textarea, atom.Tfoot,
		atom.Th, atom.Thead, atom.Title, atom.Tr, atom.Track, atom.Ul, atom.Wbr, atom.Xmp:
		return true
	}
	return false
}

func isFormatting(a atom.Atom) bool {
	switch a {
	case atom.A, atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.Nobr, atom.S,
		atom.Small, atom.Strike, atom.Strong, atom.Tt, atom.U:
		return true
	}
	return false
}

// ---- start tags ----

// headTag reports whether a start tag before the body stays in the head.
func headTag(a atom.Atom) bool {
	switch a {
	case atom.Html, atom.Head, atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta,
		atom.Noframes, atom.Script, atom.Style, atom.Title, atom.Noscript:
		return true
	}
	return false
}

func (s *stream) startTag(a atom.Atom) {
	if a == 0 && string(s.tagName) == "image" {
		a = atom.Img
	}
	switch a {
	case atom.Svg, atom.Math, atom.Template, atom.Frameset, atom.Plaintext:
		fallback()
	case atom.Html, atom.Body:
		// attributes merged into the page's html/body element: only a matter when they
		// make it chrome or a metadata block
		if s.chrome(0) || s.metaBlock() {
			fallback()
		}
		if a == atom.Body {
			s.bodyStarted = true
		}
		return
	case atom.Head:
		return
	}
	if !s.bodyStarted && !headTag(a) {
		s.bodyStarted = true
	}
	for {
		var again bool
		switch s.mode() {
		case atom.Table:
			again = s.inTableStart(a)
		case atom.Tbody:
			again = s.inTbodyStart(a)
		case atom.Tr:
			again = s.inRowStart(a)
		case atom.Td:
			again = s.inCellStart(a)
		case atom.Caption:
			again = s.inCaptionStart(a)
		case atom.Colgroup:
			again = s.inColgroupStart(a)
		default:
			s.inBodyStart(a)
		}
		if !again {
			return
		}
	}
}

func (s *stream) inTableStart(a atom.Atom) bool {
	switch a {
	case atom.Caption:
		s.clearTo(atom.Table)
		s.push(a)
	case atom.Colgroup:
		s.clearTo(atom.Table)
		s.push(a)
	case atom.Col:
		s.clearTo(atom.Table)
		s.pushImplied(atom.Colgroup)
		return true
	case atom.Tbody, atom.Tfoot, atom.Thead:
		s.clearTo(atom.Table)
		s.push(a)
	case atom.Td, atom.Th, atom.Tr:
		s.clearTo(atom.Table)
		s.pushImplied(atom.Tbody)
		return true
	case atom.Table:
		if i := s.inScope(scopeTable, atom.Table); i >= 0 {
			s.popTo(i, false)
			return true
		}
	case atom.Style, atom.Script:
		s.push(a)
	case atom.Input:
		if v, ok := s.attr("type"); ok && strings.EqualFold(string(v), "hidden") {
			s.void(a)
			return false
		}
		fallback()
	case atom.Form:
		if !s.formOpen {
			s.formOpen = true
			s.void(a) // inserted and popped at once: an empty form
		}
	default:
		fallback() // foster parenting
	}
	return false
}

func (s *stream) inTbodyStart(a atom.Atom) bool {
	switch a {
	case atom.Tr:
		s.clearTo(atom.Tbody, atom.Thead, atom.Tfoot)
		s.push(a)
		return false
	case atom.Td, atom.Th:
		s.clearTo(atom.Tbody, atom.Thead, atom.Tfoot)
		s.pushImplied(atom.Tr)
		return true
	case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Tfoot, atom.Thead:
		if i := s.inScope(scopeTable, atom.Tbody, atom.Thead, atom.Tfoot); i >= 0 {
			s.popTo(i, false)
			return true
		}
		return false
	}
	return s.inTableStart(a)
}

func (s *stream) inRowStart(a atom.Atom) bool {
	switch a {
	case atom.Td, atom.Th:
		s.clearTo(atom.Tr)
		s.push(a)
		return false
	case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr:
		if s.inScope(scopeTable, atom.Tr) >= 0 {
			s.clearTo(atom.Tr)
			s.popTo(len(s.st)-1, false)
			return true
		}
		return false
	}
	return s.inTableStart(a)
}

func (s *stream) inCellStart(a atom.Atom) bool {
	switch a {
	case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
		if i := s.inScope(scopeTable, atom.Td, atom.Th); i >= 0 {
			s.popTo(i, false)
			return true
		}
		return false
	}
	s.inBodyStart(a)
	return false
}

func (s *stream) inCaptionStart(a atom.Atom) bool {
	switch a {
	case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Td, atom.Tfoot, atom.Thead, atom.Tr:
		if i := s.inScope(scopeTable, atom.Caption); i >= 0 {
			s.popTo(i, false)
			return true
		}
		return false
	}
	s.inBodyStart(a)
	return false
}

func (s *stream) inColgroupStart(a atom.Atom) bool {
	switch a {
	case atom.Col:
		s.void(a)
		return false
	}
	if s.top().a != atom.Colgroup {
		return false
	}
	s.popTo(len(s.st)-1, false)
	return true
}

func (s *stream) inBodyStart(a atom.Atom) {
	switch a {
	case atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta:
		s.void(a)
	case atom.Noframes, atom.Script, atom.Style, atom.Title:
		s.push(a)
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details,
		atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure,
		atom.Footer, atom.Header, atom.Hgroup, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P,
		atom.Search, atom.Section, atom.Summary, atom.Ul:
		s.closeP()
		s.push(a)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		s.closeP()
		switch s.top().a {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			s.popTo(len(s.st)-1, true)
		}
		s.push(a)
	case atom.Pre, atom.Listing:
		s.closeP()
		s.push(a)
	case atom.Form:
		if s.formOpen {
			return
		}
		s.closeP()
		s.push(a)
		s.formOpen = true
	case atom.Li, atom.Dd, atom.Dt:
		for i := len(s.st) - 1; i >= 0; i-- {
			e := s.st[i].a
			if e == a || a != atom.Li && (e == atom.Dd || e == atom.Dt) {
				s.popTo(i, true)
				break
			}
			if e == atom.Address || e == atom.Div || e == atom.P || !isSpecial(e) {
				continue
			}
			break
		}
		s.closeP()
		s.push(a)
	case atom.Button:
		if s.inScope(scopeDefault, atom.Button) >= 0 {
			s.generateImpliedEndTags(0)
			s.popUntil(scopeDefault, atom.Button)
		}
		s.push(a)
	case atom.A:
		for i := len(s.st) - 1; i >= 0; i-- {
			e := s.st[i].a
			if e == atom.A {
				if !s.adoption(atom.A) {
					fallback() // html.Parse takes it out from under a table or select
				}
				break
			}
			if isMarker(e) {
				break
			}
		}
		s.push(a)
	case atom.Nobr:
		if s.inScope(scopeDefault, atom.Nobr) >= 0 {
			s.adoption(atom.Nobr)
		}
		s.push(a)
	case atom.Table:
		if i := s.inScope(scopeButton, atom.P); i >= 0 {
			// html.Parse closes the <p> unless the page is in quirks mode; either way is the
			// same text when nothing from the <p> up means anything to the walker
			for j := i; j < len(s.st); j++ {
				if e := &s.st[j]; e.region != 0 || e.role&^roleBlock != 0 || e.fmtRole ||
					e.ctx != s.st[i-1].ctx {
					fallback()
				}
			}
			s.popTo(i, true)
		}
		s.push(a)
	case atom.Area, atom.Br, atom.Embed, atom.Img, atom.Keygen, atom.Wbr, atom.Param, atom.Source, atom.Track:
		s.void(a)
	case atom.Input:
		s.popUntil(scopeDefault, atom.Select)
		s.void(a)
	case atom.Hr:
		if s.inScope(scopeButton, atom.P) >= 0 {
			s.generateImpliedEndTags(atom.P)
			s.popUntil(scopeDefault, atom.P)
		}
		if s.inScope(scopeDefault, atom.Select) >= 0 {
			s.generateImpliedEndTags(0)
		}
		s.void(a)
	case atom.Textarea, atom.Iframe, atom.Noembed, atom.Noscript:
		s.push(a)
	case atom.Xmp:
		s.closeP()
		s.push(a)
	case atom.Select:
		if s.popUntil(scopeDefault, atom.Select) {
			return
		}
		s.push(a)
	case atom.Option, atom.Optgroup:
		if s.inScope(scopeDefault, atom.Select) >= 0 {
			if a == atom.Option {
				s.generateImpliedEndTags(atom.Optgroup)
			} else {
				s.generateImpliedEndTags(0)
			}
		} else if s.top().a == atom.Option {
			s.popTo(len(s.st)-1, true)
		}
		s.push(a)
	case atom.Rb, atom.Rtc:
		if s.inScope(scopeDefault, atom.Ruby) >= 0 {
			s.generateImpliedEndTags(0)
		}
		s.push(a)
	case atom.Rp, atom.Rt:
		if s.inScope(scopeDefault, atom.Ruby) >= 0 {
			s.generateImpliedEndTags(atom.Rtc)
		}
		s.push(a)
	case atom.Caption, atom.Col, atom.Colgroup, atom.Frame, atom.Head, atom.Tbody, atom.Td,
		atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
		// ignored in the body
	default:
		s.push(a)
	}
}

func isMarker(a atom.Atom) bool {
	switch a {
	case atom.Td, atom.Th, atom.Caption, atom.Applet, atom.Marquee, atom.Object, atom.Template:
		return true
	}
	return false
}

// adoption follows html.Parse's adoption agency for an end tag of formatting element a.
// Formatting elements are inline: moving them changes nothing the walker sees, unless
// they (or an element they move) are chrome, metadata, skipped or otherwise have a role.
func (s *stream) adoption(a atom.Atom) bool {
	for iter := 0; iter < 8; iter++ {
		fi := -1
		for i := len(s.st) - 1; i >= 0; i-- {
			e := s.st[i].a
			if e == a {
				fi = i
				break
			}
			if isMarker(e) || e == atom.Html || e == atom.Table || e == atom.Select {
				break
			}
		}
		if fi < 0 {
			return iter > 0
		}
		fb := -1
		for i := fi + 1; i < len(s.st); i++ {
			if isSpecial(s.st[i].a) {
				fb = i
				break
			}
		}
		if fb < 0 {
			// the formatting element and everything above it are popped
			for len(s.st) > fi+1 {
				if s.top().fmtRole {
					fallback()
				}
				s.pop()
			}
			s.pop()
			return true
		}
		for i := fi; i < fb; i++ {
			if e := &s.st[i]; e.fmtRole || e.region != 0 || e.role != 0 || e.ctx != s.st[fi-1].ctx {
				fallback()
			}
		}
		switch s.st[fi-1].a {
		case atom.Table, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr:
			fallback()
		}
		for i := fb; i < len(s.st); i++ {
			if s.st[i].role&roleData != 0 {
				fallback() // a data table's index in the stack must not move
			}
		}
		// f and the non-formatting elements between it and the furthest block leave the
		// stack; a clone of f goes right above the furthest block
		f := s.st[fi]
		fbe := s.st[fb]
		f.ctx, f.att, f.mode = fbe.ctx, fbe.att, fbe.mode
		f.lastText, f.hasChild = false, false
		next := make([]sEntry, 0, len(s.st)+1)
		next = append(next, s.st[:fi]...)
		for i := fi + 1; i < fb; i++ {
			if isFormatting(s.st[i].a) {
				next = append(next, s.st[i])
			}
		}
		next = append(next, fbe, f)
		next = append(next, s.st[fb+1:]...)
		s.st = next
	}
	return true
}

// ---- end tags ----

func (s *stream) endTag(a atom.Atom) {
	if !s.bodyStarted {
		switch a {
		case atom.Body, atom.Html, atom.Br:
			s.bodyStarted = true
		default:
			return
		}
	}
	switch a {
	case atom.Template:
		fallback()
	}
	for {
		var again bool
		switch s.mode() {
		case atom.Table:
			again = s.inTableEnd(a)
		case atom.Tbody:
			again = s.inTbodyEnd(a)
		case atom.Tr:
			again = s.inRowEnd(a)
		case atom.Td:
			again = s.inCellEnd(a)
		case atom.Caption:
			again = s.inCaptionEnd(a)
		case atom.Colgroup:
			again = s.inColgroupEnd(a)
		default:
			s.inBodyEnd(a)
		}
		if !again {
			return
		}
	}
}

func (s *stream) inTableEnd(a atom.Atom) bool {
	switch a {
	case atom.Table:
		if i := s.inScope(scopeTable, atom.Table); i >= 0 {
			s.popTo(i, false)
		}
		return false
	case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html, atom.Tbody, atom.Td,
		atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
		return false
	case atom.P, atom.Br:
		fallback() // would insert an element: foster parenting
	}
	s.inBodyEnd(a)
	return false
}

func (s *stream) inTbodyEnd(a atom.Atom) bool {
	switch a {
	case atom.Tbody, atom.Tfoot, atom.Thead:
		if s.inScope(scopeTable, a) >= 0 {
			s.clearTo(atom.Tbody, atom.Thead, atom.Tfoot)
			s.popTo(len(s.st)-1, false)
		}
		return false
	case atom.Table:
		if i := s.inScope(scopeTable, atom.Tbody, atom.Thead, atom.Tfoot); i >= 0 {
			s.popTo(i, false)
			return true
		}
		return false
	case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html, atom.Td, atom.Th, atom.Tr:
		return false
	}
	return s.inTableEnd(a)
}

func (s *stream) inRowEnd(a atom.Atom) bool {
	switch a {
	case atom.Tr:
		if s.inScope(scopeTable, atom.Tr) >= 0 {
			s.clearTo(atom.Tr)
			s.popTo(len(s.st)-1, false)
		}
		return false
	case atom.Table:
		if s.inScope(scopeTable, atom.Tr) >= 0 {
			s.clearTo(atom.Tr)
			s.popTo(len(s.st)-1, false)
			return true
		}
		return false
	case atom.Tbody, atom.Tfoot, atom.Thead:
		if s.inScope(scopeTable, a) >= 0 && s.inScope(scopeTable, atom.Tr) >= 0 {
			s.clearTo(atom.Tr)
			s.popTo(len(s.st)-1, false)
			return true
		}
		return false
	case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html, atom.Td, atom.Th:
		return false
	}
	return s.inTableEnd(a)
}

func (s *stream) inCellEnd(a atom.Atom) bool {
	switch a {
	case atom.Td, atom.Th:
		if i := s.inScope(scopeTable, a); i >= 0 {
			s.popTo(i, false)
		}
		return false
	case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html:
		return false
	case atom.Table, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr:
		if s.inScope(scopeTable, a) < 0 {
			return false
		}
		if i := s.inScope(scopeTable, atom.Td, atom.Th); i >= 0 {
			s.popTo(i, false)
		}
		return true
	}
	s.inBodyEnd(a)
	return false
}

func (s *stream) inCaptionEnd(a atom.Atom) bool {
	switch a {
	case atom.Caption:
		if i := s.inScope(scopeTable, atom.Caption); i >= 0 {
			s.popTo(i, false)
		}
		return false
	case atom.Table:
		if i := s.inScope(scopeTable, atom.Caption); i >= 0 {
			s.popTo(i, false)
			return true
		}
		return false
	case atom.Body, atom.Col, atom.Colgroup, atom.Html, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
		return false
	}
	s.inBodyEnd(a)
	return false
}

func (s *stream) inColgroupEnd(a atom.Atom) bool {
	switch a {
	case atom.Colgroup:
		if s.top().a == atom.Colgroup {
			s.popTo(len(s.st)-1, false)
		}
		return false
	case atom.Col:
		return false
	}
	if s.top().a != atom.Colgroup {
		return false
	}
	s.popTo(len(s.st)-1, false)
	return true
}

func (s *stream) inBodyEnd(a atom.Atom) {
	switch a {
	case atom.Body, atom.Html:
		// html.Parse goes on in the body after these
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Button, atom.Center,
		atom.Details, atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption,
		atom.Figure, atom.Footer, atom.Header, atom.Hgroup, atom.Listing, atom.Main, atom.Menu,
		atom.Nav, atom.Ol, atom.Pre, atom.Search, atom.Section, atom.Select, atom.Summary, atom.Ul:
		if s.inScope(scopeDefault, a) < 0 {
			return
		}
		s.generateImpliedEndTags(0)
		s.popUntil(scopeDefault, a)
	case atom.Form:
		open := s.formOpen
		s.formOpen = false
		i := s.inScope(scopeDefault, atom.Form)
		if !open || i < 0 {
			return
		}
		s.generateImpliedEndTags(0)
		if s.top().a != atom.Form {
			fallback() // html.Parse takes the form out from under open elements
		}
		s.pop()
	case atom.P:
		if s.inScope(scopeButton, atom.P) < 0 {
			s.startTag(atom.P)
		}
		s.popUntil(scopeButton, atom.P)
	case atom.Li:
		s.popUntil(scopeListItem, atom.Li)
	case atom.Dd, atom.Dt:
		s.popUntil(scopeDefault, a)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		s.popUntil(scopeDefault, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6)
	case atom.A, atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.Nobr, atom.S,
		atom.Small, atom.Strike, atom.Strong, atom.Tt, atom.U:
		s.adoption(a)
	case atom.Applet, atom.Marquee, atom.Object:
		if i := s.inScope(scopeDefault, a); i >= 0 {
			s.popTo(i, false)
		}
	case atom.Br:
		s.attrs, s.attrsRead = s.attrs[:0], true
		s.startTag(atom.Br)
	default:
		// any other end tag
		for i := len(s.st) - 1; i >= 0; i-- {
			e := &s.st[i]
			if e.a == a && (a != 0 || e.name == string(s.tagName)) {
				s.popTo(i, true)
				return
			}
			if isSpecial(e.a) {
				return
			}
		}
	}
}

// ---- elements: what the walker does ----

func (s *stream) void(a atom.Atom) {
	s.push(a)
	s.pop()
}

// pushImplied opens an element html.Parse implies (tbody, tr, colgroup): no attributes.
func (s *stream) pushImplied(a atom.Atom) {
	s.attrsOf() // the tag's own attributes, read before they are hidden
	saved := s.attrs
	s.attrs = nil
	s.push(a)
	s.attrs = saved
}

func (s *stream) push(a atom.Atom) {
	if len(s.st) >= 500 {
		fallback()
	}
	if a == atom.Table && s.cellAtt != nil {
		// a table inside a data table's cell: that table is page layout
		panic(streamSignal{rewind: s.cellAtt})
	}
	p := s.top()
	p.hasChild, p.lastText = true, false
	e := sEntry{a: a, mode: modeOf(a, p.mode), name: s.nameOf(a), att: p.att}
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Textarea, atom.Iframe, atom.Noembed,
		atom.Noframes, atom.Noscript, atom.Xmp:
		e.role |= roleRaw
	case atom.Meta:
		key, ok := s.attr("name")
		if !ok || len(key) == 0 {
			key, _ = s.attr("property")
		}
		if len(key) > 0 {
			content, _ := s.attr("content")
			setMeta(s.headMeta, string(key), Normalize(string(content)))
		}
	}
	if a == atom.Title && !s.titleSet {
		s.titleSet, s.titleOn = true, true
		e.role |= roleTitle
	}
	if isFormatting(a) && (s.chrome(a) || s.metaBlock()) {
		e.fmtRole = true
	}
	switch p.ctx {
	case ctxSkip:
		e.ctx = ctxSkip
	case ctxData:
		switch a {
		case atom.Caption:
			e.ctx = ctxWalk
			e.att = nil
			s.element(&e)
		case atom.Td, atom.Th:
			e.ctx = ctxWalk
			e.role |= roleCell
			e.savePre, e.saveMeta = int32(s.w.pre), int32(s.w.metaDepth)
			s.w.cell, s.w.pre, s.w.metaDepth = true, 0, 0
			s.w.line = s.w.line[:0]
			s.w.pendSpace, s.w.pendNewline, s.w.last = false, false, 0
			s.w.cellBuf = s.w.cellBuf[:0]
			s.cellAtt = e.att
			e.att.cellLen = 0
			e.cs, e.rs = int32(s.span("colspan")), int32(s.span("rowspan"))
			e.metaLo = len(e.att.cellMeta)
		case atom.Tr:
			e.ctx = ctxData
			e.att.rowStarts = append(e.att.rowStarts, len(e.att.cells))
		case atom.Tbody, atom.Thead, atom.Tfoot:
			e.ctx = ctxData
		default:
			e.ctx = ctxSkip
		}
	default:
		e.ctx = ctxWalk
		if a == atom.Noframes && !s.bodyStarted {
			e.ctx = ctxSkip
		} else {
			s.element(&e)
		}
	}
	s.st = append(s.st, e)
}

// element does what htmlWalker.element does when it enters e.
func (s *stream) element(e *sEntry) {
	a := e.a
	if isSkipTag(a) {
		e.ctx = ctxSkip
		e.role |= roleSkipOwn
		return
	}
	if s.chrome(a) {
		s.openRegion()
		e.region = int32(len(s.regions))
	}
	w := &s.w
	switch {
	case a == atom.Table:
		w.flush()
		att := &tableAttempt{entry: len(s.st), off: s.off, lines: len(w.lines), journal: len(s.journal),
			regions: len(s.regions), formOpen: s.formOpen, metaDepth: w.metaDepth, pre: w.pre}
		if n := len(s.spare); n > 0 {
			// storage of a data table done with (tables in a caption nest, so a list)
			att.cells, att.rowStarts = s.spare[n-1].cells[:0], s.spare[n-1].rowStarts[:0]
			s.spare = s.spare[:n-1]
		}
		w.blank()
		e.ctx, e.role, e.att = ctxData, e.role|roleData, att
	case a == atom.Br:
		w.flush()
	case a == atom.Pre:
		w.flush()
		w.pre++
		e.role |= rolePre
	case s.metaBlock():
		w.flush()
		e.metaLo = len(w.lines)
		w.metaDepth++
		e.role |= roleMeta
	case isBlockTag(a):
		w.flush()
		e.role |= roleBlock
	}
}

func (s *stream) openRegion() {
	w := &s.w
	r := chromeRegion{markers: s.markers, lines: len(w.lines), line: append([]byte(nil), w.line...),
		pendSpace: w.pendSpace, pendNL: w.pendNewline, last: w.last, cellBuf: len(w.cellBuf),
		journal: len(s.journal), cellAtt: s.cellAtt}
	if s.cellAtt != nil {
		r.cellMeta = len(s.cellAtt.cellMeta)
	}
	s.regions = append(s.regions, r)
}

// pop closes the top element.
func (s *stream) pop() {
	e := &s.st[len(s.st)-1]
	w := &s.w
	switch {
	case e.role&roleTitle != 0:
		s.titleOn = false
	case e.role&roleCell != 0:
		w.flush()
		att := e.att
		att.cells = append(att.cells, gcell{
			text: w.arena.keep(bytes.TrimFunc(w.cellBuf, unicode.IsSpace)),
			cs:   int(e.cs), rs: int(e.rs), mlo: e.metaLo, mhi: len(att.cellMeta),
		})
		w.cell, w.pre, w.metaDepth = false, int(e.savePre), int(e.saveMeta)
		w.line = w.line[:0]
		w.pendSpace, w.pendNewline, w.last = false, false, 0
		s.cellAtt = nil
	case e.role&roleData != 0:
		s.dataTable(e.att)
		s.spare = append(s.spare, tableStorage{e.att.cells, e.att.rowStarts})
		e.att.cells, e.att.rowStarts = nil, nil
	case e.role&rolePre != 0:
		w.pre--
		w.flush()
	case e.role&roleMeta != 0:
		w.flush()
		w.metaDepth--
		for _, l := range w.lines[e.metaLo:] {
			if k, v, ok := cutMetaLine(Normalize(l)); ok {
				s.addMeta(k, v)
			}
		}
		if w.cell && w.metaDepth == 0 {
			for _, l := range w.lines[e.metaLo:] {
				w.cellBuf = appendCellLine(w.cellBuf, unsafe.Slice(unsafe.StringData(l), len(l)))
			}
			w.lines = w.lines[:e.metaLo]
		}
	case e.role&roleBlock != 0:
		w.flush()
	}
	if e.region != 0 {
		r := &s.regions[e.region-1]
		if s.markers == r.markers {
			// chrome without a report marker: dropped
			w.lines = w.lines[:r.lines]
			w.line = append(w.line[:0], r.line...)
			w.pendSpace, w.pendNewline, w.last = r.pendSpace, r.pendNL, r.last
			w.cellBuf = w.cellBuf[:min(r.cellBuf, len(w.cellBuf))]
			s.journal = s.journal[:r.journal]
			if r.cellAtt != nil {
				r.cellAtt.cellMeta = r.cellAtt.cellMeta[:r.cellMeta]
			}
		}
		s.regions = s.regions[:e.region-1]
	}
	s.st = s.st[:len(s.st)-1]
}

// span reads the current tag's colspan/rowspan as spanAttr does: 1 when absent or not a
// number.
func (s *stream) span(key string) int {
	if !s.mayHave(keyColspan | keyRowspan) {
		return 1
	}
	b, _ := s.attr(key)
	v := bytes.TrimSpace(b)
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 {
		return 1
	}
	if i > 5 {
		return 65534
	}
	x := 0
	for _, c := range v[:i] {
		x = x*10 + int(c-'0')
	}
	return x
}

func (s *stream) addMeta(k, v string) {
	if s.w.cell && s.cellAtt != nil {
		s.cellAtt.cellMeta = append(s.cellAtt.cellMeta, metaKV{k, v})
		return
	}
	s.journal = append(s.journal, metaKV{k, v})
}

// chrome is isChrome on the current start tag.
func (s *stream) chrome(a atom.Atom) bool {
	if isChromeTag(a) {
		return true
	}
	if !s.mayHave(keyClass | keyID | keyStyle | keyHidden) {
		return false
	}
	for _, at := range s.attrsOf() {
		switch string(at.key) {
		case "class", "id":
			if chromeValue(at.val) {
				return true
			}
		case "style":
			if hiddenStyle(unsafe.String(unsafe.SliceData(at.val), len(at.val))) {
				return true
			}
		case "hidden":
			return true
		}
	}
	return false
}

// metaBlock is isMetaBlock on the current start tag.
func (s *stream) metaBlock() bool {
	if !s.mayHave(keyClass | keyID) {
		return false
	}
	for _, at := range s.attrsOf() {
		switch string(at.key) {
		case "class", "id":
			found := false
			lowerFields(at.val, func(tok []byte) bool {
				found = string(tok) == "meta"
				return found
			})
			if found {
				return true
			}
		}
	}
	return false
}

// chromeValue is isChrome's test of a class or id value.
func chromeValue(v []byte) bool {
	if !isASCII(v) {
		l := strings.ToLower(string(v))
		for tok := range strings.FieldsSeq(l) {
			if chromeTokens[tok] {
				return true
			}
		}
		for _, wd := range chromeWords {
			if strings.Contains(l, wd) {
				return true
			}
		}
		return false
	}
	var buf [128]byte
	var l []byte
	if len(v) <= len(buf) {
		l = buf[:len(v)]
	} else {
		l = make([]byte, len(v))
	}
	for i, c := range v {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	found := false
	asciiFields(l, func(tok []byte) bool {
		found = chromeTokens[string(tok)]
		return found
	})
	if found {
		return true
	}
	for _, wd := range chromeWords {
		if bytes.Contains(l, unsafe.Slice(unsafe.StringData(wd), len(wd))) {
			return true
		}
	}
	return false
}

func isASCII(v []byte) bool {
	for _, c := range v {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerFields calls f on the white-space separated fields of v lower-cased, until f
// returns true.
func lowerFields(v []byte, f func([]byte) bool) {
	if !isASCII(v) {
		for tok := range strings.FieldsSeq(strings.ToLower(string(v))) {
			if f([]byte(tok)) {
				return
			}
		}
		return
	}
	var buf [128]byte
	var l []byte
	if len(v) <= len(buf) {
		l = buf[:len(v)]
	} else {
		l = make([]byte, len(v))
	}
	for i, c := range v {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	asciiFields(l, f)
}

func asciiFields(l []byte, f func([]byte) bool) {
	for i := 0; i < len(l); {
		for i < len(l) && asciiSpace(l[i]) {
			i++
		}
		j := i
		for j < len(l) && !asciiSpace(l[j]) {
			j++
		}
		if j > i && f(l[i:j]) {
			return
		}
		i = j
	}
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// dataTable lays out a data table that ends, as htmlWalker.table and layoutGrid do.
func (s *stream) dataTable(att *tableAttempt) {
	w := &s.w
	nrows := len(att.rowStarts)
	occ := w.occ[:0]
	flat := w.flat[:0]
	rowEnd := w.rowEnd[:0]
	for ri := 0; ri < nrows; ri++ {
		lo := att.rowStarts[ri]
		hi := len(att.cells)
		if ri+1 < nrows {
			hi = att.rowStarts[ri+1]
		}
		col := 0
		for _, c := range att.cells[lo:hi] {
			for col < len(occ) && occ[col].left > 0 && col < maxColumns {
				flat = append(flat, occ[col].text)
				occ[col].left--
				col++
			}
			if col >= maxColumns {
				break
			}
			s.journal = append(s.journal, att.cellMeta[c.mlo:c.mhi]...)
			cs := c.cs
			if cs < 1 {
				cs = 1
			}
			rs := c.rs
			if rs == 0 || rs > nrows-ri {
				rs = nrows - ri
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
					v = c.text
				}
				flat = append(flat, v)
				for len(occ) <= col {
					occ = append(occ, span{})
				}
				occ[col] = span{text: v, left: rs - 1}
				col++
			}
		}
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
	if nrows <= 12 {
		for _, cells := range grid {
			for i := 0; i+1 < len(cells); i++ {
				k := strings.TrimSuffix(Normalize(cells[i]), ":")
				if metaLabels[k] {
					s.journal = append(s.journal, metaKV{k, Normalize(cells[i+1])})
				}
			}
		}
	}
	w.blank()
}
