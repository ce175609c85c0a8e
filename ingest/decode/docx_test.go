package decode

import (
	"archive/zip"
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// docxOf builds a .docx whose body is the given WordprocessingML.
func docxOf(t testing.TB, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	add := func(name, content string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" `+
		`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" `+
		`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:body>`+body+`</w:body></w:document>`)
	add("docProps/core.xml", `<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>某镇 2024 年报</dc:title></cp:coreProperties>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func p(text string) string {
	return `<w:p><w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
}

func tc(text, props string) string {
	return `<w:tc><w:tcPr>` + props + `</w:tcPr>` + p(text) + `</w:tc>`
}

func TestDOCX(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"paragraphs", p("一、总体情况") + p("　　发布信息５２条。"), []string{"一、总体情况", "发布信息52条。"}},
		{"runs and tabs", `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>` +
			`<w:r><w:rPr><w:b/></w:rPr><w:t>规章</w:t></w:r><w:r><w:tab/><w:t>0</w:t></w:r><w:r><w:tab/><w:t>1</w:t></w:r></w:p>`,
			[]string{"规章\t0\t1"}},
		{"gridSpan and vMerge", `<w:tbl>` +
			`<w:tr>` + tc("三、本年度办理结果", `<w:vMerge w:val="restart"/>`) + tc("（一）予以公开", `<w:gridSpan w:val="2"/>`) + tc("5", "") + `</w:tr>` +
			`<w:tr>` + tc("", `<w:vMerge/>`) + tc("（三）不予公开", "") + tc("1.属于国家秘密", "") + tc("0", "") + `</w:tr>` +
			`</w:tbl>`,
			[]string{"三、本年度办理结果\t(一)予以公开\t\t5", "三、本年度办理结果\t(三)不予公开\t1.属于国家秘密\t0"}},
		{"cell with two paragraphs", `<w:tbl><w:tr><w:tc>` + p("商业") + p("企业") + `</w:tc>` + tc("3", "") + `</w:tr></w:tbl>`,
			[]string{"商业 企业\t3"}},
		{"content control", `<w:sdt><w:sdtPr/><w:sdtContent>` + p("六、其他需要报告的事项") + `</w:sdtContent></w:sdt>`,
			[]string{"六、其他需要报告的事项"}},
		{"text box read once", `<w:p><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>` +
			p("框中文字") + `</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>` + p("框中文字") +
			`</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`,
			[]string{"正文", "框中文字"}},
		{"deleted text and field codes skipped", `<w:p><w:r><w:t>第</w:t></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del>` +
			`<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>1页</w:t></w:r></w:p>` + p("正文"),
			[]string{"正文"}}, // "第1页" is a page footer and dropped
		{"converter line breaks", `<w:p><w:r><w:t>一、总体情况</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r><w:r><w:t>发布 3 条</w:t></w:r>` +
			`<w:r><w:rPr><w:rFonts w:ascii="Times"/></w:rPr><w:t xml:space="preserve"> </w:t></w:r><w:r><w:t>件</w:t></w:r></w:p>`,
			[]string{"一、总体情况", "发布 3 条 件"}},
		{"nested table flattened into its cell", `<w:tbl><w:tr><w:tc><w:tbl><w:tr>` + tc("a", "") + tc("b", "") + `</w:tr></w:tbl>` + p("") + `</w:tc>` + tc("1", "") + `</w:tr></w:tbl>`,
			[]string{"a b\t1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read("r.docx", docxOf(t, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Kind != "docx" || doc.Title != "某镇 2024 年报" {
				t.Errorf("kind %q title %q", doc.Kind, doc.Title)
			}
			var got []string
			for _, l := range doc.Lines {
				if l != "" {
					got = append(got, l)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDOCXBroken(t *testing.T) {
	good := docxOf(t, p("一、总体情况"))
	// a ZIP bomb: a document.xml that inflates far past the limit, renamed .docx
	var bomb bytes.Buffer
	z := zip.NewWriter(&bomb)
	w, _ := z.Create("word/document.xml")
	zeros := make([]byte, 1<<20)
	for i := 0; i < (maxDOCXPart>>20)+8; i++ {
		w.Write(zeros)
	}
	z.Close()
	if bomb.Len() > 1<<20 {
		t.Fatalf("bomb is %d bytes: not a bomb", bomb.Len())
	}
	// the same bomb with its declared size forged to look small
	lying := bytes.Clone(bomb.Bytes())
	if i := bytes.LastIndex(lying, []byte("PK\x01\x02")); i >= 0 {
		copy(lying[i+24:i+28], []byte{0x10, 0, 0, 0})
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"zip bomb", bomb.Bytes(), "ZIP bomb"},
		{"zip bomb with a forged size", lying, "broken archive"},
		{"truncated", good[:len(good)/2], "文件已损坏"},
		{"no document.xml", func() []byte {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			w, _ := z.Create("word/x.xml")
			w.Write([]byte("word/document.xml"))
			z.Close()
			return b.Bytes()
		}(), "不是 Word 文档"},
		{"broken xml", docxOf(t, "<w:p><w:r><w:t>a</w:r></w:p>&bad;<"), "broken archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("bad.docx", tt.data)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrArchive) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "decode bad.docx: ") {
				t.Errorf("error %q: want ErrArchive naming the file and %q", err, tt.want)
			}
		})
	}
}

func TestLegacyFormats(t *testing.T) {
	ole := append(bytes.Clone(ole2Magic), make([]byte, 512)...)
	tests := []struct{ name, want string }{
		{"报告.doc", ".doc"}, {"报告.wps", ".wps"}, {"报告.xls", ".xls"}, {"改了名.docx", ".doc"},
	}
	for _, tt := range tests {
		_, err := Read(tt.name, ole)
		if !errors.Is(err, ErrLegacyFormat) || !strings.Contains(err.Error(), tt.want) ||
			!strings.Contains(err.Error(), "另存为 .docx 或 PDF") || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := Read("x.rtf", []byte(`{\rtf1\ansi 一、总体情况}`)); !errors.Is(err, ErrLegacyFormat) || !strings.Contains(err.Error(), "RTF") {
		t.Errorf("rtf: %v", err)
	}
}

func TestFormatsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Name == "" || len(f.Exts) == 0 {
			t.Errorf("format %+v incomplete", f)
		}
		for _, e := range f.Exts {
			if !strings.HasPrefix(e, ".") || strings.ToLower(e) != e || seen[e] {
				t.Errorf("extension %q bad or repeated", e)
			}
			seen[e] = true
		}
	}
	for _, e := range []string{".pdf", ".docx", ".html", ".md", ".txt"} {
		if !seen[e] {
			t.Errorf("%s not listed", e)
		}
	}
	if seen[".doc"] || seen[".wps"] {
		t.Error("a legacy format is listed as readable")
	}
}

func FuzzDOCX(f *testing.F) {
	f.Add(docxOf(f, p("一、总体情况")+`<w:tbl><w:tr>`+tc("规章", `<w:gridSpan w:val="3"/>`)+tc("0", `<w:vMerge w:val="restart"/>`)+`</w:tr><w:tr>`+tc("x", `<w:vMerge/>`)+`</w:tr></w:tbl>`))
	f.Add(docxOf(f, `<w:sdt><w:sdtContent><w:tbl><w:tr><w:tc><w:tbl><w:tr>`+tc("a", `<w:gridSpan w:val="99999"/>`)+`</w:tr></w:tbl></w:tc></w:tr></w:tbl></w:sdtContent></w:sdt>`))
	f.Add(docxOf(f, `<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent>`+p("框")+`</w:txbxContent></mc:Choice></mc:AlternateContent></w:r></w:p>`))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DOCX{}.Read("fuzz.docx", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "decode fuzz.docx: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i, l := range doc.Lines {
			if strings.ContainsAny(l, "\n\r\x00") || Normalize(l) != l {
				t.Fatalf("line %d not normalised: %q", i, l)
			}
			if strings.Count(l, "\t") >= maxColumns {
				t.Fatalf("line %d has %d cells", i, strings.Count(l, "\t")+1)
			}
		}
	})
}
