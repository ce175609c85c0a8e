package ingest

import (
	"strconv"
	"strings"
)

// The official table layout of the annual report (国办公开办函〔2021〕30号 and 〔2019〕60号):
// the printed labels of tables 2, 3 and 4, their row order and their merged header cells, as
// data. The generator prints reports from it, the dashboards show stored reports in it, and the
// consolidated tables (gongkai summary) are written in it; nothing else keeps its own copy.

// Table3BalanceNote is the rule printed in the top-left merged cell of table 3.
const Table3BalanceNote = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

// Table3 header words: 申请人情况 over all seven columns, 法人或其他组织 over the five
// organisation columns.
const (
	Table3ApplicantHeader = "申请人情况"
	Table3LegalHeader     = "法人或其他组织"
)

// Table3ColumnHeaders are the printed headers of table 3's columns, in the order of
// Table3Columns (the five organisation columns sit under 法人或其他组织).
var Table3ColumnHeaders = []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}

// Table3Line is one printed row of table 3 with its label at the template's three levels of
// merged label cells: the section (一、…, 三、本年度办理结果, 四、…), the group （一）…（七）
// and the numbered item inside a group (1.属于国家秘密).
type Table3Line struct {
	Key       string // row key, e.g. withheld_state_secret
	Section   string // 一、本年新收政府信息公开申请数量; for the outcome rows 三、本年度办理结果
	GroupNum  string // 一 … 七, the ordinal of the group in 三、本年度办理结果; empty outside it
	GroupName string // 予以公开, 不予公开 …
	GroupNote string // the bracketed remark after the group's name (（二）部分公开 has one)
	Item      int    // 1-based position inside a group of several rows; 0 when the group is one row
	ItemLabel string // 属于国家秘密; empty when Item is 0
	GroupRows int    // on the first row of a group of several rows: how many rows it has
}

// Group is the group's label as printed: （三）不予公开, （二）部分公开（区分处理的，只计这一情形，不计其他情形）.
func (l Table3Line) Group() string {
	if l.GroupNum == "" {
		return ""
	}
	s := "（" + l.GroupNum + "）" + l.GroupName
	if l.GroupNote != "" {
		s += "（" + l.GroupNote + "）"
	}
	return s
}

// ItemText is the item's label as printed: 1.属于国家秘密 (empty when the row is not an item).
func (l Table3Line) ItemText() string {
	if l.Item == 0 {
		return ""
	}
	return strconv.Itoa(l.Item) + "." + l.ItemLabel
}

// Label is the row's whole label on one line: 三、本年度办理结果（一）予以公开,
// （三）不予公开 1.属于国家秘密, 四、结转下年度继续办理.
func (l Table3Line) Label() string {
	var parts []string
	if l.GroupNum == "" {
		return l.Section
	}
	if l.Key == "disclosed" {
		parts = append(parts, l.Section+l.Group())
	} else {
		parts = append(parts, l.Group())
	}
	if l.Item > 0 {
		parts = append(parts, l.ItemText())
	}
	return strings.Join(parts, " ")
}

const table3Outcomes = "三、本年度办理结果"

// table3Groups are the groups of 三、本年度办理结果 in printed order: ordinal, name, note and
// the rows with their item labels (one row with no item label when the group is one row).
var table3Groups = []struct {
	num, name, note string
	rows            [][2]string // key, item label
}{
	{"一", "予以公开", "", [][2]string{{"disclosed", ""}}},
	{"二", "部分公开", "区分处理的，只计这一情形，不计其他情形", [][2]string{{"partly_disclosed", ""}}},
	{"三", "不予公开", "", [][2]string{
		{"withheld_state_secret", "属于国家秘密"}, {"withheld_law_forbidden", "其他法律行政法规禁止公开"},
		{"withheld_three_security", "危及“三安全一稳定”"}, {"withheld_third_party", "保护第三方合法权益"},
		{"withheld_internal_affairs", "属于三类内部事务信息"}, {"withheld_process_info", "属于四类过程性信息"},
		{"withheld_enforcement_file", "属于行政执法案卷"}, {"withheld_query_item", "属于行政查询事项"}}},
	{"四", "无法提供", "", [][2]string{
		{"unable_not_held", "本机关不掌握相关政府信息"}, {"unable_need_create", "没有现成信息需要另行制作"},
		{"unable_unclear", "补正后申请内容仍不明确"}}},
	{"五", "不予处理", "", [][2]string{
		{"refused_petition", "信访举报投诉类申请"}, {"refused_repeated", "重复申请"},
		{"refused_publication", "要求提供公开出版物"}, {"refused_mass_repeated", "无正当理由大量反复申请"},
		{"refused_confirm_info", "要求行政机关确认或重新出具已获取信息"}}},
	{"六", "其他处理", "", [][2]string{
		{"other_no_supplement", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
		{"other_no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
		{"other_other", "其他"}}},
	{"七", "总计", "", [][2]string{{"total_handled", ""}}},
}

// Table3Lines returns the printed rows of table 3 in order, for the three-row （六）其他处理
// or, with singleOther, the one-row shape (other_handled).
func Table3Lines(singleOther bool) []Table3Line {
	if singleOther {
		return table3LinesSingle
	}
	return table3Lines
}

var table3Lines, table3LinesSingle = buildTable3Lines(false), buildTable3Lines(true)

func buildTable3Lines(single bool) []Table3Line {
	out := []Table3Line{
		{Key: "new_received", Section: "一、本年新收政府信息公开申请数量"},
		{Key: "carried_over", Section: "二、上年结转政府信息公开申请数量"},
	}
	for _, g := range table3Groups {
		rows := g.rows
		if single && g.num == "六" {
			rows = [][2]string{{"other_handled", ""}}
		}
		for i, r := range rows {
			l := Table3Line{Key: r[0], Section: table3Outcomes, GroupNum: g.num, GroupName: g.name, GroupNote: g.note}
			if len(rows) > 1 {
				l.Item, l.ItemLabel = i+1, r[1]
				if i == 0 {
					l.GroupRows = len(rows)
				}
			}
			out = append(out, l)
		}
	}
	return append(out, Table3Line{Key: "carried_forward", Section: "四、结转下年度继续办理"})
}

// Table3LineOf returns the printed row of a table-3 row key (either shape of （六）).
func Table3LineOf(key string) (Table3Line, bool) {
	for _, set := range [][]Table3Line{table3Lines, table3LinesSingle} {
		for _, l := range set {
			if l.Key == key {
				return l, true
			}
		}
	}
	return Table3Line{}, false
}

// Table2Line is one printed row of table 2: its label and the cells it holds, in column order.
type Table2Line struct {
	Label string
	Keys  []string
}

// Table2Group is one block of table 2 as printed: the 第二十条 item it reports on, the column
// headers (信息内容 first) and its rows.
type Table2Group struct {
	Article string // 一, 五, 六, 八, 九: the item of 条例第二十条
	Columns []string
	Rows    []Table2Line
}

// Heading is the block's heading row: 第二十条第（一）项.
func (g Table2Group) Heading() string { return "第二十条第（" + g.Article + "）项" }

// Table2Width is the number of grid columns of table 2 (label and three numbers); a row with
// fewer numbers lets its last one span the rest.
const Table2Width = 4

// Table2Groups returns the blocks of table 2 of a format (Format2021 or Format2019).
func Table2Groups(format string) []Table2Group {
	if format == Format2019 {
		return table2Groups2019
	}
	return table2Groups2021
}

var table2Groups2021 = []Table2Group{
	{"一", []string{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"}, []Table2Line{
		{"规章", []string{"table2.regulations.made", "table2.regulations.repealed", "table2.regulations.valid"}},
		{"行政规范性文件", []string{"table2.normative_documents.made", "table2.normative_documents.repealed", "table2.normative_documents.valid"}}}},
	{"五", []string{"信息内容", "本年处理决定数量"}, []Table2Line{{"行政许可", []string{"table2.licensing"}}}},
	{"六", []string{"信息内容", "本年处理决定数量"}, []Table2Line{
		{"行政处罚", []string{"table2.punishment"}}, {"行政强制", []string{"table2.coercion"}}}},
	{"八", []string{"信息内容", "本年收费金额（单位：万元）"}, []Table2Line{{"行政事业性收费", []string{"table2.fees"}}}},
}

var table2Groups2019 = func() []Table2Group {
	k := func(item string, cols ...string) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = "table2_2019." + item + "." + c
		}
		return out
	}
	items := []string{"last_year", "change", "decisions"}
	counts := []string{"信息内容", "上一年项目数量", "本年增/减", "处理决定数量"}
	return []Table2Group{
		{"一", []string{"信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"}, []Table2Line{
			{"规章", k("regulations", "new_made", "new_published", "total_published")},
			{"规范性文件", k("normative_documents", "new_made", "new_published", "total_published")}}},
		{"五", counts, []Table2Line{{"行政许可", k("licensing", items...)}, {"其他对外管理服务事项", k("other_services", items...)}}},
		{"六", counts, []Table2Line{{"行政处罚", k("punishment", items...)}, {"行政强制", k("coercion", items...)}}},
		{"八", []string{"信息内容", "上一年项目数量", "本年增/减"}, []Table2Line{{"行政事业性收费", k("fees", "last_year", "change")}}},
		{"九", []string{"信息内容", "采购项目数量", "采购总金额"}, []Table2Line{{"政府集中采购", k("procurement", "items", "amount")}}},
	}
}()

// Table 4 header words: the two top headers, the two kinds of lawsuit, the five column words.
const (
	Table4ReviewHeader     = "行政复议"
	Table4LitigationHeader = "行政诉讼"
)

// Table4LitigationHeaders are the headers of the two lawsuit blocks, in the order of
// Table4Blocks[1:].
var Table4LitigationHeaders = []string{"未经复议直接起诉", "复议后起诉"}

// Table4ColumnHeaders are the five printed column words of a table-4 block, in the order of
// Table4Columns.
var Table4ColumnHeaders = []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}

// Table section headings (二、三、四) as the 2021 template prints them.
const (
	HeadingTable2 = "二、主动公开政府信息情况"
	HeadingTable3 = "三、收到和处理政府信息公开申请情况"
	HeadingTable4 = "四、政府信息公开行政复议、行政诉讼情况"
)

// LayoutCell is one cell of a table's grid as the template prints it: a label (Text) or a
// number (Key), placed at its top-left row and column and spanning RowSpan × ColSpan.
type LayoutCell struct {
	Row, Col         int    // 0-based position of the top-left corner
	RowSpan, ColSpan int    // 1 when not merged
	Text             string // the printed label of a label cell
	Key              string // the cell key of a number cell
	Header           bool   // part of the column headers
}

// Layout is a whole table as a grid of merged cells: what HTML (rowspan, colspan), XLSX
// (merged ranges) and DOCX (gridSpan, vMerge) writers need. Every grid position is covered by
// exactly one cell.
type Layout struct {
	Rows, Cols int
	Cells      []LayoutCell // in row-major order of their top-left corners
	Widths     []float64    // column widths in characters, as in the template
}

func (t *Layout) add(c LayoutCell) {
	if c.RowSpan == 0 {
		c.RowSpan = 1
	}
	if c.ColSpan == 0 {
		c.ColSpan = 1
	}
	t.Cells = append(t.Cells, c)
	if c.Row+c.RowSpan > t.Rows {
		t.Rows = c.Row + c.RowSpan
	}
}

// Table2Layout is table 2 of a format as a grid of four columns.
func Table2Layout(format string) Layout {
	t := Layout{Cols: Table2Width, Widths: []float64{24, 18, 18, 18}}
	row := 0
	for _, g := range Table2Groups(format) {
		t.add(LayoutCell{Row: row, ColSpan: Table2Width, Text: g.Heading(), Header: true})
		row++
		for i, c := range g.Columns {
			span := 1
			if i == len(g.Columns)-1 {
				span = Table2Width - i
			}
			t.add(LayoutCell{Row: row, Col: i, ColSpan: span, Text: c, Header: true})
		}
		row++
		for _, r := range g.Rows {
			t.add(LayoutCell{Row: row, Text: r.Label})
			for i, k := range r.Keys {
				span := 1
				if i == len(r.Keys)-1 {
					span = Table2Width - 1 - i
				}
				t.add(LayoutCell{Row: row, Col: 1 + i, ColSpan: span, Key: k})
			}
			row++
		}
	}
	return t
}

// Table3Layout is table 3 as a grid: three label columns, then the seven applicant columns.
func Table3Layout(singleOther bool) Layout {
	t := Layout{Cols: 10, Widths: []float64{14, 12, 34, 8, 8, 8, 10, 10, 8, 8}}
	t.add(LayoutCell{RowSpan: 3, ColSpan: 3, Text: Table3BalanceNote, Header: true})
	t.add(LayoutCell{Col: 3, ColSpan: 7, Text: Table3ApplicantHeader, Header: true})
	t.add(LayoutCell{Row: 1, Col: 3, RowSpan: 2, Text: Table3ColumnHeaders[0], Header: true})
	t.add(LayoutCell{Row: 1, Col: 4, ColSpan: 5, Text: Table3LegalHeader, Header: true})
	t.add(LayoutCell{Row: 1, Col: 9, RowSpan: 2, Text: Table3ColumnHeaders[6], Header: true})
	for i, h := range Table3ColumnHeaders[1:6] {
		t.add(LayoutCell{Row: 2, Col: 4 + i, Text: h, Header: true})
	}
	lines := Table3Lines(singleOther)
	outcomes := 0
	for _, l := range lines {
		if l.GroupNum != "" {
			outcomes++
		}
	}
	for i, l := range lines {
		row := 3 + i
		switch {
		case l.GroupNum == "":
			t.add(LayoutCell{Row: row, ColSpan: 3, Text: l.Section})
		case l.Item == 0:
			if l.Key == "disclosed" {
				t.add(LayoutCell{Row: row, RowSpan: outcomes, Text: l.Section})
			}
			t.add(LayoutCell{Row: row, Col: 1, ColSpan: 2, Text: l.Group()})
		default:
			if l.GroupRows > 0 {
				t.add(LayoutCell{Row: row, Col: 1, RowSpan: l.GroupRows, Text: l.Group()})
			}
			t.add(LayoutCell{Row: row, Col: 2, Text: l.ItemText()})
		}
		for j, c := range Table3Columns {
			t.add(LayoutCell{Row: row, Col: 3 + j, Key: Table3Key(l.Key, c)})
		}
	}
	return t
}

// Table4Layout is table 4 as a grid of fifteen columns: 行政复议 (five), then 行政诉讼 over
// 未经复议直接起诉 (five) and 复议后起诉 (five), and one row of numbers.
func Table4Layout() Layout {
	t := Layout{Cols: 15}
	for range 15 {
		t.Widths = append(t.Widths, 7)
	}
	t.add(LayoutCell{ColSpan: 5, Text: Table4ReviewHeader, Header: true})
	t.add(LayoutCell{Col: 5, ColSpan: 10, Text: Table4LitigationHeader, Header: true})
	for i, w := range Table4ColumnHeaders {
		t.add(LayoutCell{Row: 1, Col: i, RowSpan: 2, Text: w, Header: true})
	}
	for i, h := range Table4LitigationHeaders {
		t.add(LayoutCell{Row: 1, Col: 5 + 5*i, ColSpan: 5, Text: h, Header: true})
	}
	for i := range Table4LitigationHeaders {
		for j, w := range Table4ColumnHeaders {
			t.add(LayoutCell{Row: 2, Col: 5 + 5*i + j, Text: w, Header: true})
		}
	}
	col := 0
	for _, b := range Table4Blocks {
		for _, c := range Table4Columns {
			t.add(LayoutCell{Row: 3, Col: col, Key: Table4Key(b, c)})
			col++
		}
	}
	return t
}

// Headings are the six section headings of the 2021 template, in order.
var Headings = [6]string{"一、总体情况", HeadingTable2, HeadingTable3, HeadingTable4, "五、存在的主要问题及改进情况", "六、其他需要报告的事项"}

// TableLayouts returns the layouts of tables 2, 3 and 4 of a report shape, in order.
func TableLayouts(format string, singleOther bool) [3]Layout {
	return [3]Layout{Table2Layout(format), Table3Layout(singleOther), Table4Layout()}
}

// Grid returns the layout as rows of text, as a flat grid (CSV, Markdown): each merged cell's
// text at its top-left position and "" in the positions it covers; value gives the text of a
// number cell.
func (t Layout) Grid(value func(key string) string) [][]string {
	g := make([][]string, t.Rows)
	for i := range g {
		g[i] = make([]string, t.Cols)
	}
	for _, c := range t.Cells {
		if c.Key != "" {
			g[c.Row][c.Col] = value(c.Key)
		} else {
			g[c.Row][c.Col] = c.Text
		}
	}
	return g
}
