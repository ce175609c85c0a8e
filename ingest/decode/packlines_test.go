package decode

import (
	"math/rand"
	"strings"
	"testing"
)

// TestPackLines: the lines kept from a lineSet, whatever was dropped, cut or replaced,
// are packed into their text joined by "\n" with their contents unchanged, or left alone.
func TestPackLines(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"", "a", "二、主动公开", "\t", "12", "**粗**", "## 标题", "  ", "|---|", "— 4 —"}
	packed := 0
	for n := 0; n < 20000; n++ {
		ls := newLineSet(16, 4)
		ls.sep = true
		for k := rng.Intn(8); k >= 0; k-- {
			var b strings.Builder
			for m := rng.Intn(4); m > 0; m-- {
				b.WriteString(pieces[rng.Intn(len(pieces))])
			}
			ls.add(b.String())
		}
		var kept []string
		for _, l := range ls.lines() {
			switch rng.Intn(6) {
			case 0: // dropped
				continue
			case 1: // a part of it
				if len(l) > 0 {
					i := rng.Intn(len(l) + 1)
					l = l[i:]
				}
			case 2: // a new, shorter string
				if len(l) > 0 {
					l = strings.Clone(l[:len(l)/2])
				}
			case 3: // a new, longer string
				if rng.Intn(4) == 0 {
					l = l + "长"
				}
			}
			kept = append(kept, l)
		}
		want := append([]string(nil), kept...)
		for i := range want {
			want[i] = strings.Clone(want[i])
		}
		text := packLines(ls.buf, kept)
		for i := range kept {
			if kept[i] != want[i] {
				t.Fatalf("line %d changed: %q, want %q", i, kept[i], want[i])
			}
		}
		if text == "" {
			continue
		}
		packed++
		if text != strings.Join(want, "\n") {
			t.Fatalf("text %q, want %q", text, strings.Join(want, "\n"))
		}
	}
	if packed < 5000 {
		t.Fatalf("only %d of 20000 packed", packed)
	}
}
