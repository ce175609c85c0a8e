package analytics

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"gongkai/ingest"
)

// The writers of a Summary: HTML, Markdown, CSV, XLSX and DOCX, every one in the official
// layout (ingest.Table2Layout, Table3Layout, Table4Layout) with the six sections of the format,
// so that gongkai parse reads the numbers back. The prose sections carry what the sum stands
// on: 一 the organs added and the rule against double counting, 五 the organs whose own report
// has errors or unread cells and the rules the sum breaks, 六 the notes and the empty cells.

// SummaryFormats are the file formats WriteSummary writes.
var SummaryFormats = []string{"html", "md", "csv", "xlsx", "docx"}

// WriteSummary writes s in format (html, md, csv, xlsx or docx).
func WriteSummary(w io.Writer, s *Summary, format string) error {
	switch format {
	case "html":
		_, err := io.WriteString(w, SummaryPage(s))
		return err
	case "md", "markdown":
		_, err := io.WriteString(w, SummaryMarkdown(s))
		return err
	case "csv":
		return WriteSummaryCSV(w, s)
	case "xlsx":
		return WriteSummaryXLSX(w, s)
	case "docx":
		return WriteSummaryDOCX(w, s)
	}
	return fmt.Errorf("汇总：不支持的格式 %q（可用：%s）", format, strings.Join(SummaryFormats, "、"))
}

// unreadText is what an empty cell of the sum shows (no digits: a reader must not take it for a number).
const unreadText = "未能读取"

// cellText is a sum cell as printed.
func (s *Summary) cellText(key string) string {
	c := s.Cells[key]
	if c.Value == nil {
		return unreadText
	}
	return ingest.FormatValue(*c.Value)
}

// cellNote says which organs a cell is missing from ("3 个单位未能读取：甲、乙、丙"), "" when none.
func (s *Summary) cellNote(key string) string {
	c := s.Cells[key]
	if len(c.Unread) == 0 {
		return ""
	}
	var unread []string
	for _, n := range c.Unread {
		if !slices.Contains(c.Excluded, n) {
			unread = append(unread, n)
		}
	}
	var out []string
	if len(unread) > 0 {
		out = append(out, fmt.Sprintf("%d 个单位未能读取：%s", len(unread), strings.Join(unread, "、")))
	}
	if len(c.Excluded) > 0 {
		out = append(out, fmt.Sprintf("%d 个单位的数值不合常理、未计入：%s", len(c.Excluded), strings.Join(c.Excluded, "、")))
	}
	return strings.Join(out, "；")
}

func (s *Summary) layouts() [3]ingest.Layout { return ingest.TableLayouts(s.Format, s.SingleOther) }

func names(gs []SummaryOrgan) string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Name
	}
	return strings.Join(out, "、")
}

// Section1 is the prose of 一、总体情况: scope, the organs added, the rule against double
// counting, the aggregates left out and the organs expected but missing.
func (s *Summary) Section1() []string {
	out := []string{fmt.Sprintf("本表汇总%s%d年政府信息公开工作年度报告的表二、表三、表四（范围：%s），计入 %d 个单位。",
		s.District, s.Year, s.Scope, len(s.Included))}
	if len(s.Included) > 0 {
		out = append(out, "计入的单位："+names(s.Included)+"。")
	}
	out = append(out, s.Rule)
	for _, g := range s.Aggregates {
		out = append(out, "未计入的汇总报告："+g.Name+"（"+g.Note+"）。")
	}
	if len(s.Missing) > 0 {
		out = append(out, fmt.Sprintf("应报未报的单位（%d 个，单位名录）：%s。", len(s.Missing), names(s.Missing)))
	} else {
		out = append(out, "单位名录中的应报单位均已计入或列明。")
	}
	return out
}

// Section5 is the prose of 五: the organs whose own report has errors or unread cells, and
// the rules the sum breaks because of which organs.
func (s *Summary) Section5() []string {
	var out []string
	if len(s.Flawed) == 0 {
		out = append(out, "计入的各单位报告均无错误、无未能读取的单元格。")
	} else {
		out = append(out, fmt.Sprintf("以下 %d 个单位的报告本身有错误或未能读取的单元格，汇总数据以其为基础：", len(s.Flawed)))
		for _, g := range s.Flawed {
			var why []string
			if len(g.Errors) > 0 {
				why = append(why, "错误："+strings.Join(g.Errors, "、"))
			}
			if g.Unread > 0 {
				why = append(why, fmt.Sprintf("%d 个单元格未能读取", g.Unread))
			}
			out = append(out, g.Name+"（"+strings.Join(why, "；")+"）。")
		}
	}
	if len(s.Findings) == 0 {
		out = append(out, "汇总表满足全部勾稽关系。")
	}
	for _, f := range s.Findings {
		line := "汇总表不满足 " + f.Rule + "：" + f.Message
		if len(f.Organs) > 0 {
			line += "（源于 " + strings.Join(f.Organs, "、") + " 的报告）"
		}
		out = append(out, line+"。")
	}
	return out
}

// Section6 is the prose of 六: the notes and every empty cell with the organs it lacks.
func (s *Summary) Section6() []string {
	out := append([]string{}, s.Notes...)
	for _, k := range s.Keys() {
		if n := s.cellNote(k); n != "" {
			state := "本栏为空"
			if s.Cells[k].Value != nil {
				state = "本栏只加了能读取的单位"
			}
			out = append(out, ingest.CellLabel(k)+"："+n+"，"+state+"。")
		}
	}
	return out
}

// sections returns the prose of sections 1, 5 and 6 by number.
func (s *Summary) sections() map[int][]string {
	return map[int][]string{0: s.Section1(), 4: s.Section5(), 5: s.Section6()}
}

// SummaryTables is the HTML of the three tables with their headings (for a page of the
// dashboards): rowspan and colspan as in the template, an empty cell titled with the organs
// it lacks.
func SummaryTables(s *Summary) string {
	var b strings.Builder
	for i, l := range s.layouts() {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", html.EscapeString(ingest.Headings[i+1]))
		s.htmlTable(&b, l)
	}
	return b.String()
}

func (s *Summary) htmlTable(b *strings.Builder, l ingest.Layout) {
	b.WriteString(`<table class="data official" border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse">` + "\n<tbody>\n")
	row := -1
	for _, c := range l.Cells {
		if c.Row != row {
			if row >= 0 {
				b.WriteString("</tr>\n")
			}
			for row++; row < c.Row; row++ {
				b.WriteString("<tr></tr>\n")
			}
			b.WriteString("<tr>")
		}
		tag := "td"
		if c.Header {
			tag = "th"
		}
		b.WriteString("<" + tag)
		if c.RowSpan > 1 {
			fmt.Fprintf(b, ` rowspan="%d"`, c.RowSpan)
		}
		if c.ColSpan > 1 {
			fmt.Fprintf(b, ` colspan="%d"`, c.ColSpan)
		}
		text := c.Text
		if c.Key != "" {
			text = s.cellText(c.Key)
			class := "num"
			if s.Cells[c.Key].Value == nil {
				class += " error"
			}
			fmt.Fprintf(b, ` class="%s" id="%s"`, class, html.EscapeString(c.Key))
			if n := s.cellNote(c.Key); n != "" {
				fmt.Fprintf(b, ` title="%s"`, html.EscapeString(n))
			}
		}
		b.WriteString(">" + html.EscapeString(text) + "</" + tag + ">")
	}
	b.WriteString("</tr>\n</tbody>\n</table>\n")
}

// SummaryPage is the summary as a whole HTML page.
func SummaryPage(s *Summary) string {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", esc(s.Title))
	b.WriteString("<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #333;padding:2px 6px;text-align:center}td.num{text-align:right}td.error{color:#b00}</style>\n</head>\n<body>\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n", esc(s.Title))
	prose := s.sections()
	ls := s.layouts()
	for i, h := range ingest.Headings {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", esc(h))
		for _, p := range prose[i] {
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		}
		if i >= 1 && i <= 3 {
			s.htmlTable(&b, ls[i-1])
		}
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// SummaryMarkdown is the summary as Markdown: pipe tables of the template's grid (a merged
// cell's text at its top-left position), ## headings for the six sections.
func SummaryMarkdown(s *Summary) string {
	var b strings.Builder
	b.WriteString("# " + s.Title + "\n\n")
	prose := s.sections()
	ls := s.layouts()
	for i, h := range ingest.Headings {
		b.WriteString("## " + h + "\n\n")
		for _, p := range prose[i] {
			b.WriteString(p + "\n\n")
		}
		if i >= 1 && i <= 3 {
			for ri, row := range ls[i-1].Grid(s.cellText) {
				for j := range row {
					row[j] = strings.ReplaceAll(row[j], "|", "｜")
				}
				b.WriteString("| " + strings.Join(row, " | ") + " |\n")
				if ri == 0 {
					b.WriteString("|" + strings.Repeat("---|", len(row)) + "\n")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// WriteSummaryCSV writes the summary as CSV (UTF-8 with BOM): the title, then each table's
// grid under its heading, then the prose lines.
func WriteSummaryCSV(w io.Writer, s *Summary) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{s.Title})
	prose := s.sections()
	ls := s.layouts()
	for i, h := range ingest.Headings {
		cw.Write([]string{h})
		for _, p := range prose[i] {
			cw.Write([]string{p})
		}
		if i >= 1 && i <= 3 {
			for _, row := range ls[i-1].Grid(s.cellText) {
				cw.Write(row)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// summarySheets are the XLSX sheet names of tables 2, 3 and 4.
var summarySheets = [3]string{"表二 主动公开", "表三 依申请公开", "表四 复议诉讼"}

// WriteSummaryXLSX writes the summary as a workbook: one sheet a table with the template's
// merged cells, borders and column widths (numbers stay numbers; an empty cell says 未能读取 and
// carries a comment naming the organs), and a sheet 说明 with the prose.
func WriteSummaryXLSX(w io.Writer, s *Summary) error {
	f := excelize.NewFile()
	defer f.Close()
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	label, err := f.NewStyle(&excelize.Style{Border: border, Alignment: center})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Border: border, Alignment: center, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	number, err := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	if err != nil {
		return err
	}
	missing, err := f.NewStyle(&excelize.Style{Border: border, Alignment: center, Font: &excelize.Font{Color: "B00000"}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Alignment: center, Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	name := func(col, row int) string { n, _ := excelize.CoordinatesToCellName(col, row); return n }
	for ti, l := range s.layouts() {
		sheet := summarySheets[ti]
		if ti == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		for c, wd := range l.Widths {
			col, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetColWidth(sheet, col, col, wd); err != nil {
				return err
			}
		}
		f.SetCellValue(sheet, "A1", s.Title)
		f.SetCellValue(sheet, "A2", ingest.Headings[ti+1])
		for _, r := range []int{1, 2} {
			f.MergeCell(sheet, name(1, r), name(l.Cols, r))
			f.SetCellStyle(sheet, name(1, r), name(l.Cols, r), title)
		}
		const top = 3 // grid row 0 is sheet row 3
		for _, c := range l.Cells {
			tl, br := name(c.Col+1, c.Row+top), name(c.Col+c.ColSpan, c.Row+c.RowSpan+top-1)
			style := label
			if c.Header {
				style = head
			}
			switch {
			case c.Key == "":
				f.SetCellStr(sheet, tl, c.Text)
			case s.Cells[c.Key].Value == nil:
				f.SetCellStr(sheet, tl, unreadText)
				style = missing
			default:
				f.SetCellFloat(sheet, tl, *s.Cells[c.Key].Value, -1, 64)
				style = number
			}
			if c.Key != "" {
				if n := s.cellNote(c.Key); n != "" {
					f.AddComment(sheet, excelize.Comment{Cell: tl, Author: "gongkai", Paragraph: []excelize.RichTextRun{{Text: n}}})
				}
			}
			if c.RowSpan > 1 || c.ColSpan > 1 {
				if err := f.MergeCell(sheet, tl, br); err != nil {
					return err
				}
			}
			if err := f.SetCellStyle(sheet, tl, br, style); err != nil {
				return err
			}
		}
	}
	notes := "说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	f.SetColWidth(notes, "A", "A", 120)
	row := 1
	put := func(text string) {
		f.SetCellStr(notes, name(1, row), text)
		row++
	}
	put(s.Title)
	prose := s.sections()
	for _, i := range []int{0, 4, 5} {
		put(ingest.Headings[i])
		for _, p := range prose[i] {
			put(p)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// WriteSummaryDOCX writes the summary as a Word document (archive/zip + WordprocessingML):
// the title, the six sections, the tables with gridSpan and vMerge as in the template.
func WriteSummaryDOCX(w io.Writer, s *Summary) error {
	var body bytes.Buffer
	para := func(text string, bold bool, size int) {
		body.WriteString("<w:p><w:pPr><w:jc w:val=\"")
		if size > 0 {
			body.WriteString("center")
		} else {
			body.WriteString("both")
		}
		body.WriteString("\"/></w:pPr><w:r>")
		if bold || size > 0 {
			body.WriteString("<w:rPr>")
			if bold {
				body.WriteString("<w:b/>")
			}
			if size > 0 {
				fmt.Fprintf(&body, `<w:sz w:val="%d"/>`, size)
			}
			body.WriteString("</w:rPr>")
		}
		body.WriteString(`<w:t xml:space="preserve">`)
		xml.EscapeText(&body, []byte(text))
		body.WriteString("</w:t></w:r></w:p>")
	}
	para(s.Title, true, 32)
	prose := s.sections()
	ls := s.layouts()
	for i, h := range ingest.Headings {
		para(h, true, 0)
		for _, p := range prose[i] {
			para(p, false, 0)
		}
		if i >= 1 && i <= 3 {
			docxTable(&body, ls[i-1], s)
			para("", false, 0)
		}
	}
	body.WriteString(`<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`)
	zw := zip.NewWriter(w)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`},
	}
	for _, file := range files {
		fw, err := zw.Create(file.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, file.body); err != nil {
			return err
		}
	}
	return zw.Close()
}

// docxTable writes one layout as a w:tbl: a merged cell is one w:tc with w:gridSpan, and the
// rows below it that it spans hold a w:tc with w:vMerge (continue) of the same span.
func docxTable(b *bytes.Buffer, l ingest.Layout, s *Summary) {
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(b, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>`, side)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	total := 0.0
	for _, wd := range l.Widths {
		total += wd
	}
	for _, wd := range l.Widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, int(wd/total*14570))
	}
	b.WriteString("</w:tblGrid>")
	// start[r][c] is the cell whose top-left corner is (r, c); under[r][c] the cell covering (r, c).
	start := map[[2]int]ingest.LayoutCell{}
	under := map[[2]int]ingest.LayoutCell{}
	for _, c := range l.Cells {
		start[[2]int{c.Row, c.Col}] = c
		for r := c.Row; r < c.Row+c.RowSpan; r++ {
			under[[2]int{r, c.Col}] = c
		}
	}
	for r := 0; r < l.Rows; r++ {
		b.WriteString("<w:tr>")
		for col := 0; col < l.Cols; {
			c, ok := under[[2]int{r, col}]
			if !ok {
				col++ // covered by a cell starting to its left
				continue
			}
			b.WriteString("<w:tc><w:tcPr>")
			if c.ColSpan > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, c.ColSpan)
			}
			_, first := start[[2]int{r, col}]
			switch {
			case c.RowSpan > 1 && first:
				b.WriteString(`<w:vMerge w:val="restart"/>`)
			case c.RowSpan > 1:
				b.WriteString(`<w:vMerge/>`)
			}
			b.WriteString(`<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>`)
			if first {
				text := c.Text
				if c.Key != "" {
					text = s.cellText(c.Key)
				}
				b.WriteString("<w:r>")
				if c.Header {
					b.WriteString("<w:rPr><w:b/></w:rPr>")
				}
				b.WriteString(`<w:t xml:space="preserve">`)
				xml.EscapeText(b, []byte(text))
				b.WriteString("</w:t></w:r>")
			}
			b.WriteString("</w:p></w:tc>")
			col += c.ColSpan
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
}
