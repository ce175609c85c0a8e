package decode

import (
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// fastParse builds, for a page that keeps to a plain, well-formed subset of HTML, the same
// tree html.Parse builds (as far as the HTML reader looks at it: elements, text, comments,
// and the attributes keptAttr lists), several times faster: one pass over the bytes, no
// insertion modes beyond the few such pages use, text nodes cut out of s without copies.
//
// It gives up (ok false: the caller uses html.Parse) wherever HTML's tree construction
// would do more than nest elements as written: an end tag that does not close the current
// element, a start tag that implicitly closes one (a <div> inside an open <p>, a second
// <li>, a <td> after a <td>), text or tags a table would move out of itself, missing
// html/head/body tags, foreign content (svg, math), forms controls, templates, frames,
// character references in the attributes kept, NUL bytes, a page that ends inside a tag,
// and so on. Pages made by content management systems and by the generator are nearly
// always in the subset; TestFastParseMatches and FuzzFastParse check that its trees
// read exactly like html.Parse's.
//
// The nodes come from slab, which the caller gives back with releaseNodes once it is done
// with the tree.
func fastParse(s string) (*html.Node, *[]html.Node, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, nil, false
	}
	b := fastBuilder{s: s}
	want := strings.Count(s, "<") + 16
	slab := nodeSlabs.Get().(*[]html.Node)
	if cap(*slab) < want {
		*slab = make([]html.Node, 0, want)
	}
	b.nodes = (*slab)[:0]
	b.doc = b.node(html.DocumentNode, 0, "")
	if !b.run() {
		releaseNodes(slab)
		return nil, nil, false
	}
	return b.doc, slab, true
}

// nodeSlabs recycles the nodes of quick trees: a tree is read and dropped within
// HTML.Read (what the document keeps of it are slices of the page's text, never nodes).
var nodeSlabs = sync.Pool{New: func() any { return new([]html.Node) }}

// releaseNodes gives the nodes of a tree built by fastParse back to be reused; the tree
// must not be used after.
func releaseNodes(slab *[]html.Node) {
	clear((*slab)[:cap(*slab)])
	*slab = (*slab)[:0]
	nodeSlabs.Put(slab)
}

// insertion modes of the subset
const (
	modeBeforeHTML = iota
	modeBeforeHead
	modeInHead
	modeAfterHead
	modeInBody
	modeAfterBody
	modeAfterAfterBody
)

type fastBuilder struct {
	s     string
	i     int // read position
	doc   *html.Node
	html  *html.Node
	stack []*html.Node
	mode  int
	nodes []html.Node // nodes are cut from here

	openP, openA, openLi, openDdDt, openHeading, openButton, openForm int
	// the text token that follows a <pre> start tag loses a leading newline
	afterPre bool
	attrs    []html.Attribute
	attrSlab []html.Attribute // kept attributes of the nodes
}

func (b *fastBuilder) node(t html.NodeType, a atom.Atom, data string) *html.Node {
	if len(b.nodes) == cap(b.nodes) {
		b.nodes = make([]html.Node, 0, 64)
	}
	b.nodes = append(b.nodes, html.Node{Type: t, DataAtom: a, Data: data})
	return &b.nodes[len(b.nodes)-1]
}

func appendChild(p, c *html.Node) {
	c.Parent = p
	if last := p.LastChild; last != nil {
		last.NextSibling = c
		c.PrevSibling = last
	} else {
		p.FirstChild = c
	}
	p.LastChild = c
}

func (b *fastBuilder) top() *html.Node { return b.stack[len(b.stack)-1] }

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

func allHTMLSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHTMLSpace(s[i]) {
			return false
		}
	}
	return true
}

// keptAttr tells whether the HTML reader looks at an attribute.
func keptAttr(k string) bool {
	switch k {
	case "class", "id", "style", "hidden", "name", "property", "content", "colspan", "rowspan":
		return true
	}
	return false
}

// rawTags are the elements whose content is text up to their end tag.
func rawTag(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Noembed, atom.Noframes, atom.Iframe:
		return true
	}
	return false
}

// closesP are the start tags that close an open <p> (in button scope).
func closesP(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details, atom.Dialog,
		atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Header,
		atom.Hgroup, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Search, atom.Section, atom.Summary,
		atom.Ul, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Pre, atom.Listing, atom.Form,
		atom.Li, atom.Dd, atom.Dt, atom.Plaintext, atom.Table, atom.Hr, atom.Xmp:
		return true
	}
	return false
}

// voidInBody are the elements inserted without children in body.
func voidInBody(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Basefont, atom.Bgsound, atom.Br, atom.Embed, atom.Hr, atom.Img,
		atom.Input, atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// refused are start tags whose tree construction the subset does not follow.
func refused(a atom.Atom) bool {
	switch a {
	case atom.Html, atom.Head, atom.Body, atom.Select, atom.Option, atom.Optgroup, atom.Textarea,
		atom.Template, atom.Svg, atom.Math, atom.Frameset, atom.Frame, atom.Plaintext, atom.Image,
		atom.Xmp, atom.Rb, atom.Rp, atom.Rt, atom.Rtc, atom.Keygen, atom.Nobr, atom.Applet,
		atom.Marquee, atom.Object, atom.Listing, atom.Menuitem, atom.Col, atom.Caption, atom.Colgroup,
		atom.Tbody, atom.Thead, atom.Tfoot, atom.Tr, atom.Td, atom.Th:
		return true
	}
	return false
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// count keeps the counts of open elements that change how a start tag is handled.
func (b *fastBuilder) count(a atom.Atom, d int) {
	switch a {
	case atom.P:
		b.openP += d
	case atom.A:
		b.openA += d
	case atom.Li:
		b.openLi += d
	case atom.Dd, atom.Dt:
		b.openDdDt += d
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		b.openHeading += d
	case atom.Button:
		b.openButton += d
	case atom.Form:
		b.openForm += d
	}
}

func (b *fastBuilder) push(n *html.Node) {
	appendChild(b.top(), n)
	b.stack = append(b.stack, n)
	b.count(n.DataAtom, 1)
}

func (b *fastBuilder) pop() {
	n := b.top()
	b.count(n.DataAtom, -1)
	b.stack = b.stack[:len(b.stack)-1]
}

// addText appends text to the current node, merged with a text node before it.
func (b *fastBuilder) addText(p *html.Node, text string) {
	if text == "" {
		return
	}
	if last := p.LastChild; last != nil && last.Type == html.TextNode {
		last.Data += text
		return
	}
	appendChild(p, b.node(html.TextNode, 0, text))
}

// run reads the page token by token.
func (b *fastBuilder) run() bool {
	s := b.s
	for b.i < len(s) {
		// text up to the next tag, comment or declaration
		start := b.i
		j := b.i
		for {
			k := strings.IndexByte(s[j:], '<')
			if k < 0 {
				j = len(s)
				break
			}
			j += k
			if j+1 < len(s) {
				c := s[j+1]
				if isASCIILetter(c) || c == '/' || c == '!' || c == '?' {
					break
				}
			} else {
				j = len(s)
				break
			}
			j++
		}
		if j > start && !b.text(s[start:j]) {
			return false
		}
		b.i = j
		if j >= len(s) {
			break
		}
		// s[j] == '<'
		c := s[j+1]
		switch {
		case c == '!':
			if !b.declaration() {
				return false
			}
		case c == '?':
			return false
		case c == '/':
			if j+2 >= len(s) || !isASCIILetter(s[j+2]) {
				return false // "</>", a bogus comment, or the end of the page
			}
			b.i = j + 2
			name, _, ok := b.readTag(false)
			if !ok || !b.endTag(name) {
				return false
			}
		default:
			b.i = j + 1
			name, _, ok := b.readTag(true)
			if !ok || !b.startTag(name) {
				return false
			}
		}
	}
	return b.mode >= modeInBody
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// declaration reads "<!--comment-->" or "<!DOCTYPE …>" at b.i.
func (b *fastBuilder) declaration() bool {
	s := b.s
	i := b.i + 2
	if strings.HasPrefix(s[i:], "--") {
		// a comment ends at "-->" or "--!>"; the odd forms (<!-->, <!--->, a "--!"
		// not followed by '>', an unclosed comment) are left to html.Parse
		i += 2
		if i < len(s) && (s[i] == '>' || s[i] == '-') {
			return false
		}
		k := strings.Index(s[i:], "--")
		if k < 0 {
			return false
		}
		end := i + k
		rest := s[end+2:]
		switch {
		case strings.HasPrefix(rest, ">"):
			b.i = end + 3
		default:
			// "--x", "---", "--!": left to html.Parse unless simple
			return false
		}
		return b.comment(s[i:end])
	}
	if len(s)-i >= 7 && strings.EqualFold(s[i:i+7], "doctype") {
		if b.mode != modeBeforeHTML || b.doc.FirstChild != nil {
			return false
		}
		k := strings.IndexByte(s[i:], '>')
		if k < 0 {
			return false
		}
		b.i = i + k + 1
		appendChild(b.doc, b.node(html.DoctypeNode, 0, "html"))
		return true
	}
	return false
}

// comment places a comment where html.Parse puts it.
func (b *fastBuilder) comment(data string) bool {
	n := b.node(html.CommentNode, 0, data)
	switch b.mode {
	case modeBeforeHTML, modeAfterAfterBody:
		appendChild(b.doc, n)
	case modeAfterBody:
		appendChild(b.html, n)
	default:
		appendChild(b.top(), n)
	}
	return true
}

// readTag reads a tag from b.i (just after "<" or "</") to after its '>', as html's
// tokenizer does: the lower-cased name, and (when save) the attributes the reader looks
// at, the first of each name. ok is false at the end of the page inside the tag, or for
// a character reference in a kept attribute.
func (b *fastBuilder) readTag(save bool) (name string, selfClosing, ok bool) {
	s := b.s
	i := b.i
	// the name: up to white space, '/' or '>'
	nameStart := i
	for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '/' && s[i] != '>' {
		i++
	}
	if i >= len(s) {
		return "", false, false
	}
	name = s[nameStart:i]
	b.attrs = b.attrs[:0]
	i = skipHTMLSpace(s, i)
	lastValEnd := -1
	for {
		if i >= len(s) {
			return "", false, false
		}
		if s[i] == '>' {
			i++
			break
		}
		// attribute key
		ks := i
		for i < len(s) {
			c := s[i]
			if c == '=' && i == ks {
				i++
				continue
			}
			if c == '=' || isHTMLSpace(c) || c == '/' || c == '>' {
				break
			}
			i++
		}
		if i >= len(s) {
			return "", false, false
		}
		key := s[ks:i]
		// attribute value
		vs, ve := i, i
		i = skipHTMLSpace(s, i)
		if i >= len(s) {
			return "", false, false
		}
		switch {
		case s[i] == '/':
			i++
		case s[i] != '=':
		default:
			i = skipHTMLSpace(s, i+1)
			if i >= len(s) {
				return "", false, false
			}
			switch q := s[i]; q {
			case '>':
			case '\'', '"':
				k := strings.IndexByte(s[i+1:], q)
				if k < 0 {
					return "", false, false
				}
				vs, ve = i+1, i+1+k
				i = ve + 1
			default:
				vs = i
				for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
					i++
				}
				if i >= len(s) {
					return "", false, false
				}
				ve = i
				if s[i] != '>' {
					i++
				}
			}
		}
		if save && key != "" {
			k := lowerASCII(key)
			seen := false
			for _, a := range b.attrs {
				if a.Key == k {
					seen = true
					break
				}
			}
			// an attribute not kept still counts as seen: record it without its value
			if !seen {
				v := ""
				if keptAttr(k) {
					v = s[vs:ve]
					if strings.IndexByte(v, '&') >= 0 {
						return "", false, false
					}
					v = convertNewlines(v)
				}
				b.attrs = append(b.attrs, html.Attribute{Key: k, Val: v})
				lastValEnd = ve
			}
		}
		i = skipHTMLSpace(s, i)
	}
	// "<br/>": a '/' before the '>' that is not the last character of an unquoted value
	selfClosing = s[i-2] == '/' && (len(b.attrs) == 0 || i-2 != lastValEnd-1)
	b.i = i
	return lowerASCII(name), selfClosing, true
}

func skipHTMLSpace(s string, i int) int {
	for i < len(s) && isHTMLSpace(s[i]) {
		i++
	}
	return i
}

// lowerASCII lower-cases the ASCII letters of s (allocating only when there are any).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + 'a' - 'A'
				}
				return r
			}, s)
		}
	}
	return s
}

// convertNewlines makes "\r\n" and "\r" "\n", as html's tokenizer does.
func convertNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// elementNode makes an element node for a tag name with the attributes read.
func (b *fastBuilder) elementNode(name string) *html.Node {
	a := atom.Lookup([]byte(name))
	data := name
	if a != 0 {
		data = a.String()
	}
	n := b.node(html.ElementNode, a, data)
	n.Attr = b.keepAttrs()
	return n
}

// keepAttrs copies the kept attributes read (nil when none).
func (b *fastBuilder) keepAttrs() []html.Attribute {
	n := 0
	for _, a := range b.attrs {
		if keptAttr(a.Key) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	// cut from one block (never written twice, so earlier slices stay as they are)
	if cap(b.attrSlab)-len(b.attrSlab) < n {
		b.attrSlab = make([]html.Attribute, 0, max(256, n))
	}
	start := len(b.attrSlab)
	for _, a := range b.attrs {
		if keptAttr(a.Key) {
			b.attrSlab = append(b.attrSlab, a)
		}
	}
	return b.attrSlab[start:len(b.attrSlab):len(b.attrSlab)]
}

// text handles a text token.
func (b *fastBuilder) text(t string) bool {
	t = convertNewlines(t)
	if strings.IndexByte(t, '&') >= 0 {
		t = html.UnescapeString(t)
	}
	switch b.mode {
	case modeBeforeHTML, modeBeforeHead:
		return allHTMLSpace(t) // ignored
	case modeInHead, modeAfterHead:
		if !allHTMLSpace(t) {
			return false
		}
		b.addText(b.top(), t)
		return true
	case modeAfterBody, modeAfterAfterBody:
		if !allHTMLSpace(t) {
			return false
		}
		b.addText(b.top(), t)
		return true
	}
	top := b.top()
	switch top.DataAtom {
	case atom.Table, atom.Tbody, atom.Thead, atom.Tfoot, atom.Tr, atom.Colgroup:
		if !allHTMLSpace(t) {
			return false // text a table moves out of itself
		}
	case atom.Pre, atom.Listing:
		if top.FirstChild == nil && strings.HasPrefix(t, "\n") {
			t = t[1:]
		}
	}
	b.addText(top, t)
	return true
}

// rawText reads the content of a raw-text element up to its end tag.
func (b *fastBuilder) rawText(name string, a atom.Atom) bool {
	s := b.s
	i := b.i
	for {
		k := strings.Index(s[i:], "</")
		if k < 0 {
			return false // not closed before the end of the page
		}
		e := i + k + 2
		if len(s)-e > len(name) && strings.EqualFold(s[e:e+len(name)], name) {
			if c := s[e+len(name)]; isHTMLSpace(c) || c == '/' || c == '>' {
				content := s[b.i : i+k]
				if a == atom.Script && strings.Contains(content, "<!--") {
					return false // script escapes
				}
				// the element's text, as the tokenizer gives it: a title's character
				// references are read, a script's or style's are not
				content = convertNewlines(content)
				if a == atom.Title && strings.IndexByte(content, '&') >= 0 {
					content = html.UnescapeString(content)
				}
				b.addText(b.top(), content)
				b.i = i + k
				return true
			}
		}
		i = e
	}
}

// startTag handles a start tag just read (its attributes in b.attrs).
func (b *fastBuilder) startTag(name string) bool {
	switch b.mode {
	case modeBeforeHTML:
		if name != "html" {
			return false
		}
		b.html = b.elementNode(name)
		appendChild(b.doc, b.html)
		b.stack = append(b.stack, b.html)
		b.mode = modeBeforeHead
		return true
	case modeBeforeHead:
		if name != "head" {
			return false
		}
		b.push(b.elementNode(name))
		b.mode = modeInHead
		return true
	case modeInHead:
		n := b.elementNode(name)
		switch n.DataAtom {
		case atom.Meta, atom.Link, atom.Base, atom.Basefont, atom.Bgsound:
			appendChild(b.top(), n)
			return true
		case atom.Title, atom.Style, atom.Script, atom.Noscript, atom.Noframes:
			b.push(n)
			return b.rawText(name, n.DataAtom)
		}
		return false
	case modeAfterHead:
		if name != "body" {
			return false
		}
		b.push(b.elementNode(name))
		b.mode = modeInBody
		return true
	case modeAfterBody, modeAfterAfterBody:
		return false
	}
	n := b.elementNode(name)
	a := n.DataAtom
	// table context: only the table's own structure (and scripts) go in
	switch b.top().DataAtom {
	case atom.Table:
		switch a {
		case atom.Caption, atom.Colgroup, atom.Tbody, atom.Thead, atom.Tfoot:
			b.push(n)
			return true
		case atom.Tr:
			b.push(b.node(html.ElementNode, atom.Tbody, "tbody"))
			b.push(n)
			return true
		case atom.Script, atom.Style:
			b.push(n)
			return b.rawText(name, a)
		}
		return false
	case atom.Tbody, atom.Thead, atom.Tfoot:
		switch a {
		case atom.Tr:
			b.push(n)
			return true
		case atom.Script, atom.Style:
			b.push(n)
			return b.rawText(name, a)
		}
		return false
	case atom.Tr:
		switch a {
		case atom.Td, atom.Th:
			b.push(n)
			return true
		case atom.Script, atom.Style:
			b.push(n)
			return b.rawText(name, a)
		}
		return false
	case atom.Colgroup:
		return false
	}
	// in body (or a cell, or a caption)
	if refused(a) {
		return false
	}
	if closesP(a) && b.openP > 0 ||
		a == atom.Li && b.openLi > 0 ||
		(a == atom.Dd || a == atom.Dt) && b.openDdDt > 0 ||
		isHeading(a) && b.openHeading > 0 ||
		a == atom.A && b.openA > 0 ||
		a == atom.Button && b.openButton > 0 ||
		a == atom.Form && b.openForm > 0 {
		return false // an element html.Parse would close first
	}
	switch {
	case voidInBody(a):
		appendChild(b.top(), n)
	case rawTag(a):
		b.push(n)
		return b.rawText(name, a)
	default:
		b.push(n)
	}
	return true
}

// endTag handles an end tag: it must close the current element.
func (b *fastBuilder) endTag(name string) bool {
	switch b.mode {
	case modeBeforeHTML, modeBeforeHead, modeAfterHead:
		return false
	case modeInHead:
		top := b.top()
		if top.Data != name {
			return false
		}
		b.pop()
		if name == "head" {
			b.mode = modeAfterHead
		}
		return true
	case modeAfterBody:
		if name != "html" {
			return false
		}
		b.mode = modeAfterAfterBody
		return true
	case modeAfterAfterBody:
		return false
	}
	top := b.top()
	switch name {
	case "body":
		if top.DataAtom != atom.Body {
			return false
		}
		b.mode = modeAfterBody
		return true
	case "html":
		if top.DataAtom != atom.Body {
			return false
		}
		b.mode = modeAfterAfterBody
		return true
	case "br":
		return false
	case "table":
		switch top.DataAtom {
		case atom.Tbody, atom.Thead, atom.Tfoot:
			b.pop()
			top = b.top()
		}
	}
	if top.Type != html.ElementNode || top.Data != name || top.DataAtom == atom.Html || top.DataAtom == atom.Body {
		return false
	}
	b.pop()
	return true
}
