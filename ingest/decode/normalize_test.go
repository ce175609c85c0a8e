package decode

import (
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii unchanged", "Table 3: 0 1 2", "Table 3: 0 1 2"},
		{"full-width digits", "共５２条，１２３４５６７８９０", "共52条,1234567890"},
		{"full-width letters and punctuation", "ＬＥＤ屏（一）予以公开：１％", "LED屏(一)予以公开:1%"},
		{"ideographic space and NBSP", "\u3000\u3000一、\u00a0总体情况\u3000", "一、 总体情况"},
		{"other unicode spaces", "a\u2002b\u2003c\u2009d\u202fe\u205ff", "a b c d e f"},
		{"zero-width removed", "本\u200b年\u200c新\u200d收\u2060申\ufeff请", "本年新收申请"},
		{"zero-width between spaces collapses", "a \u200b b", "a b"},
		{"runs of spaces collapse", "一、  本年   新收", "一、 本年 新收"},
		{"tabs kept, spaces around them dropped", "\t规章 \t 0\t\t0 \t", "\t规章\t0\t\t0\t"},
		{"trim ends but not tabs", "  \t一、总体情况\t  ", "\t一、总体情况\t"},
		{"controls removed, CR and LF become spaces", "a\x00b\x07c\r\nd\x1b", "abc d"},
		{"C1 controls removed", "a\u0085b\u009fc", "abc"},
		{"dashes unified lightly", "2021\u20132025 \u2212 5 \u2010 x — 破折号", "2021-2025 - 5 - x — 破折号"},
		{"curly quotes stay", "危及“三安全一稳定”", "危及“三安全一稳定”"},
		{"traditional labels", "（三）不予公開　1.屬於國家秘密", "(三)不予公开 1.属于国家秘密"},
		{"traditional table 3", "四、結轉下年度繼續辦理", "四、结转下年度继续办理"},
		{"traditional table 4", "政府資訊公開行政復議、行政訴訟情況：結果維持、結果糾正、尚未審結、總計",
			"政府资讯公开行政复议、行政诉讼情况:结果维持、结果纠正、尚未审结、总计"},
		{"traditional agency", "某縣某鎮人民政府辦公室、某區鄉村振興局", "某县某镇人民政府办公室、某区乡村振兴局"},
		{"simplified unchanged", "三、收到和处理政府信息公开申请情况", "三、收到和处理政府信息公开申请情况"},
		{"invalid utf-8 becomes U+FFFD", "a\xffb", "a\uFFFDb"},
		{"empty", "", ""},
		{"only spaces", " \u3000 ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// TestTraditionalTable checks the table of traditional characters: 1:1, the simplified
// forms are not themselves mapped (so Normalize is idempotent), and a few the labels need.
func TestTraditionalTable(t *testing.T) {
	if len(tradMap) < 150 {
		t.Errorf("only %d traditional characters mapped", len(tradMap))
	}
	for trad, simp := range tradMap {
		if trad == simp {
			t.Errorf("%c maps to itself", trad)
		}
		if _, ok := tradMap[simp]; ok {
			t.Errorf("%c -> %c, which is itself mapped", trad, simp)
		}
		if simplify(trad) != simp {
			t.Errorf("bitmap misses %c", trad)
		}
	}
	for _, r := range "干系复余历台周板采回布占托后核志着乾覆" {
		if _, ok := tradMap[r]; ok {
			t.Errorf("%c (in ordinary simplified use) is mapped", r)
		}
	}
}

func TestNormalizeNoAlloc(t *testing.T) {
	for _, s := range []string{"plain ascii line", "三、收到和处理政府信息公开申请情况\t0\t0"} {
		n := testing.AllocsPerRun(100, func() { _ = Normalize(s) })
		if n != 0 {
			t.Errorf("Normalize(%q) allocates %v times", s, n)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "共５２条，（一）", "\t a \t", "\u3000\u00a0\u200b", "開資訊", "a\xffb\r\n\x00",
		"一、本年新收政府信息公开申请数量\t\t3\t0", "  x  ", "\u2013\u2212"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid utf-8 from %q", s)
		}
		for _, r := range got {
			if r == '\r' || r == '\n' || r == 0 {
				t.Fatalf("Normalize(%q) = %q contains %q", s, got, r)
			}
		}
		if again := Normalize(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if isNormal(got) != true {
			t.Fatalf("isNormal(%q) false for a normalised string", got)
		}
	})
}
