package decode

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidUTF8Text checks the fused validity and binary check of plain UTF-8 against
// utf8.Valid and checkText, around the end of checkText's sample too.
func TestValidUTF8Text(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"a", "b c", "\t", "\n", "\x01", "\x7f", "\x1b", "\u0080", "\u0085", "\u00a0", "\ufffd", "中", "文", "\xef", "\xbf", "\xbd", "\xc2", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xf0\x9f\x98\x80", "\xff", "xxxxxxxxxxxxxxxx", "一二三四五六七八"}
	for it := 0; it < 4000; it++ {
		var b []byte
		target := rng.Intn(40)
		if it%4 == 0 {
			target = checkSample - 20 + rng.Intn(40)
		}
		// Fillers that bring the counts close to checkText's thresholds at the sample's end.
		fillers := []string{
			"一二三四五六七八abcdefgh\n",
			strings.Repeat("一二三四五六七八abcdefgh\n", 8) + "\x01" + strings.Repeat("x", 32),
			strings.Repeat("一二三四五六七八abcdefgh\n", 8) + "\u0085" + strings.Repeat("x", 31),
			strings.Repeat("一二三四五六七八abcdefgh\n", 4) + "\ufffd" + strings.Repeat("x", 15),
		}
		filler := fillers[it/4%len(fillers)]
		for len(b) < target {
			if len(b) < checkSample-40 && target > 1000 {
				b = append(b, filler...)
				continue
			}
			b = append(b, pieces[rng.Intn(len(pieces))]...)
		}
		ok, err := validUTF8Text("x", b)
		wantOK := utf8.Valid(b)
		if ok != wantOK {
			t.Fatalf("valid %v want %v for %q", ok, wantOK, b)
		}
		if ok {
			werr := checkText("x", string(b))
			if fmt.Sprint(err) != fmt.Sprint(werr) {
				t.Fatalf("err %v want %v for len %d", err, werr, len(b))
			}
		}
	}
}
