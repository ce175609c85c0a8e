package dashboards

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai/analytics"
	"gongkai/ingest"
)

// pageData is what layout.html renders.
type pageData struct {
	Title, Active, District string
	Error                   string
	Path                    string
	View                    view
	Controls                controls
	Blocks                  []block
	Metrics                 []analytics.Metric
	Levels                  [][2]string
	Nav                     []navItem
	Query                   url.Values // the request's parameters (paging links keep them)
}

type navItem struct{ Path, Label string }

var nav = []navItem{{"/", "总览"}, {"/agencies", "单位"}, {"/compare", "同比"}, {"/quality", "数据质量"}, {"/summary", "汇总"}, {"/risks", "风险提示"}, {"/upload", "上传报告"}}

// controls says which filters a page's form offers.
type controls struct {
	Year, FromTo, Level, Search, Metric, ID bool
}

// block is one section of a page: cards, a chart, a table or free HTML.
type block struct {
	Heading string
	Note    string
	KPIs    []kpi
	Chart   template.HTML
	Table   *tableView
	HTML    template.HTML
	Cards   []analytics.RiskCard
	Lines   []sourceLine
	Wide    bool
}

type kpi struct {
	Label, Tip, Value, Change, Class, Previous, Link string
}

type sourceLine struct {
	N    int
	Text string
	Hit  bool
}

// tableView is a table with its download links and sort state.
type tableView struct {
	*analytics.Table
	Query    string
	Sortable bool
	Folded   bool // long table: rows shown folded (<details>), still downloadable
	View     view
	Path     string
	Pager    *pager // nil: every row is shown
}

// SortLink is the URL sorting by column key (toggling the direction on the current one).
func (t *tableView) SortLink(key string) string {
	desc := "1"
	if t.View.Sort == key && t.View.Desc {
		desc = ""
	}
	return t.View.link(t.Path, "sort", key, "desc", desc) + "#" + t.Name
}

// CSV, XLSX and JSON are the table's download and API links for the same view.
func (t *tableView) CSV() template.URL {
	return template.URL("/download/" + t.Name + ".csv?" + t.Query)
}
func (t *tableView) XLSX() template.URL {
	return template.URL("/download/" + t.Name + ".xlsx?" + t.Query)
}
func (t *tableView) JSON() template.URL { return template.URL("/api/tables/" + t.Name + "?" + t.Query) }

// SortMark is the arrow of the current sort column.
func (t *tableView) SortMark(key string) string {
	if t.View.Sort != key {
		return ""
	}
	if t.View.Desc {
		return " ▼"
	}
	return " ▲"
}

var funcs = template.FuncMap{
	"levelName": ingest.LevelLabel,
	"pct":       func(v float64) string { return fmt.Sprintf("%.0f", v*100) },
}

type pageFunc func(ctx context.Context, r *http.Request, v view, p *pageData) error

// page wraps a page builder: parse the view, build, render.
func (s *Server) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v, err := s.parseView(ctx, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p := &pageData{District: s.cfg.District, Path: r.URL.Path, View: v, Metrics: analytics.Metrics, Levels: ingest.Levels, Nav: nav, Query: r.URL.Query()}
		if err := fn(ctx, r, v, p); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := s.tpl.ExecuteTemplate(w, "layout.html", p); err != nil {
			if gone(r, err) {
				s.quiet.note(s.log) // the client left mid-page
			} else {
				s.log.Printf("render %s: %v", r.URL.Path, err)
			}
		}
	}
}

// table builds a named table as a block of the page.
func (s *Server) table(ctx context.Context, p *pageData, v view, name string, sortable bool) (*analytics.Table, error) {
	pg, _ := strconv.Atoi(p.Query.Get(pageParam(name)))
	v.win = analytics.Page{Limit: pageRows, Offset: (max(pg, 1) - 1) * pageRows}
	t, err := window(ctx, s.tables[name], v)
	if err != nil {
		return nil, err
	}
	tv := &tableView{Table: t, Query: v.values().Encode(), Sortable: sortable, View: v, Path: p.Path}
	tv.Pager = paginate(tv, p.Query, p.Path)
	p.Blocks = append(p.Blocks, block{Table: tv})
	return t, nil
}

// leftNote says, for the year of a district row, how many reports each of the metrics
// leaves out of its sum: 新收申请：2 个单位数据不完整，未计入；行政事业性收费：1 个单位数据不合常理，未计入.
func leftNote(rows []analytics.Row, year int, metrics ...string) string {
	var parts []string
	for _, r := range rows {
		if r.Year != year {
			continue
		}
		for _, name := range metrics {
			m := metric(name)
			left, impl := r.Left[name], r.Implausible[name]
			if left == 0 {
				continue
			}
			var why []string
			if left-impl > 0 {
				why = append(why, fmt.Sprintf("%d 个单位数据不完整", left-impl))
			}
			if impl > 0 {
				why = append(why, fmt.Sprintf("%d 个单位数据不合常理", impl))
			}
			parts = append(parts, m.Label+"："+strings.Join(why, "、")+"，未计入")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%d年 ", year) + strings.Join(parts, "；") + "。"
}

// noReports says that the database holds no report, naming the file the server opened (a
// mistyped --db opens a new, empty file).
func (s *Server) noReports() string {
	if s.cfg.DB == "" {
		return "数据库中还没有报告。"
	}
	return fmt.Sprintf("数据库 %s 中还没有报告（如果这不是您的数据库文件，请检查 --db 或配置项 db）。", fileName(s.cfg.DB))
}

func (s *Server) overview(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = v.scope()+" 总览", "/"
	p.Controls = controls{Year: true, Level: true, Search: true}
	if len(v.Years) == 0 {
		p.Blocks = append(p.Blocks, block{Note: s.noReports() + "请用 gongkai ingest 导入，或在“上传报告”页上传。"})
		return nil
	}
	kt, err := s.tables["kpi"](ctx, v)
	if err != nil {
		return err
	}
	b := block{Heading: fmt.Sprintf("%s %d年关键指标（与%d年比）", v.scope(), v.Year, v.Year-1)}
	for i, name := range kpiMetrics {
		m := metric(name)
		row := kt.Rows[i]
		link := v.link("/compare", "metric", name, "from", strconv.Itoa(v.Year-1), "to", strconv.Itoa(v.Year), "year", "")
		if name == "findings_errors" || name == "reports" {
			link = v.link("/quality")
		}
		b.KPIs = append(b.KPIs, kpi{Label: m.Label, Tip: m.Definition, Value: row[1].Text, Previous: row[2].Text, Change: row[3].Text, Class: row[3].Class, Link: link})
	}
	p.Blocks = append(p.Blocks, b)
	rows, err := s.a.Values(ctx, v.filter(), analytics.ByYear)
	if err != nil {
		return err
	}
	apps := []string{}
	for _, a := range []string{"natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"} {
		apps = append(apps, "applications_"+a)
	}
	sc := v.scope()
	chart := func(id, title, kind, stack string, metrics ...string) block {
		return block{Chart: s.trend(id, sc+" "+title, kind, stack, rows, metrics...), Note: leftNote(rows, v.Year, metrics...)}
	}
	p.Blocks = append(p.Blocks,
		chart("chart_applications", "新收申请（按申请人类型）", "bar", "apps", apps...),
		chart("chart_outcomes", "办理结果构成", "bar", "outcomes", "disclosed", "partly_disclosed", "withheld", "unable", "refused", "other_handled"),
		chart("chart_cases", "行政复议、行政诉讼（按结果）", "bar", "review|litigation",
			"review_maintained", "review_corrected", "review_other", "review_pending",
			"litigation_maintained", "litigation_corrected", "litigation_other", "litigation_pending"),
		chart("chart_publications", "主动公开信息（按渠道）", "bar", "pub",
			"publications_portal", "publications_wechat", "publications_weibo", "publications_short_video", "publications_notice_board", "publications_other"),
		chart("chart_fees", "行政事业性收费（万元）", "bar", "", "fees"),
		chart("chart_rates", "实质公开率与纠错率", "line", "", "disclosure_rate", "correction_rate"),
	)
	if _, err := s.table(ctx, p, v, "agencies", true); err != nil {
		return err
	}
	_, err = s.table(ctx, p, v, "trend", false)
	return err
}

func (s *Server) agency(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Active = "/"
	p.Controls = controls{Year: true, ID: true}
	if v.ID == 0 {
		return badRequest("请指定单位（id）")
	}
	g, err := s.a.Agency(ctx, v.ID)
	if err != nil {
		return notFound("没有编号为 %d 的单位", v.ID)
	}
	p.Title = g.Name
	rep, err := s.a.Report(ctx, v.ID, v.Year)
	info := fmt.Sprintf("级别：%s。", ingest.LevelLabel(g.Level))
	if !g.Expected {
		info += "不在配置的单位名录中。"
	}
	if err == nil {
		src := fmt.Sprintf(`<a href="%s">查看原文（入库文本）</a>`, template.HTMLEscapeString(sourceLink(rep.ID, 0)))
		pub := rep.Published
		if pub == "" {
			pub = "未注明"
		}
		info += fmt.Sprintf("%d年报告：%s版格式，发布日期 %s，第 %d 版，来源文件 %s。", v.Year, rep.Format, pub, rep.Revision, fileName(rep.SourcePath))
		if rep.Incomplete {
			info += "报告不完整：" + rep.IncompleteReason + "；缺失的数据为空，不按 0 计。"
		}
		if src := ingest.AgencySourceNames[rep.AgencySource]; rep.AgencySource != ingest.AgencyFromTitle && src != "" {
			info += "单位名称取自" + src + "。"
		}
		p.Blocks = append(p.Blocks, block{Heading: g.Name, HTML: template.HTML(template.HTMLEscapeString(info) + " " + src)})
	} else {
		p.Blocks = append(p.Blocks, block{Heading: g.Name, HTML: template.HTML(template.HTMLEscapeString(info + fmt.Sprintf("没有%d年的报告。", v.Year)))})
	}
	for _, t := range []string{"agency_table2", "agency_table3", "agency_table4"} {
		if _, err := s.table(ctx, p, v, t, false); err != nil {
			return err
		}
	}
	rows, err := s.a.Values(ctx, analytics.Filter{AgencyID: v.ID}, analytics.ByAgencyYear)
	if err != nil {
		return err
	}
	rows = everyYear(rows, v.Years)
	p.Blocks = append(p.Blocks,
		block{Chart: s.trend("chart_agency_counts", "申请与办理", "line", "", rows, "applications", "handled", "carried_forward", "review", "litigation")},
		block{Chart: s.trend("chart_agency_rates", "实质公开率与纠错率", "line", "", rows, "disclosure_rate", "correction_rate")},
		block{Chart: s.trend("chart_agency_pubs", "主动公开信息", "line", "", rows, "publications")},
	)
	for _, t := range []string{"agency_trend", "agency_findings"} {
		if _, err := s.table(ctx, p, v, t, false); err != nil {
			return err
		}
	}
	return nil
}

// heatmapOrgans is the most organs the 同比 heatmap draws (one page of the organ table).
const heatmapOrgans = 30

func (s *Server) compare(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = fmt.Sprintf("%s %d 年与 %d 年对比", v.scope(), v.To, v.From), "/compare"
	p.Controls = controls{FromTo: true, Level: true, Search: true, Metric: true}
	if len(v.Years) == 0 {
		p.Blocks = append(p.Blocks, block{Note: s.noReports()})
		return nil
	}
	lo, err := s.a.LeftOut(ctx, v.From, v.To, v.filter(), 10)
	if err != nil {
		return err
	}
	p.Blocks = append(p.Blocks, block{Heading: "比较范围", HTML: compareScope(v, lo, p.Path)})
	if _, err := s.table(ctx, p, v, "compare_district", false); err != nil {
		return err
	}
	m := metric(v.Metric)
	for _, up := range []bool{true, false} {
		t, err := s.movers(ctx, v, up)
		if err != nil {
			return err
		}
		p.Blocks = append(p.Blocks, block{Table: &tableView{Table: t, Query: v.values().Encode(), View: v, Path: p.Path}})
	}
	// The organs, one page at a time, sorted in the database.
	pg, _ := strconv.Atoi(p.Query.Get(pageParam("compare_agencies")))
	pg = max(pg, 1)
	sort, desc := v.Sort, v.Desc
	if sort == "" {
		sort, desc = "change", true
	}
	c, err := s.a.CompareAgencies(ctx, v.From, v.To, v.Metric, v.filter(), v.All, analytics.Page{Limit: pageRows, Offset: (pg - 1) * pageRows, Sort: sort, Desc: desc})
	if err != nil {
		return err
	}
	ct := compareAgenciesTable(v, c)
	tv := &tableView{Table: ct, Query: v.values().Encode(), Sortable: true, View: v, Path: p.Path}
	tv.Pager = dbPager(p, "compare_agencies", pg, c.Total)
	// Heatmap: the organs of this page (at most heatmapOrgans), every year.
	var ids []int
	names := []string{}
	for _, d := range c.Rows {
		if len(ids) == heatmapOrgans {
			break
		}
		ids = append(ids, d.AgencyID)
		names = append(names, d.Agency)
	}
	vals := map[string]map[int]analytics.Row{}
	if len(ids) > 0 {
		f := v.filter()
		f.AgencyIDs, f.Metrics = ids, []string{m.Name}
		if m.Kind == analytics.Ratio {
			f.Metrics = append(f.Metrics, m.Den) // Row.Why reads it
		}
		rows, err := s.a.Values(ctx, f, analytics.ByAgencyYear)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if vals[r.Agency] == nil {
				vals[r.Agency] = map[int]analytics.Row{}
			}
			vals[r.Agency][r.Year] = r
		}
	}
	heading := fmt.Sprintf("热力图：本页前 %d 个单位 × 年度", len(names))
	p.Blocks = append(p.Blocks, block{Heading: heading, Note: "空白格：该年未报送、报告未说明或比率的分母为 0（鼠标悬停可见原因），不按 0 着色。全部单位见下表各页，或下载完整的“单位 × 年度”表。",
		Chart: s.heatmap("chart_heatmap", m, names, v.Years, func(a string, y int) (*float64, string) {
			r, ok := vals[a][y]
			if !ok {
				return nil, analytics.NotReported
			}
			return r.Values[m.Name], r.Why(m.Name)
		})})
	p.Blocks = append(p.Blocks, block{Table: tv})
	p.Blocks = append(p.Blocks, block{Heading: "完整数据", HTML: template.HTML(fmt.Sprintf(
		`每个单位每个指标的两年对比（长表）与“单位 × 年度”表不在页面上展开：下载 <a href="/download/compare_all.csv?%[1]s">对比长表 CSV</a>、<a href="/download/heatmap.csv?%[1]s">单位 × 年度 CSV</a>，或经 JSON API 分页读取（<a href="/api/tables/compare_all?%[1]s&amp;limit=100">/api/tables/compare_all?limit=100&amp;offset=0</a>）。`,
		template.HTMLEscapeString(v.values().Encode())))})
	return nil
}

// compareScope says which organs a comparison covers, who was left out, and links the switch.
func compareScope(v view, lo *analytics.LeftOut, path string) template.HTML {
	esc := template.HTMLEscapeString
	names := func(xs []string, n int) string {
		s := strings.Join(xs, "、")
		if n > len(xs) {
			s += fmt.Sprintf(" 等 %d 个", n)
		}
		return s
	}
	var b strings.Builder
	if !v.All {
		fmt.Fprintf(&b, "只比较 %d 年和 %d 年都有报告的单位。", v.From, v.To)
		if lo.Count == 0 {
			b.WriteString("没有单位因只有一年的报告而被排除。")
		} else {
			fmt.Fprintf(&b, "%d 个单位只有一年的报告，未计入：", lo.Count)
			if len(lo.OnlyFrom) > 0 {
				fmt.Fprintf(&b, "仅有 %d 年报告：%s；", v.From, esc(names(lo.OnlyFrom, lo.FromCount)))
			}
			if len(lo.OnlyTo) > 0 {
				fmt.Fprintf(&b, "仅有 %d 年报告：%s；", v.To, esc(names(lo.OnlyTo, lo.ToCount)))
			}
		}
		fmt.Fprintf(&b, ` <a id="scope-all" href="%s">改为全部单位</a>`, esc(v.link(path, "all", "1")))
	} else {
		fmt.Fprintf(&b, "全部单位：含只有一年报告的 %d 个单位（其变化无法计算，显示为未报送）；全区合计因此比较的是不同的单位集合。", lo.Count)
		fmt.Fprintf(&b, ` <a id="scope-both" href="%s">只比较两年都有报告的单位</a>`, esc(v.link(path, "all", "")))
	}
	return template.HTML(b.String())
}

// everyYear gives one row for each year, with no values (a gap in a chart, 未报送 in a
// table) for a year the organ has no report: a missing year is never joined over.
func everyYear(rows []analytics.Row, years []int) []analytics.Row {
	by := map[int]analytics.Row{}
	for _, r := range rows {
		by[r.Year] = r
	}
	out := make([]analytics.Row, 0, len(years))
	for _, y := range years {
		r, ok := by[y]
		if !ok {
			r = analytics.Row{Year: y, Values: map[string]*float64{}}
		}
		out = append(out, r)
	}
	return out
}

func (s *Server) quality(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = "数据质量", "/quality"
	p.Controls = controls{Year: true, Level: true, Search: true}
	rt, err := s.table(ctx, p, v, "quality_coverage", false)
	if err != nil {
		return err
	}
	_ = rt
	rules, err := s.tables["quality_rules"](ctx, v)
	if err != nil {
		return err
	}
	var names []string
	var counts []float64
	for _, r := range rules.Rows {
		names = append(names, r[0].Text)
		counts = append(counts, float64(r[2].V.(int64)))
	}
	p.Blocks = append(p.Blocks, block{Chart: s.barOf("chart_rules", "校验发现（按规则）", names, counts)})
	p.Blocks = append(p.Blocks, block{Table: &tableView{Table: rules, Query: v.values().Encode(), View: v, Path: p.Path}})
	for _, t := range []string{"quality_agencies", "quality_findings"} {
		if _, err := s.table(ctx, p, v, t, false); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) risks(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = v.scope()+" 风险提示", "/risks"
	p.Controls = controls{Year: true, Level: true, Search: true}
	// The first cards of each kind, largest moves first, and the count of each kind: one query.
	// and the page of every card the table below shows
	pg, _ := strconv.Atoi(p.Query.Get(pageParam("risks")))
	pg = max(pg, 1)
	rk, err := s.a.Risks(ctx, analytics.RiskQuery{Year: v.Year, Thresholds: s.cfg.Risk, Filter: v.filter(), PerKind: cardsPerKind, Excluded: maxExcludedShown,
		Page: analytics.Page{Limit: pageRows, Offset: (pg - 1) * pageRows}})
	if err != nil {
		return err
	}
	th := s.cfg.Risk
	note := fmt.Sprintf("与%d年比，只比较两年都有报告的单位（未报送不算下降，未说明的数值不比较）。阈值（配置 risk.*）：纠错率上升 ≥ %.0f 个百分点；行政诉讼增加 ≥ %d 件；实质公开率下降 ≥ %.0f 个百分点；主动公开信息减少 ≥ %.0f%%；比率类提示要求两年样本均不少于 %d 件。",
		rk.Previous, th.CorrectionRateJump, th.LitigationJump, th.DisclosureRateDrop, th.PublicationsDrop*100, th.MinApplications)
	b := block{Heading: fmt.Sprintf("%s %d年风险提示：共 %d 条", v.scope(), v.Year, rk.Total), Note: note}
	if rk.Total == 0 {
		b.HTML = "未发现超过阈值的变化。"
	}
	p.Blocks = append(p.Blocks, b)
	for _, k := range analytics.RiskKinds {
		var cards []analytics.RiskCard
		for _, c := range rk.Cards {
			if c.Kind == k[0] {
				cards = append(cards, c)
			}
		}
		n := rk.Counts[k[0]]
		if n == 0 {
			continue
		}
		heading := fmt.Sprintf("%s：%d 个", k[1], n)
		if n > len(cards) {
			heading += fmt.Sprintf("（列出变化最大的 %d 个，全部见下表）", len(cards))
		}
		p.Blocks = append(p.Blocks, block{Heading: heading, Cards: cards})
	}
	if rk.ExcludedTotal > 0 {
		var sb strings.Builder
		sb.WriteString("<ul class=\"excluded\">")
		for _, e := range rk.Excluded {
			sb.WriteString("<li>" + template.HTMLEscapeString(e) + "</li>")
		}
		sb.WriteString("</ul>")
		heading := fmt.Sprintf("样本过小，未参与比率类提示：%d 项", rk.ExcludedTotal)
		if rk.ExcludedTotal > len(rk.Excluded) {
			heading += fmt.Sprintf("（列出前 %d 项）", len(rk.Excluded))
		}
		p.Blocks = append(p.Blocks, block{Heading: heading, HTML: template.HTML(sb.String())})
	}
	// Every card, one page at a time, paged in the database (the same query).
	all := *rk
	all.Cards = rk.Page
	tv := &tableView{Table: risksTable(v, &all), Query: v.values().Encode(), View: v, Path: p.Path}
	tv.Pager = dbPager(p, "risks", pg, all.Total)
	p.Blocks = append(p.Blocks, block{Table: tv})
	return nil
}

// cardsPerKind is how many cards of each kind the 风险提示 page shows; maxExcludedShown, how
// many organs left out for a small sample it names. The table below pages through all.
const cardsPerKind, maxExcludedShown = 12, 50

// dbPager is the pager of a table paged in the database (total rows, page pg), nil when one
// page holds them all.
func dbPager(p *pageData, table string, pg, total int) *pager {
	if total <= pageRows {
		return nil
	}
	pages := (total + pageRows - 1) / pageRows
	pg = min(max(pg, 1), pages)
	out := &pager{Page: pg, Pages: pages, Total: total, First: (pg-1)*pageRows + 1, Last: min(pg*pageRows, total)}
	link := func(k int) string {
		q := url.Values{}
		for key, vs := range p.Query {
			q[key] = vs
		}
		q.Set(pageParam(table), strconv.Itoa(k))
		return p.Path + "?" + q.Encode() + "#" + table
	}
	if pg > 1 {
		out.Prev = link(pg - 1)
	}
	if pg < pages {
		out.Next = link(pg + 1)
	}
	return out
}

// agencyList is the 单位 page: every organ, searchable and filtered by level, paged.
func (s *Server) agencyList(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = v.scope()+" 单位", "/agencies"
	p.Controls = controls{Level: true, Search: true}
	_, err := s.table(ctx, p, v, "agency_list", true)
	return err
}

func (s *Server) source(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Active = "/quality"
	id, err := strconv.ParseInt(r.URL.Query().Get("report"), 10, 64)
	if err != nil {
		return badRequest("请指定报告（report）")
	}
	line, _ := strconv.Atoi(r.URL.Query().Get("line"))
	agency, year, text, err := s.a.ReportText(ctx, id)
	if err != nil {
		return notFound("没有编号为 %d 的报告", id)
	}
	p.Title = fmt.Sprintf("%s %d年报告原文", agency, year)
	b := block{Heading: p.Title, Note: "入库的规范化文本；每个数字链接到它所在的行。", Wide: true}
	for i, l := range strings.Split(text, "\n") {
		b.Lines = append(b.Lines, sourceLine{N: i + 1, Text: l, Hit: i+1 == line})
	}
	p.Blocks = append(p.Blocks, b)
	return nil
}
