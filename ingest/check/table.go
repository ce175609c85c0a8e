package check

import (
	"fmt"
	"strings"

	"gongkai/ingest"
)

// The arithmetic of tables 3 and 4 (errors). A rule with an unread operand is skipped.

// balance is T3-balance, per column: 一 + 二 = 第（七）项 + 四 (the rule printed above table 3:
// 第一项加第二项之和，等于第三项加第四项之和). The finding names 四、结转下年度 as the cell
// to correct (expected = 一 + 二 − 第（七）项), or 第（七）项总计 when that would be negative.
func balance(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	rows := [4][]int{
		c.ks.table3["new_received"], c.ks.table3["carried_over"],
		c.ks.table3["total_handled"], c.ks.table3["carried_forward"],
	}
	for ci, col := range ingest.Table3Columns {
		var v [4]float64
		ok := true
		for i := range v {
			if v[i], ok = c.at(rows[i][ci]); !ok {
				break
			}
		}
		if !ok {
			continue
		}
		in, outSide := v[0]+v[1], v[2]+v[3]
		if same(in, outSide) {
			continue
		}
		cell, exp, act := ingest.Table3Key("carried_forward", col), in-v[2], v[3]
		if exp < 0 {
			cell, exp, act = ingest.Table3Key("total_handled", col), in-v[3], v[2]
		}
		msg := fmt.Sprintf("表三%s列不平衡：一、本年新收 %s 加 二、上年结转 %s 共 %s，应等于第（七）项总计 %s 加 四、结转下年度继续办理 %s（报告合计 %s）；%s应为 %s，报告为 %s",
			table3ColLabel[col], num(v[0]), num(v[1]), num(in), num(v[2]), num(v[3]), num(outSide),
			shortLabel(cell), num(exp), num(act))
		out = append(out, withLine(r, finding(ingest.RuleBalance, cell, ingest.Num(exp), ingest.Num(act), msg)))
	}
	return out
}

// shortLabel names a table-3 cell briefly for the end of a balance message.
func shortLabel(key string) string {
	row, col := splitTable3(key)
	return rowCol(row, col)
}

func splitTable3(key string) (row, col string) {
	parts := strings.SplitN(key, ".", 3)
	if len(parts) != 3 {
		return key, ""
	}
	return parts[1], parts[2]
}

// rowTotal is T3-row-total, per row: 总计 = the six applicant columns added up.
func rowTotal(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	rows := ingest.Table3Rows
	if r.SingleOther {
		rows = ingest.Table3RowsSingleOther
	}
	for ri, row := range rows {
		idx := c.ks.rows[ri] // the six applicant columns, then 总计
		exp, ok := c.sum(idx[:len(idx)-1])
		if !ok {
			continue
		}
		total, ok := c.at(idx[len(idx)-1])
		if !ok {
			continue
		}
		totalKey := ingest.Table3Key(row, "total")
		if same(exp, total) {
			continue
		}
		msg := fmt.Sprintf("表三 %s应为 %s（自然人与法人或其他组织五列之和），报告为 %s",
			rowCol(row, "total"), num(exp), num(total))
		out = append(out, withLine(r, finding(ingest.RuleRowTotal, totalKey, ingest.Num(exp), ingest.Num(total), msg)))
	}
	return out
}

// outcomeSum is T3-outcome-sum, per column: 第（七）项总计 = the sum of the outcome rows
// （一） through （六）.
func outcomeSum(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	rows := outcomeRows(r)
	idx := make([][]int, len(rows))
	for i, row := range rows {
		idx[i] = c.ks.table3[row]
	}
	handled := c.ks.table3["total_handled"]
	for ci, col := range ingest.Table3Columns {
		var exp float64
		ok := true
		for _, row := range idx {
			var v float64
			if v, ok = c.at(row[ci]); !ok {
				break
			}
			exp += v
		}
		if !ok {
			continue
		}
		total, ok := c.at(handled[ci])
		if !ok {
			continue
		}
		totalKey := ingest.Table3Key("total_handled", col)
		if same(exp, total) {
			continue
		}
		msg := fmt.Sprintf("表三 第（七）项总计（%s）应为 %s（（一）至（六）各项办理结果之和），报告为 %s",
			table3ColLabel[col], num(exp), num(total))
		out = append(out, withLine(r, finding(ingest.RuleOutcomeSum, totalKey, ingest.Num(exp), ingest.Num(total), msg)))
	}
	return out
}

// blockTotal is T4-block-total, per block: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
func blockTotal(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	for bi, b := range ingest.Table4Blocks {
		idx := c.ks.blocks[bi] // 结果维持, 结果纠正, 其他结果, 尚未审结, then 总计
		exp, ok := c.sum(idx[:len(idx)-1])
		if !ok {
			continue
		}
		total, ok := c.at(idx[len(idx)-1])
		if !ok {
			continue
		}
		totalKey := ingest.Table4Key(b, "total")
		if same(exp, total) {
			continue
		}
		msg := fmt.Sprintf("表四 %s 总计应为 %s（结果维持、结果纠正、其他结果、尚未审结之和），报告为 %s",
			table4BlockLabel[b], num(exp), num(total))
		out = append(out, withLine(r, finding(ingest.RuleBlockTotal, totalKey, ingest.Num(exp), ingest.Num(total), msg)))
	}
	return out
}
