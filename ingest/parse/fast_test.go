package parse

import (
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The parser's hand-written scanners stand in for slower library calls and regular
// expressions; each is checked here against what it replaces, on random strings built from
// the characters that matter to it (and a few invalid bytes).

// randomText builds n random strings from pieces.
func randomText(seed int64, n int, pieces []string) []string {
	rng := rand.New(rand.NewSource(seed))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for k := rng.Intn(12); k > 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		out[i] = b.String()
	}
	return out
}

var fastPieces = []string{"一", "二", "九", "十", "、", ".", ",", "，", " ", "条", "篇", "则", "收到", "受理", "新收",
	"接到", "接收", "申请", "其他", "总计", "七", "3", "12", "-", "\xe6", "\x9d", "\xa1", "\xef\xbc", "\xbc\x8c", "总体情况",
	"主动公开", "a", "。", "件"}

func TestIndexUnit(t *testing.T) {
	for _, s := range randomText(1, 20000, fastPieces) {
		if got, want := indexUnit(s), strings.IndexAny(s, "条篇则"); got != want && utf8.ValidString(s) {
			t.Fatalf("indexUnit(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestIndexReceived(t *testing.T) {
	re := regexp.MustCompile(`收到|受理|新收|接到|接收`)
	for _, s := range randomText(2, 20000, fastPieces) {
		want := -1
		if loc := re.FindStringIndex(s); loc != nil {
			want = loc[0]
		}
		if got := indexReceived(s); got != want {
			t.Fatalf("indexReceived(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestEachClause(t *testing.T) {
	old := func(s string, f func(string)) { // the rune-decoding version it replaced
		start := 0
		for i, r := range s {
			if r == ',' || r == '，' {
				if i > start {
					f(s[start:i])
				}
				start = i + utf8.RuneLen(r)
			}
		}
		if start < len(s) {
			f(s[start:])
		}
	}
	for _, s := range randomText(3, 20000, fastPieces) {
		if !utf8.ValidString(s) {
			continue
		}
		var a, b []string
		eachClause(s, func(c string) { a = append(a, c) })
		old(s, func(c string) { b = append(b, c) })
		if strings.Join(a, "|") != strings.Join(b, "|") || len(a) != len(b) {
			t.Fatalf("eachClause(%q) = %q, want %q", s, a, b)
		}
	}
}

func TestNumeralAt(t *testing.T) {
	re := regexp.MustCompile(numeral)
	for _, s := range randomText(4, 20000, fastPieces) {
		for _, from := range []int{0, 1, 3} {
			if from > len(s) {
				continue
			}
			want := -1
			if loc := re.FindStringIndex(s[from:]); loc != nil {
				want = from + loc[0]
			}
			if got := numeralAt(s, from); got != want {
				t.Fatalf("numeralAt(%q, %d) = %d, want %d", s, from, got, want)
			}
		}
	}
}

func TestMatchesExact(t *testing.T) {
	for _, s := range randomText(5, 20000, fastPieces) {
		for _, l := range exactLabels {
			h := strings.TrimLeft(s, "一二三四五六七八九十")
			if got, want := l.matchesExact(s), h == l.exact || s == l.exact; got != want {
				t.Fatalf("%s.matchesExact(%q) = %v, want %v", l.key, s, got, want)
			}
		}
	}
}

func TestParseNumber(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	cases := []string{"", "-", "0", "-0", "007", "123456789012345", "1234567890123456", "-12", "1.5", "3-1", "1e5", "+3", "99999999999999999999"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for k := rng.Intn(18); k > 0; k-- {
			b.WriteByte("0123456789-.e"[rng.Intn(13)])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		v, ok := parseNumber(s)
		w, err := strconv.ParseFloat(s, 64)
		if ok != (err == nil) || ok && v != w {
			t.Fatalf("parseNumber(%q) = %v, %v; ParseFloat: %v, %v", s, v, ok, w, err)
		}
	}
}

func TestHanBuffer(t *testing.T) {
	var h hanBuffer
	for _, s := range randomText(7, 20000, fastPieces) {
		if got, want := h.of(s), hanOnly(s); got != want {
			t.Fatalf("hanBuffer.of(%q) = %q, want %q", s, got, want)
		}
	}
}
