package decode

import (
	"unicode/utf8"
	"unsafe"
)

const (
	dropRune  = -1
	spaceRune = ' '
)

// mapRune says what Normalize does with one rune: the rune to write (r itself when it is
// kept as is), spaceRune for a space (collapsed with its neighbours), or dropRune.
func mapRune(r rune) rune {
	switch {
	case r < 0x80:
		switch {
		case r == '\t':
			return '\t'
		case r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return spaceRune
		case r < 0x20 || r == 0x7F:
			return dropRune
		}
		return r
	case r >= cjkFirst && r <= cjkLast:
		return simplify(r)
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII: （）：，１２３ＡＢＣ …
		return r - 0xFEE0
	case r < 0xA0: // C1 controls
		return dropRune
	}
	switch r {
	case 0x00A0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: // NBSP, line separators, ideographic space …
		return spaceRune
	case 0x00AD, 0xFEFF, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, // soft hyphen, BOM, zero-width, marks
		0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
		0x2066, 0x2067, 0x2068, 0x2069:
		return dropRune
	case 0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE58, 0xFE63: // hyphens, en dash, minus
		return '-'
	}
	if r >= 0x2000 && r <= 0x200A { // en quad … hair space
		return spaceRune
	}
	return r
}

// decodeRune is utf8.DecodeRuneInString with the common 3-byte sequences (CJK, CJK
// punctuation, full-width forms) decoded inline.
func decodeRune(s string, i int) (rune, int) {
	b := s[i]
	if b >= 0xE1 && b <= 0xEF && b != 0xED && i+2 < len(s) {
		c1, c2 := s[i+1], s[i+2]
		if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
			return rune(b&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F), 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isNormal reports whether Normalize(s) == s, without allocating.
func isNormal(s string) bool {
	prev := byte('\t') // a leading space is not normal: treat the start like a tab
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b == ' ':
				if prev == ' ' || prev == '\t' || i == len(s)-1 {
					return false
				}
			case b == '\t':
				if prev == ' ' {
					return false
				}
			case b < 0x20 || b == 0x7F:
				return false
			}
			prev = b
			i++
			continue
		}
		r, size := decodeRune(s, i)
		if r == utf8.RuneError && size == 1 || mapRune(r) != r {
			return false
		}
		prev = 'x'
		i += size
	}
	return true
}

// normalizeAppend appends the normalised form of s to dst. Runs of characters that stay
// as they are are copied in one piece.
func normalizeAppend(dst []byte, s string) []byte {
	wrote := false        // something written for this line (leading spaces are dropped)
	pendingSpace := false // a space to write before the next character
	afterTab := false     // the last thing written was a tab (spaces after it are dropped)
	keep := -1            // start of a run of s to copy unchanged, or -1
	for i := 0; i < len(s); {
		// A run of characters kept as they are (printable ASCII, and 3-byte runes
		// that map to themselves) is scanned in a tight loop and copied in one piece.
		j := i
		for j < len(s) {
			b := s[j]
			if b > ' ' && b < 0x7F {
				j++
				continue
			}
			if b >= 0xE1 && b <= 0xEF && b != 0xED && j+2 < len(s) && s[j+1]&0xC0 == 0x80 && s[j+2]&0xC0 == 0x80 {
				r := uint32(b&0x0F)<<12 | uint32(s[j+1]&0x3F)<<6 | uint32(s[j+2]&0x3F)
				if mapBits[r>>6]&(1<<(r&63)) == 0 {
					j += 3
					continue
				}
			}
			break
		}
		if j > i {
			if keep < 0 {
				if pendingSpace {
					dst = append(dst, ' ')
					pendingSpace = false
				}
				keep = i
			} else if pendingSpace {
				dst = append(dst, s[keep:i]...)
				dst = append(dst, ' ')
				pendingSpace = false
				keep = i
			}
			wrote, afterTab = true, false
			i = j
			if i == len(s) {
				break
			}
		}
		b := s[i]
		r := rune(b)
		size := 1
		var c rune
		if b > ' ' && b < 0x7F {
			c = r
		} else {
			if b >= 0xE1 && b <= 0xEF && b != 0xED && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
				// decodeRune's common case, inlined: this loop is the decoder's hot path
				r, size = rune(b&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F), 3
			} else if b >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if r >= cjkFirst && r <= cjkLast && !isTraditional(r) {
				c = r // the common case: a Simplified character
			} else {
				c = mapRune(r)
				if r == utf8.RuneError && size == 1 {
					c = utf8.RuneError | 1<<30 // invalid byte: write U+FFFD, never copy the byte
				}
			}
		}
		if c == r && c != ' ' && c != '\t' {
			if pendingSpace {
				if keep >= 0 {
					dst = append(dst, s[keep:i]...)
				}
				dst = append(dst, ' ')
				pendingSpace = false
				keep = i
			} else if keep < 0 {
				keep = i
			}
			wrote, afterTab = true, false
			i += size
			continue
		}
		if keep >= 0 {
			dst = append(dst, s[keep:i]...)
			keep = -1
		}
		i += size
		switch c {
		case dropRune:
			continue
		case spaceRune:
			if wrote && !afterTab {
				pendingSpace = true
			}
			continue
		case '\t':
			pendingSpace = false
			dst = append(dst, '\t')
			wrote, afterTab = true, true
			continue
		}
		c &^= 1 << 30
		if pendingSpace {
			dst = append(dst, ' ')
			pendingSpace = false
		}
		wrote, afterTab = true, false
		if c < utf8.RuneSelf {
			dst = append(dst, byte(c))
		} else {
			dst = utf8.AppendRune(dst, c)
		}
	}
	if keep >= 0 {
		dst = append(dst, s[keep:]...)
	}
	return dst
}

// Normalize applies the text normalisation to one string: full-width ASCII (U+FF01–FF5E:
// digits, letters and punctuation such as （）：，) becomes ASCII; NBSP, U+3000 and the
// other Unicode spaces become ' '; zero-width characters, BOMs and control characters
// (except '\t') are removed; hyphens, en dashes and minus signs become '-' (“” ‘’ and
// em dashes stay); the Traditional characters of the report labels become Simplified;
// runs of spaces collapse to one, spaces next to a '\t' and at both ends are removed.
// Tabs are kept. Normalize is idempotent, and returns s itself (no allocation) when
// there is nothing to change. The parser normalises its labels with it too.
func Normalize(s string) string {
	if isNormal(s) {
		return s
	}
	b := normalizeAppend(make([]byte, 0, len(s)), s)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// mapBits marks the runes of the Basic Multilingual Plane that normalizeAppend cannot copy
// as they are: those mapRune changes, and the space and tab it handles specially. It is
// filled by the init of t2s.go, once the Traditional table is built.
var mapBits [0x10000 / 64]uint64

func buildMapBits() {
	for r := rune(0); r < 0x10000; r++ {
		if r == ' ' || r == '\t' || mapRune(r) != r {
			mapBits[r>>6] |= 1 << (r & 63)
		}
	}
}
