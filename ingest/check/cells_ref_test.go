package check

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"gongkai/ingest"
)

// The rules of tables 3 and 4 and the value rules read the cells once, by position
// (keys.go). This file keeps the versions they replaced, reading each cell by key, as the
// reference, and checks that Report gives exactly the findings of the reference rules on
// parsed generated reports and on copies of them with cells unread, negative, fractional or
// off by one.

// refReport is Report with the reference rules.
func refReport(r *ingest.Report) {
	rules := []func(r *ingest.Report) []ingest.Finding{
		refUnreadable, refNegative, refNotInteger, refBalance, refRowTotal, refOutcomeSum, refBlockTotal,
		regulationsTownship, feesUnit, applications, reviewLitigation, late,
	}
	for _, rule := range rules {
		for _, f := range rule(r) {
			if !has(r.Findings, f) {
				r.Findings = append(r.Findings, f)
			}
		}
	}
}

func TestCellRulesMatchReference(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for n, r := range parsedCorpus(t, 8) {
		for round := 0; round < 4; round++ {
			a, b := copyReport(r), copyReport(r)
			if round > 0 { // disturb a few cells the same way in both
				keys := a.Keys()
				for i := 0; i < 1+rng.Intn(6); i++ {
					k := keys[rng.Intn(len(keys))]
					var v *float64
					switch rng.Intn(4) {
					case 0: // unread
					case 1:
						v = ingest.Num(-1)
					case 2:
						v = ingest.Num(2.5)
					default:
						x, _ := a.Value(k)
						v = ingest.Num(x + 1)
					}
					a.Cells.Set(k, ingest.Cell{Value: v, Src: a.Cells.Of(k).Src})
					b.Cells.Set(k, ingest.Cell{Value: v, Src: b.Cells.Of(k).Src})
				}
			}
			refReport(a)
			Report(b)
			if !reflect.DeepEqual(a.Findings, b.Findings) {
				t.Fatalf("report %d (%s) round %d: findings differ\nwant:%s\ngot:%s", n, r.Source, round, describe(a.Findings), describe(b.Findings))
			}
		}
	}
}

// copyReport copies r's cells and findings (the parts Report reads and writes).
func copyReport(r *ingest.Report) *ingest.Report {
	c := *r
	c.Cells = ingest.MakeCells(0)
	for k, v := range r.Cells.All() {
		c.Cells.Set(k, v)
	}
	c.Findings = append([]ingest.Finding(nil), r.Findings...)
	return &c
}

func refUnreadable(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	nilKey := func(k string) bool {
		c, ok := r.Cells.Get(k)
		return !ok || c.Value == nil
	}
	// Group the keys by row (table3.row, table4.block, table2.item).
	var groups [][]string
	var last string
	for _, k := range r.Keys() {
		p := k[:strings.LastIndex(k, ".")]
		if strings.Count(k, ".") == 1 { // table2.licensing
			p = k
		}
		if p != last || len(groups) == 0 {
			groups = append(groups, nil)
			last = p
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], k)
	}
	for _, g := range groups {
		var missing []string
		for _, k := range g {
			if nilKey(k) && !covered(r.Findings, k) {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if len(missing) == len(g) && len(g) > 1 {
			row := g[0][:strings.LastIndex(g[0], ".")]
			label := cellLabel(g[0])
			if i := strings.LastIndex(label, " "); i > 0 {
				label = label[:i]
			}
			if strings.HasPrefix(row, "table3.") {
				r3, _ := splitTable3(g[0])
				label = "表三 " + table3RowLabel[r3]
			}
			out = append(out, finding(ingest.RuleUnreadable, row, nil, nil,
				fmt.Sprintf("%s 整行未能读出（缺失或无法识别），未按 0 处理，请核对原表", label)))
			continue
		}
		for _, k := range missing {
			out = append(out, finding(ingest.RuleUnreadable, k, nil, nil,
				fmt.Sprintf("%s 未能读出（空白或无法识别），未按 0 处理，请核对原表", cellLabel(k))))
		}
	}
	return out
}

func refNegative(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	for _, k := range r.Keys() {
		v, ok := r.Value(k)
		if !ok || v >= 0 || ingest.MayBeNegative(k) {
			continue
		}
		msg := fmt.Sprintf("%s 为 %s，件数不能为负数，应不小于 0", cellLabel(k), num(v))
		out = append(out, withLine(r, finding(ingest.RuleNegative, k, ingest.Num(0), ingest.Num(v), msg)))
	}
	return out
}

func refNotInteger(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	for _, k := range r.Keys() {
		v, ok := r.Value(k)
		if !ok || ingest.IsDecimalKey(k) || v == math.Trunc(v) {
			continue
		}
		msg := fmt.Sprintf("%s 为 %s，件数应为整数", cellLabel(k), num(v))
		out = append(out, withLine(r, finding(ingest.RuleNotInteger, k, nil, ingest.Num(v), msg)))
	}
	return out
}

func refBalance(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	for _, col := range ingest.Table3Columns {
		keys := []string{
			ingest.Table3Key("new_received", col), ingest.Table3Key("carried_over", col),
			ingest.Table3Key("total_handled", col), ingest.Table3Key("carried_forward", col),
		}
		v, ok := refVals(r, keys...)
		if !ok {
			continue
		}
		in, outSide := v[0]+v[1], v[2]+v[3]
		if same(in, outSide) {
			continue
		}
		cell, exp, act := keys[3], in-v[2], v[3]
		if exp < 0 {
			cell, exp, act = keys[2], in-v[3], v[2]
		}
		msg := fmt.Sprintf("表三%s列不平衡：一、本年新收 %s 加 二、上年结转 %s 共 %s，应等于第（七）项总计 %s 加 四、结转下年度继续办理 %s（报告合计 %s）；%s应为 %s，报告为 %s",
			table3ColLabel[col], num(v[0]), num(v[1]), num(in), num(v[2]), num(v[3]), num(outSide),
			shortLabel(cell), num(exp), num(act))
		out = append(out, withLine(r, finding(ingest.RuleBalance, cell, ingest.Num(exp), ingest.Num(act), msg)))
	}
	return out
}

func refRowTotal(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	rows := ingest.Table3Rows
	if r.SingleOther {
		rows = ingest.Table3RowsSingleOther
	}
	cols := ingest.Table3Columns[:len(ingest.Table3Columns)-1]
	for _, row := range rows {
		keys := make([]string, len(cols))
		for i, c := range cols {
			keys[i] = ingest.Table3Key(row, c)
		}
		parts, ok := refVals(r, keys...)
		if !ok {
			continue
		}
		totalKey := ingest.Table3Key(row, "total")
		total, ok := r.Value(totalKey)
		if !ok {
			continue
		}
		exp := refSum(parts)
		if same(exp, total) {
			continue
		}
		msg := fmt.Sprintf("表三 %s应为 %s（自然人与法人或其他组织五列之和），报告为 %s",
			rowCol(row, "total"), num(exp), num(total))
		out = append(out, withLine(r, finding(ingest.RuleRowTotal, totalKey, ingest.Num(exp), ingest.Num(total), msg)))
	}
	return out
}

func refOutcomeSum(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	rows := refOutcomeRows(r)
	for _, col := range ingest.Table3Columns {
		keys := make([]string, len(rows))
		for i, row := range rows {
			keys[i] = ingest.Table3Key(row, col)
		}
		parts, ok := refVals(r, keys...)
		if !ok {
			continue
		}
		totalKey := ingest.Table3Key("total_handled", col)
		total, ok := r.Value(totalKey)
		if !ok {
			continue
		}
		exp := refSum(parts)
		if same(exp, total) {
			continue
		}
		msg := fmt.Sprintf("表三 第（七）项总计（%s）应为 %s（（一）至（六）各项办理结果之和），报告为 %s",
			table3ColLabel[col], num(exp), num(total))
		out = append(out, withLine(r, finding(ingest.RuleOutcomeSum, totalKey, ingest.Num(exp), ingest.Num(total), msg)))
	}
	return out
}

func refBlockTotal(r *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	for _, b := range ingest.Table4Blocks {
		parts, ok := refVals(r, ingest.Table4Key(b, "maintained"), ingest.Table4Key(b, "corrected"),
			ingest.Table4Key(b, "other"), ingest.Table4Key(b, "pending"))
		if !ok {
			continue
		}
		totalKey := ingest.Table4Key(b, "total")
		total, ok := r.Value(totalKey)
		if !ok {
			continue
		}
		exp := refSum(parts)
		if same(exp, total) {
			continue
		}
		msg := fmt.Sprintf("表四 %s 总计应为 %s（结果维持、结果纠正、其他结果、尚未审结之和），报告为 %s",
			table4BlockLabel[b], num(exp), num(total))
		out = append(out, withLine(r, finding(ingest.RuleBlockTotal, totalKey, ingest.Num(exp), ingest.Num(total), msg)))
	}
	return out
}

func refVals(r *ingest.Report, keys ...string) ([]float64, bool) {
	out := make([]float64, len(keys))
	for i, k := range keys {
		v, ok := r.Value(k)
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

func refSum(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s
}

func refOutcomeRows(r *ingest.Report) []string {
	if !r.SingleOther {
		return ingest.Table3OutcomeRows
	}
	var rows []string
	for _, row := range ingest.Table3RowsSingleOther {
		switch row {
		case "new_received", "carried_over", "total_handled", "carried_forward":
		default:
			rows = append(rows, row)
		}
	}
	return rows
}
