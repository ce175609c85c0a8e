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

func TestTitleAgencyFirst(t *testing.T) {
	pieces := []string{"红寺堡区", "人民政府", "关于", "关", " ", "2024", "1999", "2", "0", "19", "20", "年", "度", "政府信息公开", "政务公开",
		"信息公开", "公开", "工作年度报告", "\n", "\xe5", "\xff", "a", "一", "（2024年）", "镇"}
	cases := randomText(8, 50000, pieces)
	// and strings shaped like titles, each part maybe missing or wrong
	rng := rand.New(rand.NewSource(10))
	opt := func(p ...string) string { return p[rng.Intn(len(p))] }
	for _, head := range randomText(11, 50000, pieces) {
		cases = append(cases, head+opt("", "关于", "关")+opt("", " ", "  ")+opt("2024", "1999", "2124", "202", "20a4")+opt("", " ")+
			opt("年", "", "度")+opt("", "度")+opt("", " ")+opt("政府信息公开", "政务公开", "信息公开", "公开", "政府")+opt("", "工作年度报告", "\n"))
	}
	cases = append(cases, "红寺堡区人民政府2024年政府信息公开工作年度报告", "红寺堡区人民政府关于 2024 年度 政务公开", "2024年政府信息公开工作年度报告",
		"某2024年政府信息公开", strings.Repeat("镇", 38)+"2024年信息公开", strings.Repeat("镇", 39)+"2024年信息公开", strings.Repeat("镇", 40)+"2024年信息公开", strings.Repeat("镇", 41)+"2024年信息公开")
	matched := 0
	for _, s := range cases {
		var want []string
		if m := reTitleAgencyFirst.FindStringSubmatch(s); m != nil {
			want = m[1:]
		}
		a, y, ok := titleAgencyFirst(s)
		if want != nil {
			matched++
		}
		if ok != (want != nil) || ok && (a != want[0] || y != want[1]) {
			t.Fatalf("titleAgencyFirst(%q) = %q, %q, %v; want %q", s, a, y, ok, want)
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d of %d cases match: the test says little", matched, len(cases))
	}
}

func TestTrailingRemark(t *testing.T) {
	pieces := []string{"报告", "（", "）", "(", ")", " ", "2024年度", "汇总", "修订版", "\xe5", "x"}
	for _, s := range randomText(9, 50000, pieces) {
		if !strings.HasSuffix(s, ")") && !strings.HasSuffix(s, "）") && reTrailingRemark.MatchString(s) {
			t.Fatalf("reTrailingRemark matches %q", s)
		}
	}
}

func TestFindHeadingAnchored(t *testing.T) {
	old := func(lines []string, h sectionHeading, from pos) (pos, bool) { // the unanchored search it replaced
		for i := from.line - 1; i < len(lines); i++ {
			line := lines[i]
			off := 0
			if i == from.line-1 {
				off = from.off
				if off > len(line) {
					continue
				}
			}
			k := numeralAt(line, off)
			if k < 0 {
				continue
			}
			hit := false
			for _, w := range h.words {
				hit = hit || strings.Contains(line, w)
			}
			if !hit {
				continue
			}
			if loc := h.re.FindStringIndex(line[k:]); loc != nil {
				return pos{i + 1, k + loc[0]}, true
			}
		}
		return pos{}, false
	}
	pieces := append([]string{"总体情况", "概述", "主动公开政府信息", "收到和处理政府信息公开申请", "依申请公开政府信息", "行政复议", "行政诉讼",
		"复议", "诉讼", "结", "存在的主要问题", "存在问题", "工作中存在的", "其他需要报告", "。", ":", "0", "\n", "四", "五", "六",
		"一、", "三、", "四、", "五 、", "六. ", "二,", "九、 "}, fastPieces...)
	found := 0
	for i, s := range randomText(12, 100000, pieces) {
		lines := strings.Split(s, "\n")
		from := pos{1, i % 4}
		for _, h := range sectionHeadings {
			p, ok := findHeading(lines, h, from)
			q, qok := old(lines, h, from)
			if ok != qok || p != q {
				t.Fatalf("findHeading(%q, %d, %v) = %v, %v; want %v, %v", lines, h.n, from, p, ok, q, qok)
			}
			if ok {
				found++
			}
		}
	}
	if found < 1000 {
		t.Fatalf("only %d headings found: the test says little", found)
	}
}

func TestDecodeRune(t *testing.T) {
	var cases []string
	for b0 := 0xC0; b0 <= 0xFF; b0++ {
		for b1 := 0; b1 < 256; b1++ {
			for _, b2 := range []int{0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xE4, 0xFF} {
				cases = append(cases, string([]byte{byte(b0), byte(b1), byte(b2)}), string([]byte{byte(b0), byte(b1), byte(b2), 0x80}), string([]byte{byte(b0), byte(b1)}))
			}
		}
	}
	cases = append(cases, randomText(13, 20000, fastPieces)...)
	for _, s := range cases {
		r, n := decodeRune(s)
		wr, wn := utf8.DecodeRuneInString(s)
		if r != wr || n != wn {
			t.Fatalf("decodeRune(%q) = %U, %d; want %U, %d", s, r, n, wr, wn)
		}
	}
}
