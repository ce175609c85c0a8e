package parse

import (
	"reflect"
	"testing"
)

func numTok(s string) token { return token{kind: tokNumber, text: s, line: 1} }

func TestReadCells(t *testing.T) {
	blank := token{kind: tokBlank}
	tests := []struct {
		name string
		toks []token
		n    int
		rule rowRule
		want []float64 // nil: every cell unread
	}{
		{"one cell each", []token{numTok("3"), numTok("0"), numTok("0"), numTok("0"), numTok("0"), numTok("1"), numTok("4")}, 7, rowTotalRule, []float64{3, 0, 0, 0, 0, 1, 4}},
		{"run split uniquely by row total", []token{numTok("21710000218")}, 7, rowTotalRule, []float64{217, 1, 0, 0, 0, 0, 218}},
		{"run with a stray space", []token{numTok("500000"), numTok("5")}, 7, rowTotalRule, []float64{5, 0, 0, 0, 0, 0, 5}},
		{"table 4 run split by block totals", []token{numTok("21317000001324019")}, 15, blockTotalRule, []float64{2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19}},
		{"zeros split the only way", []token{numTok("000")}, 3, nil, []float64{0, 0, 0}},
		{"run without a rule is ambiguous", []token{numTok("6233440")}, 3, nil, nil},
		{"blank cells confirmed as 0 by the rule", []token{numTok("26"), blank, blank, blank, blank, blank, numTok("26")}, 7, rowTotalRule, []float64{26, 0, 0, 0, 0, 0, 26}},
		{"shifted merged cells", []token{blank, numTok("1"), numTok("0"), numTok("0"), numTok("0"), numTok("0"), numTok("0"), numTok("1"), blank}, 7, rowTotalRule, []float64{1, 0, 0, 0, 0, 0, 1}},
		{"too many numbers", []token{numTok("1"), numTok("1"), numTok("1"), numTok("1"), numTok("1"), numTok("1"), numTok("6"), numTok("9")}, 7, rowTotalRule, nil},
		{"run no split satisfies", []token{numTok("9999999")}, 7, rowTotalRule, nil},
		{"decimal fee", []token{numTok("18651.06")}, 1, nil, []float64{18651.06}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readCells(tt.toks, tt.n, tt.rule)
			if tt.want == nil {
				if got.reason == "" {
					t.Fatalf("want unread with a reason, got %v", deref(got.vals))
				}
				for _, v := range got.vals {
					if v != nil {
						t.Fatalf("want every cell unread, got %v", deref(got.vals))
					}
				}
				return
			}
			if got.reason != "" {
				t.Fatalf("unread: %s", got.reason)
			}
			if !reflect.DeepEqual(deref(got.vals), tt.want) {
				t.Fatalf("got %v, want %v", deref(got.vals), tt.want)
			}
		})
	}
}

// The blank total of a row whose other cells do not add to 0 stays unread (never a silent 0),
// while the cells that were printed are kept.
func TestBlankTotalUnread(t *testing.T) {
	blank := token{kind: tokBlank}
	got := readCells([]token{numTok("1"), numTok("0"), numTok("0"), numTok("0"), numTok("0"), numTok("0"), blank}, 7, rowTotalRule)
	if got.vals[6] != nil || got.vals[0] == nil || *got.vals[0] != 1 || got.reason == "" {
		t.Fatalf("got %v reason %q", deref(got.vals), got.reason)
	}
}

func deref(vs []*float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		if v == nil {
			out[i] = -1
		} else {
			out[i] = *v
		}
	}
	return out
}

func TestTokenizeMarkers(t *testing.T) {
	toks := tokenize([]string{"1.属于国家秘密40000042.其他法律行政法规禁止公开0000000"})
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	want := []string{"1.属于国家秘密", "4000004", "2.其他法律行政法规禁止公开", "0000000"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
