package analytics

// Why a metric has no value: the words pages show in its place (a download leaves the cell
// empty). A missing value is never 0.
const (
	// NotReported: the year has no report.
	NotReported = "未报送"
	// NotStated: the report does not state the value, or it could not be read.
	NotStated = "未说明"
	// ZeroDenominator: a ratio whose denominator is a stated 0 (纠错率 of an organ that
	// concluded no case): the report states its figures, the ratio has no value.
	ZeroDenominator = "分母为 0"
)

// Why says why the row's value of the named metric is nil: "" when it is known;
// ZeroDenominator for a ratio whose denominator (summed over the reports stating it) is a
// stated 0; else NotStated. A row exists only for a year with a report (see Delta for
// NotReported).
func (r Row) Why(name string) string {
	m, _ := MetricByName(name)
	return whyOf(m, r.Values[name], true, r.Values[m.Den])
}

// whyOf is the one rule of why a value v of metric m is nil: "" when known, NotReported
// without a report, ZeroDenominator for a ratio whose denominator den is a stated 0, else
// NotStated.
func whyOf(m Metric, v *float64, reported bool, den *float64) string {
	switch {
	case v != nil:
		return ""
	case !reported:
		return NotReported
	case m.Kind == Ratio && den != nil && *den == 0:
		return ZeroDenominator
	}
	return NotStated
}

// WhyText is what a page shows for a missing value: 未报送, 未说明, or for a ratio over a
// stated 0 "—" with the reason (—（分母为 0：办结为 0）).
func WhyText(m Metric, why string) string {
	if why == ZeroDenominator {
		if den, ok := MetricByName(m.Den); ok {
			return "—（" + ZeroDenominator + "：" + den.Label + "为 0）"
		}
		return "—（" + ZeroDenominator + "）"
	}
	return why
}
