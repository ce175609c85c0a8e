package ingest

import (
	"strconv"
	"strings"
)

// The format's own words for rows, columns and blocks, used in messages so a clerk finds the
// cell in the printed table.

// Label names one row or column of the format: its key, the format's own words (Long, used in
// messages so a clerk finds the cell in the printed table) and, where charts and metric names
// need one, a Short form ("" when the long form is short enough).
type Label struct{ Key, Long, Short string }

// ShortOr returns the short form, or the long one when there is none.
func (l Label) ShortOr() string {
	if l.Short != "" {
		return l.Short
	}
	return l.Long
}

// Table3RowNames names every table-3 row (both （六） shapes), in the printed order.
var Table3RowNames = []Label{
	{"new_received", "一、本年新收政府信息公开申请数量", ""},
	{"carried_over", "二、上年结转政府信息公开申请数量", ""},
	{"disclosed", "三、本年度办理结果（一）予以公开", ""},
	{"partly_disclosed", "（二）部分公开", ""},
	{"withheld_state_secret", "（三）不予公开 1.属于国家秘密", "国家秘密"},
	{"withheld_law_forbidden", "（三）不予公开 2.其他法律行政法规禁止公开", "法律行政法规禁止"},
	{"withheld_three_security", "（三）不予公开 3.危及“三安全一稳定”", "危及三安全一稳定"},
	{"withheld_third_party", "（三）不予公开 4.保护第三方合法权益", "保护第三方合法权益"},
	{"withheld_internal_affairs", "（三）不予公开 5.属于三类内部事务信息", "三类内部事务信息"},
	{"withheld_process_info", "（三）不予公开 6.属于四类过程性信息", "四类过程性信息"},
	{"withheld_enforcement_file", "（三）不予公开 7.属于行政执法案卷", "行政执法案卷"},
	{"withheld_query_item", "（三）不予公开 8.属于行政查询事项", "行政查询事项"},
	{"unable_not_held", "（四）无法提供 1.本机关不掌握相关政府信息", ""},
	{"unable_need_create", "（四）无法提供 2.没有现成信息需要另行制作", ""},
	{"unable_unclear", "（四）无法提供 3.补正后申请内容仍不明确", ""},
	{"refused_petition", "（五）不予处理 1.信访举报投诉类申请", ""},
	{"refused_repeated", "（五）不予处理 2.重复申请", ""},
	{"refused_publication", "（五）不予处理 3.要求提供公开出版物", ""},
	{"refused_mass_repeated", "（五）不予处理 4.无正当理由大量反复申请", ""},
	{"refused_confirm_info", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息", ""},
	{"other_no_supplement", "（六）其他处理 1.申请人无正当理由逾期不补正", ""},
	{"other_no_fee", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用", ""},
	{"other_other", "（六）其他处理 3.其他", ""},
	{"other_handled", "（六）其他处理", ""},
	{"total_handled", "第（七）项总计", ""},
	{"carried_forward", "四、结转下年度继续办理", ""},
}

// Table3ColumnNames names the table-3 columns, in the printed order.
var Table3ColumnNames = []Label{
	{"natural_person", "自然人", ""},
	{"commercial", "商业企业", ""},
	{"research", "科研机构", ""},
	{"social_welfare", "社会公益组织", ""},
	{"legal_service", "法律服务机构", ""},
	{"other_org", "其他（法人或其他组织）", "其他组织"},
	{"total", "总计", ""},
}

// Table3RowLabels names a table-3 row as the format prints it (the long forms of Table3RowNames).
var Table3RowLabels = longLabels(Table3RowNames)

// Table3ColumnLabels names a table-3 column (the long forms of Table3ColumnNames).
var Table3ColumnLabels = longLabels(Table3ColumnNames)

// Applicants are the table-3 applicant columns (every column but the total), in order.
var Applicants = Table3ColumnNames[:len(Table3ColumnNames)-1]

// WithheldReasons are the eight （三）不予公开 rows, in order, with their short forms.
var WithheldReasons = func() []Label {
	var out []Label
	for _, l := range Table3RowNames {
		if strings.HasPrefix(l.Key, "withheld_") {
			out = append(out, l)
		}
	}
	return out
}()

func longLabels(ls []Label) map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Key] = l.Long
	}
	return m
}

// Table4BlockLabels names a table-4 block.
var Table4BlockLabels = map[string]string{
	"review":                  "行政复议",
	"litigation_direct":       "行政诉讼·未经复议直接起诉",
	"litigation_after_review": "行政诉讼·复议后起诉",
}

// Table4ColumnLabels names a table-4 column.
var Table4ColumnLabels = map[string]string{
	"maintained": "结果维持",
	"corrected":  "结果纠正",
	"other":      "其他结果",
	"pending":    "尚未审结",
	"total":      "总计",
}

// Table2ItemLabels names a table-2 item (2021 and 2019 formats).
var Table2ItemLabels = map[string]string{
	"regulations":         "规章",
	"normative_documents": "行政规范性文件",
	"licensing":           "行政许可",
	"punishment":          "行政处罚",
	"coercion":            "行政强制",
	"fees":                "行政事业性收费（万元）",
	"other_services":      "其他对外管理服务事项",
	"procurement":         "政府集中采购",
}

// Table2ColumnLabels names a table-2 column.
var Table2ColumnLabels = map[string]string{
	"made":            "本年制发件数",
	"repealed":        "本年废止件数",
	"valid":           "现行有效件数",
	"new_made":        "本年新制作数量",
	"new_published":   "本年新公开数量",
	"total_published": "对外公开总数量",
	"last_year":       "上一年项目数量",
	"change":          "本年增/减",
	"decisions":       "处理决定数量",
	"items":           "采购项目数量",
	"amount":          "采购总金额",
}

// CellLabel names any cell key in the format's words: "表三 第（七）项总计（自然人）".
func CellLabel(key string) string {
	parts := strings.Split(key, ".")
	switch {
	case len(parts) == 3 && parts[0] == "table3":
		return "表三 " + RowColumnLabel(parts[1], parts[2])
	case len(parts) == 3 && parts[0] == "table4":
		return "表四 " + Table4BlockLabels[parts[1]] + " " + Table4ColumnLabels[parts[2]]
	case len(parts) >= 2 && (parts[0] == "table2" || parts[0] == "table2_2019"):
		s := "表二 " + Table2ItemLabels[parts[1]]
		if len(parts) == 3 {
			s += " " + Table2ColumnLabels[parts[2]]
		}
		return s
	case len(parts) == 2 && parts[0] == "prose":
		// a finding on a prose section (S-copied-prose): the section's heading
		if n, err := strconv.Atoi(parts[1]); err == nil && n >= 1 && n <= len(Headings) {
			return Headings[n-1]
		}
	}
	return key
}

// RowColumnLabel names a table-3 cell without the table: "第（七）项总计（自然人）"; the total column
// is named "总计" after the row ("一、本年新收政府信息公开申请数量 总计").
func RowColumnLabel(row, col string) string {
	if col == "total" {
		if row == "total_handled" {
			return "第（七）项总计的总计列"
		}
		return Table3RowLabels[row] + " 总计"
	}
	return Table3RowLabels[row] + "（" + Table3ColumnLabels[col] + "）"
}

// Levels are the agency levels with their Chinese names, in display order.
var Levels = [][2]string{
	{LevelTownship, "乡镇街道"}, {LevelDepartment, "部门"}, {LevelCounty, "区县政府"}, {LevelCity, "市级"}, {LevelUnknown, "未知"},
}

// Channels are the publication channels of the spec with their Chinese names, in display
// order; total is a stated total of items published, not a channel of its own.
var Channels = [][2]string{
	{"portal", "门户网站"}, {"wechat", "微信公众号"}, {"weibo", "微博"}, {"short_video", "短视频"},
	{"notice_board", "公开栏"}, {"other", "其他渠道"}, {"total", "合计"},
}

// LevelLabel names a level in Chinese (the key itself when unknown).
func LevelLabel(level string) string { return lookup(Levels, level) }

// ChannelLabel names a publication channel in Chinese.
func ChannelLabel(channel string) string { return lookup(Channels, channel) }

func lookup(pairs [][2]string, key string) string {
	for _, p := range pairs {
		if p[0] == key {
			return p[1]
		}
	}
	return key
}

// What storing a file did with it, as gongkai ingest, uploads and their results name it: the
// machine's word (JSON, CSV keys) and the clerk's (OutcomeLabel).
const (
	OutcomeNew       = "new"       // the first report of its organ and year
	OutcomeUnchanged = "unchanged" // these exact bytes were stored before
	OutcomeReplaced  = "replaced"  // another file for an organ and year already stored
	OutcomeFailed    = "failed"    // not stored, with the reason
)

var outcomeLabels = map[string]string{
	OutcomeNew: "新增", OutcomeUnchanged: "未变", OutcomeReplaced: "替换", OutcomeFailed: "失败",
}

// OutcomeLabel is an outcome in the clerk's words (新增, 未变, 替换, 失败); "" for an unknown one.
func OutcomeLabel(outcome string) string { return outcomeLabels[outcome] }
