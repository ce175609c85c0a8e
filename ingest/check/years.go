package check

import (
	"fmt"

	"gongkai/ingest"
)

// Year against year for the same organ (X-*), and S-copied-prose against last year.

// Years runs the cross-year rules of cur against prev, the same organ's report of the
// previous year: X-carry-over per column, X-valid-docs, and S-copied-prose (sections 一 and
// 五 nearly identical to last year's) at DefaultSimilarity. It returns the findings; the
// caller appends them to cur.Findings. The table rules run only when prev.Year is
// cur.Year − 1.
func Years(prev, cur *ingest.Report) []ingest.Finding { return YearsAt(DefaultSimilarity)(prev, cur) }

// YearsAt returns Years with S-copied-prose firing at the given similarity (the configured
// risk.copied_similarity; DefaultSimilarity when ≤ 0).
func YearsAt(similarity float64) func(prev, cur *ingest.Report) []ingest.Finding {
	sketched := YearsSketchedAt(similarity)
	return func(prev, cur *ingest.Report) []ingest.Finding { return sketched(prev, cur, nil, nil) }
}

// YearsSketchedAt is YearsAt with the prose of prev and cur already sketched (SketchOf with
// their Agency): the same findings, without computing the shingles again. A nil sketch, or
// one made for another name than the report's Agency, is computed as YearsAt would.
func YearsSketchedAt(similarity float64) func(prev, cur *ingest.Report, ps, cs *Sketch) []ingest.Finding {
	if similarity <= 0 {
		similarity = DefaultSimilarity
	}
	return func(prev, cur *ingest.Report, ps, cs *Sketch) []ingest.Finding {
		if prev == nil || cur == nil {
			return nil
		}
		var out []ingest.Finding
		if prev.Year == cur.Year-1 {
			out = append(out, carryOver(prev, cur)...)
			out = append(out, validDocs(prev, cur)...)
		}
		if len(cur.Prose) == 0 || skipCopied(cur, prev) {
			return out
		}
		return append(out, copiedAgainst(cur, cs.setsFor(cur), prev, ps.setsFor(prev), similarity)...)
	}
}

// YearsKeys are the cells Years reads: a caller may load only these (and the prose) for it.
var YearsKeys = func() []string {
	var keys []string
	for _, col := range ingest.Table3Columns {
		keys = append(keys, ingest.Table3Key("carried_over", col), ingest.Table3Key("carried_forward", col))
	}
	for _, item := range []string{"regulations", "normative_documents"} {
		for _, c := range []string{"made", "repealed", "valid"} {
			keys = append(keys, "table2."+item+"."+c)
		}
	}
	return keys
}()

// carryOver is X-carry-over, per column: this year's 二、上年结转 = last year's
// 四、结转下年度继续办理.
func carryOver(prev, cur *ingest.Report) []ingest.Finding {
	var out []ingest.Finding
	for _, col := range ingest.Table3Columns {
		key := ingest.Table3Key("carried_over", col)
		got, ok := cur.Value(key)
		if !ok {
			continue
		}
		want, ok := prev.Value(ingest.Table3Key("carried_forward", col))
		if !ok || same(got, want) {
			continue
		}
		msg := fmt.Sprintf("表三 二、上年结转政府信息公开申请数量（%s）应为 %s（%d 年报告 四、结转下年度继续办理），报告为 %s",
			table3ColLabel[col], num(want), prev.Year, num(got))
		f := withLine(cur, finding(ingest.RuleCarryOver, key, ingest.Num(want), ingest.Num(got), msg))
		f.Related = related(prev)
		out = append(out, f)
	}
	return out
}

// validDocs is X-valid-docs (a warning): 表二 现行有效件数 ≈ last year's 现行有效件数 +
// 本年制发件数 − 本年废止件数, for 规章 and 行政规范性文件 (2021 format both years).
func validDocs(prev, cur *ingest.Report) []ingest.Finding {
	if prev.Format == ingest.Format2019 || cur.Format == ingest.Format2019 {
		return nil
	}
	var out []ingest.Finding
	for _, item := range []string{"regulations", "normative_documents"} {
		key := "table2." + item + ".valid"
		v, ok := vals(cur, key, "table2."+item+".made", "table2."+item+".repealed")
		if !ok {
			continue
		}
		last, ok := prev.Value(key)
		if !ok {
			continue
		}
		want := last + v[1] - v[2]
		if same(want, v[0]) {
			continue
		}
		msg := fmt.Sprintf("表二 %s 现行有效件数应约为 %s（%d 年现行有效 %s + 本年制发 %s − 本年废止 %s），报告为 %s，请核对",
			table2Label[item], num(want), prev.Year, num(last), num(v[1]), num(v[2]), num(v[0]))
		f := withLine(cur, finding(ingest.RuleValidDocs, key, ingest.Num(want), ingest.Num(v[0]), msg))
		f.Related = related(prev)
		out = append(out, f)
	}
	return out
}

// related names another report for Finding.Related: its source, or its organ and year.
func related(o *ingest.Report) string {
	if o.Source != "" {
		return o.Source
	}
	return fmt.Sprintf("%s %d", o.Agency, o.Year)
}
