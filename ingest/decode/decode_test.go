package decode

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// sampleReport is a short report in the shape publishers print: prose, a tab-separated
// table with full-width punctuation and digits, a traditional character and an NBSP.
const sampleReport = "红寺堡镇人民政府2024年政府信息公开工作年度报告\n" +
	"\n" +
	"一、总体情况\n" +
	"　　2024年，本镇在门户网站发布信息共５２条，收到申请３件。\n" +
	"三、收到和处理政府信息公开申请情况\n" +
	"\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n" +
	"一、本年新收政府信息公开申请数量\t\t3\t0\t0\t0\t0\t0\t3\n" +
	"（二）部分公開（区分处理的，只计这一情形，不计其他情形）\t0\t0\t0\t0\t0\t0\t0\n" +
	"四、结转下年度继续办理　\t0\t0\t0\t0\t0\t0\t0\n"

// sampleLines is what every encoding of sampleReport must decode to.
var sampleLines = []string{
	"红寺堡镇人民政府2024年政府信息公开工作年度报告",
	"",
	"一、总体情况",
	"2024年,本镇在门户网站发布信息共52条,收到申请3件。",
	"三、收到和处理政府信息公开申请情况",
	"\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计",
	"一、本年新收政府信息公开申请数量\t\t3\t0\t0\t0\t0\t0\t3",
	"(二)部分公开(区分处理的,只计这一情形,不计其他情形)\t0\t0\t0\t0\t0\t0\t0",
	"四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0",
}

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestEncodingsText(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	tests := []struct {
		name, enc string
		data      []byte
	}{
		{"utf-8", "utf-8", []byte(sampleReport)},
		{"utf-8 with BOM", "utf-8-bom", append([]byte("\xEF\xBB\xBF"), sampleReport...)},
		{"utf-16le with BOM", "utf-16le", append([]byte{0xFF, 0xFE}, encode(t, le, sampleReport)...)},
		{"utf-16be with BOM", "utf-16be", append([]byte{0xFE, 0xFF}, encode(t, be, sampleReport)...)},
		{"utf-16le without BOM", "utf-16le", encode(t, le, sampleReport)},
		{"utf-16be without BOM", "utf-16be", encode(t, be, sampleReport)},
		{"gb18030 undeclared", "gb18030", encode(t, simplifiedchinese.GB18030, sampleReport)},
		{"gbk undeclared", "gb18030", encode(t, simplifiedchinese.GBK, sampleReport)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.name+".txt", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Kind != "text" || doc.Encoding != tt.enc {
				t.Errorf("kind, encoding = %q, %q; want text, %q", doc.Kind, doc.Encoding, tt.enc)
			}
			if !slices.Equal(doc.Lines, sampleLines) {
				t.Errorf("lines:\n%q\nwant:\n%q", doc.Lines, sampleLines)
			}
		})
	}
}

// sampleHTML renders sampleReport as a page: prose in <p>s, the table rows as <tr>s.
func sampleHTML(head string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head>" + head + "<title>年度报告</title></head><body>\n")
	inTable := false
	for _, l := range strings.Split(strings.TrimRight(sampleReport, "\n"), "\n") {
		if strings.Contains(l, "\t") {
			if !inTable {
				b.WriteString("<table>\n")
				inTable = true
			}
			b.WriteString("<tr><td>" + strings.ReplaceAll(l, "\t", "</td><td>") + "</td></tr>\n")
			continue
		}
		if inTable {
			b.WriteString("</table>\n")
			inTable = false
		}
		b.WriteString("<p>" + l + "</p>\n")
	}
	if inTable {
		b.WriteString("</table>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func TestEncodingsHTML(t *testing.T) {
	want := append(slices.Clone(sampleLines[:5]), "")
	want = append(want, sampleLines[5:]...)
	want[1] = "一、总体情况" // the empty paragraph of the text version is no line in HTML
	want = slices.Delete(want, 2, 3)
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	plain := sampleHTML(`<meta charset="utf-8">`)
	tests := []struct {
		name, enc string
		data      []byte
	}{
		{"utf-8", "utf-8", []byte(plain)},
		{"utf-8 with BOM", "utf-8-bom", append([]byte("\xEF\xBB\xBF"), plain...)},
		{"utf-16le with BOM", "utf-16le", append([]byte{0xFF, 0xFE}, encode(t, le, plain)...)},
		{"gbk declared meta charset", "gbk", encode(t, simplifiedchinese.GBK, sampleHTML(`<meta charset="gbk">`))},
		{"gb2312 declared http-equiv", "gbk", encode(t, simplifiedchinese.GBK,
			sampleHTML(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`))},
		{"gb18030 undeclared", "gb18030", encode(t, simplifiedchinese.GB18030, sampleHTML(""))},
		{"gb18030 declared windows-1252", "gb18030", encode(t, simplifiedchinese.GB18030,
			sampleHTML(`<meta charset="windows-1252">`))},
		{"gbk bytes declared utf-8", "gb18030", encode(t, simplifiedchinese.GBK, plain)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.name+".html", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Kind != "html" || doc.Encoding != tt.enc {
				t.Errorf("kind, encoding = %q, %q; want html, %q", doc.Kind, doc.Encoding, tt.enc)
			}
			if doc.Title != "年度报告" {
				t.Errorf("title = %q", doc.Title)
			}
			if !slices.Equal(doc.Lines, want) {
				t.Errorf("lines:\n%q\nwant:\n%q", doc.Lines, want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"binary.txt", []byte("abc\x00\x01\x02\x03def\x00ghi\x00\x00\x00\x07\x08"), ErrNotText},
		{"report.pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), ErrPDF},
		{"report.docx", []byte("PK\x03\x04\x14\x00\x06\x00"), ErrArchive},
		{"controls.txt", []byte("a\x01b\x02c\x03d\x04e\x05f\x06g\x07h\x08"), ErrNotText},
		{"utf16-garbage.txt", []byte{0xFF, 0xFE, 0x00, 0xD8, 0x00, 0xD8, 0x00, 0xD8, 0x00, 0xD8, 0x00, 0xD8, 0x00, 0xD8}, ErrEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.name, tt.data)
			if err == nil {
				t.Fatalf("no error; lines %q", doc.Lines)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "decode "+tt.name+": ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestSniffOrder(t *testing.T) {
	tests := []struct {
		data, kind string
	}{
		{"<html><body><p>一、总体情况</p></body></html>", "html"},
		{"  \n<!doctype html>\n<p>x</p>", "html"},
		{"<!-- saved --><div>一、总体情况</div>", "html"},
		{"<table><tr><td>规章</td><td>0</td></tr></table>", "html"},
		{"| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n", "markdown"},
		{"# 年度报告\n\n## 一、总体情况\n\n正文。\n", "markdown"},
		{"一、总体情况\n正文 <2024> 年。\n# 不是标题\n", "text"},
		{"<2024年度报告>\n一、总体情况\n", "text"},
		{"规章\t0\t0\t0\n", "text"},
	}
	for _, tt := range tests {
		doc, err := Read("x", []byte(tt.data))
		if err != nil {
			t.Errorf("%q: %v", tt.data, err)
			continue
		}
		if doc.Kind != tt.kind {
			t.Errorf("%q: kind %q, want %q", tt.data, doc.Kind, tt.kind)
		}
	}
}

type fakeReader struct{}

func (fakeReader) Kind() string           { return "fake" }
func (fakeReader) Sniff(data []byte) bool { return strings.HasPrefix(string(data), "FAKE") }
func (fakeReader) Read(name string, data []byte) (*Document, error) {
	return &Document{Kind: "fake", Lines: []string{string(data)}}, nil
}

func TestRegister(t *testing.T) {
	old := readers.Load()
	t.Cleanup(func() { readers.Store(old) })
	Register(fakeReader{})
	doc, err := Read("a", []byte("FAKE data"))
	if err != nil || doc.Kind != "fake" {
		t.Fatalf("registered reader not asked first: %v, %+v", err, doc)
	}
	doc, err = Read("b", []byte("<html><p>x</p></html>"))
	if err != nil || doc.Kind != "html" {
		t.Fatalf("built-in readers lost after Register: %v, %+v", err, doc)
	}
}
