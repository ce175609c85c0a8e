package generate

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gongkai/ingest"
)

// Rules lists the rule identifiers Inject knows, in the order of ingest.Rules: every rule but
// those only a reader can break (V-unreadable, V-missing-section).
var Rules = func() []string {
	var out []string
	for _, r := range ingest.Rules {
		if r.ID != ingest.RuleUnreadable && r.ID != ingest.RuleMissingSection {
			out = append(out, r.ID)
		}
	}
	return out
}()

// ErrNotApplicable is wrapped by Inject when a rule cannot be broken in this report (a
// township rule on a department, a table-2 rule on the 2019 format).
var ErrNotApplicable = fmt.Errorf("rule not applicable")

// Inject changes the consistent report r so that the named rule's error appears in it, and
// keeps every other rule holding as far as they are independent (a compensating change keeps
// the other sums right). What it did is recorded as a finding on r (the finding a checker is
// expected to make). X-carry-over and X-valid-docs change this year's cells so that they no
// longer continue the previous year's truth that r was built from. S-copied-prose copies the
// prose of a freshly generated sibling organ; use InjectCopiedProse to copy a given report.
// An unknown rule is an error; a rule that does not apply to r wraps ErrNotApplicable.
func Inject(r *ingest.Report, rule string, rng *rand.Rand) error {
	if r.Cells.Len() == 0 {
		return fmt.Errorf("inject %s: report has no cells", rule)
	}
	if !slices.Contains(Rules, rule) {
		return fmt.Errorf("inject: unknown rule %q", rule)
	}
	f := ingest.Finding{Rule: rule, Severity: ingest.RuleSeverity(rule)}
	t3 := ingest.Table3Key
	bump := func(key string, d int64) { setInt(r, key, getInt(r, key)+d) }
	d := int64(1 + rng.Intn(3))
	col := applicantCols[pickCol(rng)]
	switch rule {
	case ingest.RuleBalance:
		// One more application received than the other rows account for (row total and prose
		// follow, so only the balance breaks).
		bump(t3("new_received", col), d)
		bump(t3("new_received", "total"), d)
		if r.ApplicationsStated != nil {
			setStated(rng, r, getInt(r, t3("new_received", "total")))
		}
		f.Cell = t3("carried_forward", col)
		f.Message = fmt.Sprintf("%s列：本年新收加上年结转不等于办理总计加结转下年度（多 %d）", col, d)
	case ingest.RuleRowTotal:
		// Move applications from one outcome row to another in one column: column sums hold,
		// both rows' totals are off.
		ensureApplications(rng, r)
		from, c, ok := nonZeroOutcome(rng, r)
		if !ok {
			return fmt.Errorf("inject %s: no outcome to move", rule)
		}
		to := from
		rows := outcomeRows(r.SingleOther)
		for to == from {
			to = rows[rng.Intn(len(rows))]
		}
		bump(t3(from, c), -1)
		bump(t3(to, c), 1)
		f.Cell = t3(to, "total")
		f.Message = fmt.Sprintf("%s行：总计不等于各列之和（%s列多 1）", to, c)
	case ingest.RuleOutcomeSum:
		row := outcomeRows(r.SingleOther)[rng.Intn(len(outcomeRows(r.SingleOther)))]
		bump(t3(row, col), d)
		bump(t3(row, "total"), d)
		f.Cell = t3("total_handled", col)
		f.Message = fmt.Sprintf("%s列：各办理结果之和比总计多 %d", col, d)
	case ingest.RuleBlockTotal:
		block := ""
		for _, b := range ingest.Table4Blocks {
			if getInt(r, ingest.Table4Key(b, "total")) > 0 {
				block = b
				break
			}
		}
		if block != "" {
			bump(ingest.Table4Key(block, "total"), d)
		} else {
			// Keep every total 0 so a prose statement of no cases stays true.
			block = ingest.Table4Blocks[rng.Intn(3)]
			bump(ingest.Table4Key(block, "maintained"), d)
		}
		f.Cell = ingest.Table4Key(block, "total")
		f.Message = fmt.Sprintf("表四%s：总计不等于各项结果之和（差 %d）", block, d)
	case ingest.RuleApplications:
		total := getInt(r, t3("new_received", "total"))
		n := total + d
		if total > d && rng.Intn(2) == 0 {
			n = total - d
		}
		setStated(rng, r, n)
		f.Cell = t3("new_received", "total")
		f.Expected, f.Actual = ingest.Num(float64(total)), ingest.Num(float64(n))
		f.Message = fmt.Sprintf("正文称收到政府信息公开申请 %d 件，表三本年新收总计为 %d", n, total)
	case ingest.RuleReviewLitigation:
		if table4Zero(r) {
			block := ingest.Table4Blocks[rng.Intn(3)]
			c := []string{"maintained", "corrected", "other", "pending"}[rng.Intn(4)]
			bump(ingest.Table4Key(block, c), 1)
			bump(ingest.Table4Key(block, "total"), 1)
		}
		if !statesNoReview(r) {
			paras := proseParas(r)
			i := paraApplications
			if i >= len(paras) {
				i = len(paras) - 1
			}
			paras[i] += pick(rng, noReviewStatements)
			r.Prose[1] = strings.Join(paras, "\n")
		}
		for _, b := range ingest.Table4Blocks {
			if getInt(r, ingest.Table4Key(b, "total")) > 0 {
				f.Cell = ingest.Table4Key(b, "total")
				break
			}
		}
		f.Message = "正文称无行政复议、行政诉讼案件，表四有案件"
	case ingest.RuleCarryOver:
		// Carried over no longer equals last year's carried forward; the application is shown
		// as disclosed so that the year's own sums still hold.
		bump(t3("carried_over", col), d)
		bump(t3("carried_over", "total"), d)
		for _, row := range []string{"disclosed", "total_handled"} {
			bump(t3(row, col), d)
			bump(t3(row, "total"), d)
		}
		f.Cell = t3("carried_over", col)
		f.Message = fmt.Sprintf("%s列：上年结转与上年报告的结转下年度不一致（多 %d）", col, d)
	case ingest.RuleValidDocs:
		if r.Format != ingest.Format2021 {
			return fmt.Errorf("inject %s: %w to format %s", rule, ErrNotApplicable, r.Format)
		}
		bump("table2.normative_documents.made", d)
		f.Cell = "table2.normative_documents.valid"
		f.Message = fmt.Sprintf("现行有效件数不等于上年现行有效件数加本年制发减本年废止（差 %d）", d)
	case ingest.RuleNegative:
		key := "table2.punishment"
		if r.Format == ingest.Format2019 {
			key = "table2_2019.punishment.decisions"
		}
		v := -getInt(r, key)
		if v == 0 {
			v = -d
		}
		setInt(r, key, v)
		f.Cell, f.Actual = key, ingest.Num(float64(v))
		f.Message = fmt.Sprintf("数值为负：%d", v)
	case ingest.RuleNotInteger:
		key := "table2.licensing"
		if r.Format == ingest.Format2019 {
			key = "table2_2019.licensing.decisions"
		}
		v := float64(getInt(r, key)) + 0.5
		r.Set(key, v, ingest.Source{})
		f.Cell, f.Actual = key, ingest.Num(v)
		f.Message = "件数不是整数：" + strconv.FormatFloat(v, 'f', -1, 64)
	case ingest.RuleRegulationsTownship:
		if r.Level != ingest.LevelTownship {
			return fmt.Errorf("inject %s: %w to level %s", rule, ErrNotApplicable, r.Level)
		}
		if r.Format == ingest.Format2019 {
			for _, k := range []string{"new_made", "new_published", "total_published"} {
				bump("table2_2019.regulations."+k, d)
			}
			f.Cell = "table2_2019.regulations.new_made"
		} else {
			bump("table2.regulations.made", d)
			bump("table2.regulations.valid", d)
			f.Cell = "table2.regulations.made"
		}
		f.Message = fmt.Sprintf("乡镇（街道）填报了规章 %d 件", d)
	case ingest.RuleFeesUnit:
		if r.Format != ingest.Format2021 {
			return fmt.Errorf("inject %s: %w to format %s", rule, ErrNotApplicable, r.Format)
		}
		v, _ := r.Value("table2.fees")
		yuan := float64(int64(v*10000 + 0.5))
		if v < 1 {
			yuan = float64((100 + rng.Int63n(4000)) * 100)
		}
		f.Severity = ingest.PlausibleFees(ingest.LevelOf(r.Agency, r.Level), yuan)
		if f.Severity == "" { // the amount in 元 still looks like a plausible amount in 万元
			return fmt.Errorf("inject %s: %w: %s 元 is plausible as 万元 for level %s", rule, ErrNotApplicable, ingest.FormatValue(yuan), r.Level)
		}
		r.Set("table2.fees", yuan, ingest.Source{})
		f.Cell, f.Actual = "table2.fees", ingest.Num(yuan)
		f.Message = "行政事业性收费金额疑似以元为单位填报：" + ingest.FormatValue(yuan)
	case ingest.RuleCopiedProse:
		a := Agency{Name: r.Agency, Level: r.Level, Short: shortOf(r.Agency), District: districtOf(r.Agency)}
		sib := District(rng, a.District, 12)
		other := sib[1+rng.Intn(len(sib)-1)]
		if other.Name == r.Agency {
			other = sib[0]
		}
		from := Truth(rng, other, r.Year, r.Format, nil)
		InjectCopiedProse(r, from)
		return nil
	case ingest.RuleLate:
		r.Published = publishedDate(rng, r.Level, r.Year, true)
		f.Actual = nil
		f.Message = "发布日期 " + r.Published + " 晚于法定期限"
	}
	r.AddFinding(f)
	return nil
}

// pickCol picks an applicant column, mostly 自然人.
func pickCol(rng *rand.Rand) int { return colWeights.pick(rng) }

// ensureApplications gives a report with no handled application one disclosed application
// (keeping every sum right), so that rules that move applications have one to move.
func ensureApplications(rng *rand.Rand, r *ingest.Report) {
	if getInt(r, ingest.Table3Key("total_handled", "total")) > 0 {
		return
	}
	for _, row := range []string{"new_received", "disclosed", "total_handled"} {
		for _, c := range []string{"natural_person", "total"} {
			k := ingest.Table3Key(row, c)
			setInt(r, k, getInt(r, k)+1)
		}
	}
	if r.ApplicationsStated != nil {
		setStated(rng, r, getInt(r, ingest.Table3Key("new_received", "total")))
	}
}

// nonZeroOutcome picks an outcome cell (row, applicant column) holding at least 1.
func nonZeroOutcome(rng *rand.Rand, r *ingest.Report) (string, string, bool) {
	type rc struct{ row, col string }
	var found []rc
	for _, row := range outcomeRows(r.SingleOther) {
		for _, c := range applicantCols {
			if getInt(r, ingest.Table3Key(row, c)) > 0 {
				found = append(found, rc{row, c})
			}
		}
	}
	if len(found) == 0 {
		return "", "", false
	}
	x := found[rng.Intn(len(found))]
	return x.row, x.col, true
}

// InjectCopiedProse replaces r's prose with from's, the way a clerk copies last year's report
// or a neighbour's: names and years are changed to r's, everything else is kept, including
// from's publication counts. The sentence on applications keeps r's own count (so only
// S-copied-prose breaks, not N-applications), and a statement of no 行政复议/行政诉讼 is
// dropped when r's table 4 has cases. It records an S-copied-prose finding related to from.
func InjectCopiedProse(r *ingest.Report, from *ingest.Report) {
	fromShort, toShort := shortOf(from.Agency), shortOf(r.Agency)
	rep := strings.NewReplacer(
		from.Agency, r.Agency,
		fromShort, toShort,
		strconv.Itoa(from.Year+1), strconv.Itoa(r.Year+1),
		strconv.Itoa(from.Year), strconv.Itoa(r.Year),
	)
	prose := map[int]string{}
	nums := make([]int, 0, len(from.Prose))
	for k := range from.Prose {
		nums = append(nums, k)
	}
	sort.Ints(nums)
	for _, k := range nums {
		prose[k] = rep.Replace(from.Prose[k])
	}
	var pubs []ingest.Publication
	for _, p := range from.Publications {
		p.Quote = rep.Replace(p.Quote)
		pubs = append(pubs, p)
	}
	ownQuote, ownStated := r.ApplicationsQuote, r.ApplicationsStated
	r.Prose, r.Publications = prose, pubs
	fromQuote := rep.Replace(from.ApplicationsQuote)
	total := getInt(r, ingest.Table3Key("new_received", "total"))
	switch {
	case from.ApplicationsStated != nil && ownStated != nil && strings.Contains(r.Prose[1], fromQuote):
		r.Prose[1] = strings.Replace(r.Prose[1], fromQuote, ownQuote, 1)
		r.ApplicationsQuote, r.ApplicationsStated = ownQuote, ownStated
	case from.ApplicationsStated != nil && strings.Contains(r.Prose[1], fromQuote):
		// The copy states a count; make it this report's own.
		r.ApplicationsQuote, r.ApplicationsStated = fromQuote, from.ApplicationsStated
		setStated(rand.New(rand.NewSource(int64(total))), r, total)
	default:
		r.ApplicationsQuote, r.ApplicationsStated = "", nil
	}
	if !table4Zero(r) {
		dropNoReview(r)
	}
	r.AddFinding(ingest.Finding{
		Rule: ingest.RuleCopiedProse, Severity: ingest.SeverityWarning, Related: from.Agency + " " + strconv.Itoa(from.Year),
		Message: fmt.Sprintf("正文与%s %d 年报告几乎相同", from.Agency, from.Year),
	})
}
