package decode

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// binarySignatures are the starts of file formats that are not text (a PDF or DOCX reader
// may be registered for some of them later).
var binarySignatures = []struct {
	magic string
	kind  string
}{
	{"%PDF-", "pdf"},
	{"PK\x03\x04", "zip/docx/xlsx"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "ole/doc/xls"},
	{"\x89PNG", "png"},
	{"\xFF\xD8\xFF", "jpeg"},
	{"GIF8", "gif"},
	{"{\\rtf", "rtf"},
}

// utf16Order tells whether data is UTF-16 and in which byte order: from a byte order mark,
// or, without one, from the pattern of NUL bytes (ASCII characters in UTF-16 have a NUL
// high byte). It returns "" when data does not look like UTF-16.
func utf16Order(data []byte) (order string, bom bool) {
	if len(data) >= 2 {
		switch {
		case data[0] == 0xFF && data[1] == 0xFE:
			return "le", true
		case data[0] == 0xFE && data[1] == 0xFF:
			return "be", true
		}
	}
	n := len(data)
	if n > 4096 {
		n = 4096
	}
	n &^= 1
	if n < 4 || bytes.IndexByte(data[:n], 0) < 0 {
		return "", false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	// ASCII characters (newlines, tabs, digits) put a NUL in the high byte; a CJK character
	// has a NUL low byte only rarely (U+4E00, U+4F00 …).
	case odd >= 2 && odd*64 >= pairs && even*4 <= odd:
		return "le", false
	case even >= 2 && even*64 >= pairs && odd*4 <= even:
		return "be", false
	}
	return "", false
}

// decodeBytes turns data into UTF-8 text and names the encoding it was in. For HTML
// (html true) a declared <meta charset> is honoured when the bytes are not valid UTF-8.
// Bytes that are not valid UTF-8 and declare nothing usable are decoded as GB18030 (a
// sniffer's windows-1252 guess is never trusted).
func decodeBytes(name string, data []byte, html bool) (string, string, error) {
	for _, sig := range binarySignatures {
		if len(data) >= len(sig.magic) && string(data[:len(sig.magic)]) == sig.magic {
			return "", "", errorf(name, "%w (looks like %s)", ErrNotText, sig.kind)
		}
	}
	var (
		text string
		enc  string
	)
	if order, bom := utf16Order(data); order != "" {
		endian := unicode.LittleEndian
		if order == "be" {
			endian = unicode.BigEndian
		}
		body := data
		if bom {
			body = data[2:]
		}
		out, err := unicode.UTF16(endian, unicode.IgnoreBOM).NewDecoder().Bytes(body)
		if err != nil {
			return "", "", errorf(name, "%w: utf-16%s: %v", ErrEncoding, order, err)
		}
		text, enc = string(out), "utf-16"+order
	} else if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		text, enc = strings.ToValidUTF8(aliasString(data[3:]), "\uFFFD"), "utf-8-bom"
	} else if bytes.IndexByte(data, 0) >= 0 {
		return "", "", errorf(name, "%w (NUL bytes)", ErrNotText)
	} else if ok, err := validUTF8Text(name, data); ok {
		// Valid UTF-8 checked for binary content in the same pass.
		if err != nil {
			return "", "", err
		}
		return aliasString(data), "utf-8", nil
	} else {
		var e encoding.Encoding = simplifiedchinese.GB18030
		enc = "gb18030"
		if html {
			if label := declaredCharset(data); label != "" {
				if de, canon := charset.Lookup(label); de != nil {
					switch canon {
					case "utf-8", "windows-1252", "iso-8859-1", "us-ascii":
						// Wrong or useless for a page whose bytes are not UTF-8: GB18030.
					case "gbk", "gb2312", "gb18030":
						if canon != "gb18030" {
							enc = "gbk"
						}
					default:
						e, enc = de, canon
					}
				}
			}
		}
		out, err := e.NewDecoder().Bytes(data)
		if err != nil {
			return "", "", errorf(name, "%w: %s: %v", ErrEncoding, enc, err)
		}
		text = string(out)
	}
	if err := checkText(name, text); err != nil {
		return "", "", err
	}
	return text, enc, nil
}

// aliasString returns data as a string without copying. The readers only use the decoded
// text while they run (every line is normalised into a buffer of its own), so a caller's
// bytes are never retained.
func aliasString(data []byte) string {
	return unsafe.String(unsafe.SliceData(data), len(data))
}

// checkSample is how much of a text checkText looks at: binary shows itself at the start.
const checkSample = 16 << 10

// checkText rejects decoded text that is binary (NULs, control characters) or garbage
// (many U+FFFD replacement characters). Ratios are taken over the bytes of the first
// checkSample bytes; NULs anywhere are rejected.
func checkText(name, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return errorf(name, "%w (NUL characters)", ErrNotText)
	}
	if len(s) > checkSample {
		s = s[:checkSample]
	}
	var ctrl, bad int
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !suspectByte[b] {
			continue
		}
		switch {
		case b == 0:
			return errorf(name, "%w (NUL characters)", ErrNotText)
		case b == 0xC2:
			if i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9F {
				ctrl++
			}
		case b == 0xEF:
			if i+2 < len(s) && s[i+1] == 0xBF && s[i+2] == 0xBD {
				bad++
			}
		default:
			ctrl++
		}
	}
	return checkCounts(name, ctrl, bad, len(s))
}

// suspectByte marks the bytes checkText looks at: control characters other than white
// space, and the lead bytes of C1 controls (C2) and U+FFFD (EF).
var suspectByte = func() (t [256]bool) {
	for b := 0; b < 0x20; b++ {
		t[b] = true
	}
	for _, b := range []byte{'\t', '\n', '\r', '\f', '\v', 0x1B} {
		t[b] = false
	}
	t[0x7F], t[0xC2], t[0xEF] = true, true, true
	return t
}()

// declaredCharset finds a charset declared in the first 4 KB of an HTML page
// (<meta charset="gbk"> or <meta http-equiv="Content-Type" content="text/html; charset=gb2312">).
func declaredCharset(data []byte) string {
	if len(data) > 4096 {
		data = data[:4096]
	}
	for {
		i := indexFold(data, "charset")
		if i < 0 {
			return ""
		}
		data = data[i+len("charset"):]
		j := 0
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j >= len(data) || data[j] != '=' {
			continue
		}
		j++
		for j < len(data) && (data[j] == ' ' || data[j] == '"' || data[j] == '\'') {
			j++
		}
		k := j
		for k < len(data) && isLabelByte(data[k]) {
			k++
		}
		if k > j {
			return string(data[j:k])
		}
	}
}

func isLabelByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '-' || b == '_' || b == '.' || b == ':'
}

// indexFold is bytes.Index ignoring ASCII case; lower must be lower-case ASCII.
func indexFold(data []byte, lower string) int {
	n := len(lower)
	for i := 0; i+n <= len(data); i++ {
		if data[i]|0x20 != lower[0] {
			continue
		}
		ok := true
		for k := 1; k < n; k++ {
			if data[i+k]|0x20 != lower[k] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// sniffView returns bytes a sniffer can look at for ASCII markup: data itself (minus a
// UTF-8 BOM), or for UTF-16 the first limit bytes decoded to UTF-8 (limit <= 0: all).
func sniffView(data []byte, limit int) []byte {
	if order, bom := utf16Order(data); order != "" {
		if bom {
			data = data[2:]
		}
		if limit > 0 && len(data) > limit {
			data = data[:limit&^1]
		}
		endian := unicode.LittleEndian
		if order == "be" {
			endian = unicode.BigEndian
		}
		out, err := unicode.UTF16(endian, unicode.IgnoreBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil
		}
		return out
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if limit > 0 && len(data) > limit {
		data = data[:limit]
	}
	return data
}

// validUTF8Text reports whether data (which holds no NUL) is valid UTF-8 and, when it is,
// runs checkText's test on it in the same pass: in valid UTF-8 the bytes checkText looks at
// (controls, and the lead bytes C2 and EF) are never continuation bytes, so counting them
// rune by rune finds what checkText's byte scan finds.
func validUTF8Text(name string, data []byte) (bool, error) {
	sample := len(data)
	if sample > checkSample {
		sample = checkSample
	}
	var ctrl, bad int
	n := len(data)
	i := 0
	for i < sample {
		b := data[i]
		if b < utf8.RuneSelf {
			// Eight ASCII bytes at a time while none is a control character.
			for i+8 <= sample {
				x := binary.LittleEndian.Uint64(data[i:])
				const hi, lo = 0x8080808080808080, 0x0101010101010101
				// no byte >= 0x80, none < 0x20, none == 0x7F
				if x&hi != 0 || (x-0x20*lo)&^x&hi != 0 || ((x^0x7F*lo)-lo)&^(x^0x7F*lo)&hi != 0 {
					break
				}
				i += 8
			}
			if i < sample && data[i] < utf8.RuneSelf {
				if suspectByte[data[i]] {
					ctrl++
				}
				i++
			}
			continue
		}
		switch {
		case b >= 0xE1 && b <= 0xEF && b != 0xED:
			if i+2 >= n {
				return false, nil
			}
			c1, c2 := data[i+1], data[i+2]
			if c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
				return false, nil
			}
			if b == 0xEF && c1 == 0xBF && c2 == 0xBD && i+2 < sample {
				bad++
			}
			i += 3
		case b == 0xC2:
			if i+1 >= n || data[i+1]&0xC0 != 0x80 {
				return false, nil
			}
			if data[i+1] <= 0x9F && i+1 < sample {
				ctrl++
			}
			i += 2
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return false, nil
			}
			i += size
		}
	}
	if i < n && !utf8.Valid(data[i:]) {
		// Past the sample only validity matters.
		return false, nil
	}
	return true, checkCounts(name, ctrl, bad, sample)
}

// checkCounts is checkText's verdict on the counts of a sample of n bytes.
func checkCounts(name string, ctrl, bad, n int) error {
	if ctrl > 2 && ctrl*300 > n {
		return errorf(name, "%w (control characters)", ErrNotText)
	}
	if bad > 4 && bad*150 > n {
		return errorf(name, "%w", ErrEncoding)
	}
	return nil
}
