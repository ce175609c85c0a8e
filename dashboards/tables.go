package dashboards

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gongkai/analytics"
	"gongkai/ingest"
)

// tableFunc builds one named table for a view.
type tableFunc func(ctx context.Context, v view) (*analytics.Table, error)

// tableDoc is the README/API line of a table.
type tableDoc struct {
	Name, Params, About string
}

// tableDocs lists every table of the API in order.
var tableDocs = []tableDoc{
	{"kpi", "year, level, q", "总览关键指标：本年、上年与变化"},
	{"trend", "level, q", "全区各年度主要指标"},
	{"agencies", "year, level, q, sort, desc", "各单位本年主要指标与报送、错误标记（含未报送单位）"},
	{"metrics", "year, level, q", "各单位各年度全部指标（长表头）"},
	{"agency_table2", "id, year", "单位报告表二（主动公开），按官方格式"},
	{"agency_table3", "id, year", "单位报告表三（依申请公开），按官方格式"},
	{"agency_table4", "id, year", "单位报告表四（复议诉讼），按官方格式"},
	{"agency_trend", "id", "单位各年度主要指标"},
	{"agency_findings", "id", "单位各年度校验发现"},
	{"compare_district", "from, to, level, q, all", "全区两年对比：每个指标（默认只比较两年都有报告的单位；all=1 全部单位）"},
	{"compare_agencies", "from, to, metric, level, q, all, sort, desc", "各单位两年对比：所选指标"},
	{"compare_all", "from, to, level, q, all", "各单位两年对比：每个指标（长表）"},
	{"movers_up", "from, to, metric, level, q", "所选指标增幅最大的单位"},
	{"movers_down", "from, to, metric, level, q", "所选指标降幅最大的单位"},
	{"heatmap", "metric, level, q", "所选指标：单位 × 年度"},
	{"agency_list", "level, q, sort, desc", "单位名录：级别、是否在名录内、已入库报告数"},
	{"quality_rules", "year, level, q", "校验发现按规则汇总"},
	{"quality_agencies", "year, level, q", "校验发现按单位汇总"},
	{"quality_findings", "year, level, q", "校验发现明细（链接到单元格与原文）"},
	{"quality_coverage", "year", "应报单位报送情况：未报送、迟报"},
	{"risks", "year, level, q", "风险提示：按类别、变化幅度排序"},
}

func (s *Server) tableFuncs() map[string]tableFunc {
	return map[string]tableFunc{
		"kpi": s.tableKPI, "trend": s.tableTrend, "agencies": s.tableAgencies, "metrics": s.streamed(s.metricsStream()),
		"agency_table2": s.tableReport2, "agency_table3": s.tableReport3, "agency_table4": s.tableReport4,
		"agency_trend": s.tableAgencyTrend, "agency_findings": s.tableAgencyFindings,
		"compare_district": s.tableCompareDistrict, "compare_agencies": s.tableCompareAgencies,
		"compare_all": s.streamed(s.compareAllStream()), "movers_up": s.tableMovers(true), "movers_down": s.tableMovers(false),
		"heatmap": s.streamed(s.heatmapStream()), "agency_list": s.tableAgencyList, "quality_rules": s.tableRules, "quality_agencies": s.tableFindingAgencies,
		"quality_findings": s.tableFindings, "quality_coverage": s.tableCoverage, "risks": s.tableRisks,
	}
}

// headline are the metrics of the summary tables, in order.
var headline = []string{"applications", "carried_over", "handled", "disclosed", "partly_disclosed", "withheld",
	"unable", "refused", "other_handled", "carried_forward", "disclosure_rate", "review", "litigation",
	"correction_rate", "publications", "normative_documents_made", "licensing", "punishment", "coercion", "fees"}

func metric(name string) analytics.Metric {
	m, ok := analytics.MetricByName(name)
	if !ok {
		panic("unknown metric " + name)
	}
	return m
}

func metricColumn(m analytics.Metric) analytics.Column {
	label := m.Label
	if m.Kind == analytics.Ratio {
		label += "(%)"
	} else if m.Unit == "万元" {
		label += "(万元)"
	}
	return analytics.Column{Key: m.Name, Label: label, Tip: m.Definition, Numeric: true}
}

func col(key, label string) analytics.Column { return analytics.Column{Key: key, Label: label} }

func numCol(key, label string) analytics.Column {
	return analytics.Column{Key: key, Label: label, Numeric: true}
}

func agencyLink(id, year int) string {
	if year == 0 {
		return fmt.Sprintf("/agency?id=%d", id)
	}
	return fmt.Sprintf("/agency?id=%d&year=%d", id, year)
}

func (s *Server) tableKPI(ctx context.Context, v view) (*analytics.Table, error) {
	f := v.filter()
	f.Years = []int{v.Year - 1, v.Year}
	rows, err := s.a.Values(ctx, f, analytics.ByYear)
	if err != nil {
		return nil, err
	}
	var cur, prev analytics.Row
	for _, r := range rows {
		if r.Year == v.Year {
			cur = r
		} else {
			prev = r
		}
	}
	t := &analytics.Table{Name: "kpi", Title: fmt.Sprintf("%d年关键指标", v.Year),
		Columns: []analytics.Column{col("metric", "指标"), numCol("value", strconv.Itoa(v.Year)), numCol("previous", strconv.Itoa(v.Year-1)), numCol("change", "变化")}}
	for _, name := range kpiMetrics {
		t.Rows = append(t.Rows, kpiRow(metric(name), cur, prev))
	}
	return t, nil
}

// kpiRow is a KPI's row: the metric, its value this year and the year before (with the reason
// when a ratio's denominator is a stated 0, as the trend table says it), and the change.
func kpiRow(m analytics.Metric, cur, prev analytics.Row) []analytics.Cell {
	return []analytics.Cell{analytics.Str(m.Label), rowValue(m, cur), rowValue(m, prev), change(m, prev.Values[m.Name], cur.Values[m.Name])}
}

var kpiMetrics = []string{"applications", "handled", "disclosure_rate", "review", "litigation", "correction_rate", "publications", "reports", "findings_errors"}

// change is the cell of To − From: counts as a signed number, ratios in percentage points.
// Its class says up or down and, where the metric knows which way is good (Metric.Better),
// good or bad, which the colours follow. No change without both values.
func change(m analytics.Metric, from, to *float64) analytics.Cell {
	if from == nil || to == nil {
		return analytics.Cell{V: nil, Text: "—"}
	}
	d := *to - *from
	class := sign(d)
	if class != "" && m.Better != 0 {
		if (d > 0) == (m.Better > 0) {
			class += " good"
		} else {
			class += " bad"
		}
	}
	if m.Kind == analytics.Ratio {
		x, _ := strconv.ParseFloat(fmt.Sprintf("%.1f", d*100), 64)
		return analytics.Cell{V: x, Text: fmt.Sprintf("%+.1f个百分点", d*100), Class: class}
	}
	txt := m.Format(&d)
	if d > 0 {
		txt = "+" + txt
	}
	return analytics.Cell{V: d, Text: txt, Class: class}
}

// yearValue is a metric's value of one year for an organ or the district, or why it has
// none (analytics' words: 未报送, 未说明, — with a zero denominator); a download leaves it empty.
func yearValue(m analytics.Metric, v *float64, why string) analytics.Cell {
	if v != nil {
		return analytics.Num(m, v)
	}
	if why == "" {
		why = analytics.NotStated
	}
	return analytics.Cell{V: nil, Text: analytics.WhyText(m, why), Class: "missing"}
}

// rowValue is a metric's value in a row of Values: "—" with the reason when a ratio's
// denominator is a stated 0, else as analytics.Num.
func rowValue(m analytics.Metric, r analytics.Row) analytics.Cell {
	if v := r.Values[m.Name]; v != nil || r.Why(m.Name) != analytics.ZeroDenominator {
		return analytics.Num(m, v)
	}
	return analytics.Cell{V: nil, Text: analytics.WhyText(m, analytics.ZeroDenominator), Class: "missing"}
}

func sign(d float64) string {
	switch {
	case d > 0:
		return "up"
	case d < 0:
		return "down"
	}
	return ""
}

func (s *Server) tableTrend(ctx context.Context, v view) (*analytics.Table, error) {
	rows, err := s.a.Values(ctx, v.filter(), analytics.ByYear)
	if err != nil {
		return nil, err
	}
	return yearTable("trend", v.scope()+"各年度主要指标", rows), nil
}

func yearTable(name, title string, rows []analytics.Row) *analytics.Table {
	t := &analytics.Table{Name: name, Title: title, Columns: []analytics.Column{numCol("year", "年度")}}
	for _, n := range headline {
		t.Columns = append(t.Columns, metricColumn(metric(n)))
	}
	for _, r := range rows {
		row := []analytics.Cell{analytics.Int(int64(r.Year))}
		for _, n := range headline {
			row = append(row, rowValue(metric(n), r))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

var agencyMetrics = []string{"applications", "handled", "disclosure_rate", "review", "litigation", "correction_rate", "publications", "findings_errors", "findings_warnings"}

func (s *Server) tableAgencies(ctx context.Context, v view) (*analytics.Table, error) {
	t := agenciesHead(v)
	// The organs are ordered, searched and paged in the database: a year of 150,000 organs
	// never comes to Go, only the page asked for and the count.
	pg, err := s.a.Organs(ctx, agenciesQuery(v))
	if err != nil {
		return nil, err
	}
	t.Windowed, t.Offset, t.Total = v.win.Limit > 0, v.win.Offset, pg.Total
	for _, g := range pg.Rows {
		t.Rows = append(t.Rows, agenciesRow(v, g))
	}
	return t, nil
}

// agenciesHead is the agencies table without rows.
func agenciesHead(v view) *analytics.Table {
	t := &analytics.Table{Name: "agencies", Title: fmt.Sprintf("%d年各单位", v.Year),
		Note:    "状态：未报送＝应报单位无本年报告；迟报＝发布晚于截止日（" + ingest.DeadlineNote(v.Year) + "）；有错误＝校验发现错误。点击表头排序。",
		Columns: []analytics.Column{col("agency", "单位"), col("level", "级别"), col("status", "状态")}}
	for _, n := range agencyMetrics {
		t.Columns = append(t.Columns, metricColumn(metric(n)))
	}
	return t
}

// agenciesQuery is the organ list of the agencies table for v: the year's organs with the
// registry's organs without a report, v's sort and window.
func agenciesQuery(v view) analytics.OrganQuery {
	return analytics.OrganQuery{Year: v.Year, Filter: v.filter(), Metrics: agencyMetrics, NotReported: true,
		Page: analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset, Sort: v.Sort, Desc: v.Desc}}
}

// agenciesRow is one organ of the agencies table.
func agenciesRow(v view, g analytics.OrganRow) []analytics.Cell {
	name := analytics.Str(g.Agency)
	if g.Reported {
		name.Link = agencyLink(g.AgencyID, v.Year)
	} else {
		name.Link = agencyLink(g.AgencyID, 0)
	}
	row := []analytics.Cell{name, analytics.Str(ingest.LevelLabel(g.Level)), {V: g.Status, Text: g.Status, Class: g.Class}}
	for _, n := range agencyMetrics {
		row = append(row, rowValue(metric(n), g.Row))
	}
	return row
}

func matches(v view, agency, level string) bool {
	return (v.Level == "" || v.Level == level) && (v.Q == "" || strings.Contains(agency, v.Q))
}

// sortTable orders rows by the column with that key: numbers numerically (no value last),
// text by its text. An unknown key leaves the order.
func sortTable(t *analytics.Table, key string, desc bool) {
	ci := slices.IndexFunc(t.Columns, func(c analytics.Column) bool { return c.Key == key })
	if ci < 0 {
		return
	}
	slices.SortStableFunc(t.Rows, func(a, b []analytics.Cell) int {
		x, y := a[ci].V, b[ci].V
		if x == nil || y == nil {
			switch {
			case x == nil && y == nil:
				return 0
			case x == nil:
				return 1
			}
			return -1
		}
		var c int
		fx, okx := a[ci].Number()
		fy, oky := b[ci].Number()
		if okx && oky {
			c = cmp.Compare(fx, fy)
		} else {
			c = strings.Compare(a[ci].Text, b[ci].Text)
		}
		if desc {
			c = -c
		}
		return c
	})
}

// metricsStream is every metric of every organ and year, one column a metric (for the API
// and downloads): 742,500 rows in a country, read from the database a window or a chunk at a
// time, in the order asked (agency, level, year or a metric; by organ and year by default).
func (s *Server) metricsStream() stream {
	return stream{head: func(view) *analytics.Table { return metricsHead() },
		rows: func(ctx context.Context, v view, pg analytics.Page, write func([]analytics.Cell) error) (int, error) {
			f := v.filter()
			if v.Year != 0 && len(v.Years) > 0 && v.Year != v.Years[len(v.Years)-1] {
				f.Years = []int{v.Year}
			}
			return s.a.EachAgencyYear(ctx, f, pg, func(r analytics.Row) error { return write(metricsRow(r)) })
		}}
}

// metricsHead is the metrics table without rows.
func metricsHead() *analytics.Table {
	t := &analytics.Table{Name: "metrics", Title: "各单位各年度指标",
		Columns: []analytics.Column{col("agency", "单位"), col("level", "级别"), numCol("year", "年度")}}
	for _, m := range analytics.Metrics {
		t.Columns = append(t.Columns, metricColumn(m))
	}
	return t
}

// metricsRow is one organ and year of the metrics table.
func metricsRow(r analytics.Row) []analytics.Cell {
	row := []analytics.Cell{analytics.Str(r.Agency), analytics.Str(ingest.LevelLabel(r.Level)), analytics.Int(int64(r.Year))}
	for _, m := range analytics.Metrics {
		row = append(row, analytics.Num(m, r.Values[m.Name]))
	}
	return row
}

// report returns the view's agency and its report for the view's year (nil when none).
func (s *Server) report(ctx context.Context, v view) (analytics.Agency, *analytics.Report, error) {
	g, err := s.a.Agency(ctx, v.ID)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return g, nil, notFound("没有编号为 %d 的单位", v.ID)
		}
		return g, nil, err
	}
	rep, err := s.a.Report(ctx, v.ID, v.Year)
	if errors.Is(err, sql.ErrNoRows) {
		return g, nil, nil
	}
	return g, rep, err
}

// cellOf is a report cell linking to the line of the source text it was read from.
func cellOf(rep *analytics.Report, key string) analytics.Cell {
	c, ok := rep.Cells[key]
	if !ok {
		return analytics.Cell{V: nil, Text: ""}
	}
	out := analytics.Cell{V: nil, Text: "未读出", Class: "error"}
	if c.Value != nil {
		out = analytics.Cell{V: *c.Value, Text: ingest.FormatValue(*c.Value)}
	}
	if c.Flagged {
		out.Class = "flag"
	}
	out.ID = key
	if c.Line > 0 {
		out.Link = sourceLink(rep.ID, c.Line)
	}
	return out
}

func sourceLink(reportID int64, line int) string {
	if line <= 0 {
		return fmt.Sprintf("/source?report=%d", reportID)
	}
	return fmt.Sprintf("/source?report=%d&line=%d#L%d", reportID, line, line)
}

func emptyReportTable(name, title string, g analytics.Agency, year int) *analytics.Table {
	return &analytics.Table{Name: name, Title: title, Note: fmt.Sprintf("%s没有%d年的报告。", g.Name, year),
		Columns: []analytics.Column{col("item", "项目")}}
}

func (s *Server) tableReport2(ctx context.Context, v view) (*analytics.Table, error) {
	g, rep, err := s.report(ctx, v)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("%s %d年 %s", g.Name, v.Year, "二、主动公开政府信息情况")
	if rep == nil {
		return emptyReportTable("agency_table2", title, g, v.Year), nil
	}
	t := &analytics.Table{Name: "agency_table2", Title: title,
		Columns: []analytics.Column{col("article", "条款"), col("item", "信息内容"), col("column", "统计项"), numCol("value", "数值")}}
	if rep.Format == ingest.Format2019 {
		t.Note = "2019版格式（国办公开办函〔2019〕60号）"
	}
	for _, g := range ingest.Table2Groups(rep.Format) {
		for _, r := range g.Rows {
			for i, k := range r.Keys {
				t.Rows = append(t.Rows, []analytics.Cell{analytics.Str(g.Heading()), analytics.Str(r.Label),
					analytics.Str(g.Columns[1+i]), cellOf(rep, k)})
			}
		}
	}
	return t, nil
}

func (s *Server) tableReport3(ctx context.Context, v view) (*analytics.Table, error) {
	g, rep, err := s.report(ctx, v)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("%s %d年 %s", g.Name, v.Year, "三、收到和处理政府信息公开申请情况")
	if rep == nil {
		return emptyReportTable("agency_table3", title, g, v.Year), nil
	}
	t := &analytics.Table{Name: "agency_table3", Title: title, Note: "数字链接到其所在的原文行；标红的单元格有校验发现。",
		Columns: []analytics.Column{col("row", ingest.Table3BalanceNote)}}
	for i, c := range ingest.Table3Columns {
		t.Columns = append(t.Columns, numCol(c, ingest.Table3ColumnHeaders[i]))
	}
	rows := ingest.Table3Rows
	if rep.SingleOther {
		rows = ingest.Table3RowsSingleOther
	}
	for _, r := range rows {
		l, _ := ingest.Table3LineOf(r)
		row := []analytics.Cell{analytics.Str(l.Label())}
		for _, c := range ingest.Table3Columns {
			row = append(row, cellOf(rep, ingest.Table3Key(r, c)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func (s *Server) tableReport4(ctx context.Context, v view) (*analytics.Table, error) {
	g, rep, err := s.report(ctx, v)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("%s %d年 %s", g.Name, v.Year, "四、政府信息公开行政复议、行政诉讼情况")
	if rep == nil {
		return emptyReportTable("agency_table4", title, g, v.Year), nil
	}
	t := &analytics.Table{Name: "agency_table4", Title: title,
		Columns: []analytics.Column{col("block", "类别")}}
	for i, c := range ingest.Table4Columns {
		t.Columns = append(t.Columns, numCol(c, ingest.Table4ColumnHeaders[i]))
	}
	for _, b := range ingest.Table4Blocks {
		row := []analytics.Cell{analytics.Str(ingest.Table4BlockLabels[b])}
		for _, c := range ingest.Table4Columns {
			row = append(row, cellOf(rep, ingest.Table4Key(b, c)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func (s *Server) tableAgencyTrend(ctx context.Context, v view) (*analytics.Table, error) {
	g, err := s.a.Agency(ctx, v.ID)
	if err != nil {
		return nil, notFound("没有编号为 %d 的单位", v.ID)
	}
	rows, err := s.a.Values(ctx, analytics.Filter{AgencyID: v.ID}, analytics.ByAgencyYear)
	if err != nil {
		return nil, err
	}
	return yearTable("agency_trend", g.Name+"各年度主要指标", rows), nil
}

func findingsTable(name, title string, fs []analytics.Finding) *analytics.Table {
	t := &analytics.Table{Name: name, Title: title,
		Columns: []analytics.Column{col("agency", "单位"), numCol("year", "年度"), col("rule", "规则"), col("severity", "级别"),
			col("cell", "单元格"), numCol("expected", "应为"), numCol("actual", "实为"), col("message", "说明"), col("source", "原文")}}
	for _, f := range fs {
		ag := analytics.Str(f.Agency)
		ag.Link = agencyLink(f.AgencyID, f.Year)
		sev := severityCell(f.Severity)
		cell := analytics.Cell{V: f.Cell, Text: ingest.CellLabel(f.Cell)} // the format's words; the key for machines
		if f.Cell != "" {
			cell.Link = agencyLink(f.AgencyID, f.Year) + "#" + f.Cell
		}
		num := func(p *float64) analytics.Cell {
			if p == nil {
				return analytics.Cell{Text: ""}
			}
			return analytics.Cell{V: *p, Text: ingest.FormatValue(*p)}
		}
		src := analytics.Str("原文")
		if f.Line > 0 {
			src = analytics.Str(fmt.Sprintf("第%d行", f.Line))
		}
		src.Link = sourceLink(f.ReportID, f.Line)
		t.Rows = append(t.Rows, []analytics.Cell{ag, analytics.Int(int64(f.Year)), ruleCell(f.Rule), sev, cell,
			num(f.Expected), num(f.Actual), analytics.Str(f.Message), src})
	}
	return t
}

func (s *Server) tableAgencyFindings(ctx context.Context, v view) (*analytics.Table, error) {
	fs, err := s.a.Findings(ctx, analytics.Filter{AgencyID: v.ID}, "")
	if err != nil {
		return nil, err
	}
	return findingsTable("agency_findings", "校验发现（各年度）", fs), nil
}

// compareFilter is the view's filter for comparing two years: organs with reports in both
// unless 全部单位 is asked for.
func (v view) compareFilter() analytics.Filter {
	f := v.filter()
	f.InAllYears = !v.All
	return f
}

func (s *Server) tableCompareDistrict(ctx context.Context, v view) (*analytics.Table, error) {
	ds, err := s.a.CompareDistrict(ctx, v.From, v.To, v.compareFilter())
	if err != nil {
		return nil, err
	}
	set := "两年都有报告的单位"
	if v.All {
		set = "全部单位"
	}
	t := &analytics.Table{Name: "compare_district", Title: fmt.Sprintf("%s %d 年与 %d 年对比（%s）", v.scope(), v.To, v.From, set),
		Columns: []analytics.Column{col("metric", "指标"), numCol("from", strconv.Itoa(v.From)), numCol("to", strconv.Itoa(v.To)), numCol("change", "变化")}}
	var unpaired []string
	for _, d := range ds {
		if d.AgencyID != 0 {
			continue
		}
		m := metric(d.Metric)
		label := analytics.Str(m.Label)
		label.Link = v.link("/compare", "metric", m.Name)
		t.Rows = append(t.Rows, []analytics.Cell{label, yearValue(m, d.From, d.FromWhy), yearValue(m, d.To, d.ToWhy), change(m, d.From, d.To)})
		if d.Unpaired > 0 {
			unpaired = append(unpaired, fmt.Sprintf("%s %d 个", m.Label, d.Unpaired))
		}
	}
	if !v.All {
		t.Note = "每项只合计两年都写明该项的单位（比率：分子分母两年都写明）。"
		if len(unpaired) > 0 {
			t.Note += "两年都有报告、但其中一年未说明或未能读出该项而未计入该项的单位：" + strings.Join(unpaired, "；") + "。"
		}
	}
	return t, nil
}

func deltaRows(t *analytics.Table, ds []analytics.Delta, v view, withMetric bool) {
	for _, d := range ds {
		t.Rows = append(t.Rows, deltaRow(d, v, withMetric))
	}
}

// deltaRow is one delta as a table row: the organ (or the district), the metric when asked,
// the two years' values and the change.
func deltaRow(d analytics.Delta, v view, withMetric bool) []analytics.Cell {
	m := metric(d.Metric)
	ag := analytics.Str(d.Agency)
	if d.AgencyID != 0 {
		ag.Link = agencyLink(d.AgencyID, v.To)
	}
	row := []analytics.Cell{ag}
	if withMetric {
		row = append(row, analytics.Str(m.Label))
	}
	return append(row, yearValue(m, d.From, d.FromWhy), yearValue(m, d.To, d.ToWhy), change(m, d.From, d.To))
}

// compareAgenciesTable is one metric of a comparison, organ by organ.
func compareAgenciesTable(v view, c *analytics.Comparison) *analytics.Table {
	m := metric(c.Metric)
	t := &analytics.Table{Name: "compare_agencies", Title: fmt.Sprintf("%s：%s各单位 %d 年与 %d 年对比", m.Label, v.scope(), v.To, v.From),
		Note:    "未报送：该年没有报告；未说明：报告未写明或未能读出；—（分母为 0）：报告写明分母为 0，比率无从计算。变化需要两年的数值。点击表头排序。",
		Columns: []analytics.Column{col("agency", "单位"), col("level", "级别"), numCol("from", strconv.Itoa(v.From)), numCol("to", strconv.Itoa(v.To)), numCol("change", "变化")}}
	for _, d := range c.Rows {
		ag := analytics.Str(d.Agency)
		ag.Link = agencyLink(d.AgencyID, v.To)
		t.Rows = append(t.Rows, []analytics.Cell{ag, analytics.Str(ingest.LevelLabel(d.Level)),
			yearValue(m, d.From, d.FromWhy), yearValue(m, d.To, d.ToWhy), change(m, d.From, d.To)})
	}
	return t
}

func (s *Server) tableCompareAgencies(ctx context.Context, v view) (*analytics.Table, error) {
	sort, desc := v.Sort, v.Desc
	if sort == "" {
		sort, desc = "change", true
	}
	// ordered and paged in the database: the page asked for alone comes to Go
	c, err := s.a.CompareAgencies(ctx, v.From, v.To, v.Metric, v.filter(), v.All, analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset, Sort: sort, Desc: desc})
	if err != nil {
		return nil, err
	}
	t := compareAgenciesTable(v, c)
	t.Windowed, t.Offset, t.Total = v.win.Limit > 0, v.win.Offset, c.Total
	return t, nil
}

// compareAllStream is the comparison of two years, every organ and every metric (the
// district's rows first): 150,000 × 60 rows in a country, read a chunk of organs at a time.
// Its order is fixed (organ by organ, every metric of each); compare_agencies orders the
// organs by one metric.
func (s *Server) compareAllStream() stream {
	return stream{head: compareAllHead,
		rows: func(ctx context.Context, v view, pg analytics.Page, write func([]analytics.Cell) error) (int, error) {
			if pg.Sort != "" {
				return 0, badRequest("表 compare_all 按单位、指标的固定顺序分页，不能排序；按某一指标的变化给各单位排序请用 compare_agencies（参数 metric）")
			}
			return s.a.EachCompare(ctx, v.From, v.To, v.compareFilter(), pg, func(d analytics.Delta) error {
				return write(deltaRow(d, v, true))
			})
		}}
}

// compareAllHead is the compare_all table without rows.
func compareAllHead(v view) *analytics.Table {
	return &analytics.Table{Name: "compare_all", Title: fmt.Sprintf("%s %d 年与 %d 年对比：每个单位每个指标", v.scope(), v.To, v.From),
		Columns: []analytics.Column{col("agency", "单位"), col("metric", "指标"), numCol("from", strconv.Itoa(v.From)), numCol("to", strconv.Itoa(v.To)), numCol("change", "变化")}}
}

// movers is the organs whose metric rose (up) or fell most, at most 10, from the database.
func (s *Server) movers(ctx context.Context, v view, up bool) (*analytics.Table, error) {
	c, err := s.a.CompareAgencies(ctx, v.From, v.To, v.Metric, v.filter(), false, analytics.Page{Limit: 10, Sort: "change", Desc: up})
	if err != nil {
		return nil, err
	}
	var keep []analytics.Delta
	for _, d := range c.Rows {
		if d.Change != nil && ((up && *d.Change > 0) || (!up && *d.Change < 0)) {
			keep = append(keep, d)
		}
	}
	name, title := "movers_up", "增幅最大"
	if !up {
		name, title = "movers_down", "降幅最大"
	}
	m := metric(v.Metric)
	t := &analytics.Table{Name: name, Title: fmt.Sprintf("%s：%s%s（两年都有报告的单位）", m.Label, v.scope(), title),
		Columns: []analytics.Column{col("agency", "单位"), numCol("from", strconv.Itoa(v.From)), numCol("to", strconv.Itoa(v.To)), numCol("change", "变化")}}
	deltaRows(t, keep, v, false)
	return t, nil
}

func (s *Server) tableMovers(up bool) tableFunc {
	return func(ctx context.Context, v view) (*analytics.Table, error) { return s.movers(ctx, v, up) }
}

// tableAgencyList is every organ with its level, registry status and reports stored,
// ordered and paged in the database.
func (s *Server) tableAgencyList(ctx context.Context, v view) (*analytics.Table, error) {
	total, as, err := s.a.AgencyList(ctx, analytics.AgencyQuery{Filter: v.filter(),
		Page: analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset, Sort: v.Sort, Desc: v.Desc}})
	if err != nil {
		return nil, err
	}
	t := &analytics.Table{Name: "agency_list", Title: v.scope() + "单位名录",
		Note:     "名录内：配置的应报单位；名录外：报告入库时新出现的单位。点击单位名称查看其各年度报告。",
		Columns:  []analytics.Column{col("agency", "单位"), col("level", "级别"), col("registry", "名录"), numCol("reports", "已入库报告（份）")},
		Windowed: v.win.Limit > 0, Offset: v.win.Offset, Total: total}
	for _, g := range as {
		ag := analytics.Str(g.Name)
		ag.Link = agencyLink(g.ID, 0)
		reg := "名录内"
		if !g.Expected {
			reg = "名录外"
		}
		t.Rows = append(t.Rows, []analytics.Cell{ag, analytics.Str(ingest.LevelLabel(g.Level)), analytics.Str(reg), analytics.Int(int64(g.Reports))})
	}
	return t, nil
}

// heatmapStream is one metric, organ × year: a row an organ (150,000 in a country), read
// a chunk of organs at a time in the organs' order.
func (s *Server) heatmapStream() stream {
	return stream{head: heatmapHead,
		rows: func(ctx context.Context, v view, pg analytics.Page, write func([]analytics.Cell) error) (int, error) {
			if pg.Sort != "" {
				return 0, badRequest("表 heatmap 按单位的固定顺序分页，不能排序；按某一年的数值给各单位排序请用 agencies 或 compare_agencies")
			}
			m := metric(v.Metric)
			f := v.filter()
			f.Metrics = []string{m.Name}
			return s.a.EachOrganYears(ctx, f, pg, func(rows []analytics.Row) error {
				ag := analytics.Str(rows[0].Agency)
				ag.Link = agencyLink(rows[0].AgencyID, 0)
				row := []analytics.Cell{ag}
				for range v.Years {
					row = append(row, analytics.Num(m, nil))
				}
				for _, r := range rows {
					if yi := slices.Index(v.Years, r.Year); yi >= 0 {
						row[yi+1] = analytics.Num(m, r.Values[m.Name])
					}
				}
				return write(row)
			})
		}}
}

// heatmapHead is the heatmap table without rows.
func heatmapHead(v view) *analytics.Table {
	m := metric(v.Metric)
	t := &analytics.Table{Name: "heatmap", Title: m.Label + "：单位 × 年度", Columns: []analytics.Column{col("agency", "单位")}}
	for _, y := range v.Years {
		t.Columns = append(t.Columns, numCol(strconv.Itoa(y), strconv.Itoa(y)))
	}
	return t
}

func (s *Server) tableRules(ctx context.Context, v view) (*analytics.Table, error) {
	f := v.filter()
	f.Years = []int{v.Year}
	rs, err := s.a.FindingsByRule(ctx, f)
	if err != nil {
		return nil, err
	}
	t := &analytics.Table{Name: "quality_rules", Title: fmt.Sprintf("%d年校验发现：按规则", v.Year),
		Columns: []analytics.Column{col("rule", "规则"), col("severity", "级别"), numCol("findings", "条数"), numCol("agencies", "涉及单位")}}
	for _, r := range rs {
		rule := ruleCell(r.Rule)
		rule.Link = v.link("/quality", "rule", r.Rule) + "#quality_findings"
		t.Rows = append(t.Rows, []analytics.Cell{rule, severityCell(r.Severity), analytics.Int(int64(r.Findings)), analytics.Int(int64(r.Agencies))})
	}
	return t, nil
}

func (s *Server) tableFindingAgencies(ctx context.Context, v view) (*analytics.Table, error) {
	// the organs with findings, most errors first, ordered and paged in the database
	errs, warns := metric("findings_errors"), metric("findings_warnings")
	sort, desc := v.Sort, v.Desc
	if sort == "" {
		sort, desc = errs.Name, true
	}
	pg, err := s.a.Organs(ctx, analytics.OrganQuery{Year: v.Year, Filter: v.filter(), Metrics: []string{errs.Name, warns.Name},
		WithFindings: true, Page: analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset, Sort: sort, Desc: desc}})
	if err != nil {
		return nil, err
	}
	t := &analytics.Table{Name: "quality_agencies", Title: fmt.Sprintf("%d年校验发现：按单位", v.Year),
		Columns:  []analytics.Column{col("agency", "单位"), metricColumn(errs), metricColumn(warns)},
		Windowed: v.win.Limit > 0, Offset: v.win.Offset, Total: pg.Total}
	for _, r := range pg.Rows {
		ag := analytics.Str(r.Agency)
		ag.Link = agencyLink(r.AgencyID, v.Year)
		t.Rows = append(t.Rows, []analytics.Cell{ag, analytics.Num(errs, r.Values[errs.Name]), analytics.Num(warns, r.Values[warns.Name])})
	}
	return t, nil
}

func (s *Server) tableFindings(ctx context.Context, v view) (*analytics.Table, error) {
	f := v.filter()
	f.Years = []int{v.Year}
	// in their order the findings are paged in the database; another order sorts them all
	// (sortTable)
	var pg analytics.Page
	if v.Sort == "" {
		pg = analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset}
	}
	total, fs, err := s.a.FindingsPage(ctx, f, v.Rule, pg)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("%d年校验发现明细", v.Year)
	if v.Rule != "" {
		title += "：" + ingest.RuleLabel(v.Rule)
	}
	t := findingsTable("quality_findings", title, fs)
	t.Windowed, t.Offset, t.Total = pg.Limit > 0, pg.Offset, total
	return t, nil
}

func (s *Server) tableCoverage(ctx context.Context, v view) (*analytics.Table, error) {
	// the organs with an issue, paged in the database in their order; another order sorts
	// them all (sortTable)
	var pg analytics.Page
	if v.Sort == "" {
		pg = analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset}
	}
	total, cov, err := s.a.CoverageIssues(ctx, v.Year, pg)
	if err != nil {
		return nil, err
	}
	t := &analytics.Table{Name: "quality_coverage", Title: fmt.Sprintf("%d年报送情况：未报送、迟报与不完整", v.Year),
		Note: "应报单位来自配置的单位名录；" + ingest.DeadlineNote(v.Year) + "。不完整：报告缺少表格或表格中断（如网页截断），缺失的数据为空，不按 0 计。",
		Columns: []analytics.Column{col("agency", "单位"), col("level", "级别"), col("status", "状态"), col("published", "发布日期"), numCol("revisions", "版本"),
			col("missing", "缺失内容")}}
	for _, c := range cov {
		var status []string
		class := "warning"
		switch {
		case !c.Reported:
			status, class = append(status, analytics.NotReported), "missing"
		case !c.Expected:
			status, class = append(status, "名录外单位"), ""
		}
		if c.Reported && c.Late {
			status, class = append(status, "迟报"), "warning"
		}
		if c.Incomplete {
			status, class = append(status, "不完整"), "warning"
		}
		st := strings.Join(status, "·")
		ag := analytics.Str(c.Agency)
		ag.Link = agencyLink(c.AgencyID, v.Year)
		t.Rows = append(t.Rows, []analytics.Cell{ag, analytics.Str(ingest.LevelLabel(c.Level)), {V: st, Text: st, Class: class},
			analytics.Str(c.Published), analytics.Int(int64(c.Revisions)), analytics.Str(c.IncompleteReason)})
	}
	t.Windowed, t.Offset, t.Total = pg.Limit > 0, pg.Offset, total
	return t, nil
}

func (s *Server) tableRisks(ctx context.Context, v view) (*analytics.Table, error) {
	// in their order (kind, largest move first) the cards are paged in the database; another
	// order sorts them all (sortTable)
	var pg analytics.Page
	if v.Sort == "" {
		pg = analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset}
	}
	r, err := s.a.Risks(ctx, analytics.RiskQuery{Year: v.Year, Thresholds: s.cfg.Risk, Filter: v.filter(), Page: pg})
	if err != nil {
		return nil, err
	}
	t := risksTable(v, r)
	t.Windowed, t.Offset, t.Total = pg.Limit > 0, pg.Offset, r.Total
	return t, nil
}

// risksTable is the cards of r as a table, in their order (kind, largest move first).
func risksTable(v view, r *analytics.Risks) *analytics.Table {
	t := &analytics.Table{Name: "risks", Title: fmt.Sprintf("%s %d年风险提示（与%d年比）", v.scope(), r.Year, r.Previous),
		Columns: []analytics.Column{col("title", "提示"), col("agency", "单位"), col("detail", "说明")}}
	for _, c := range r.Cards {
		ag := analytics.Str(c.Agency)
		ag.Link = agencyLink(c.AgencyID, v.Year)
		t.Rows = append(t.Rows, []analytics.Cell{analytics.Str(c.Title), ag, analytics.Str(c.Detail)})
	}
	return t
}

// severityCell shows a finding's severity in Chinese, keeping the key as its value.
func severityCell(sev string) analytics.Cell {
	return analytics.Cell{V: sev, Text: ingest.SeverityLabel(sev), Class: sev}
}

// ruleCell shows a rule by its Chinese name with the identifier beside it, keeping the
// identifier as its value (the API and --headers keys downloads).
func ruleCell(id string) analytics.Cell {
	return analytics.Cell{V: id, Text: ingest.RuleLabel(id)}
}
