package analytics

import (
	"fmt"
	"gongkai/ingest"
	"strings"
)

// Kind tells how a metric is aggregated over organs and years.
type Kind int

const (
	// Count is an additive count (or amount): a district total is the sum of the organs'.
	Count Kind = iota
	// Ratio is a quotient of two Count metrics, recomputed from their summed parts; it is
	// never averaged or summed.
	Ratio
)

// Metric is one named, documented figure. Definitions are data: the UI shows Definition as a
// tooltip, the README lists them, and Part is the SQL of the per-report value.
type Metric struct {
	Name       string // identifier used in URLs, the API and exports, e.g. disclosure_rate
	Label      string // Chinese label shown in the UI, e.g. 实质公开率
	Definition string // one line shown as a tooltip and in the README
	Unit       string // 件, 条, 万元, 份, % (ratios are fractions; the UI shows percent)
	Group      string // the section it belongs to, for grouping in the UI
	Kind       Kind
	// Better says which way is good: +1 a rise is good (实质公开率), −1 a fall is good
	// (纠错率, errors, lawsuits), 0 neither (a count of applications). Colours follow it.
	Better int
	// Part is the SQL aggregate giving one report's value (Count metrics) directly from the
	// stored cells. It is evaluated per report, grouped by r.id, over c (its cells), pub (its
	// publications by channel, one row), fnd (its findings counted, one row) and bad (its cells
	// with an error of a plausibility rule, one row). NULL when nothing was read. The same value
	// is stored once per report in report_metrics (see Derivation); pages read that.
	Part string
	// CrossYear: the value depends on findings that the cross-year step replaces later, so
	// report_metrics refreshes it then (see Derivation's Refresh).
	CrossYear bool
	src       source
	// Num and Den name the Count metrics a Ratio divides. Only reports where both are read
	// enter either sum.
	Num, Den string
}

// Metric groups in display order.
const (
	GroupApplications = "申请"
	GroupOutcomes     = "办理结果"
	GroupReview       = "复议诉讼"
	GroupPublications = "主动公开"
	GroupTable2       = "表二"
	GroupQuality      = "报送与质量"
)

// source is how one Count metric is taken from a report: the SQL of the direct computation
// from the stored cells (Part, with the plausibility exclusion excl), and the same in Go over
// the report being stored (fn), which fills report_metrics. The two must agree; the tests
// compare them on generated districts.
type source struct {
	part string // SQL value over c (cells), pub, fnd of one report, grouped by report
	excl string // SQL condition: a cell the value needs has an error of a plausibility rule
	fn   func(r *ingest.Report, bad map[string]bool) (v *float64, excluded bool)
}

// inList is the SQL list of quoted keys.
func inList(keys []string) string { return "'" + strings.Join(keys, "', '") + "'" }

// cellSum adds the named cells of one report. Keys not in the report's format are ignored
// (2019 and 2021 variants); the value is NULL when none is in its format or any of them is
// unread (missing is never 0), and excluded when any of them carries an error of a
// plausibility rule (ingest.ExcludesCell: an impossible fee is not summed into the district).
func cellSum(keys ...string) source {
	in := inList(keys)
	return source{
		part: fmt.Sprintf("CASE WHEN count(*) FILTER (WHERE c.key IN (%[1]s)) > 0 AND count(*) FILTER (WHERE c.key IN (%[1]s) AND c.value IS NULL) = 0 THEN sum(c.value) FILTER (WHERE c.key IN (%[1]s)) END", in),
		excl: fmt.Sprintf("coalesce(bool_or(c.key IN (%s) AND list_contains(bad.cells, c.key)), false)", in),
		fn: func(r *ingest.Report, bad map[string]bool) (*float64, bool) {
			known := formatKeys(r)
			present, unread, excluded := false, false, false
			sum := 0.0
			for _, k := range keys {
				if !known[k] {
					continue
				}
				present = true
				if bad[k] {
					excluded = true
				}
				c, ok := r.Cells.Get(k)
				if !ok || c.Value == nil {
					unread = true
					continue
				}
				sum += *c.Value
			}
			if excluded {
				return nil, true
			}
			if !present || unread {
				return nil, false
			}
			return &sum, false
		},
	}
}

// eitherShape is 其他处理: one row when the report prints （六） as one row, else its three rows.
func eitherShape(single, split source) source {
	return source{
		part: "CASE WHEN r.single_other THEN " + single.part + " ELSE " + split.part + " END",
		excl: "CASE WHEN r.single_other THEN " + single.excl + " ELSE " + split.excl + " END",
		fn: func(r *ingest.Report, bad map[string]bool) (*float64, bool) {
			if r.SingleOther {
				return single.fn(r, bad)
			}
			return split.fn(r, bad)
		},
	}
}

// published is a publication count: the channel's (sum of its statements), or for "" the
// stated total, else the sum of the channels; NULL when the prose states nothing.
func published(channel string) source {
	part := "any_value(pub." + channel + ")"
	if channel == "" {
		part = "any_value(coalesce(pub.total, pub.channels))"
	}
	return source{part: part, excl: "false", fn: func(r *ingest.Report, _ map[string]bool) (*float64, bool) {
		var total, chans, ch *float64
		add := func(p **float64, n int64) {
			if *p == nil {
				*p = new(float64)
			}
			**p += float64(n)
		}
		for _, p := range r.Publications {
			if p.Channel == "total" {
				add(&total, p.Count)
			} else {
				add(&chans, p.Count)
			}
			if p.Channel == channel {
				add(&ch, p.Count)
			}
		}
		if channel != "" {
			return ch, false
		}
		if total != nil {
			return total, false
		}
		return chans, false
	}}
}

// counted is a count over the report's findings of one severity ("" for the report itself: 1).
func counted(severity string) source {
	if severity == "" {
		return source{part: "1", excl: "false", fn: func(*ingest.Report, map[string]bool) (*float64, bool) { return ingest.Num(1), false }}
	}
	col := map[string]string{ingest.SeverityError: "errors", ingest.SeverityWarning: "warnings"}[severity]
	return source{part: "any_value(coalesce(fnd." + col + ", 0))", excl: "false", fn: func(r *ingest.Report, _ map[string]bool) (*float64, bool) {
		n := 0.0
		for _, f := range r.Findings {
			if f.Severity == severity {
				n++
			}
		}
		return &n, false
	}}
}

// formatKeys is the set of cell keys a report of this shape stores.
func formatKeys(r *ingest.Report) map[string]bool {
	return shapeKeys[[2]any{r.Format, r.SingleOther}]
}

var shapeKeys = func() map[[2]any]map[string]bool {
	m := map[[2]any]map[string]bool{}
	for _, f := range []string{ingest.Format2021, ingest.Format2019} {
		for _, single := range []bool{false, true} {
			set := map[string]bool{}
			for _, k := range ingest.CellKeys(f, single) {
				set[k] = true
			}
			m[[2]any{f, single}] = set
		}
	}
	return m
}()

func t3(row string) string { return "table3." + row + ".total" }

// Channels are the publication channels of the spec with their labels (the stated total is
// not a channel).
var Channels = func() [][2]string {
	var out [][2]string
	for _, c := range ingest.Channels {
		if c[0] != "total" {
			out = append(out, c)
		}
	}
	return out
}()

func blockKeys(col string, blocks ...string) []string {
	var keys []string
	for _, b := range blocks {
		keys = append(keys, "table4."+b+"."+col)
	}
	return keys
}

// better is Metric.Better of the metrics where a direction is good or bad.
var better = map[string]int{
	"disclosure_rate": 1, "disclosed_any": 1, "publications": 1, "reports": 1,
	"correction_rate": -1, "cases_corrected": -1, "review_corrected": -1, "litigation_corrected": -1,
	"litigation": -1, "review": -1, "findings_errors": -1, "findings_warnings": -1,
}

// Metrics are every metric, in display order.
var Metrics = buildMetrics()

// withSource fills a Count metric's Part from its source: the value, NULL when excluded.
func withSource(m Metric, src source) Metric {
	m.src = src
	m.Part = "CASE WHEN " + src.excl + " THEN NULL ELSE " + src.part + " END"
	return m
}

func buildMetrics() []Metric {
	var ms []Metric
	add := func(m Metric) {
		m.Better = better[m.Name]
		if m.Kind == Count {
			m = withSource(m, m.src)
		}
		ms = append(ms, m)
	}
	add(Metric{Name: "applications", Label: "新收申请", Unit: "件", Group: GroupApplications,
		Definition: "表三“一、本年新收政府信息公开申请数量”总计列", src: cellSum(t3("new_received"))})
	for _, a := range ingest.Applicants {
		add(Metric{Name: "applications_" + a.Key, Label: "新收申请·" + a.ShortOr(), Unit: "件", Group: GroupApplications,
			Definition: "表三本年新收申请数量中申请人为" + a.ShortOr() + "的件数",
			src:        cellSum("table3.new_received." + a.Key)})
	}
	add(Metric{Name: "carried_over", Label: "上年结转", Unit: "件", Group: GroupApplications,
		Definition: "表三“二、上年结转政府信息公开申请数量”总计列", src: cellSum(t3("carried_over"))})
	add(Metric{Name: "carried_forward", Label: "结转下年", Unit: "件", Group: GroupApplications,
		Definition: "表三“四、结转下年度继续办理”总计列", src: cellSum(t3("carried_forward"))})
	add(Metric{Name: "handled", Label: "办结", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（七）总计”总计列，即本年办结的申请数", src: cellSum(t3("total_handled"))})
	add(Metric{Name: "disclosed", Label: "予以公开", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（一）予以公开”总计列", src: cellSum(t3("disclosed"))})
	add(Metric{Name: "partly_disclosed", Label: "部分公开", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（二）部分公开”总计列", src: cellSum(t3("partly_disclosed"))})
	var wk []string
	for _, w := range ingest.WithheldReasons {
		wk = append(wk, t3(w.Key))
	}
	add(Metric{Name: "withheld", Label: "不予公开", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（三）不予公开”八项理由总计列之和", src: cellSum(wk...)})
	for _, w := range ingest.WithheldReasons {
		add(Metric{Name: w.Key, Label: "不予公开·" + w.ShortOr(), Unit: "件", Group: GroupOutcomes,
			Definition: "表三“（三）不予公开”中以“" + w.ShortOr() + "”为由的件数", src: cellSum(t3(w.Key))})
	}
	add(Metric{Name: "unable", Label: "无法提供", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（四）无法提供”三项之和（总计列）",
		src:        cellSum(t3("unable_not_held"), t3("unable_need_create"), t3("unable_unclear"))})
	add(Metric{Name: "refused", Label: "不予处理", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（五）不予处理”五项之和（总计列）",
		src: cellSum(t3("refused_petition"), t3("refused_repeated"), t3("refused_publication"),
			t3("refused_mass_repeated"), t3("refused_confirm_info"))})
	add(Metric{Name: "other_handled", Label: "其他处理", Unit: "件", Group: GroupOutcomes,
		Definition: "表三“（六）其他处理”：印为一行时取该行，否则取三项之和（总计列）",
		src: eitherShape(cellSum(t3("other_handled")),
			cellSum(t3("other_no_supplement"), t3("other_no_fee"), t3("other_other")))})
	add(Metric{Name: "disclosed_any", Label: "予以公开+部分公开", Unit: "件", Group: GroupOutcomes,
		Definition: "表三予以公开与部分公开总计列之和（实质公开率的分子）",
		src:        cellSum(t3("disclosed"), t3("partly_disclosed"))})
	add(Metric{Name: "disclosure_rate", Label: "实质公开率", Unit: "%", Group: GroupOutcomes, Kind: Ratio,
		Definition: "（予以公开＋部分公开）÷ 办结（表三总计），由各单位分子分母相加后重算",
		Num:        "disclosed_any", Den: "handled"})

	// 行政诉讼: the two litigation blocks together, named as the format names their common head.
	litigation, _, _ := strings.Cut(ingest.Table4BlockLabels["litigation_direct"], "·")
	blocks := []struct {
		name, label string
		keys        []string
	}{
		{"review", ingest.Table4BlockLabels["review"], []string{"review"}},
		{"litigation", litigation, []string{"litigation_direct", "litigation_after_review"}},
	}
	for _, b := range blocks {
		for _, col := range ingest.Table4Columns {
			r := [2]string{col, ingest.Table4ColumnLabels[col]}
			name := b.name + "_" + r[0]
			label := b.label + "·" + r[1]
			def := "表四" + b.label + "“" + r[1] + "”"
			if b.name == "litigation" {
				def += "（未经复议直接起诉与复议后起诉之和）"
			}
			if r[0] == "total" {
				name, label = b.name, b.label
				def = "表四" + b.label + "总计" + strings.TrimPrefix(def, "表四"+b.label+"“总计”")
			}
			add(Metric{Name: name, Label: label, Unit: "件", Group: GroupReview, Definition: def,
				src: cellSum(blockKeys(r[0], b.keys...)...)})
		}
	}
	all := ingest.Table4Blocks
	add(Metric{Name: "cases_corrected", Label: "复议诉讼·纠正", Unit: "件", Group: GroupReview,
		Definition: "表四三栏“结果纠正”之和", src: cellSum(blockKeys("corrected", all...)...)})
	add(Metric{Name: "cases_concluded", Label: "复议诉讼·审结", Unit: "件", Group: GroupReview,
		Definition: "表四三栏“结果维持＋结果纠正＋其他结果”之和（已审结案件）",
		src:        cellSum(append(append(blockKeys("maintained", all...), blockKeys("corrected", all...)...), blockKeys("other", all...)...)...)})
	add(Metric{Name: "correction_rate", Label: "纠错率", Unit: "%", Group: GroupReview, Kind: Ratio,
		Definition: "复议诉讼结果纠正 ÷ 已审结（维持＋纠正＋其他），由分子分母相加后重算",
		Num:        "cases_corrected", Den: "cases_concluded"})

	add(Metric{Name: "publications", Label: "主动公开信息", Unit: "条", Group: GroupPublications,
		Definition: "总体情况所述发布信息条数：有总数取总数，否则各渠道之和",
		src:        published("")})
	for _, ch := range Channels {
		add(Metric{Name: "publications_" + ch[0], Label: "发布·" + ch[1], Unit: "条", Group: GroupPublications,
			Definition: "总体情况所述在" + ch[1] + "发布的信息条数", src: published(ch[0])})
	}

	add(Metric{Name: "normative_documents_made", Label: "规范性文件制发", Unit: "件", Group: GroupTable2,
		Definition: "表二行政规范性文件本年制发件数（2019版：本年新制作数量）",
		src:        cellSum("table2.normative_documents.made", "table2_2019.normative_documents.new_made")})
	add(Metric{Name: "normative_documents_valid", Label: "现行有效规范性文件", Unit: "件", Group: GroupTable2,
		Definition: "表二行政规范性文件现行有效件数（2019版：对外公开总数量）",
		src:        cellSum("table2.normative_documents.valid", "table2_2019.normative_documents.total_published")})
	add(Metric{Name: "licensing", Label: "行政许可", Unit: "件", Group: GroupTable2,
		Definition: "表二行政许可本年处理决定数量", src: cellSum("table2.licensing", "table2_2019.licensing.decisions")})
	add(Metric{Name: "punishment", Label: "行政处罚", Unit: "件", Group: GroupTable2,
		Definition: "表二行政处罚本年处理决定数量", src: cellSum("table2.punishment", "table2_2019.punishment.decisions")})
	add(Metric{Name: "coercion", Label: "行政强制", Unit: "件", Group: GroupTable2,
		Definition: "表二行政强制本年处理决定数量", src: cellSum("table2.coercion", "table2_2019.coercion.decisions")})
	add(Metric{Name: "fees", Label: "行政事业性收费", Unit: "万元", Group: GroupTable2,
		Definition: "表二行政事业性收费本年收费金额（万元，2021版）", src: cellSum("table2.fees")})

	add(Metric{Name: "reports", Label: "报告数", Unit: "份", Group: GroupQuality,
		Definition: "已入库的现行报告份数（每个单位每年一份，更正版取代原版）", src: counted("")})
	add(Metric{Name: "findings_errors", Label: "错误", Unit: "条", Group: GroupQuality,
		Definition: "校验发现的错误条数（勾稽关系、无法读取等）", src: counted(ingest.SeverityError), CrossYear: true})
	add(Metric{Name: "findings_warnings", Label: "警告", Unit: "条", Group: GroupQuality,
		Definition: "校验发现的警告条数（跨年、疑似抄袭、迟报等）", src: counted(ingest.SeverityWarning), CrossYear: true})
	return ms
}

// MetricByName returns the metric of that name.
func MetricByName(name string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Format renders a value of the metric for people: ratios as percent with one decimal,
// amounts with up to two decimals, counts as whole numbers; "—" when there is no value.
func (m Metric) Format(v *float64) string {
	if v == nil {
		return "—"
	}
	switch {
	case m.Kind == Ratio:
		return fmt.Sprintf("%.1f%%", *v*100)
	case m.Unit == "万元":
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", *v), "0"), ".")
	default:
		return fmt.Sprintf("%.0f", *v)
	}
}
