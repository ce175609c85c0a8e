package parse

import (
	"math/rand"
	"strings"
	"testing"
)

// The joined text's sections equal textBetween's, for random positions.
func TestJoinedBetween(t *testing.T) {
	lines := []string{"一、总体情况", "本年度发布信息52条。", "", "二、主动公开政府信息情况", "规章\t0\t0\t0", "末行"}
	j := newJoined(lines)
	if j.s != strings.Join(lines, "\n") {
		t.Fatalf("joined %q", j.s)
	}
	rng := rand.New(rand.NewSource(1))
	for k := 0; k < 2000; k++ {
		a := pos{1 + rng.Intn(len(lines)+1), rng.Intn(40)}
		b := pos{1 + rng.Intn(len(lines)+1), rng.Intn(40)}
		// offsets inside a line must fall on character boundaries, as headings do
		for _, p := range []*pos{&a, &b} {
			if p.line <= len(lines) {
				l := lines[p.line-1]
				if p.off > len(l) {
					p.off = len(l)
				}
				for p.off > 0 && p.off < len(l) && (l[p.off]&0xC0) == 0x80 {
					p.off--
				}
			}
		}
		if got, want := j.between(a, b), strings.TrimSuffix(textBetween(lines, a, b), "\n"); got != want {
			t.Fatalf("between(%v, %v) = %q, want %q", a, b, got, want)
		}
	}
}

// textBetween is the former copying implementation, kept as the reference.
// textBetween returns the text from a to b (b exclusive), lines joined with "\n".
func textBetween(lines []string, a, b pos) string {
	if !a.before(b) {
		return ""
	}
	var sb strings.Builder
	for l := a.line; l <= b.line && l <= len(lines); l++ {
		line := lines[l-1]
		from, to := 0, len(line)
		if l == a.line {
			from = min(a.off, len(line))
		}
		if l == b.line {
			to = min(b.off, len(line))
		}
		if from < to {
			sb.WriteString(line[from:to])
		}
		if l != b.line {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}
