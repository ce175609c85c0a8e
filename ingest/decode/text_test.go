package decode

import (
	"slices"
	"testing"
)

func TestTextLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "page footers dropped",
			in: "一、总体情况\n— 4 —\n正文\n- 5 -\n第 4 页 共 9 页\n第4页/共9页\n共9页 第5页\n4/9\n" +
				"Page 3 of 9\n－６－\n正文二\n",
			want: []string{"一、总体情况", "正文", "正文二"},
		},
		{
			name: "rules of punctuation dropped, short ones and numbers kept",
			in:   "一、总体情况\n------\n*****\n======\n——\n-\n4\n2021/12\n9/4\n",
			want: []string{"一、总体情况", "——", "-", "4", "2021/12", "9/4"},
		},
		{
			name: "tab rows survive whole, with empty cells",
			in:   "\t(二) 部分公开\t0\t0\t\n一、本年新收政府信息公开申请数量\t\t0\t0\n\t\t\t\n",
			want: []string{"\t(二) 部分公开\t0\t0\t", "一、本年新收政府信息公开申请数量\t\t0\t0", "\t\t\t"},
		},
		{
			name: "CRLF, lone CR and form feed end lines; blank runs collapse",
			in:   "\r\n\r\n甲\r\n\r\n\r\n乙\r丙\f丁\n\n",
			want: []string{"甲", "", "乙", "丙", "丁"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Text{}.Read("t.txt", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(doc.Lines, tt.want) {
				t.Errorf("lines:\n%q\nwant:\n%q", doc.Lines, tt.want)
			}
		})
	}
}

func TestTextHeaderMeta(t *testing.T) {
	in := "标题: 某区2024年度政府信息公开工作年度报告\n发布时间: 2025-03-10 15:35\n文号: \n" +
		"发布机构：某区管委会办公室\n页面链接与图片详见 links.tsv(同目录)\n==================== 正文 ====================\n" +
		"时间: 不是页头\n"
	doc, err := Read("page.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"标题":   "某区2024年度政府信息公开工作年度报告",
		"发布时间": "2025-03-10 15:35",
		"发布机构": "某区管委会办公室",
	}
	if len(doc.Meta) != len(want) {
		t.Errorf("meta %q, want %q", doc.Meta, want)
	}
	for k, v := range want {
		if doc.Meta[k] != v {
			t.Errorf("Meta[%q] = %q, want %q", k, doc.Meta[k], v)
		}
	}
	if doc.Lines[0] != "标题: 某区2024年度政府信息公开工作年度报告" || doc.Lines[3] != "发布机构:某区管委会办公室" {
		t.Errorf("header lines not kept: %q", doc.Lines[:4])
	}
	// One "key: value" line is no header.
	doc, _ = Read("x.txt", []byte("附件: 年报\n一、总体情况\n"))
	if len(doc.Meta) != 0 {
		t.Errorf("single line taken as a header: %q", doc.Meta)
	}
}

func TestMarkdownLines(t *testing.T) {
	in := "# 某镇 2024 年政府信息公开工作年度报告\n\n## 一、总体情况\n\n**(一)主动公开政府信息情况。**2024 年发布 52 条。\n\n" +
		"| 信息内容 | 本年制发件数 |  |\n|---|:---:|---|\n| 规章 | 0 |  |\n| **行政许可** | 5 | |\n#### 四、复议 ####\n#不是标题\n"
	doc, err := Read("r.md", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != "markdown" {
		t.Fatalf("kind %q", doc.Kind)
	}
	want := []string{
		"某镇 2024 年政府信息公开工作年度报告", "", "一、总体情况", "",
		"(一)主动公开政府信息情况。2024 年发布 52 条。", "",
		"| 信息内容 | 本年制发件数 | |", "| 规章 | 0 | |", "| 行政许可 | 5 | |", "四、复议", "#不是标题",
	}
	if !slices.Equal(doc.Lines, want) {
		t.Errorf("lines:\n%q\nwant:\n%q", doc.Lines, want)
	}
}
