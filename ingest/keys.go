package ingest

// The canonical keys of ../shared/spec/report-format.md. Every machine-readable output
// (JSON, CSV, DuckDB columns) names a cell "table.row.column" with these words.

// Table3Columns are the applicant columns of table 3, in the printed order:
// 自然人, then 法人或其他组织 (商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他), then 总计.
var Table3Columns = []string{"natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"}

// Table3Rows are the row keys of table 3 in the printed order of the 2021 format.
// other_handled (the single-row （六）其他处理) stands where the three other_* rows stand
// in reports that print （六） as one row; see Table3RowsSingleOther.
var Table3Rows = []string{
	"new_received",              // 一、本年新收政府信息公开申请数量
	"carried_over",              // 二、上年结转政府信息公开申请数量
	"disclosed",                 // 三、本年度办理结果 （一）予以公开
	"partly_disclosed",          // （二）部分公开
	"withheld_state_secret",     // （三）不予公开 1.属于国家秘密
	"withheld_law_forbidden",    // 2.其他法律行政法规禁止公开
	"withheld_three_security",   // 3.危及"三安全一稳定"
	"withheld_third_party",      // 4.保护第三方合法权益
	"withheld_internal_affairs", // 5.属于三类内部事务信息
	"withheld_process_info",     // 6.属于四类过程性信息
	"withheld_enforcement_file", // 7.属于行政执法案卷
	"withheld_query_item",       // 8.属于行政查询事项
	"unable_not_held",           // （四）无法提供 1.本机关不掌握相关政府信息
	"unable_need_create",        // 2.没有现成信息需要另行制作
	"unable_unclear",            // 3.补正后申请内容仍不明确
	"refused_petition",          // （五）不予处理 1.信访举报投诉类申请
	"refused_repeated",          // 2.重复申请
	"refused_publication",       // 3.要求提供公开出版物
	"refused_mass_repeated",     // 4.无正当理由大量反复申请
	"refused_confirm_info",      // 5.要求行政机关确认或重新出具已获取信息
	"other_no_supplement",       // （六）其他处理 1.申请人无正当理由逾期不补正…
	"other_no_fee",              // 2.申请人逾期未按收费通知要求缴纳费用…
	"other_other",               // 3.其他
	"total_handled",             // （七）总计
	"carried_forward",           // 四、结转下年度继续办理
}

// Table3RowsSingleOther is the row order of a report that prints （六）其他处理 as one row
// (every 2019-format report, some 2021-format ones).
var Table3RowsSingleOther = func() []string {
	var rows []string
	for _, r := range Table3Rows {
		switch r {
		case "other_no_supplement":
			rows = append(rows, "other_handled")
		case "other_no_fee", "other_other":
		default:
			rows = append(rows, r)
		}
	}
	return rows
}()

// Table3OutcomeRows are the outcome rows whose sum is total_handled (T3-outcome-sum), for the
// three-row （六）; a report with other_handled uses it in place of the three other_* rows.
var Table3OutcomeRows = Table3Rows[2:23]

// Table3OutcomeRowsSingleOther are the outcome rows of a report that prints （六）其他处理 as
// one row: other_handled in place of the three other_* rows.
var Table3OutcomeRowsSingleOther = func() []string {
	var rows []string
	for _, r := range Table3RowsSingleOther {
		switch r {
		case "new_received", "carried_over", "total_handled", "carried_forward":
		default:
			rows = append(rows, r)
		}
	}
	return rows
}()

// Table3OutcomeRowsOf returns the outcome rows whose sum is total_handled for a report of the
// given （六） shape.
func Table3OutcomeRowsOf(singleOther bool) []string {
	if singleOther {
		return Table3OutcomeRowsSingleOther
	}
	return Table3OutcomeRows
}

// Table4Blocks are the three blocks of table 4: 行政复议, 行政诉讼·未经复议直接起诉,
// 行政诉讼·复议后起诉.
var Table4Blocks = []string{"review", "litigation_direct", "litigation_after_review"}

// Table4Columns are the five numbers of each table-4 block: 结果维持, 结果纠正, 其他结果,
// 尚未审结, 总计.
var Table4Columns = []string{"maintained", "corrected", "other", "pending", "total"}

// Table2Keys are the cells of table 2 in the 2021 format, in printed order.
var Table2Keys = []string{
	"table2.regulations.made", "table2.regulations.repealed", "table2.regulations.valid", // 规章
	"table2.normative_documents.made", "table2.normative_documents.repealed", "table2.normative_documents.valid", // 行政规范性文件
	"table2.licensing",  // 第二十条第（五）项 行政许可 本年处理决定数量
	"table2.punishment", // 第二十条第（六）项 行政处罚
	"table2.coercion",   // 第二十条第（六）项 行政强制
	"table2.fees",       // 第二十条第（八）项 行政事业性收费 本年收费金额（万元）
}

// Table2Keys2019 are the cells of table 2 in the 2019 format (国办公开办函〔2019〕60号), kept
// under table2_2019 with keys named after their labels. 本年增/减 (change) may be negative.
var Table2Keys2019 = []string{
	"table2_2019.regulations.new_made", "table2_2019.regulations.new_published", "table2_2019.regulations.total_published", // 规章：本年新制作数量/本年新公开数量/对外公开总数量
	"table2_2019.normative_documents.new_made", "table2_2019.normative_documents.new_published", "table2_2019.normative_documents.total_published", // 规范性文件
	"table2_2019.licensing.last_year", "table2_2019.licensing.change", "table2_2019.licensing.decisions", // 行政许可：上一年项目数量/本年增/减/处理决定数量
	"table2_2019.other_services.last_year", "table2_2019.other_services.change", "table2_2019.other_services.decisions", // 其他对外管理服务事项
	"table2_2019.punishment.last_year", "table2_2019.punishment.change", "table2_2019.punishment.decisions", // 行政处罚
	"table2_2019.coercion.last_year", "table2_2019.coercion.change", "table2_2019.coercion.decisions", // 行政强制
	"table2_2019.fees.last_year", "table2_2019.fees.change", // 行政事业性收费：上一年项目数量/本年增/减
	"table2_2019.procurement.items", "table2_2019.procurement.amount", // 政府集中采购：采购项目数量/采购总金额
}

// Table3Key names a table-3 cell: Table3Key("new_received", "total") = "table3.new_received.total".
// The format's keys are built once: every step asks for the same few hundred per report.
func Table3Key(row, col string) string {
	if k, ok := table3KeyOf[row][col]; ok {
		return k
	}
	return "table3." + row + "." + col
}

// Table4Key names a table-4 cell: "table4.review.total".
func Table4Key(block, col string) string {
	if k, ok := table4KeyOf[block][col]; ok {
		return k
	}
	return "table4." + block + "." + col
}

var (
	table3KeyOf = keyTable("table3.", append(append([]string{}, Table3Rows...), "other_handled"), Table3Columns)
	table4KeyOf = keyTable("table4.", Table4Blocks, Table4Columns)
)

// keyTable builds prefix+row+"."+col for every row and column.
func keyTable(prefix string, rows, cols []string) map[string]map[string]string {
	t := make(map[string]map[string]string, len(rows))
	for _, row := range rows {
		t[row] = make(map[string]string, len(cols))
		for _, col := range cols {
			t[row][col] = prefix + row + "." + col
		}
	}
	return t
}

// CellKeys returns every cell key a report of the given format and （六） shape has, in
// printed order: table 2, table 3 row by row, table 4 block by block.
func CellKeys(format string, singleOther bool) []string {
	var keys []string
	if format == Format2019 {
		keys = append(keys, Table2Keys2019...)
	} else {
		keys = append(keys, Table2Keys...)
	}
	rows := Table3Rows
	if singleOther {
		rows = Table3RowsSingleOther
	}
	for _, r := range rows {
		for _, c := range Table3Columns {
			keys = append(keys, Table3Key(r, c))
		}
	}
	for _, b := range Table4Blocks {
		for _, c := range Table4Columns {
			keys = append(keys, Table4Key(b, c))
		}
	}
	return keys
}

// IsDecimalKey tells whether a cell may hold a decimal (money) rather than a whole count.
func IsDecimalKey(key string) bool {
	return key == "table2.fees" || key == "table2_2019.procurement.amount"
}

// MayBeNegative tells whether a cell may be below zero (the 2019 format's 本年增/减).
func MayBeNegative(key string) bool {
	return len(key) > 7 && key[len(key)-7:] == ".change"
}
