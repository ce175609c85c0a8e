package decode

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unsafe"
)

// xmlScanner is a small XML tokenizer for word/document.xml, where encoding/xml spent
// most of a .docx's time: it yields start and end tags with their local names, the raw
// attributes (read on demand) and character data with the five entities and character
// references decoded, allocating only for text that needs decoding. Comments, processing
// instructions and DOCTYPE are skipped; CDATA is text. Like encoding/xml in its non-strict
// mode it does not check that end tags match; a tag, comment or section left open at the
// end of the data is an error.
type xmlScanner struct {
	data []byte
	pos  int
	// pendingEnd is the local name of a self-closing tag (<w:tab/>) whose end comes next.
	pendingEnd string
	hasPending bool
}

// xmlTokKind is the kind of a token.
type xmlTokKind int

const (
	xmlEOF xmlTokKind = iota
	xmlStart
	xmlEnd
	xmlText
)

// xmlTok is one token. name and attrs point into the scanned data.
type xmlTok struct {
	kind  xmlTokKind
	name  string // local name (the part after the prefix's colon)
	attrs []byte // the start tag's attributes, raw
	text  string // decoded character data
}

var errXMLEOF = errors.New("XML syntax error: unexpected EOF")

// next returns the next token; kind xmlEOF at the end.
func (s *xmlScanner) next() (xmlTok, error) {
	if s.hasPending {
		s.hasPending = false
		return xmlTok{kind: xmlEnd, name: s.pendingEnd}, nil
	}
	for {
		d := s.data
		if s.pos >= len(d) {
			return xmlTok{kind: xmlEOF}, nil
		}
		if d[s.pos] != '<' {
			end := bytes.IndexByte(d[s.pos:], '<')
			if end < 0 {
				end = len(d) - s.pos
			}
			raw := d[s.pos : s.pos+end]
			s.pos += end
			return xmlTok{kind: xmlText, text: xmlUnescape(raw)}, nil
		}
		rest := d[s.pos:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return xmlTok{}, errXMLEOF
			}
			s.pos += 4 + end + 3
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest[9:], []byte("]]>"))
			if end < 0 {
				return xmlTok{}, errXMLEOF
			}
			text := string(rest[9 : 9+end])
			if strings.IndexByte(text, '\r') >= 0 {
				text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
			}
			s.pos += 9 + end + 3
			return xmlTok{kind: xmlText, text: text}, nil
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 {
				return xmlTok{}, errXMLEOF
			}
			s.pos += 2 + end + 2
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				return xmlTok{}, errXMLEOF
			}
			s.pos += end + 1
			continue
		}
		// a tag: find its '>' outside quoted attribute values
		end, quote := -1, byte(0)
		for i := 1; i < len(rest); i++ {
			c := rest[i]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
				continue
			}
			if c == '"' || c == '\'' {
				quote = c
			} else if c == '>' {
				end = i
				break
			} else if c == '<' {
				return xmlTok{}, errors.New("XML syntax error: '<' inside a tag")
			}
		}
		if end < 0 {
			return xmlTok{}, errXMLEOF
		}
		s.pos += end + 1
		body := rest[1:end]
		if len(body) > 0 && body[0] == '/' {
			name := bytes.TrimSpace(body[1:])
			if len(name) == 0 {
				return xmlTok{}, errors.New("XML syntax error: end tag without a name")
			}
			return xmlTok{kind: xmlEnd, name: localName(name)}, nil
		}
		selfClose := len(body) > 0 && body[len(body)-1] == '/'
		if selfClose {
			body = body[:len(body)-1]
		}
		n := 0
		for n < len(body) && !isXMLSpace(body[n]) {
			n++
		}
		if n == 0 {
			return xmlTok{}, errors.New("XML syntax error: tag without a name")
		}
		tok := xmlTok{kind: xmlStart, name: localName(body[:n]), attrs: body[n:]}
		if selfClose {
			s.pendingEnd, s.hasPending = tok.name, true
		}
		return tok, nil
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName is the part of a qualified name after its prefix, as a string sharing the
// scanned data (read only).
func localName(b []byte) string {
	// as encoding/xml: one colon with a prefix and a name around it
	if i := bytes.IndexByte(b, ':'); i > 0 && i < len(b)-1 && bytes.IndexByte(b[i+1:], ':') < 0 {
		b = b[i+1:]
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// attr returns the decoded value of the attribute with the local name key, or "".
func (t xmlTok) attr(key string) string {
	a := t.attrs
	for len(a) > 0 {
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return ""
		}
		name := bytes.TrimSpace(a[:eq])
		a = a[eq+1:]
		i := 0
		for i < len(a) && isXMLSpace(a[i]) {
			i++
		}
		if i >= len(a) || a[i] != '"' && a[i] != '\'' {
			return ""
		}
		q := a[i]
		end := bytes.IndexByte(a[i+1:], q)
		if end < 0 {
			return ""
		}
		val := a[i+1 : i+1+end]
		a = a[i+1+end+1:]
		if localName(name) == key {
			return xmlUnescape(val)
		}
	}
	return ""
}

// xmlUnescape decodes the predefined entities and character references of raw text (an
// unknown entity stays as it is written, as encoding/xml keeps it when not strict) and
// turns "\r\n" and "\r" into "\n".
func xmlUnescape(raw []byte) string {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return string(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			b.WriteByte('\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue
		case '&':
			semi := bytes.IndexByte(raw[i:], ';')
			if semi > 1 && semi <= 12 {
				ent := string(raw[i+1 : i+semi])
				if r, ok := xmlEntity(ent); ok {
					b.WriteRune(r)
					i += semi
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// xmlEntity decodes the name between '&' and ';'.
func xmlEntity(ent string) (rune, bool) {
	switch ent {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if ent[1] == 'x' {
		n, err = strconv.ParseUint(ent[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(ent[1:], 10, 32)
	}
	r := rune(n)
	if err != nil || !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
		return 0, false // not a character XML allows: kept as written, as encoding/xml does
	}
	return r, true
}
