package generate

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/ingest"
)

// htmlWriter builds the Word-export markup of a report page.
type htmlWriter struct {
	b          strings.Builder
	st         *style
	blankZeros bool // 0 in the 法人或其他组织 columns printed as an empty cell
}

func (w *htmlWriter) s(format string, args ...any) { fmt.Fprintf(&w.b, format, args...) }

// text escapes s and, sometimes, splits it over <span>s the way Word exports runs of text.
func (w *htmlWriter) text(s string) string {
	if utf8.RuneCountInString(s) < 3 || w.st.rng.Float64() >= 0.3 {
		return "<span>" + html.EscapeString(s) + "</span>"
	}
	runes := []rune(s)
	cut := 1 + w.st.rng.Intn(len(runes)-1)
	return "<span>" + html.EscapeString(string(runes[:cut])) + "</span><span>" + html.EscapeString(string(runes[cut:])) + "</span>"
}

// td writes a table cell with optional rowspan and colspan.
func (w *htmlWriter) td(content string, rowspan, colspan int) {
	w.b.WriteString("<td")
	if rowspan > 1 {
		w.s(` rowspan="%d"`, rowspan)
	}
	if colspan > 1 {
		w.s(` colspan="%d"`, colspan)
	}
	w.s(` valign="center"><p align="center">%s</p></td>`, content)
}

// label writes a label cell; a header with a split word gets two paragraphs.
func (w *htmlWriter) label(s string, rowspan, colspan int) {
	if strings.Contains(s, "\n") {
		parts := strings.Split(s, "\n")
		for i := range parts {
			parts[i] = w.text(parts[i])
		}
		w.td(strings.Join(parts, `</p><p align="center">`), rowspan, colspan)
		return
	}
	w.td(w.text(s), rowspan, colspan)
}

// number writes a number cell; blank says a 0 is printed as an empty cell.
func (w *htmlWriter) number(v string, blank bool) {
	if blank && (v == "0" || v == "０") {
		w.b.WriteString(`<td valign="top"><p align="center"><span><o:p>&nbsp;</o:p></span></p></td>`)
		return
	}
	w.td("<span>"+html.EscapeString(v)+"</span>", 1, 1)
}

func (w *htmlWriter) table(open bool) {
	if open {
		w.b.WriteString("\n<table class=\"MsoNormalTable\" border=\"1\" cellspacing=\"0\" cellpadding=\"0\" style=\"border-collapse:collapse;\">\n<tbody>\n")
		return
	}
	w.b.WriteString("</tbody>\n</table>\n")
}

func (w *htmlWriter) para(s string) {
	w.s(`<p style="text-indent:2em;line-height:2;">%s</p>`+"\n", w.text(s))
}

func (w *htmlWriter) heading(s string) {
	w.s(`<p style="text-indent:2em;"><strong>%s</strong></p>`+"\n", w.text(s))
}

func (w *htmlWriter) table2(r *ingest.Report) {
	w.table(true)
	for _, g := range w.st.table2(r) {
		w.b.WriteString("<tr>")
		w.label(g.head, 1, 4)
		w.b.WriteString("</tr>\n<tr>")
		for i, c := range g.cols {
			span := 1
			if i == len(g.cols)-1 {
				span = 5 - len(g.cols)
			}
			w.label(c, 1, span)
		}
		w.b.WriteString("</tr>\n")
		for _, row := range g.rows {
			w.b.WriteString("<tr>")
			w.label(row.label, 1, 1)
			vals := w.st.nums(r, row.keys)
			for i, v := range vals {
				if i == len(vals)-1 && len(vals) < 3 {
					w.b.WriteString(`<td colspan="` + fmt.Sprint(4-len(vals)) + `" valign="center"><p align="center"><span>` + html.EscapeString(v) + "</span></p></td>")
					continue
				}
				w.number(v, false)
			}
			w.b.WriteString("</tr>\n")
		}
	}
	w.table(false)
}

func (w *htmlWriter) table3(r *ingest.Report) {
	w.table(true)
	w.b.WriteString("<tr>")
	w.label(balanceNote, 3, 3)
	w.label(ingest.Table3ApplicantHeader, 1, 7)
	w.b.WriteString("</tr>\n<tr>")
	w.label(ingest.Table3ColumnHeaders[0], 2, 1)
	w.label(ingest.Table3LegalHeader, 1, 5)
	w.label(ingest.Table3ColumnHeaders[6], 2, 1)
	w.b.WriteString("</tr>\n<tr>")
	for _, c := range w.st.legalCols("\n") {
		w.label(c, 1, 1)
	}
	w.b.WriteString("</tr>\n")
	rows := w.st.table3(r)
	resultSpan := 0
	for _, row := range rows {
		switch row.key {
		case "new_received", "carried_over", "carried_forward":
		default:
			resultSpan++
		}
	}
	for _, row := range rows {
		w.b.WriteString("<tr>")
		switch {
		case row.key == "disclosed":
			w.label(row.parts[0], resultSpan, 1)
			w.label(row.parts[1], 1, 2)
		case row.parts[0] != "":
			w.label(row.parts[0], 1, 3)
		case row.parts[2] == "":
			w.label(row.parts[1], 1, 2)
		default:
			if row.parts[1] != "" {
				w.label(row.parts[1], row.group, 1)
			}
			w.label(row.parts[2], 1, 1)
		}
		for i, v := range w.st.nums(r, t3keys(row.key)) {
			w.number(v, w.blankZeros && i >= 1 && i <= 5)
		}
		w.b.WriteString("</tr>\n")
	}
	w.table(false)
}

func (w *htmlWriter) table4(r *ingest.Report) {
	words := w.st.t4words()
	w.table(true)
	w.b.WriteString("<tr>")
	w.label(ingest.Table4ReviewHeader, 1, 5)
	w.label(ingest.Table4LitigationHeader, 1, 10)
	w.b.WriteString("</tr>\n<tr>")
	for _, x := range words {
		w.label(x, 2, 1)
	}
	for _, h := range ingest.Table4LitigationHeaders {
		w.label(h, 1, 5)
	}
	w.b.WriteString("</tr>\n<tr>")
	for i := 0; i < 2; i++ {
		for _, x := range words {
			w.label(x, 1, 1)
		}
	}
	w.b.WriteString("</tr>\n<tr>")
	for _, v := range w.st.nums(r, t4keys()) {
		w.number(v, false)
	}
	w.b.WriteString("</tr>\n")
	w.table(false)
}

// renderHTML writes the report as a government site's article page: navigation, breadcrumb,
// the article's title and date, a share bar, the report in a content div and a footer.
func renderHTML(r *ingest.Report, st *style, charset string) []byte {
	w := &htmlWriter{st: st, blankZeros: st.rng.Float64() < 0.3}
	district := districtOf(r.Agency)
	site := district + "人民政府"
	esc := html.EscapeString
	w.s("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"%s\">\n", charset)
	w.s("<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n<title>%s_%s</title>\n", esc(st.title), esc(site))
	w.s("<meta name=\"SiteName\" content=\"%s\">\n<meta name=\"ColumnName\" content=\"政府信息公开年报\">\n", esc(site))
	w.s("<meta name=\"ArticleTitle\" content=\"%s\">\n", esc(st.title))
	if r.Published != "" {
		w.s("<meta name=\"PubDate\" content=\"%s 09:%02d\">\n", r.Published, st.rng.Intn(60))
	}
	w.b.WriteString("<link rel=\"stylesheet\" href=\"/static/css/common.css\">\n<script src=\"/static/js/jquery.min.js\"></script>\n</head>\n<body>\n")
	w.s("<div class=\"topbar\"><div class=\"w1200\"><span>欢迎访问%s门户网站</span><a href=\"/wza/\">无障碍</a><a href=\"/m/\">移动版</a><a href=\"javascript:;\">长者模式</a></div></div>\n", esc(site))
	w.s("<div class=\"header\"><div class=\"logo\"><a href=\"/\">%s</a></div><div class=\"search\"><input type=\"text\" placeholder=\"请输入关键词\"><button>搜索</button></div></div>\n", esc(site))
	w.b.WriteString("<div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/zwyw/\">政务要闻</a></li><li class=\"on\"><a href=\"/zwgk/\">政务公开</a></li><li><a href=\"/zwfw/\">政务服务</a></li><li><a href=\"/hdjl/\">互动交流</a></li><li><a href=\"/zjxx/\">走进" + esc(district) + "</a></li></ul></div>\n")
	w.b.WriteString("<div class=\"breadcrumb\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/zwgk/\">政务公开</a> &gt; <a href=\"/zwgk/zfxxgk/\">政府信息公开</a> &gt; <a href=\"/zwgk/zfxxgk/ndbg/\">政府信息公开年报</a></div>\n")
	w.b.WriteString("<div class=\"main w1200\">\n<div class=\"article\">\n")
	w.s("<h1 class=\"article-title\">%s</h1>\n<div class=\"article-info\">", esc(st.title))
	if r.Published != "" {
		w.s("<span>%s：%s</span>", st.dateWord, r.Published)
	}
	w.s("<span>来源：%s</span><span>浏览次数：<em id=\"hits\"></em></span><span>字号：<a href=\"javascript:;\">大</a> <a href=\"javascript:;\">中</a> <a href=\"javascript:;\">小</a></span></div>\n", esc(r.Agency))
	w.b.WriteString("<div class=\"share-bar\">分享到：<a class=\"wechat\" href=\"javascript:;\">微信</a><a class=\"weibo\" href=\"javascript:;\">微博</a><a class=\"qzone\" href=\"javascript:;\">QQ空间</a><a href=\"javascript:window.print();\">【打印本页】</a><a href=\"javascript:window.close();\">【关闭窗口】</a></div>\n")
	w.b.WriteString("<div class=\"article-content\" id=\"zoom\">\n")
	w.s(`<p align="center"><strong>%s</strong></p>`+"\n", esc(st.title))
	w.para(st.preamble(r))
	sec := func(i int, paras []string, table func(*ingest.Report)) {
		w.heading(st.headings[i])
		for _, p := range paras {
			w.para(p)
		}
		if table != nil {
			table(r)
		}
	}
	sec(0, prose(r, 1), nil)
	sec(1, nil, w.table2)
	sec(2, nil, w.table3)
	sec(3, nil, w.table4)
	sec(4, prose(r, 5), nil)
	sec(5, prose(r, 6), nil)
	w.b.WriteString("</div>\n</div>\n</div>\n")
	w.s("<div class=\"footer\"><p>主办单位：%s办公室　承办单位：%s政务服务中心</p><p>网站标识码：%04d%06d　<a href=\"https://beian.miit.gov.cn/\">宁ICP备%08d号</a></p><p>技术支持：政务云平台</p></div>\n", esc(site), esc(district), 6403, 30000+len(r.Agency), 1000000+len(site))
	w.b.WriteString("<script>document.getElementById('hits').innerHTML='1024';</script>\n</body>\n</html>\n")
	return []byte(w.b.String())
}

// encodeGBK encodes an HTML page in GBK.
func encodeGBK(page []byte) ([]byte, error) {
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(page)
	if err != nil {
		return nil, fmt.Errorf("render html-gbk: %w", err)
	}
	return out, nil
}

// DecodeGBK decodes a page rendered in the html-gbk layout back to UTF-8 (for tests and tools).
func DecodeGBK(page []byte) ([]byte, error) {
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(page)
	if err != nil {
		return nil, err
	}
	return bytes.Replace(out, []byte(`<meta charset="gbk">`), []byte(`<meta charset="utf-8">`), 1), nil
}
