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
			out = append(out, finding(RuleUnreadable, row, nil, nil,
				fmt.Sprintf("%s 整行未能读出（缺失或无法识别），未按 0 处理，请核对原表", label)))
			continue
		}
		for _, k := range missing {
			out = append(out, finding(RuleUnreadable, k, nil, nil,
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
		if f.Rule != RuleUnreadable && f.Rule != RuleMissingSection {
			continue
		}
		if f.Cell == "" {
			if f.Rule == RuleMissingSection {
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
		out = append(out, withLine(r, finding(RuleNegative, k, ingest.Num(0), ingest.Num(v), msg)))
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
		out = append(out, withLine(r, finding(RuleNotInteger, k, nil, ingest.Num(v), msg)))
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
		out = append(out, withLine(r, finding(RuleRegulationsTownship, k, ingest.Num(0), ingest.Num(v), msg)))
	}
	return out
}

// Thresholds of Q-fees-unit, in 万元. A township or department collecting 1 亿元 of fees, or
// a township printing a whole number of at least 1000 万元, has most likely written 元.
// County and city governments are never flagged (a real county report has 18651.06 万元).
const (
	feesLimit         = 10000
	feesTownshipWhole = 1000
)

// feesUnit is Q-fees-unit: 行政事业性收费 that looks like 元 rather than 万元.
func feesUnit(r *ingest.Report) []ingest.Finding {
	const key = "table2.fees"
	v, ok := r.Value(key)
	if !ok || r.Format == ingest.Format2019 {
		return nil
	}
	level := levelOf(r)
	var why string
	switch {
	case (level == ingest.LevelTownship || level == ingest.LevelDepartment) && v >= feesLimit:
		why = "超过 1 亿元，对" + levelName(level) + "而言不合常理"
	case level == ingest.LevelTownship && v >= feesTownshipWhole && v == math.Trunc(v):
		why = "为千万元以上的整数，对乡镇（街道）而言不合常理"
	default:
		return nil
	}
	msg := fmt.Sprintf("表二 行政事业性收费 本年收费金额为 %s 万元，%s，疑似按“元”填报；单位应为万元（%s 元 = %s 万元）",
		num(v), why, num(v), num(v/10000))
	return []ingest.Finding{withLine(r, finding(RuleFeesUnit, key, ingest.Num(v/10000), ingest.Num(v), msg))}
}

// levelName names a level in Chinese.
func levelName(level string) string {
	switch level {
	case ingest.LevelTownship:
		return "乡镇（街道）"
	case ingest.LevelDepartment:
		return "政府工作部门"
	case ingest.LevelCounty:
		return "县级人民政府"
	case ingest.LevelCity:
		return "市级及以上人民政府"
	}
	return "本机关"
}
