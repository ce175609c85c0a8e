package ingest

import "strings"

// The consistency rules of the format (../shared/spec/report-format.md): their identifiers,
// Chinese names and severities. Package check applies them; every page, export and message
// that names a rule takes its words from here.

// Rule identifiers, as in the spec. A new rule gets a new identifier of the same shape.
const (
	RuleBalance             = "T3-balance"             // 表三 新收+上年结转 = 办理结果总计+结转下年
	RuleRowTotal            = "T3-row-total"           // 表三 每行总计 = 六类申请人之和
	RuleOutcomeSum          = "T3-outcome-sum"         // 表三 第（七）项总计 = 各办理结果之和
	RuleBlockTotal          = "T4-block-total"         // 表四 总计 = 维持+纠正+其他+尚未审结
	RuleApplications        = "N-applications"         // 正文所述申请数 = 表三 新收总计
	RuleReviewLitigation    = "N-review-litigation"    // 正文称无复议诉讼，表四却有
	RuleCarryOver           = "X-carry-over"           // 本年上年结转 = 上年结转下年
	RuleValidDocs           = "X-valid-docs"           // 现行有效件数与上年衔接
	RuleUnreadable          = "V-unreadable"           // 数字未能读出
	RuleNegative            = "V-negative"             // 件数为负
	RuleNotInteger          = "V-not-integer"          // 件数不是整数
	RuleMissingSection      = "V-missing-section"      // 缺少章节
	RuleRegulationsTownship = "Q-regulations-township" // 乡镇（街道）填报规章
	RuleFeesUnit            = "Q-fees-unit"            // 收费金额不合常理（疑似按元填报）
	RuleCopiedProse         = "S-copied-prose"         // 正文与上年或其他单位雷同
	RuleLate                = "S-late"                 // 逾期公布
)

// Rule is one consistency rule of the format.
type Rule struct {
	ID       string // identifier of the spec, e.g. "X-carry-over"
	Name     string // what a clerk reads beside the identifier, e.g. "上年结转数与上年报告不符"
	Severity string // the strongest severity a finding of the rule has (SeverityError or SeverityWarning)
	// Implausible marks a plausibility rule: an error finding of it says the value of the cell
	// it names cannot be true, so sums over many reports leave that cell out (and say so).
	Implausible bool
	// Across marks a rule that compares a report with another (the organ's previous year,
	// another organ's prose): its findings are recomputed after each ingest.
	Across bool
}

// Rules are every rule of the format, in the order of the spec: tables, prose, years, values,
// plausibility, oversight. The N- rules are errors where the prose speaks of the organ's own
// applications or cases and warnings where its scope is unclear; Q-fees-unit is a warning
// where the amount merely looks like 元 and an error where it is beyond any organ of its level
// (PlausibleFees).
var Rules = []Rule{
	{ID: RuleBalance, Name: "表三收支不平衡", Severity: SeverityError},
	{ID: RuleRowTotal, Name: "表三行总计不符", Severity: SeverityError},
	{ID: RuleOutcomeSum, Name: "表三办理结果合计不符", Severity: SeverityError},
	{ID: RuleBlockTotal, Name: "表四总计不符", Severity: SeverityError},
	{ID: RuleApplications, Name: "正文申请数与表三不符", Severity: SeverityError},
	{ID: RuleReviewLitigation, Name: "正文复议诉讼情况与表四不符", Severity: SeverityError},
	{ID: RuleCarryOver, Name: "上年结转数与上年报告不符", Severity: SeverityError, Across: true},
	{ID: RuleValidDocs, Name: "现行有效件数与上年不衔接", Severity: SeverityWarning, Across: true},
	{ID: RuleUnreadable, Name: "数字未能读出", Severity: SeverityError},
	{ID: RuleNegative, Name: "件数为负数", Severity: SeverityError},
	{ID: RuleNotInteger, Name: "件数不是整数", Severity: SeverityError},
	{ID: RuleMissingSection, Name: "缺少章节", Severity: SeverityError},
	{ID: RuleRegulationsTownship, Name: "乡镇（街道）填报规章", Severity: SeverityWarning},
	{ID: RuleFeesUnit, Name: "收费金额不合常理", Severity: SeverityError, Implausible: true},
	{ID: RuleCopiedProse, Name: "内容雷同", Severity: SeverityWarning, Across: true},
	{ID: RuleLate, Name: "逾期公布", Severity: SeverityWarning},
}

var ruleByID = func() map[string]Rule {
	m := make(map[string]Rule, len(Rules))
	for _, r := range Rules {
		m[r.ID] = r
	}
	return m
}()

// RuleByID returns the rule with identifier id; ok is false for an unknown identifier.
func RuleByID(id string) (r Rule, ok bool) {
	r, ok = ruleByID[id]
	return r, ok
}

// RuleName returns the Chinese name of the rule id, or id itself when it is unknown.
func RuleName(id string) string {
	if r, ok := ruleByID[id]; ok {
		return r.Name
	}
	return id
}

// RuleLabel names a rule for a clerk: its Chinese name with the identifier beside it,
// "上年结转数与上年报告不符（X-carry-over）"; an unknown identifier is returned as it is.
func RuleLabel(id string) string {
	if r, ok := ruleByID[id]; ok {
		return r.Name + "（" + r.ID + "）"
	}
	return id
}

// RuleSeverity returns the strongest severity of the rule id ("" when unknown).
func RuleSeverity(id string) string { return ruleByID[id].Severity }

// RuleAcross tells whether the rule id compares a report with another report (Rule.Across).
func RuleAcross(id string) bool { return ruleByID[id].Across }

// SeverityLabel names a severity in Chinese: 错误, 警告.
func SeverityLabel(severity string) string {
	switch severity {
	case SeverityError:
		return "错误"
	case SeverityWarning:
		return "警告"
	}
	return severity
}

// ExcludesCell tells whether the finding f says that the value of the cell it names cannot be
// true, so that district sums, trends and ratios leave the cell out (and say so): an error of
// a plausibility rule. The cell stays stored and shown with its finding.
func ExcludesCell(f Finding) bool {
	return f.Severity == SeverityError && f.Cell != "" && ruleByID[f.Rule].Implausible
}

// ExcludedCells returns the cell keys of fs that ExcludesCell leaves out, each once.
func ExcludedCells(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if !ExcludesCell(f) {
			continue
		}
		for _, k := range strings.Split(f.Cell, ",") {
			if k = strings.TrimSpace(k); k != "" && !containsString(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
