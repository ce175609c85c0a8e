package decode

import (
	"slices"
	"strings"
	"testing"
)

func readHTML(t *testing.T, page string) *Document {
	t.Helper()
	doc, err := HTML{}.Read("test.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestHTMLLines(t *testing.T) {
	tests := []struct {
		name string
		page string
		want []string
	}{
		{
			name: "rowspan repeats the text down its column, colspan pads with empty cells",
			page: `<table>
<tr><td rowspan="2" colspan="2">申请人情况</td><td colspan="3">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>其他</td></tr>
<tr><td rowspan="3">三、本年度办理结果</td><td>（一）予以公开</td><td>1</td><td>2</td><td>3</td><td>6</td></tr>
<tr><td>（二）部分公开</td><td>0</td><td></td><td>0</td><td>0</td></tr>
<tr><td>（三）不予公开</td><td>0</td><td>&nbsp;</td><td>0</td><td>0</td></tr>
</table>`,
			want: []string{
				"申请人情况\t\t法人或其他组织\t\t\t总计",
				"申请人情况\t\t商业企业\t科研机构\t其他\t总计",
				"三、本年度办理结果\t(一)予以公开\t1\t2\t3\t6",
				"三、本年度办理结果\t(二)部分公开\t0\t\t0\t0",
				"三、本年度办理结果\t(三)不予公开\t0\t\t0\t0",
			},
		},
		{
			name: "rowspan in the last column fills rows that end early",
			page: `<table><tr><td>a</td><td rowspan="3">z</td></tr><tr><td>b</td></tr><tr></tr><tr><td>d</td><td>e</td></tr></table>`,
			want: []string{"a\tz", "b\tz", "\tz", "d\te"},
		},
		{
			name: "Word spans inside a label do not break it; paragraphs and <br> in a cell join without separator",
			page: `<table><tr>
<td><p><span>三</span><span>、本</span><span>年</span>
<span>度办理结果</span></p></td>
<td><p class=MsoNormal><span>商业</span></p>
    <p class=MsoNormal><span>企业</span></p></td>
<td>科研<br>机构</td>
<td>  <p><span><o:p>&nbsp;</o:p></span></p>  </td>
<td><b>1</b><i>2</i></td></tr></table>`,
			want: []string{"三、本年度办理结果\t商业企业\t科研机构\t\t12"},
		},
		{
			name: "blocks break lines, inline elements do not, and a source line break inside Chinese text is no space",
			page: `<div><h2>一、总体<b>情况</b></h2><p>本年度发布
信息<a href="#">52</a>条, 收到
申请 3 件。</p>第一行<br/>第二行<ul><li>甲</li><li>乙</li></ul></div>`,
			want: []string{"一、总体情况", "本年度发布信息52条, 收到申请 3 件。", "第一行", "第二行", "甲", "乙"},
		},
		{
			name: "site chrome is dropped, the content kept",
			page: `<html><head><title>t</title><style>p{color:red}</style><script>var x="<p>脚本</p>";</script></head><body>
<div class="header-t">繁體版 无障碍</div>
<div id="mainNav"><ul><li>首页</li><li>政务公开</li></ul></div>
<nav>导航</nav><header>网站头部</header>
<div class="breadcrumb">当前位置：首页 &gt; 年报</div>
<div class="bdsharebuttonbox">分享到</div>
<div style="display: none">隐藏的文字</div>
<form><input value="搜索"><button>搜索</button><select><option>全部</option></select></form>
<noscript>请启用脚本</noscript><iframe src="x">框架</iframe>
<div class="article-content"><p>一、总体情况</p><p>正文。</p></div>
<div class="sidebar">相关链接</div>
<footer>版权所有</footer><div class="foot">主办单位</div>
</body></html>`,
			want: []string{"一、总体情况", "正文。"},
		},
		{
			name: "chrome that holds the report is kept (an ASP.NET page wraps everything in a form)",
			page: `<form id="form1"><div class="nav">首页</div><div class="content"><p>一、总体情况</p><p>正文。</p></div></form>`,
			want: []string{"一、总体情况", "正文。"},
		},
		{
			name: "tables are separated from the text and from each other by one empty line",
			page: `<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table>` +
				`<table><tr><td>行政许可</td><td>5</td></tr></table><p>三、收到和处理政府信息公开申请情况</p>`,
			want: []string{"二、主动公开政府信息情况", "", "规章\t0", "", "行政许可\t5", "", "三、收到和处理政府信息公开申请情况"},
		},
		{
			name: "a nested table: the outer (layout) table flows, the inner rows are rows",
			page: `<table><tr><td>网站</td><td><p>一、总体情况</p>
<table><tr><td>规章</td><td>0</td><td>1</td></tr><tr><td>行政规范性文件</td><td>2</td><td>3</td></tr></table>
<p>五、存在的主要问题</p></td></tr></table>`,
			want: []string{"网站", "一、总体情况", "", "规章\t0\t1", "行政规范性文件\t2\t3", "", "五、存在的主要问题"},
		},
		{
			name: "a layout table with a long text cell flows",
			page: `<table><tr><td><p>一、总体情况</p><p>` + strings.Repeat("本机关认真贯彻条例。", 40) + `</p></td></tr></table>`,
			want: []string{"一、总体情况", strings.Repeat("本机关认真贯彻条例。", 40)},
		},
		{
			name: "colspan and rowspan values out of range are clamped",
			page: `<table><tr><td colspan="0">a</td><td rowspan="99">b</td><td colspan="x">c</td></tr><tr><td>d</td></tr></table>`,
			want: []string{"a\tb\tc", "d\tb"},
		},
		{
			name: "<pre> keeps its tabs and lines",
			page: "<pre>规章\t0\t0\n行政许可\t5</pre>",
			want: []string{"规章\t0\t0", "行政许可\t5"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := readHTML(t, tt.page)
			got := doc.Lines
			if !slices.Equal(trimBlank(got), tt.want) {
				t.Errorf("lines:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// trimBlank drops the leading and trailing empty lines.
func trimBlank(l []string) []string {
	for len(l) > 0 && l[0] == "" {
		l = l[1:]
	}
	for len(l) > 0 && l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func TestHTMLTitleAndMeta(t *testing.T) {
	page := `<!doctype html><html><head><meta charset="utf-8">
<title>
  某县财政局2023年政府信息公開年度报告
</title>
<meta name="ArticleTitle" content="某县财政局2023年政府信息公开年度报告">
<meta name="PubDate" content="2024-01-17 10:20">
<meta name="ContentSource" content="某县财政局">
<meta name="description" content="">
</head><body>
<div class="meta">
  <div><strong>标题：</strong>某县财政局年报</div>
  <div><strong>采集时间：</strong>2025-12-30T21:37:37+08:00</div>
</div>
<title>某县人民政府</title>
<table class="table_content">
<tr><td>索引号</td><td>0143/2024-00002</td><td>发布机构</td><td>某县财政局</td></tr>
<tr><td>公开日期：</td><td>2024-01-17</td><td>文号</td><td></td></tr>
</table>
<p>一、总体情况</p></body></html>`
	doc := readHTML(t, page)
	if doc.Title != "某县财政局2023年政府信息公开年度报告" {
		t.Errorf("title = %q", doc.Title)
	}
	want := map[string]string{
		"ArticleTitle":  "某县财政局2023年政府信息公开年度报告",
		"PubDate":       "2024-01-17 10:20",
		"ContentSource": "某县财政局",
		"标题":            "某县财政局年报",
		"采集时间":          "2025-12-30T21:37:37+08:00",
		"索引号":           "0143/2024-00002",
		"发布机构":          "某县财政局",
		"公开日期":          "2024-01-17",
	}
	for k, v := range want {
		if doc.Meta[k] != v {
			t.Errorf("Meta[%q] = %q, want %q", k, doc.Meta[k], v)
		}
	}
	for _, k := range []string{"description", "文号"} {
		if _, ok := doc.Meta[k]; ok {
			t.Errorf("empty Meta[%q] recorded", k)
		}
	}
	// The collector's header stays in the text too.
	if !slices.Contains(doc.Lines, "标题:某县财政局年报") {
		t.Errorf("meta header lost from lines: %q", doc.Lines)
	}
}

func TestHiddenStyle(t *testing.T) {
	for s, want := range map[string]bool{
		"display:none": true, "DISPLAY : None;": true, "color:red; visibility: hidden": true,
		"display:block": false, "text-indent: 2em": false, "": false, "display": false,
	} {
		if got := hiddenStyle(s); got != want {
			t.Errorf("hiddenStyle(%q) = %v", s, got)
		}
	}
}
