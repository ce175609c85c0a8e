package parse

import (
	"strings"
	"testing"
)

// TestTrimSpaceAndHan: trimSpace is strings.TrimSpace and hanBuffer.of is hanOnly, on
// Han, Unicode spaces, invalid UTF-8 and the edges of the CJK block.
func TestTrimSpaceAndHan(t *testing.T) {
	parts := []string{"", " ", "\t", "\u3000", "\u00a0", "\u0085", "\u2000", "一", "鿿", "\u4dff", "\u3400", "㐀", "、", "（", "a", "1", "\xe4", "\xe4\xb8", "\xed\xa0\x80", "\xff", "\xc2", "\xc2\x85", "“", "龥", "\U00020000"}
	var h hanBuffer
	var walk func(s string, depth int)
	walk = func(s string, depth int) {
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Fatalf("trimSpace(%q) = %q, want %q", s, got, want)
		}
		if got, want := h.of(s), hanOnly(s); got != want {
			t.Fatalf("of(%q) = %q, want %q", s, got, want)
		}
		if depth == 3 {
			return
		}
		for _, p := range parts {
			walk(s+p, depth+1)
		}
	}
	walk("", 0)
}
