package decode

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// xmlTokens reads data with encoding/xml (not strict, raw tokens) as the scanner's tokens:
// comments, processing instructions and directives left out; ok is false when
// encoding/xml finds the data broken.
func xmlTokens(data []byte) (toks []xmlTok, vals []string, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return toks, vals, true
		}
		if err != nil {
			return nil, nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			toks = append(toks, xmlTok{kind: xmlStart, name: t.Name.Local})
			v := ""
			for _, a := range t.Attr {
				if a.Name.Local == "val" {
					v = a.Value
					break
				}
			}
			vals = append(vals, v)
		case xml.EndElement:
			toks = append(toks, xmlTok{kind: xmlEnd, name: t.Name.Local})
		case xml.CharData:
			if n := len(toks); n > 0 && toks[n-1].kind == xmlText {
				toks[n-1].text += string(t) // a comment between two pieces of text
				continue
			}
			toks = append(toks, xmlTok{kind: xmlText, text: string(t)})
		}
	}
}

// FuzzXMLScan: wherever encoding/xml reads the data, the DOCX reader's scanner reads the
// same tags, the same text and the same w:val attributes; broken data never panics.
func FuzzXMLScan(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p><w:r><w:t xml:space="preserve"> a&amp;b &#x4E00;&#20108; &lt;&gt;&quot;&apos;</w:t></w:r></w:p></w:body></w:document>`,
		`<w:tc><w:tcPr><w:gridSpan w:val="3"/><w:vMerge w:val='restart'/></w:tcPr><!-- c --><w:p/></w:tc>`,
		"<a>x\r\ny\rz<![CDATA[<b>&amp;]]></a>",
		`<a b="1>2">&bad;</a>`,
		`<w:p><w:r><w:t>a</w:r></w:p>&bad;<`,
		"<!DOCTYPE x><a:b:c/>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := xmlScanner{data: data}
		var got []xmlTok
		var vals []string
		for {
			tok, err := sc.next()
			if err != nil {
				got = nil
				break
			}
			if tok.kind == xmlEOF {
				break
			}
			if tok.kind == xmlStart {
				vals = append(vals, tok.attr("val"))
			}
			if n := len(got); tok.kind == xmlText && n > 0 && got[n-1].kind == xmlText {
				got[n-1].text += tok.text
				continue
			}
			got = append(got, xmlTok{kind: tok.kind, name: tok.name, text: tok.text})
		}
		for i := bytes.Index(data, []byte("<!")); i >= 0; {
			rest := data[i+2:]
			if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
				return // a directive (DOCTYPE): encoding/xml reads its nested brackets, the scanner skips to '>'
			}
			j := bytes.Index(rest, []byte("<!"))
			if j < 0 {
				break
			}
			i += 2 + j
		}
		want, wantVals, ok := xmlTokens(data)
		if !ok || !validXMLNames(want) {
			return // broken for encoding/xml: the scanner may read it or refuse it
		}
		if len(got) != len(want) {
			t.Fatalf("%d tokens, encoding/xml %d:\n%+v\n%+v", len(got), len(want), got, want)
		}
		for i := range got {
			if got[i].kind != want[i].kind || got[i].name != want[i].name || got[i].text != want[i].text {
				t.Fatalf("token %d: %+v, encoding/xml %+v", i, got[i], want[i])
			}
		}
		for i := range vals {
			if vals[i] != wantVals[i] {
				t.Fatalf("start tag %d: val %q, encoding/xml %q", i, vals[i], wantVals[i])
			}
		}
	})
}

// validXMLNames leaves out the odd names where the two differ on purpose-less details.
func validXMLNames(toks []xmlTok) bool {
	for _, t := range toks {
		if t.kind == xmlText {
			continue
		}
		if t.name == "" {
			return false
		}
		for _, r := range t.name {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ':' || r == '_' || r == '-' || r == '.' || r > 0x7F) {
				return false
			}
		}
	}
	return true
}
