package decode

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// textAt places the characters of s on a page from x on the line centred at y, one em
// (size points) a character, as a PDF lays out CJK text.
func textAt(s string, x, y, size float64) []pchar {
	var cs []pchar
	for _, r := range s {
		w := size
		if r < 0x80 {
			w = size / 2
		}
		if r != ' ' {
			cs = append(cs, pchar{r, x, y - size/2, x + w, y + size/2})
		}
		x += w
	}
	return cs
}

// row places a label at x=50 and numbers in the columns of cols.
func row(label string, y float64, cols []float64, nums ...string) []pchar {
	cs := textAt(label, 50, y, 10)
	for i, n := range nums {
		if n != "" {
			cs = append(cs, textAt(n, cols[i], y, 10)...)
		}
	}
	return cs
}

func nonEmpty(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestPDFLayout(t *testing.T) {
	cols := []float64{300, 340, 380, 420, 460, 500, 540}
	seven := []string{"1", "0", "0", "0", "0", "0", "1"}
	join := func(parts ...[]pchar) []pchar { return slices.Concat(parts...) }
	tests := []struct {
		name  string
		pages [][]pchar
		want  []string
	}{
		{"label wrapped around its numbers (cells centred)", [][]pchar{join(
			row("一、本年新收政府信息公开申请数量", 100, cols, seven...),
			textAt("（二）部分公开（区分处理的，只计", 70, 125, 10),
			row("", 131, cols, seven...),
			textAt("这一情形，不计其他情形）", 70, 137, 10),
			row("四、结转下年度继续办理", 160, cols, seven...),
		)}, []string{
			"一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
			"(二)部分公开(区分处理的,只计这一情形,不计其他情形)\t1\t0\t0\t0\t0\t0\t1",
			"四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t1",
		}},
		{"label wrapped under its numbers (cells at the top)", [][]pchar{join(
			row("5.要求行政机关确认", 100, cols, seven...),
			textAt("或重新出具已获取信息", 50, 114, 10),
			row("（六）其他处理", 140, cols, seven...),
		)}, []string{
			"5.要求行政机关确认或重新出具已获取信息\t1\t0\t0\t0\t0\t0\t1",
			"(六)其他处理\t1\t0\t0\t0\t0\t0\t1",
		}},
		{"label down the side in a narrow cell", [][]pchar{join(
			row("（一）予以公开", 100, cols[1:], seven[1:]...),
			textAt("三、", 10, 96, 10), textAt("本年", 10, 108, 10), textAt("度办", 10, 120, 10), textAt("理结", 10, 132, 10), textAt("果", 10, 144, 10),
			row("（二）部分公开", 124, cols[1:], seven[1:]...),
		)}, []string{
			"三、本年度办理结果",
			"(一)予以公开\t0\t0\t0\t0\t0\t1",
			"(二)部分公开\t0\t0\t0\t0\t0\t1",
		}},
		{"empty cells kept on the header's columns", [][]pchar{join(
			textAt("自然人", 285, 60, 10), textAt("商业", 333, 60, 10), textAt("科研", 373, 60, 10), textAt("公益", 413, 60, 10),
			textAt("法律", 453, 60, 10), textAt("其他", 493, 60, 10), textAt("总计", 533, 60, 10),
			row("一、本年新收政府信息公开申请数量", 100, cols, "26", "", "", "", "", "", "26"),
			row("二、上年结转政府信息公开申请数量", 120, cols, "0", "", "", "", "", "", "0"),
		)}, []string{
			"自然人\t商业\t科研\t公益\t法律\t其他\t总计",
			"一、本年新收政府信息公开申请数量\t26\t\t\t\t\t\t26",
			"二、上年结转政府信息公开申请数量\t0\t\t\t\t\t\t0",
		}},
		{"group label beside the first row only: rows padded", [][]pchar{join(
			textAt("（三）不予公开", 20, 100, 10), textAt("1.属于国家秘密", 120, 100, 10), row("", 100, cols, seven...),
			textAt("2.其他法律行政法规禁止公开", 120, 120, 10), row("", 120, cols, seven...),
		)}, []string{
			"(三)不予公开\t1.属于国家秘密\t1\t0\t0\t0\t0\t0\t1",
			"2.其他法律行政法规禁止公开\t\t1\t0\t0\t0\t0\t0\t1",
		}},
		{"table across pages: page numbers and running header dropped, rows kept", [][]pchar{
			join(textAt("某某镇人民政府文件", 200, 20, 10), row("（一）予以公开", 100, cols, seven...), textAt("— 1 —", 280, 800, 10)),
			join(textAt("某某镇人民政府文件", 200, 20, 10), row("（二）部分公开", 100, cols, seven...), textAt("— 2 —", 280, 800, 10)),
			join(textAt("某某镇人民政府文件", 200, 20, 10), textAt("六、其他需要报告的事项", 50, 100, 10), textAt("— 3 —", 280, 800, 10)),
		}, []string{
			"(一)予以公开\t1\t0\t0\t0\t0\t0\t1",
			"—— 第二页 ——",
			"(二)部分公开\t1\t0\t0\t0\t0\t0\t1",
			"—— 第三页 ——",
			"六、其他需要报告的事项",
		}},
		{"prose wrapped at the margin is one paragraph; justified gaps are not cells", [][]pchar{join(
			textAt("一、总体情况", 50, 60, 10),
			textAt("本年度发布信息", 50, 80, 10), textAt("共52条，", 125, 80, 10), textAt("其中政策文件3条，解读信息", 170, 80, 10),
			textAt("2条。", 50, 95, 10),
		)}, []string{
			"一、总体情况",
			"本年度发布信息共52条,其中政策文件3条,解读信息2条。",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pages []ppage
			for _, cs := range tt.pages {
				pages = append(pages, ppage{chars: cs, width: 595, height: 842})
			}
			doc := layoutPDF(pages)
			if got := nonEmpty(doc.Lines); !slices.Equal(got, tt.want) {
				t.Errorf("lines\n got %q\nwant %q", got, tt.want)
			}
			if len(doc.Pages) != len(doc.Lines) {
				t.Errorf("%d pages for %d lines", len(doc.Pages), len(doc.Lines))
			}
		})
	}
}

// minimalPDF writes a PDF whose pages have the given content streams (Helvetica as /F1,
// an 8×8 grey image as /Im1), with extra entries for the page dictionaries and the
// trailer. The cross-reference table is computed, so PDFium opens it without repair.
func minimalPDF(pageExtra string, trailerExtra string, extraObjs []string, contents ...string) []byte {
	var objs []string
	n := len(contents)
	// 1 catalog, 2 pages, 3 font, 4 image, then page/content pairs, then extras
	kids := make([]string, n)
	for i := range contents {
		kids[i] = fmt.Sprintf("%d 0 R", 5+2*i)
	}
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>")
	objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	objs = append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	img := strings.Repeat("\x80", 64)
	objs = append(objs, fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream", len(img), img))
	for i, c := range contents {
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> /Contents %d 0 R %s >>", 6+2*i, pageExtra))
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c))
	}
	objs = append(objs, extraObjs...)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, xref)
	return b.Bytes()
}

// tableStream draws a small table in Helvetica: a label and three numbers a row.
const tableStream = "BT /F1 12 Tf 50 750 Td (Licensing) Tj 150 0 Td (12) Tj 100 0 Td (0) Tj 100 0 Td (7) Tj ET\n" +
	"BT /F1 12 Tf 50 720 Td (Punishment) Tj 150 0 Td (3) Tj 100 0 Td (40) Tj 100 0 Td (1) Tj ET\n"

// rotatedTable draws tableStream's table so that it reads upright once the page's
// /Rotate (0, 90, 180, 270) is applied, as a scanner or a landscape print does.
func rotatedTable(rot int) string {
	const uw, uh = 595.0, 842.0
	var b strings.Builder
	for _, it := range []struct {
		s    string
		x, y float64 // display position of the baseline start, y from the top
	}{
		{"Licensing", 50, 92}, {"12", 200, 92}, {"0", 300, 92}, {"7", 400, 92},
		{"Punishment", 50, 122}, {"3", 200, 122}, {"40", 300, 122}, {"1", 400, 122},
	} {
		var m string
		switch rot {
		case 0:
			m = fmt.Sprintf("1 0 0 1 %g %g", it.x, uh-it.y)
		case 90:
			m = fmt.Sprintf("0 1 -1 0 %g %g", it.y, it.x)
		case 180:
			m = fmt.Sprintf("-1 0 0 -1 %g %g", uw-it.x, it.y)
		case 270:
			m = fmt.Sprintf("0 -1 1 0 %g %g", uw-it.y, uh-it.x)
		}
		fmt.Fprintf(&b, "BT /F1 12 Tf %s Tm (%s) Tj ET\n", m, it.s)
	}
	return b.String()
}

func TestPDFRead(t *testing.T) {
	want := []string{"Licensing\t12\t0\t7", "Punishment\t3\t40\t1"}
	for _, rot := range []int{0, 90, 180, 270} {
		t.Run(fmt.Sprintf("rotate %d", rot), func(t *testing.T) {
			data := minimalPDF(fmt.Sprintf("/Rotate %d", rot), "", nil, rotatedTable(rot), rotatedTable(rot))
			doc, err := Read("t.pdf", data)
			if err != nil {
				t.Fatal(err)
			}
			got := nonEmpty(doc.Lines)
			if !slices.Equal(got, slices.Concat(want, []string{"—— 第二页 ——"}, want)) {
				t.Errorf("lines %q", got)
			}
			if !slices.Equal(doc.Pages, []int{1, 1, 2, 2, 2}) {
				t.Errorf("pages %v", doc.Pages)
			}
			if p, l := doc.PageLine(5); p != 2 || l != 3 {
				t.Errorf("line 5 is page %d line %d, want page 2 line 3", p, l)
			}
		})
	}
}

func TestPDFUnreadable(t *testing.T) {
	scan := minimalPDF("", "", nil, "q 595 0 0 842 0 0 cm /Im1 Do Q\n", "q 595 0 0 842 0 0 cm /Im1 Do Q\n")
	// Standard security handler, revision 2, with a user password: the empty password
	// does not open it.
	enc := minimalPDF("", "/Encrypt 7 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]",
		[]string{"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <" + strings.Repeat("ab", 32) + "> /U <" + strings.Repeat("cd", 32) + "> >>"},
		tableStream)
	tests := []struct {
		name string
		data []byte
		err  error
		msg  string
	}{
		{"scanned pages", scan, ErrScanned, "扫描件（无文字层），需要OCR"},
		{"encrypted", enc, ErrEncrypted, "加密"},
		{"damaged", []byte("%PDF-1.7\n1 0 obj garbage"), ErrPDF, "损坏"},
		{"truncated", minimalPDF("", "", nil, tableStream)[:300], nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read("报告.pdf", tt.data)
			if tt.err == nil {
				// a cut file may be repaired by PDFium or refused; it must not crash
				if err == nil && doc == nil {
					t.Fatal("no document and no error")
				}
				return
			}
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "decode 报告.pdf: ") {
				t.Fatalf("error %v: want %v naming the file", err, tt.err)
			}
		})
	}
}

func FuzzPDF(f *testing.F) {
	f.Add(minimalPDF("", "", nil, tableStream))
	f.Add(minimalPDF("/Rotate 90", "", nil, tableStream, "q 595 0 0 842 0 0 cm /Im1 Do Q\n"))
	f.Add([]byte("%PDF-1.4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		doc, err := PDF{}.Read("fuzz.pdf", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "decode fuzz.pdf: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(doc.Pages) != len(doc.Lines) {
			t.Fatalf("%d pages for %d lines", len(doc.Pages), len(doc.Lines))
		}
		for i, l := range doc.Lines {
			if strings.ContainsAny(l, "\n\r\x00") || Normalize(l) != l {
				t.Fatalf("line %d not normalised: %q", i, l)
			}
		}
	})
}

func TestChineseNumber(t *testing.T) {
	for n, want := range map[int]string{1: "一", 9: "九", 10: "十", 12: "十二", 20: "二十", 21: "二十一", 100: "一百", 105: "一百零五", 110: "一百一十", 500: "五百", 1001: "一千零一"} {
		if got := chineseNumber(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	if m := PageMarker(3); m != Normalize(m) || strings.ContainsAny(m, "0123456789") {
		t.Errorf("marker %q is not normal or has digits", m)
	}
}

// TestSplitPipeTables: a Markdown file printed by a browser runs its pipe tables on in
// paragraphs; they become one line per row again, and nothing else is touched.
func TestSplitPipeTables(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"rows run together, separator, trailing empty cell",
			[]string{"前言 ## 表三: 情况 | 一、本年新收 | 32 | 34 | | | 二、上年结转 | 2 | 2 | |—|—|— |—| | 3.其他 | 4 | |"},
			[]string{"前言", "表三: 情况", "一、本年新收\t32\t34", "二、上年结转\t2\t2", "3.其他\t4\t"}},
		{"label text before the first pipe, a separator wrapped to its own line",
			[]string{"(二)部分公开 2.其他 | 1.属于国家秘密 | 0 | 0 | |---|---|", "—|—|—|", "正文"},
			[]string{"(二)部分公开 2.其他", "1.属于国家秘密\t0\t0", "正文"}},
		{"no Markdown separator: pipes are text",
			[]string{"a | b | c", "一、总体情况"},
			[]string{"a | b | c", "一、总体情况"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := make([]int, len(tt.in))
			got, gotPages := splitPipeTables(tt.in, pages)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if len(gotPages) != len(got) {
				t.Errorf("%d pages for %d lines", len(gotPages), len(got))
			}
		})
	}
}

// fuzzAlphabet is what fuzzed character boxes are made of: digits, label characters,
// table punctuation and the Markdown pipe.
var fuzzAlphabet = []rune("0123456789一二三四五六七八九十、（）()本年新收申请数量予以公开其他总计自然人商业企业第页—-|.,:")

// charsFromBytes turns fuzz bytes into pages of character boxes: 6 bytes a character
// (letter, x, y, width, height, page break), on a grid coarse enough that rows, columns and
// stacked labels occur.
func charsFromBytes(data []byte) []ppage {
	pages := []ppage{{width: 595, height: 842}}
	for len(data) >= 6 {
		b := data[:6]
		data = data[6:]
		if b[5] == 0xFF && len(pages) < 8 {
			pages = append(pages, ppage{width: 595, height: 842})
		}
		x := float64(b[1]) * 2.3
		y := float64(b[2]) * 3.2
		w := 1 + float64(b[3]%24)
		h := 1 + float64(b[4]%24)
		p := &pages[len(pages)-1]
		p.chars = append(p.chars, pchar{fuzzAlphabet[int(b[0])%len(fuzzAlphabet)], x, y, x + w, y + h})
	}
	return pages
}

// FuzzPDFLayout fuzzes the layout reconstruction (where our own bugs would be) on
// synthetic character boxes, without PDFium: no panic, no hang, lines as normalised as
// every reader's, pages said for every line, and never a digit that was not on the page.
func FuzzPDFLayout(f *testing.F) {
	cols := []float64{300, 340, 380, 420, 460, 500, 540}
	var seed []byte
	add := func(cs []pchar) {
		for _, c := range cs {
			k := slices.Index(fuzzAlphabet, c.r)
			if k < 0 {
				k = 0
			}
			seed = append(seed, byte(k), byte(c.x0/2.3), byte(c.y0/3.2), byte(c.x1-c.x0-1), byte(c.y1-c.y0-1), 0)
		}
	}
	add(row("一、本年新收申请数量", 100, cols, "1", "0", "", "0", "0", "0", "1"))
	add(row("（二）部分公开", 130, cols, "12", "3", "0", "0", "0", "0", "15"))
	add(textAt("三", 20, 160, 10))
	add(textAt("本年", 20, 172, 10))
	add(textAt("| 予以公开 | 9 | 0 | |—|—|", 50, 200, 10))
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 6*4000 {
			return
		}
		pages := charsFromBytes(data)
		digitsIn := 0
		for _, p := range pages {
			for _, c := range p.chars {
				if isDigit(c.r) {
					digitsIn++
				}
			}
		}
		doc := layoutPDF(pages)
		if len(doc.Pages) != len(doc.Lines) {
			t.Fatalf("%d pages for %d lines", len(doc.Pages), len(doc.Lines))
		}
		digitsOut := 0
		for i, l := range doc.Lines {
			if strings.ContainsAny(l, "\n\r\x00") || Normalize(l) != l {
				t.Fatalf("line %d not normalised: %q", i, l)
			}
			if doc.Pages[i] < 1 || doc.Pages[i] > len(pages) {
				t.Fatalf("line %d on page %d of %d", i, doc.Pages[i], len(pages))
			}
			for _, r := range l {
				if isDigit(r) {
					digitsOut++
				}
			}
		}
		if digitsOut > digitsIn {
			t.Fatalf("%d digits out of %d on the pages: %q", digitsOut, digitsIn, doc.Lines)
		}
	})
}

// TestPDFRules: a table whose empty cells print nothing, under no header the numbers
// could be placed by, is laid out on its ruling lines; a label printed against its
// number's cell is cut at the rule; without the rules read, the layout asks for them.
func TestPDFRules(t *testing.T) {
	var chars []pchar
	chars = append(chars, textAt("一、本年新收申请数量", 50, 100, 10)...)
	chars = append(chars, textAt("3", 290, 100, 10)...)
	chars = append(chars, textAt("3", 410, 100, 10)...)
	chars = append(chars, textAt("（二）部分公开", 50, 130, 10)...)
	chars = append(chars, textAt("5", 330, 130, 10)...)
	chars = append(chars, textAt("5", 410, 130, 10)...)
	chars = append(chars, textAt("1.本机关不掌握相关信息", 50, 160, 10)...) // ends at 270
	chars = append(chars, textAt("0", 283, 160, 10)...)           // 13 points on: one cell to the eye
	chars = append(chars, textAt("0", 410, 160, 10)...)
	var rules []vrule
	for _, x := range []float64{40, 280, 320, 360, 400, 440} {
		rules = append(rules, vrule{x, 85, 175})
	}
	page := ppage{chars: chars, width: 595, height: 842}
	if _, want := layout([]ppage{page}); !slices.Equal(want, []int{1}) {
		t.Errorf("without rules the layout asks for pages %v, want [1]", want)
	}
	page.vrules, page.ruled = rules, true
	doc, want := layout([]ppage{page})
	if len(want) != 0 {
		t.Errorf("with the rules read, it still asks for %v", want)
	}
	wantLines := []string{
		"一、本年新收申请数量\t3\t\t\t3",
		"(二)部分公开\t\t5\t\t5",
		"1.本机关不掌握相关信息\t0\t\t\t0",
	}
	if got := nonEmpty(doc.Lines); !slices.Equal(got, wantLines) {
		t.Errorf("lines\n%q\nwant\n%q", got, wantLines)
	}
	// a rule through a number's cell: no placement on rules, nothing invented
	page.vrules = append(page.vrules, vrule{412, 85, 175})
	doc, _ = layout([]ppage{page})
	for _, l := range doc.Lines {
		if strings.Count(l, "3") > 2 || strings.Count(l, "5") > 2 {
			t.Errorf("a number doubled: %q", l)
		}
	}
}
