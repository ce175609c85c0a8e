package decode

import (
	"io"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// hpage is a page as the HTML reader walks it: its elements and texts in document order,
// each element followed by its descendants and knowing where they end. Comments and the
// doctype are left out, and of attributes only those the reader looks at (keptAttr).
type hpage struct {
	nodes []hnode
	attrs []html.Attribute
}

// hnode is an element or a text of a page.
type hnode struct {
	text      string    // a text's text
	a         atom.Atom // an element's tag (0: a name the atom table does not know)
	elem      bool
	end       int32 // an element: the index after its last descendant
	at, atEnd int32 // an element: its kept attributes, attrs[at:atEnd]
}

// next is the index after node i and its descendants.
func (p *hpage) next(i int) int {
	if n := &p.nodes[i]; n.elem {
		return int(n.end)
	}
	return i + 1
}

// attr is element i's attribute key ("" when absent).
func (p *hpage) attr(i int, key string) string {
	n := &p.nodes[i]
	for _, a := range p.attrs[n.at:n.atEnd] {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns all text under element i.
func (p *hpage) textOf(i int) string {
	var b strings.Builder
	for j, end := i+1, int(p.nodes[i].end); j < end; j++ {
		if n := &p.nodes[j]; !n.elem {
			b.WriteString(n.text)
		}
	}
	return b.String()
}

// keptAttr returns the name of an attribute the HTML reader looks at, "" for others.
func keptAttr(k []byte) string {
	switch string(k) {
	case "class":
		return "class"
	case "id":
		return "id"
	case "style":
		return "style"
	case "hidden":
		return "hidden"
	case "name":
		return "name"
	case "property":
		return "property"
	case "content":
		return "content"
	case "colspan":
		return "colspan"
	case "rowspan":
		return "rowspan"
	}
	return ""
}

// pageOfTree lays out a tree built by html.Parse as a page.
func pageOfTree(root *html.Node) *hpage {
	p := &hpage{}
	var add func(n *html.Node)
	add = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			p.nodes = append(p.nodes, hnode{text: n.Data})
		case html.ElementNode:
			i, at := len(p.nodes), len(p.attrs)
			for _, a := range n.Attr {
				if keptAttr([]byte(a.Key)) != "" {
					p.attrs = append(p.attrs, a)
				}
			}
			p.nodes = append(p.nodes, hnode{a: n.DataAtom, elem: true, at: int32(at), atEnd: int32(len(p.attrs))})
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				add(c)
			}
			p.nodes[i].end = int32(len(p.nodes))
		case html.DocumentNode:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				add(c)
			}
		}
	}
	add(root)
	return p
}

// readPage lays out a page from x/net/html's Tokenizer, nesting its elements as HTML's
// tree construction (html.Parse) does for the markup our reports are written in: the
// elements and end tags HTML lets a page leave out (</p>, </li>, </td>, </tr>, <tbody>,
// <head>, <body> …), stray end tags, the head and body. Wherever html.Parse would do more
// — move text or tags out of a table, reopen formatting elements closed out of order
// (<b><p>x</b>), merge the attributes of a second <body>, foreign content (svg, math),
// templates, frames — it gives up (ok false) and the caller uses html.Parse.
// TestReadPageMatches and FuzzReadPage hold the two to reading alike.
func readPage(s string, arena *textArena) (*hpage, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, false
	}
	p := pages.Get().(*hpage)
	if n := strings.Count(s, "<") + 8; cap(p.nodes) < n {
		p.nodes = make([]hnode, 0, n)
	}
	b := pageBuilder{z: html.NewTokenizer(strings.NewReader(s)), p: p, arena: arena}
	z := b.z
	for {
		tt := z.Next()
		var ok bool
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				p.release()
				return nil, false
			}
			b.popTo(0)
			return b.p, true
		case html.TextToken:
			ok = b.text(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			b.readTag()
			b.tagAttrs = b.tagAttrs[:0]
			for b.attrsAt < len(b.raw) && mayKeepAttr(b.raw[b.attrsAt:]) {
				k, v, more := z.TagAttr()
				if key := keptAttr(k); key != "" {
					b.tagAttrs = append(b.tagAttrs, html.Attribute{Key: key, Val: arena.keep(v)})
				}
				if !more {
					break
				}
			}
			ok = b.start()
		case html.EndTagToken:
			b.readTag()
			ok = b.end()
		case html.CommentToken:
			if !b.afterBody {
				b.joinText = false
			}
			ok = true
		case html.DoctypeToken:
			if b.phase == phaseInitial {
				b.quirks = doctypeQuirks(string(z.Raw()))
				b.phase = phaseBeforeHTML
			}
			ok = true
		}
		if !ok {
			p.release()
			return nil, false
		}
	}
}

// keptAttrWords are words one of which an attribute keptAttr keeps has in its name
// ("hidden" has "id"; "colspan" and "rowspan" have "span").
var keptAttrWords = [...]string{"class", "id", "style", "name", "property", "content", "span"}

// mayKeepAttr tells whether a tag's attributes (their raw bytes) may hold one keptAttr
// keeps: most tags have none (<td valign="top">), and are not read attribute by attribute
// (Tokenizer.TagAttr copies every key and value).
func mayKeepAttr(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		c := raw[i] | 0x20
		switch c {
		case 'c', 'i', 's', 'n', 'p':
		default:
			continue
		}
		for _, w := range keptAttrWords {
			if w[0] == c && len(raw)-i >= len(w) && indexFold(raw[i:i+len(w)], w) == 0 {
				return true
			}
		}
	}
	return false
}

// pages recycles the node lists of pages: a page is read and dropped within HTML.Read
// (what the document keeps are its own lines, and copies of the title and metadata).
var pages = sync.Pool{New: func() any { return &hpage{} }}

// release gives a page read by readPage back to be reused; it must not be used after.
func (p *hpage) release() {
	p.nodes, p.attrs = p.nodes[:0], p.attrs[:0]
	pages.Put(p)
}

// checkTagNames makes readPage check its tag names against Tokenizer.TagName (tests).
var checkTagNames = false

// readTag reads the current tag token's name into b.tag. It is Tokenizer.TagName, read
// from the token's raw bytes: TagName copies every name it returns.
func (b *pageBuilder) readTag() {
	raw := b.z.Raw()
	i := 1
	if len(raw) > 1 && raw[1] == '/' {
		i = 2
	}
	j := i
	for j < len(raw) {
		c := raw[j]
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '/' || c == '>' {
			break
		}
		j++
	}
	name := append(b.name[:0], raw[i:j]...)
	for k, c := range name {
		if 'A' <= c && c <= 'Z' {
			name[k] = c + 'a' - 'A'
		}
	}
	b.name = name
	b.raw, b.attrsAt = raw, j
	b.tag = tag{a: atom.Lookup(name)}
	if b.tag.a == 0 {
		b.tag.name = string(name)
	}
	if checkTagNames {
		if want, _ := b.z.TagName(); string(want) != string(name) {
			panic("readTag: " + string(name) + " for " + string(want) + " in " + string(raw))
		}
	}
}

// the parts of a page the builder is in
const (
	phaseInitial = iota
	phaseBeforeHTML
	phaseBeforeHead
	phaseInHead
	phaseAfterHead
	phaseBody
)

// tag is an element's name: its atom, or its name when the atom table does not know it.
type tag struct {
	a    atom.Atom
	name string
}

// open is an element on the builder's stack.
type open struct {
	tag
	i int // its node
}

type pageBuilder struct {
	z        *html.Tokenizer
	p        *hpage
	arena    *textArena
	stack    []open
	phase    int
	quirks   int8 // 1: quirks mode (a <table> does not close a <p>), 0: not, -1: not known
	formOpen bool
	// joinText: a text continues the last node, a text (html.Parse makes one text node of
	// texts with nothing but ignored tags between)
	joinText  bool
	afterBody bool // after </body> or </html>: comments go elsewhere, texts still join

	tag      tag              // the tag being read
	name     []byte           // its name's bytes
	raw      []byte           // the token's bytes (Tokenizer.Raw)
	attrsAt  int              // where in raw its attributes start
	tagAttrs []html.Attribute // its kept attributes
}

var quirksCache sync.Map // doctype → int8

// doctypeQuirks tells whether a page starting with this doctype is parsed in quirks mode,
// as html.Parse decides it (asked on a two-tag page: does a <table> close a <p>).
func doctypeQuirks(doctype string) int8 {
	if q, ok := quirksCache.Load(doctype); ok {
		return q.(int8)
	}
	q := int8(-1)
	if root, err := html.Parse(strings.NewReader(doctype + "<p><table>")); err == nil {
		for n := root.FirstChild; n != nil; n = n.NextSibling {
			if n.Type != html.ElementNode {
				continue
			}
			if body := n.LastChild; body != nil && body.FirstChild != nil {
				if p := body.FirstChild; p.DataAtom == atom.P {
					if p.FirstChild != nil {
						q = 1
					} else {
						q = 0
					}
				}
			}
		}
	}
	if len(doctype) < 200 {
		quirksCache.Store(doctype, q)
	}
	return q
}

func (b *pageBuilder) top() *open { return &b.stack[len(b.stack)-1] }

func (b *pageBuilder) is(o *open, a atom.Atom) bool { return o.a == a }

// same tells whether open element o has the tag being read.
func (b *pageBuilder) same(o *open) bool { return o.a == b.tag.a && o.name == b.tag.name }

// push opens an element of tag t with attributes attrs.
func (b *pageBuilder) push(t tag, attrs []html.Attribute) {
	b.add(t.a, attrs, false)
	b.stack = append(b.stack, open{tag: t, i: len(b.p.nodes) - 1})
}

// add appends an element node (void: one without content).
func (b *pageBuilder) add(a atom.Atom, attrs []html.Attribute, void bool) {
	p := b.p
	at := len(p.attrs)
	p.attrs = append(p.attrs, attrs...)
	n := hnode{a: a, elem: true, at: int32(at), atEnd: int32(len(p.attrs))}
	if void {
		n.end = int32(len(p.nodes) + 1)
	}
	p.nodes = append(p.nodes, n)
	b.joinText = false
}

// pushTag opens the element being read.
func (b *pageBuilder) pushTag() { b.push(b.tag, b.tagAttrs) }

// voidTag adds the element being read as one without content.
func (b *pageBuilder) voidTag() { b.add(b.tag.a, b.tagAttrs, true) }

// popTo closes the elements of the stack from the top down to (and with) stack[k].
func (b *pageBuilder) popTo(k int) {
	for j := len(b.stack) - 1; j >= k; j-- {
		b.p.nodes[b.stack[j].i].end = int32(len(b.p.nodes))
	}
	b.stack = b.stack[:k]
	b.joinText = false
}

// closeTo closes stack[k] and the elements above it; it refuses (false) when one of those
// is a formatting element, which html.Parse would reopen later.
func (b *pageBuilder) closeTo(k int) bool {
	for j := len(b.stack) - 1; j > k; j-- {
		if isFormatting(b.stack[j].a) {
			return false
		}
	}
	b.popTo(k)
	return true
}

func (b *pageBuilder) pop() { b.popTo(len(b.stack) - 1) }

// text adds a text.
func (b *pageBuilder) text(t []byte) bool {
	ws := allHTMLSpace(t)
	switch b.phase {
	case phaseInitial, phaseBeforeHTML, phaseBeforeHead, phaseInHead, phaseAfterHead:
		if b.phase == phaseInHead && !b.is(b.top(), atom.Head) || b.phase == phaseAfterHead && !b.is(b.top(), atom.Html) {
			// the text of a <title>, <script> …
			b.addText(t)
			return true
		}
		if ws {
			// white space outside the body is never read
			return true
		}
		b.bodyNow()
		t = trimHTMLSpace(t)
	}
	if len(b.stack) > 0 && isRawText(b.top().a) {
		b.addText(t)
		return true
	}
	if !ws {
		b.afterBody = false
	}
	switch b.mode() {
	case atom.Table, atom.Tbody, atom.Tr, atom.Colgroup:
		if !ws {
			return false // html.Parse moves the text out of the table
		}
	}
	b.addText(t)
	return true
}

func (b *pageBuilder) addText(t []byte) {
	p := b.p
	if b.joinText {
		// rare: a text cut by a tag html.Parse ignores
		n := &p.nodes[len(p.nodes)-1]
		n.text += string(t)
		return
	}
	p.nodes = append(p.nodes, hnode{text: b.arena.keep(t)})
	b.joinText = true
}

// bodyNow opens what html.Parse opens before the body's first content: <html>, <head>
// (closed again) and <body>.
func (b *pageBuilder) bodyNow() {
	switch b.phase {
	case phaseInitial:
		b.quirks = 1
		fallthrough
	case phaseBeforeHTML:
		b.push(tag{a: atom.Html}, nil)
		fallthrough
	case phaseBeforeHead:
		b.push(tag{a: atom.Head}, nil)
		fallthrough
	case phaseInHead:
		b.pop()
		fallthrough
	case phaseAfterHead:
		b.push(tag{a: atom.Body}, nil)
		b.phase = phaseBody
	}
}

// mode is the table part the builder is in (table, tbody for any row group, tr, td for a
// cell, caption, colgroup, select), or 0 outside tables.
func (b *pageBuilder) mode() atom.Atom {
	for j := len(b.stack) - 1; j >= 0; j-- {
		switch a := b.stack[j].a; a {
		case atom.Td, atom.Th:
			return atom.Td
		case atom.Tbody, atom.Thead, atom.Tfoot:
			return atom.Tbody
		case atom.Table, atom.Tr, atom.Caption, atom.Colgroup, atom.Select:
			return a
		case atom.Html:
			return 0
		}
	}
	return 0
}

// start reads a start tag.
func (b *pageBuilder) start() bool {
	a := b.tag.a
	switch a {
	case atom.Template, atom.Frameset, atom.Frame, atom.Plaintext, atom.Svg, atom.Math, atom.Image,
		atom.Rb, atom.Rtc, atom.Rp, atom.Rt:
		return false
	}
	for {
		switch b.phase {
		case phaseInitial:
			b.quirks = 1
			b.phase = phaseBeforeHTML
			continue
		case phaseBeforeHTML:
			if a == atom.Html {
				b.pushTag()
				b.phase = phaseBeforeHead
				return true
			}
			b.push(tag{a: atom.Html}, nil)
			b.phase = phaseBeforeHead
			continue
		case phaseBeforeHead:
			switch a {
			case atom.Html:
				return len(b.tagAttrs) == 0
			case atom.Head:
				b.pushTag()
				b.phase = phaseInHead
				return true
			}
			b.push(tag{a: atom.Head}, nil)
			b.phase = phaseInHead
			continue
		case phaseInHead, phaseAfterHead:
			switch a {
			case atom.Html:
				return len(b.tagAttrs) == 0
			case atom.Head:
				return true
			case atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta:
				b.voidTag()
				return true
			case atom.Title, atom.Style, atom.Script, atom.Noscript, atom.Noframes:
				b.pushTag()
				return true
			}
			if b.phase == phaseInHead {
				b.pop()
				b.phase = phaseAfterHead
				continue
			}
			if a == atom.Body {
				b.pushTag()
				b.phase = phaseBody
				return true
			}
			b.bodyNow()
			continue
		}
		break
	}
	b.afterBody = false
	switch b.mode() {
	case atom.Table:
		return b.startInTable()
	case atom.Tbody:
		return b.startInTbody()
	case atom.Tr:
		return b.startInRow()
	case atom.Colgroup:
		if a == atom.Col {
			b.voidTag()
			return true
		}
		if a == atom.Html {
			return b.startInBody()
		}
		b.pop()
		return b.start()
	case atom.Td:
		switch a {
		case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
			b.popTo(b.cell())
			return b.start()
		}
	case atom.Caption:
		switch a {
		case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
			return false
		}
	case atom.Select:
		switch a {
		case atom.Option:
			if b.is(b.top(), atom.Option) {
				b.pop()
			}
		case atom.Optgroup:
			if b.is(b.top(), atom.Option) {
				b.pop()
			}
			if b.is(b.top(), atom.Optgroup) {
				b.pop()
			}
		case atom.Script:
		default:
			return false
		}
		b.pushTag()
		return true
	}
	return b.startInBody()
}

// cell is the stack index of the innermost open cell.
func (b *pageBuilder) cell() int {
	for j := len(b.stack) - 1; j >= 0; j-- {
		if a := b.stack[j].a; a == atom.Td || a == atom.Th {
			return j
		}
	}
	return 0
}

// startInTable reads a start tag with a <table> the current element.
func (b *pageBuilder) startInTable() bool {
	switch b.tag.a {
	case atom.Caption, atom.Colgroup, atom.Tbody, atom.Thead, atom.Tfoot:
		b.pushTag()
		return true
	case atom.Col:
		b.push(tag{a: atom.Colgroup}, nil)
		b.voidTag()
		return true
	case atom.Td, atom.Th, atom.Tr:
		b.push(tag{a: atom.Tbody}, nil)
		return b.startInTbody()
	case atom.Style, atom.Script:
		b.pushTag()
		return true
	}
	return false // a table in a table, or what html.Parse moves out of the table
}

// startInTbody reads a start tag with a row group the current element.
func (b *pageBuilder) startInTbody() bool {
	switch b.tag.a {
	case atom.Tr:
		b.pushTag()
		return true
	case atom.Td, atom.Th:
		b.push(tag{a: atom.Tr}, nil)
		b.pushTag()
		return true
	case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Tfoot, atom.Thead:
		b.pop()
		return b.startInTable()
	}
	return b.startInTable()
}

// startInRow reads a start tag with a <tr> the current element.
func (b *pageBuilder) startInRow() bool {
	switch b.tag.a {
	case atom.Td, atom.Th:
		b.pushTag()
		return true
	case atom.Caption, atom.Col, atom.Colgroup, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr:
		b.pop()
		if b.mode() == atom.Table {
			return b.startInTable()
		}
		return b.startInTbody()
	}
	return b.startInTable()
}

// inScope is the stack index of the innermost open element that match accepts, or -1
// when an element of the scope's boundary (stop) comes first.
func (b *pageBuilder) inScope(match func(*open) bool, stop func(atom.Atom) bool) int {
	for j := len(b.stack) - 1; j >= 0; j-- {
		if match(&b.stack[j]) {
			return j
		}
		if stop(b.stack[j].a) {
			return -1
		}
	}
	return -1
}

func defaultStop(a atom.Atom) bool {
	switch a {
	case atom.Applet, atom.Caption, atom.Html, atom.Table, atom.Td, atom.Th, atom.Marquee, atom.Object,
		atom.Template, atom.Select:
		return true
	}
	return false
}

func buttonStop(a atom.Atom) bool { return a == atom.Button || defaultStop(a) }

func listStop(a atom.Atom) bool { return a == atom.Ol || a == atom.Ul || defaultStop(a) }

func tableStop(a atom.Atom) bool { return a == atom.Html || a == atom.Table || a == atom.Template }

func isP(o *open) bool { return o.a == atom.P }

// closeP closes an open <p> in button scope.
func (b *pageBuilder) closeP() bool {
	if k := b.inScope(isP, buttonStop); k >= 0 {
		return b.closeTo(k)
	}
	return true
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// isFormatting reports whether html.Parse keeps elements of atom a in its list of active
// formatting elements (and reopens them when they are closed out of order).
func isFormatting(a atom.Atom) bool {
	switch a {
	case atom.A, atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.Nobr, atom.S, atom.Small,
		atom.Strike, atom.Strong, atom.Tt, atom.U:
		return true
	}
	return false
}

// isMarker reports whether elements of atom a bound the list of active formatting elements.
func isMarker(a atom.Atom) bool {
	switch a {
	case atom.Td, atom.Th, atom.Caption, atom.Applet, atom.Object, atom.Marquee, atom.Template, atom.Html:
		return true
	}
	return false
}

// isSpecial reports whether elements of atom a are "special" to HTML's tree construction.
func isSpecial(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Applet, atom.Area, atom.Article, atom.Aside, atom.Base, atom.Basefont,
		atom.Bgsound, atom.Blockquote, atom.Body, atom.Br, atom.Button, atom.Caption, atom.Center,
		atom.Col, atom.Colgroup, atom.Dd, atom.Details, atom.Dir, atom.Div, atom.Dl, atom.Dt, atom.Embed,
		atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.Frame, atom.Frameset,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Head, atom.Header, atom.Hgroup,
		atom.Hr, atom.Html, atom.Iframe, atom.Img, atom.Input, atom.Keygen, atom.Li, atom.Link,
		atom.Listing, atom.Main, atom.Marquee, atom.Menu, atom.Meta, atom.Nav, atom.Noembed,
		atom.Noframes, atom.Noscript, atom.Object, atom.Ol, atom.P, atom.Param, atom.Plaintext,
		atom.Pre, atom.Script, atom.Section, atom.Select, atom.Source, atom.Style, atom.Summary,
		atom.Table, atom.Tbody, atom.Td, atom.Template, atom.Textarea, atom.Tfoot, atom.Th, atom.Thead,
		atom.Title, atom.Tr, atom.Track, atom.Ul, atom.Wbr, atom.Xmp:
		return true
	}
	return false
}

// startInBody reads a start tag in the body (or in a table's cell or caption).
func (b *pageBuilder) startInBody() bool {
	a := b.tag.a
	switch a {
	case atom.Html, atom.Body:
		return len(b.tagAttrs) == 0 // html.Parse would merge the attributes
	case atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta, atom.Area, atom.Br, atom.Embed,
		atom.Img, atom.Keygen, atom.Wbr, atom.Input, atom.Param, atom.Source, atom.Track:
		b.voidTag()
		return true
	case atom.Script, atom.Style, atom.Title, atom.Noframes, atom.Noembed, atom.Iframe, atom.Noscript,
		atom.Textarea, atom.Applet, atom.Marquee, atom.Object:
		b.pushTag()
		return true
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details, atom.Dialog,
		atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Header,
		atom.Hgroup, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Section, atom.Summary, atom.Ul,
		atom.Pre, atom.Listing, atom.Xmp:
		if !b.closeP() {
			return false
		}
		b.pushTag()
		return true
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		if !b.closeP() {
			return false
		}
		if isHeading(b.top().a) {
			b.pop()
		}
		b.pushTag()
		return true
	case atom.Hr:
		if !b.closeP() {
			return false
		}
		b.voidTag()
		return true
	case atom.Form:
		if b.formOpen || !b.closeP() {
			return false
		}
		b.formOpen = true
		b.pushTag()
		return true
	case atom.Li, atom.Dd, atom.Dt:
		for j := len(b.stack) - 1; j >= 0; j-- {
			e := b.stack[j].a
			if a == atom.Li && e == atom.Li || a != atom.Li && (e == atom.Dd || e == atom.Dt) {
				if !b.closeTo(j) {
					return false
				}
				break
			}
			if isSpecial(e) && e != atom.Address && e != atom.Div && e != atom.P {
				break
			}
		}
		if !b.closeP() {
			return false
		}
		b.pushTag()
		return true
	case atom.Button, atom.Nobr:
		if b.inScope(func(o *open) bool { return o.a == a }, defaultStop) >= 0 {
			return false
		}
		b.pushTag()
		return true
	case atom.A:
		for j := len(b.stack) - 1; j >= 0 && !isMarker(b.stack[j].a); j-- {
			if b.stack[j].a == atom.A {
				return false
			}
		}
		b.pushTag()
		return true
	case atom.Table:
		if b.inScope(isP, buttonStop) >= 0 {
			switch b.quirks {
			case -1:
				return false
			case 0:
				if !b.closeP() {
					return false
				}
			}
		}
		b.pushTag()
		return true
	case atom.Select:
		for _, o := range b.stack {
			if o.a == atom.Table {
				return false
			}
		}
		b.pushTag()
		return true
	case atom.Optgroup, atom.Option:
		if b.is(b.top(), atom.Option) {
			b.pop()
		}
		b.pushTag()
		return true
	case atom.Caption, atom.Col, atom.Colgroup, atom.Frame, atom.Head, atom.Tbody, atom.Td, atom.Tfoot,
		atom.Th, atom.Thead, atom.Tr:
		return true // ignored outside a table
	}
	b.pushTag()
	return true
}

// end reads an end tag.
func (b *pageBuilder) end() bool {
	a := b.tag.a
	switch b.phase {
	case phaseInitial, phaseBeforeHTML, phaseBeforeHead:
		switch a {
		case atom.Head, atom.Body, atom.Html, atom.Br:
		default:
			return true
		}
		if a == atom.Head {
			if b.phase == phaseInitial {
				b.quirks = 1
			}
			if b.phase != phaseBeforeHead {
				b.push(tag{a: atom.Html}, nil)
			}
			b.push(tag{a: atom.Head}, nil)
			b.pop()
			b.phase = phaseAfterHead
			return true
		}
		b.bodyNow()
	case phaseInHead, phaseAfterHead:
		if t := b.top(); !b.is(t, atom.Head) && !b.is(t, atom.Html) {
			if b.same(t) {
				b.pop()
			}
			return true
		}
		switch a {
		case atom.Head:
			if b.phase == phaseInHead {
				b.pop()
				b.phase = phaseAfterHead
			}
			return true
		case atom.Body, atom.Html, atom.Br:
			b.bodyNow()
		default:
			return true
		}
	}
	if a == atom.Template {
		return false
	}
	switch b.mode() {
	case atom.Table:
		switch a {
		case atom.Table:
			b.pop()
			return true
		case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html, atom.Tbody, atom.Td, atom.Tfoot,
			atom.Th, atom.Thead, atom.Tr:
			return true
		}
		if t := b.top(); b.same(t) && (t.a == atom.Script || t.a == atom.Style) {
			b.pop()
			return true
		}
		return false
	case atom.Tbody:
		switch a {
		case atom.Tbody, atom.Tfoot, atom.Thead:
			if b.same(b.top()) {
				b.pop()
			}
			return true
		case atom.Table:
			b.pop()
			return b.end()
		case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html, atom.Td, atom.Th, atom.Tr:
			return true
		}
		if t := b.top(); b.same(t) && (t.a == atom.Script || t.a == atom.Style) {
			b.pop()
			return true
		}
		return false
	case atom.Tr:
		switch a {
		case atom.Tr:
			b.pop()
			return true
		case atom.Table:
			b.pop()
			return b.end()
		case atom.Tbody, atom.Tfoot, atom.Thead:
			if b.inScope(b.same, tableStop) >= 0 {
				b.pop()
				return b.end()
			}
			return true
		case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html, atom.Td, atom.Th:
			return true
		}
		if t := b.top(); b.same(t) && (t.a == atom.Script || t.a == atom.Style) {
			b.pop()
			return true
		}
		return false
	case atom.Colgroup:
		switch a {
		case atom.Colgroup:
			b.pop()
			return true
		case atom.Col:
			return true
		}
		b.pop()
		return b.end()
	case atom.Td:
		k := b.cell()
		switch a {
		case atom.Td, atom.Th:
			if b.stack[k].a == a {
				b.popTo(k)
			}
			return true
		case atom.Body, atom.Caption, atom.Col, atom.Colgroup, atom.Html:
			return true
		case atom.Table, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr:
			if b.inScope(b.same, tableStop) >= 0 {
				b.popTo(k)
				return b.end()
			}
			return true
		}
	case atom.Caption:
		switch a {
		case atom.Caption:
			for j := len(b.stack) - 1; j >= 0; j-- {
				if b.stack[j].a == atom.Caption {
					b.popTo(j)
					break
				}
			}
			return true
		case atom.Table:
			return false
		case atom.Body, atom.Col, atom.Colgroup, atom.Html, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Tr:
			return true
		}
	case atom.Select:
		switch a {
		case atom.Option:
			if b.is(b.top(), atom.Option) {
				b.pop()
			}
			return true
		case atom.Optgroup:
			if b.is(b.top(), atom.Option) && len(b.stack) > 1 && b.stack[len(b.stack)-2].a == atom.Optgroup {
				b.pop()
			}
			if b.is(b.top(), atom.Optgroup) {
				b.pop()
			}
			return true
		case atom.Select:
			for j := len(b.stack) - 1; j >= 0; j-- {
				if b.stack[j].a == atom.Select {
					b.popTo(j)
					break
				}
			}
			return true
		case atom.Script:
			if b.is(b.top(), atom.Script) {
				b.pop()
			}
			return true
		}
		return false
	}
	return b.endInBody()
}

// endInBody reads an end tag in the body (or in a table's cell or caption).
func (b *pageBuilder) endInBody() bool {
	a := b.tag.a
	switch a {
	case atom.Body, atom.Html:
		b.afterBody = true
		return true
	case atom.Br:
		b.tagAttrs = b.tagAttrs[:0]
		b.voidTag()
		return true
	case atom.P:
		if k := b.inScope(isP, buttonStop); k >= 0 {
			return b.closeTo(k)
		}
		b.tagAttrs = b.tagAttrs[:0]
		b.voidTag() // html.Parse opens and closes an empty <p>
		return true
	case atom.Form:
		k := b.inScope(func(o *open) bool { return o.a == atom.Form }, defaultStop)
		if b.formOpen && k < 0 {
			return false
		}
		b.formOpen = false
		if k < 0 {
			return true
		}
		for len(b.stack)-1 > k && isImpliedEnd(b.top().a) {
			b.pop()
		}
		if len(b.stack)-1 != k {
			return false
		}
		b.pop()
		return true
	case atom.Li:
		return b.closeInScope(b.same, listStop, false)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return b.closeInScope(func(o *open) bool { return isHeading(o.a) }, defaultStop, false)
	case atom.Applet, atom.Marquee, atom.Object:
		return b.closeInScope(b.same, defaultStop, true)
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Button, atom.Center, atom.Details,
		atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer,
		atom.Header, atom.Hgroup, atom.Listing, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.Pre,
		atom.Section, atom.Summary, atom.Ul, atom.Dd, atom.Dt:
		return b.closeInScope(b.same, defaultStop, false)
	}
	if isFormatting(a) {
		if b.same(b.top()) {
			b.pop()
			return true
		}
		for j := len(b.stack) - 1; j >= 0 && !isMarker(b.stack[j].a); j-- {
			if b.stack[j].a == a {
				return false // html.Parse's adoption agency
			}
		}
		return true
	}
	// any other end tag
	for j := len(b.stack) - 1; j >= 0; j-- {
		o := &b.stack[j]
		if b.same(o) {
			return b.closeTo(j)
		}
		if isSpecial(o.a) {
			return true
		}
	}
	return true
}

// closeInScope closes the innermost open element match accepts, if in scope; formatting
// elements above it are refused unless formatting is true (a marker clears them).
func (b *pageBuilder) closeInScope(match func(*open) bool, stop func(atom.Atom) bool, formatting bool) bool {
	k := b.inScope(match, stop)
	if k < 0 {
		return true
	}
	if formatting {
		b.popTo(k)
		return true
	}
	return b.closeTo(k)
}

// isImpliedEnd reports whether elements of atom a close implicitly.
func isImpliedEnd(a atom.Atom) bool {
	switch a {
	case atom.Dd, atom.Dt, atom.Li, atom.Optgroup, atom.Option, atom.P, atom.Rb, atom.Rp, atom.Rt, atom.Rtc:
		return true
	}
	return false
}

// isRawText reports whether the tokenizer reads the content of elements of atom a as text.
func isRawText(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Textarea, atom.Noscript, atom.Iframe, atom.Noembed,
		atom.Noframes, atom.Xmp:
		return true
	}
	return false
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

func allHTMLSpace(s []byte) bool {
	for _, c := range s {
		if !isHTMLSpace(c) {
			return false
		}
	}
	return true
}

func trimHTMLSpace(s []byte) []byte {
	for len(s) > 0 && isHTMLSpace(s[0]) {
		s = s[1:]
	}
	return s
}
