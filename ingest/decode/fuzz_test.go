package decode

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func FuzzRead(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(`<meta charset="gbk"><p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table>`)
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("一、总体情况\n规章\t0\t0\n")
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("一、总体情况\r\n规章\t0\n")
	for _, s := range []string{
		"",
		"一、总体情况\n　　2024年，发布信息５２条。\n— 4 —\n规章\t0\t0\t0\n",
		"标题: 年报\n发布时间: 2025-03-10 15:35\n正文\n",
		"# 年报\n\n## 一、总体情况\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n**粗体**\n",
		`<html><head><title>年报</title><meta name="PubDate" content="2024-01-01"></head><body><div class="nav">首页</div>` +
			`<table><tr><td rowspan="3" colspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>1</td></tr>` +
			`<tr><td>商业<br>企业</td></tr></table><table><tr><td><table><tr><td>x</td></tr></table></td></tr></table></body></html>`,
		`<table><tr><td colspan="999999">a</td><td rowspan="0">b</td></tr><tr><td rowspan=-1>c</td></tr></table>`,
		"<pre>a\tb\nc</pre><div class=meta><div>标题：x</div><div>来源：y</div></div>",
		"%PDF-1.4\n",
		"a\x00b\x00c\x00\n\x00",
		"\xEF\xBB\xBF一\r二\r\n",
		gbk, gb, u16,
		"\xFE\xFF\x4e\x00\x00\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Read("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "decode fuzz: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		check := func(what, s string) {
			if strings.ContainsAny(s, "\r\x00") {
				t.Fatalf("%s has CR or NUL: %q", what, s)
			}
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not UTF-8: %q", what, s)
			}
		}
		check("title", doc.Title)
		for k, v := range doc.Meta {
			check("meta key", k)
			check("meta value", v)
		}
		for i, l := range doc.Lines {
			check("line", l)
			if strings.Contains(l, "\n") {
				t.Fatalf("line %d has a newline: %q", i, l)
			}
			if Normalize(l) != l {
				t.Fatalf("line %d not normalised: %q", i, l)
			}
			if l == "" && (i == 0 || doc.Lines[i-1] == "" || i == len(doc.Lines)-1) {
				t.Fatalf("blank line %d not collapsed: %q", i, doc.Lines)
			}
		}
	})
}
