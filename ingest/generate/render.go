package generate

import (
	"fmt"
	"hash/fnv"
	"math/rand"
	"strings"

	"gongkai/ingest"
)

// Layouts are the shapes Render can write a report in. Every layout renders both formats.
//   - tabs: tab-separated text with table-3 labels spread over columns and merged cells shifted
//     left or right (the seed report).
//   - markdown: pipe tables and ## headings (PDF-to-markdown conversions).
//   - cells: one table cell per line (copying a Word table as text).
//   - html: a whole government web page with site chrome and Word-export tables (rowspan,
//     colspan, labels split over spans, blank cells meaning 0).
//   - html-gbk: the same page encoded GBK with <meta charset="gbk">.
//   - runs: an archiver's page text that lost every separator between cells, labels followed by
//     the digits of a row run together, the whole report on a few long lines.
//   - labels-above: each row's label on its own line and its numbers on the next.
var Layouts = []string{"tabs", "markdown", "cells", "html", "html-gbk", "runs", "labels-above"}

// Ext returns the file extension of a layout (.txt, .md, .html, .docx or .pdf).
func Ext(layout string) string {
	switch layout {
	case "docx":
		return ".docx"
	case "pdf":
		return ".pdf"
	case "markdown":
		return ".md"
	case "html", "html-gbk":
		return ".html"
	}
	return ".txt"
}

// style is the per-report randomisation of a rendering: the same report always gets the same
// style (it is seeded from the report itself), so Render is deterministic.
type style struct {
	rng         *rand.Rand
	fullWidth   bool   // ０-９ in tables
	dot         string // "." or "、" after sub-row numbers
	open, close string // （ ） or ( )
	parenSpace  string // "" or " " after the closing parenthesis
	normName    string // 行政规范性文件 or 规范性文件
	quoteL      string // “ or "
	quoteR      string
	dateWord    string // 发布时间 or 发布日期
	headings    [6]string
	title       string
	splitHeader bool // header words split over lines (商业\n企业)
	spacedWords bool // table-4 header words with a space (结果 维持)
}

func newStyle(r *ingest.Report, family string) *style {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%d|%s|%s|%v", r.Agency, r.Year, r.Format, family, r.SingleOther)
	rng := rand.New(rand.NewSource(int64(h.Sum64())))
	st := &style{rng: rng}
	st.fullWidth = rng.Float64() < 0.08
	st.dot = "."
	if rng.Float64() < 0.3 {
		st.dot = "、"
	}
	st.open, st.close = "（", "）"
	if rng.Float64() < 0.4 {
		st.open, st.close = "(", ")"
		if rng.Float64() < 0.6 {
			st.parenSpace = " "
		}
	}
	st.normName = "行政规范性文件"
	if r.Format == ingest.Format2019 || rng.Float64() < 0.25 {
		st.normName = "规范性文件"
	}
	st.quoteL, st.quoteR = "“", "”"
	if rng.Float64() < 0.3 {
		st.quoteL, st.quoteR = "\"", "\""
	}
	st.dateWord = "发布时间"
	if rng.Float64() < 0.4 {
		st.dateWord = "发布日期"
	}
	st.headings = ingest.Headings
	if r.Format == ingest.Format2019 || rng.Float64() < 0.3 {
		st.headings[3] = "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
	}
	if rng.Float64() < 0.3 {
		st.headings[4] = "五、存在问题及改进情况"
	}
	switch rng.Intn(3) {
	case 0:
		st.title = fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Agency, r.Year)
	case 1:
		st.title = fmt.Sprintf("%s %d 年政府信息公开工作年度报告", r.Agency, r.Year)
	default:
		st.title = fmt.Sprintf("%s%d年度政府信息公开工作年度报告", r.Agency, r.Year)
	}
	st.splitHeader = rng.Float64() < 0.3
	st.spacedWords = rng.Float64() < 0.5
	return st
}

var fullDigits = strings.NewReplacer("0", "０", "1", "１", "2", "２", "3", "３", "4", "４",
	"5", "５", "6", "６", "7", "７", "8", "８", "9", "９", ".", "．")

// num renders a cell value as printed ("" when the cell is unread).
func (st *style) num(r *ingest.Report, key string) string {
	v, ok := r.Value(key)
	if !ok {
		return ""
	}
	s := ingest.FormatValue(v)
	if st.fullWidth {
		s = fullDigits.Replace(s)
	}
	return s
}

// nums renders several cells.
func (st *style) nums(r *ingest.Report, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = st.num(r, k)
	}
	return out
}

// preamble is the paragraph before 一、总体情况.
func (st *style) preamble(r *ingest.Report) string {
	doc := "国办公开办函〔2021〕30号"
	if r.Format == ingest.Format2019 {
		doc = "国办公开办函〔2019〕60号"
	}
	switch st.rng.Intn(3) {
	case 0:
		return fmt.Sprintf("本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》（%s）要求编制，内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据统计期限为%d年1月1日至%d年12月31日。", doc, r.Year, r.Year)
	case 1:
		return fmt.Sprintf("根据《中华人民共和国政府信息公开条例》规定和（%s）要求，现公布%s%d年政府信息公开工作年度报告。本报告统计数据从%d年1月1日至%d年12月31日。如对本报告有疑问，请与%s联系。", doc, r.Agency, r.Year, r.Year, r.Year, r.Agency)
	}
	return fmt.Sprintf("依据《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，%s编制了%d年政府信息公开工作年度报告。本报告电子版可在%s门户网站下载。", r.Agency, r.Year, districtOf(r.Agency)+"人民政府")
}

// prose returns the paragraphs of a prose section.
func prose(r *ingest.Report, n int) []string {
	if r.Prose[n] == "" {
		return nil
	}
	return strings.Split(r.Prose[n], "\n")
}

// t2group is a block of table 2: its 第二十条 heading, column headers and rows.
type t2group struct {
	head string
	cols []string
	rows []t2row
}

type t2row struct {
	label string
	keys  []string
}

func (st *style) table2(r *ingest.Report) []t2group {
	fee := ""
	if r.Format != ingest.Format2019 {
		fee = "本年收费金额（单位：万元）"
		if st.rng.Float64() < 0.3 {
			fee = "本年收费金额（万元）"
		}
	}
	var out []t2group
	for _, g := range ingest.Table2Groups(r.Format) {
		tg := t2group{head: "第二十条第" + st.open + g.Article + st.close + "项", cols: append([]string{}, g.Columns...)}
		if fee != "" && g.Article == "八" {
			tg.cols[len(tg.cols)-1] = fee
		}
		for _, row := range g.Rows {
			label := row.Label
			if strings.Contains(row.Keys[0], ".normative_documents.") {
				label = st.normName
			}
			tg.rows = append(tg.rows, t2row{label, row.Keys})
		}
		out = append(out, tg)
	}
	return out
}

// t3row is a row of table 3: its key and its label in up to three merged-cell levels (the
// 三、本年度办理结果 column, the （一）…（七） column, the 1.…8. column). The upper levels are
// set only on the first row they span.
type t3row struct {
	key   string
	parts [3]string
	group int // rows in the group this row starts (rowspan of parts[1]), 0 when none
}

// table3 is the official layout's table 3 (ingest.Table3Lines) in the report's style: its
// brackets, the mark after item numbers and its quotation marks.
func (st *style) table3(r *ingest.Report) []t3row {
	p := func(n, s string) string { return st.open + n + st.close + st.parenSpace + s }
	quotes := strings.NewReplacer("“", st.quoteL, "”", st.quoteR)
	var rows []t3row
	for _, l := range ingest.Table3Lines(r.SingleOther) {
		row := t3row{key: l.Key, group: l.GroupRows}
		switch {
		case l.GroupNum == "":
			row.parts[0] = l.Section
		case l.Item == 0:
			if l.Key == "disclosed" {
				row.parts[0] = l.Section
			}
			row.parts[1] = p(l.GroupNum, l.GroupName)
			if l.GroupNote != "" {
				row.parts[1] += st.open + l.GroupNote + st.close
			}
		default:
			if l.GroupRows > 0 {
				row.parts[1] = p(l.GroupNum, l.GroupName)
			}
			row.parts[2] = fmt.Sprint(l.Item) + st.dot + quotes.Replace(l.ItemLabel)
		}
		rows = append(rows, row)
	}
	return rows
}

// t3keys are the seven cell keys of a table-3 row.
func t3keys(row string) []string {
	out := make([]string, len(ingest.Table3Columns))
	for i, c := range ingest.Table3Columns {
		out[i] = ingest.Table3Key(row, c)
	}
	return out
}

// t4keys are the fifteen cell keys of table 4 in printed order.
func t4keys() []string {
	var out []string
	for _, b := range ingest.Table4Blocks {
		for _, c := range ingest.Table4Columns {
			out = append(out, ingest.Table4Key(b, c))
		}
	}
	return out
}

// t4words are the five column headers of a table-4 block.
func (st *style) t4words() []string {
	if st.spacedWords {
		return []string{"结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"}
	}
	return append([]string(nil), ingest.Table4ColumnHeaders...)
}

// legalCols are the headers of the 法人或其他组织 columns; split puts a line break in some.
func (st *style) legalCols(sep string) []string {
	if st.splitHeader {
		return []string{"商业" + sep + "企业", "科研" + sep + "机构", "社会公益" + sep + "组织", "法律服务" + sep + "机构", "其他"}
	}
	return append([]string(nil), ingest.Table3ColumnHeaders[1:6]...)
}

const balanceNote = ingest.Table3BalanceNote

// Render writes r as a report file in layout: the title with agency and year, the publication
// date when r.Published is set, the six sections with their headings, the prose of r.Prose and
// tables 2, 3 and 4. The same report and layout always give the same bytes.
func Render(r *ingest.Report, layout string) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("render: nil report")
	}
	switch layout {
	case "tabs":
		return renderTabs(r, newStyle(r, layout)), nil
	case "markdown":
		return renderMarkdown(r, newStyle(r, layout)), nil
	case "cells":
		return renderCells(r, newStyle(r, layout)), nil
	case "labels-above":
		return renderLabelsAbove(r, newStyle(r, layout)), nil
	case "runs":
		return renderRuns(r, newStyle(r, layout)), nil
	case "html":
		return renderHTML(r, newStyle(r, "html"), "utf-8"), nil
	case "html-gbk":
		return encodeGBK(renderHTML(r, newStyle(r, "html"), "gbk"))
	case "docx":
		return renderDOCX(r, newStyle(r, "html"))
	case "pdf":
		b, err := PrintPDF(renderHTML(r, newStyle(r, "html"), "utf-8"))
		if err != nil {
			return nil, fmt.Errorf("render %s %d: pdf: %w", r.Agency, r.Year, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("render %s %d: unknown layout %q (known: %s)", r.Agency, r.Year, layout, strings.Join(append(append([]string{}, Layouts...), PagedLayouts...), ", "))
}

// textDoc writes the parts every text layout shares, calling tables for the three tables.
type textDoc struct {
	b       strings.Builder
	heading func(string) string
	para    string // separator after a paragraph
}

func (d *textDoc) line(s string) { d.b.WriteString(s); d.b.WriteString("\n") }

func (d *textDoc) body(r *ingest.Report, st *style, date string, t2, t3, t4 func()) {
	if date != "" && r.Published != "" {
		d.line(date)
		d.b.WriteString(d.para)
	}
	d.line(st.preamble(r))
	d.b.WriteString(d.para)
	sec := func(i int, paras []string, table func()) {
		d.line(d.heading(st.headings[i]))
		d.b.WriteString(d.para)
		for _, p := range paras {
			d.line(p)
			d.b.WriteString(d.para)
		}
		if table != nil {
			table()
			d.b.WriteString(d.para)
		}
	}
	sec(0, prose(r, 1), nil)
	sec(1, nil, t2)
	sec(2, nil, t3)
	sec(3, nil, t4)
	sec(4, prose(r, 5), nil)
	sec(5, prose(r, 6), nil)
}

func renderTabs(r *ingest.Report, st *style) []byte {
	d := &textDoc{para: "\n"}
	mark := "## "
	if st.rng.Float64() < 0.3 {
		mark = ""
	}
	d.heading = func(h string) string {
		if mark != "" && st.rng.Float64() < 0.15 {
			return "#### " + h
		}
		return mark + h
	}
	d.b.WriteString("\n\n")
	d.line("# " + st.title)
	d.b.WriteString("\n")
	tab := func(cells ...string) string { return strings.Join(cells, "\t") }
	t2 := func() {
		for _, g := range st.table2(r) {
			d.line(g.head + "\t\t\t")
			cols := append([]string{}, g.cols...)
			for len(cols) < 4 {
				cols = append(cols, "")
			}
			d.line(tab(cols...))
			for _, row := range g.rows {
				cells := append([]string{row.label}, st.nums(r, row.keys)...)
				for len(cells) < 4 {
					cells = append(cells, "")
				}
				d.line(tab(cells...))
			}
		}
	}
	t3 := func() {
		d.line(balanceNote + "\t\t申请人情况\t\t\t\t\t\t总计\t")
		d.line("\t\t自然人\t法人或其他组织\t\t\t\t\t\t")
		d.line("\t\t\t" + tab(st.legalCols("\n")...) + "\t\t")
		seedShift := st.rng.Float64() < 0.5
		rows := st.table3(r)
		for i, row := range rows {
			n := tab(st.nums(r, t3keys(row.key))...)
			var s string
			switch {
			case row.parts[0] != "" && row.parts[1] == "":
				s = row.parts[0] + "\t\t" + n + "\t"
			case row.parts[0] != "":
				s = row.parts[0] + "\t" + row.parts[1] + "\t" + n + "\t"
			case row.parts[2] == "":
				s = "\t" + row.parts[1] + "\t" + n + "\t"
			default:
				s = "\t" + row.parts[1] + "\t" + row.parts[2] + "\t" + n
			}
			last := i+1 < len(rows) && rows[i+1].key == "total_handled"
			switch {
			case seedShift && last && row.parts[1] == "":
				s = row.parts[2] + "\t\t" + n + "\t" // 3.其他 shifted left
			case seedShift && row.key == "total_handled":
				s = row.parts[1] + "\t" + n + "\t\t" // (七) 总计 shifted left
			case st.rng.Float64() < 0.05:
				lead := len(s) - len(strings.TrimLeft(s, "\t"))
				s = strings.TrimLeft(s, "\t") + strings.Repeat("\t", lead)
			case st.rng.Float64() < 0.03:
				s = "\t" + strings.TrimRight(s, "\t")
			}
			d.line(s)
		}
	}
	t4 := func() {
		w := st.t4words()
		d.line("行政复议\t\t\t\t\t行政诉讼" + strings.Repeat("\t", 9))
		d.line(tab(w...) + "\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t")
		d.line("\t\t\t\t\t" + tab(w...) + "\t" + tab(w...))
		d.line(tab(st.nums(r, t4keys())...))
	}
	d.body(r, st, st.dateWord+"："+r.Published, t2, t3, t4)
	return []byte(d.b.String())
}

func renderMarkdown(r *ingest.Report, st *style) []byte {
	d := &textDoc{para: "\n", heading: func(h string) string { return "## " + h }}
	d.line("# " + st.title)
	d.b.WriteString("\n")
	pipe := func(cells []string) { d.line("| " + strings.Join(cells, " | ") + " |") }
	sep := func(n int) { d.line("|" + strings.Repeat("---|", n)) }
	pad := func(cells []string, n int) []string {
		for len(cells) < n {
			cells = append(cells, "")
		}
		return cells
	}
	t2 := func() {
		for i, g := range st.table2(r) {
			pipe(pad([]string{g.head}, 4))
			if i == 0 {
				sep(4)
			}
			pipe(pad(append([]string{}, g.cols...), 4))
			for _, row := range g.rows {
				pipe(pad(append([]string{row.label}, st.nums(r, row.keys)...), 4))
			}
		}
	}
	labelCols := 3
	if st.rng.Float64() < 0.4 {
		labelCols = 1
	}
	t3 := func() {
		blank := make([]string, labelCols)
		row1 := append([]string{balanceNote}, blank[1:]...)
		pipe(append(row1, pad([]string{"申请人情况"}, 7)...))
		sep(labelCols + 7)
		pipe(append(append([]string{}, blank...), "自然人", "法人或其他组织", "", "", "", "", "总计"))
		row3 := append(append(append([]string{}, blank...), ""), st.legalCols("<br>")...)
		pipe(append(row3, ""))
		for _, row := range st.table3(r) {
			var label []string
			if labelCols == 3 {
				label = row.parts[:]
			} else {
				label = []string{strings.TrimSpace(strings.Join(row.parts[:], " "))}
			}
			pipe(append(append([]string{}, label...), st.nums(r, t3keys(row.key))...))
		}
	}
	t4 := func() {
		w := st.t4words()
		pipe(pad([]string{"行政复议", "", "", "", "", "行政诉讼"}, 15))
		sep(15)
		pipe(pad(append(append([]string{}, w...), "未经复议直接起诉", "", "", "", "", "复议后起诉"), 15))
		pipe(append(append(make([]string, 5), w...), w...))
		pipe(st.nums(r, t4keys()))
	}
	d.body(r, st, st.dateWord+"："+r.Published, t2, t3, t4)
	return []byte(d.b.String())
}

func renderCells(r *ingest.Report, st *style) []byte {
	d := &textDoc{para: "", heading: func(h string) string { return h }}
	d.line(st.title)
	cells := func(cs ...string) {
		for _, c := range cs {
			if c != "" {
				d.line(c)
			}
		}
	}
	t2 := func() {
		for _, g := range st.table2(r) {
			cells(g.head)
			cells(g.cols...)
			for _, row := range g.rows {
				cells(row.label)
				cells(st.nums(r, row.keys)...)
			}
		}
	}
	t3 := func() {
		cells(balanceNote, "申请人情况", "自然人", "法人或其他组织")
		cells(st.legalCols("\n")...)
		cells("总计")
		for _, row := range st.table3(r) {
			cells(row.parts[:]...)
			cells(st.nums(r, t3keys(row.key))...)
		}
	}
	t4 := func() {
		w := st.t4words()
		cells("行政复议")
		cells(w...)
		cells("行政诉讼", "未经复议直接起诉")
		cells(w...)
		cells("复议后起诉")
		cells(w...)
		cells(st.nums(r, t4keys())...)
	}
	d.body(r, st, st.dateWord+"："+r.Published, t2, t3, t4)
	return []byte(d.b.String())
}

func renderLabelsAbove(r *ingest.Report, st *style) []byte {
	d := &textDoc{para: "\n", heading: func(h string) string { return h }}
	d.line(st.title)
	d.b.WriteString("\n")
	sep := " "
	if st.rng.Float64() < 0.3 {
		sep = "  "
	}
	nums := func(keys []string) { d.line(strings.Join(st.nums(r, keys), sep)) }
	t2 := func() {
		for _, g := range st.table2(r) {
			d.line(g.head)
			d.line(strings.Join(g.cols, " "))
			for _, row := range g.rows {
				d.line(row.label)
				nums(row.keys)
			}
		}
	}
	groupOwnLine := st.rng.Float64() < 0.5
	t3 := func() {
		d.line(balanceNote)
		d.line("申请人情况")
		d.line("自然人 法人或其他组织 总计")
		d.line(strings.Join(st.legalCols("\n"), " "))
		for _, row := range st.table3(r) {
			var label string
			switch {
			case row.parts[0] != "" && row.parts[1] != "":
				d.line(row.parts[0])
				label = row.parts[1]
			case row.parts[1] != "" && row.parts[2] != "" && groupOwnLine:
				d.line(row.parts[1])
				label = row.parts[2]
			default:
				label = strings.Join(row.parts[:], "")
			}
			d.line(label)
			nums(t3keys(row.key))
		}
	}
	t4 := func() {
		w := strings.Join(st.t4words(), " ")
		d.line("行政复议 行政诉讼")
		d.line("未经复议直接起诉 复议后起诉")
		d.line(w + " " + w + " " + w)
		nums(t4keys())
	}
	d.body(r, st, st.dateWord+"："+r.Published, t2, t3, t4)
	return []byte(d.b.String())
}

func renderRuns(r *ingest.Report, st *style) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "标题: %s\n", st.title)
	if r.Published != "" {
		fmt.Fprintf(&b, "%s: %s %02d:%02d\n", st.dateWord, r.Published, 8+st.rng.Intn(10), st.rng.Intn(60))
	}
	fmt.Fprintf(&b, "文号: \n发布机构: %s\n栏目: 政府信息公开年报\n", r.Agency)
	b.WriteString("==================== 正文 ====================\n")
	labelSpace := ""
	if st.rng.Float64() < 0.3 {
		labelSpace = " "
	}
	t4Spaced := st.rng.Float64() < 0.3
	run := func(keys []string) string { return strings.Join(st.nums(r, keys), "") }
	b.WriteString(st.preamble(r))
	sec := func(i int, paras []string) {
		b.WriteString(st.headings[i])
		b.WriteString(" ")
		for _, p := range paras {
			b.WriteString(p)
		}
	}
	sec(0, prose(r, 1))
	sec(1, nil)
	for _, g := range st.table2(r) {
		b.WriteString(g.head + strings.Join(g.cols, ""))
		for _, row := range g.rows {
			b.WriteString(row.label + labelSpace + run(row.keys))
		}
	}
	sec(2, nil)
	b.WriteString(balanceNote + " 申请人情况 自然人 法人或其他组织 总计 " + strings.Join(st.legalCols(" "), " ") + " ")
	for _, row := range st.table3(r) {
		b.WriteString(strings.Join(row.parts[:], ""))
		b.WriteString(labelSpace + run(t3keys(row.key)))
	}
	sec(3, nil)
	w := strings.Join(st.t4words(), "")
	b.WriteString("行政复议行政诉讼" + w + "未经复议直接起诉复议后起诉" + w + w)
	if t4Spaced {
		b.WriteString(" " + strings.Join(st.nums(r, t4keys()), " ") + " ")
	} else {
		b.WriteString(run(t4keys()))
	}
	b.WriteString("\n")
	sec(4, prose(r, 5))
	sec(5, prose(r, 6))
	b.WriteString("\n")
	return []byte(b.String())
}
