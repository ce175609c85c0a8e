package check

import (
	"fmt"
	"math"
	"strings"

	"gongkai/ingest"
)

// Value rules (V-*, errors) and the plausibility rules of table 2 (Q-*, warnings).

// unreadable is V-unreadable for cells left nil without a finding saying so (the parser adds
// its own, with the place in the text; this is the safety net for reports built elsewhere,
// e.g. read back from JSON). A row or block entirely unread gets one finding naming the row
// ("table3.carried_forward"); a V-unreadable or V-missing-section finding already naming the
// cell, its row or its table covers it.
func unreadable(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	at := 0                         // position of the group's first key
	for _, g := range c.ks.groups { // by row (table3.row, table4.block, table2.item)
		var missing []string
		for i, k := range g {
			if c.v[at+i] == nil && !covered(r.Findings, k) {
				missing = append(missing, k)
			}
		}
		at += len(g)
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

// covered tells whether a V-unreadable or V-missing-section finding already speaks of key:
// the same cell, a list of cells holding it, its row or table as a prefix, or a missing
// section with no cell (the whole report is cut off).
func covered(fs []ingest.Finding, key string) bool {
	for _, f := range fs {
		if f.Rule != ingest.RuleUnreadable && f.Rule != ingest.RuleMissingSection {
			continue
		}
		if f.Cell == "" {
			if f.Rule == ingest.RuleMissingSection {
				return true
			}
			continue
		}
		for _, c := range strings.FieldsFunc(f.Cell, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if c == key || strings.HasPrefix(key, c+".") {
				return true
			}
		}
	}
	return false
}

// negative is V-negative: a count below zero (the 2019 format's 本年增/减 may be negative).
func negative(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	for i, k := range c.ks.keys {
		v, ok := c.at(i)
		if !ok || v >= 0 || ingest.MayBeNegative(k) {
			continue
		}
		msg := fmt.Sprintf("%s 为 %s，件数不能为负数，应不小于 0", cellLabel(k), num(v))
		out = append(out, withLine(r, finding(ingest.RuleNegative, k, ingest.Num(0), ingest.Num(v), msg)))
	}
	return out
}

// notInteger is V-not-integer: a count with a fractional part (money cells may be decimal).
func notInteger(r *ingest.Report, c *cells) []ingest.Finding {
	var out []ingest.Finding
	for i, k := range c.ks.keys {
		v, ok := c.at(i)
		if !ok || ingest.IsDecimalKey(k) || v == math.Trunc(v) {
			continue
		}
		msg := fmt.Sprintf("%s 为 %s，件数应为整数", cellLabel(k), num(v))
		out = append(out, withLine(r, finding(ingest.RuleNotInteger, k, nil, ingest.Num(v), msg)))
	}
	return out
}

// regulationsTownship is Q-regulations-township: 乡镇、街道 have no power to make 规章, so a
// township reporting 规章 made, repealed or in force has most likely filled in its
// 行政规范性文件 (or its county's 规章) on the wrong row.
func regulationsTownship(r *ingest.Report) []ingest.Finding {
	if levelOf(r) != ingest.LevelTownship {
		return nil
	}
	keys := []string{"table2.regulations.made", "table2.regulations.repealed", "table2.regulations.valid"}
	if r.Format == ingest.Format2019 {
		keys = []string{"table2_2019.regulations.new_made"}
	}
	var out []ingest.Finding
	for _, k := range keys {
		v, ok := r.Value(k)
		if !ok || v == 0 {
			continue
		}
		msg := fmt.Sprintf("%s 为 %s：乡镇（街道）无权制定规章，应为 0，请核对是否填错行（行政规范性文件）", cellLabel(k), num(v))
		out = append(out, withLine(r, finding(ingest.RuleRegulationsTownship, k, ingest.Num(0), ingest.Num(v), msg)))
	}
	return out
}

// feesUnit is Q-fees-unit: 行政事业性收费 that no organ of the report's level can have
// collected (an error: the cell is left out of district sums) or that looks like 元 rather
// than 万元 (a warning). The bounds, for every level, are ingest.FeesBounds.
func feesUnit(r *ingest.Report) []ingest.Finding {
	const key = "table2.fees"
	v, ok := r.Value(key)
	if !ok || r.Format == ingest.Format2019 {
		return nil
	}
	level := levelOf(r)
	sev := ingest.PlausibleFees(level, v)
	var why string
	switch sev {
	case ingest.SeverityError:
		why = fmt.Sprintf("超过 %s 万元，%s不可能收取这么多，该数不计入汇总", num(ingest.FeesBoundOf(level).Max), ingest.LevelLegalName(level))
	case ingest.SeverityWarning:
		why = "对" + ingest.LevelLegalName(level) + "而言不合常理"
	default:
		return nil
	}
	msg := fmt.Sprintf("表二 行政事业性收费 本年收费金额为 %s 万元，%s，疑似按“元”填报；单位应为万元（%s 元 = %s 万元）",
		num(v), why, num(v), num(v/10000))
	f := withLine(r, finding(ingest.RuleFeesUnit, key, ingest.Num(v/10000), ingest.Num(v), msg))
	f.Severity = sev
	return []ingest.Finding{f}
}
