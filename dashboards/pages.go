package dashboards

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
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
}

type navItem struct{ Path, Label string }

var nav = []navItem{{"/", "总览"}, {"/compare", "同比"}, {"/quality", "数据质量"}, {"/summary", "汇总"}, {"/risks", "风险提示"}, {"/upload", "上传报告"}}

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
	Label, Tip, Value, Change, Class, Previous string
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
		p := &pageData{District: s.cfg.District, Path: r.URL.Path, View: v, Metrics: analytics.Metrics, Levels: ingest.Levels, Nav: nav}
		if err := fn(ctx, r, v, p); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := s.tpl.ExecuteTemplate(w, "layout.html", p); err != nil {
			s.log.Printf("render %s: %v", r.URL, err)
		}
	}
}

// table builds a named table as a block of the page.
func (s *Server) table(ctx context.Context, p *pageData, v view, name string, sortable bool) (*analytics.Table, error) {
	t, err := s.tables[name](ctx, v)
	if err != nil {
		return nil, err
	}
	p.Blocks = append(p.Blocks, block{Table: &tableView{Table: t, Query: v.values().Encode(), Sortable: sortable, View: v, Path: p.Path}})
	return t, nil
}

// noReports says that the database holds no report, naming the file the server opened (a
// mistyped --db opens a new, empty file).
func (s *Server) noReports() string {
	if s.cfg.DB == "" {
		return "数据库中还没有报告。"
	}
	return fmt.Sprintf("数据库 %s 中还没有报告（如果这不是您的数据库文件，请检查 --db 或配置项 db）。", s.cfg.DB)
}

func (s *Server) overview(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = "总览", "/"
	p.Controls = controls{Year: true, Level: true, Search: true}
	if len(v.Years) == 0 {
		p.Blocks = append(p.Blocks, block{Note: s.noReports() + "请用 gongkai ingest 导入，或在“上传报告”页上传。"})
		return nil
	}
	kt, err := s.tables["kpi"](ctx, v)
	if err != nil {
		return err
	}
	b := block{Heading: fmt.Sprintf("%d年关键指标（与%d年比）", v.Year, v.Year-1)}
	for i, name := range kpiMetrics {
		m := metric(name)
		row := kt.Rows[i]
		b.KPIs = append(b.KPIs, kpi{Label: m.Label, Tip: m.Definition, Value: row[1].Text, Previous: row[2].Text, Change: row[3].Text, Class: row[3].Class})
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
	p.Blocks = append(p.Blocks,
		block{Chart: s.trend("chart_applications", "新收申请（按申请人类型）", "bar", "apps", rows, apps...)},
		block{Chart: s.trend("chart_outcomes", "办理结果构成", "bar", "outcomes", rows, "disclosed", "partly_disclosed", "withheld", "unable", "refused", "other_handled")},
		block{Chart: s.trend("chart_cases", "行政复议、行政诉讼（按结果）", "bar", "review|litigation", rows,
			"review_maintained", "review_corrected", "review_other", "review_pending",
			"litigation_maintained", "litigation_corrected", "litigation_other", "litigation_pending")},
		block{Chart: s.trend("chart_publications", "主动公开信息（按渠道）", "bar", "pub", rows,
			"publications_portal", "publications_wechat", "publications_weibo", "publications_short_video", "publications_notice_board", "publications_other")},
		block{Chart: s.trend("chart_rates", "实质公开率与纠错率", "line", "", rows, "disclosure_rate", "correction_rate")},
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
		info += fmt.Sprintf("%d年报告：%s版格式，发布日期 %s，第 %d 版，来源文件 %s。", v.Year, rep.Format, pub, rep.Revision, rep.SourcePath)
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

func (s *Server) compare(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = "同比", "/compare"
	p.Controls = controls{FromTo: true, Level: true, Search: true, Metric: true}
	if len(v.Years) == 0 {
		p.Blocks = append(p.Blocks, block{Note: s.noReports()})
		return nil
	}
	for _, t := range []string{"compare_district", "compare_agencies", "movers_up", "movers_down"} {
		if _, err := s.table(ctx, p, v, t, t == "compare_agencies"); err != nil {
			return err
		}
	}
	ht, err := s.tables["heatmap"](ctx, v)
	if err != nil {
		return err
	}
	m := metric(v.Metric)
	var names []string
	vals := map[string]map[int]*float64{}
	rows, err := s.a.Values(ctx, v.filter(), analytics.ByAgencyYear)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if vals[r.Agency] == nil {
			vals[r.Agency] = map[int]*float64{}
			names = append(names, r.Agency)
		}
		vals[r.Agency][r.Year] = r.Values[m.Name]
	}
	p.Blocks = append(p.Blocks, block{Heading: "热力图", Chart: s.heatmap("chart_heatmap", m, names, v.Years, func(a string, y int) *float64 { return vals[a][y] })})
	p.Blocks = append(p.Blocks, block{Table: &tableView{Table: ht, Query: v.values().Encode(), View: v, Path: p.Path}})
	if _, err := s.table(ctx, p, v, "compare_all", false); err != nil {
		return err
	}
	p.Blocks[len(p.Blocks)-1].Table.Folded = true
	return nil
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
	p.Title, p.Active = "风险提示", "/risks"
	p.Controls = controls{Year: true}
	rk, err := s.a.Risks(ctx, v.Year, s.cfg.Risk)
	if err != nil {
		return err
	}
	th := s.cfg.Risk
	note := fmt.Sprintf("与%d年比。阈值（配置 risk.*）：纠错率上升 ≥ %.0f 个百分点；行政诉讼增加 ≥ %d 件；实质公开率下降 ≥ %.0f 个百分点；主动公开信息减少 ≥ %.0f%%；比率类提示要求两年样本均不少于 %d 件。",
		rk.Previous, th.CorrectionRateJump, th.LitigationJump, th.DisclosureRateDrop, th.PublicationsDrop*100, th.MinApplications)
	b := block{Heading: fmt.Sprintf("%d年风险提示", v.Year), Note: note, Cards: rk.Cards}
	if len(rk.Cards) == 0 {
		b.HTML = "未发现超过阈值的变化。"
	}
	p.Blocks = append(p.Blocks, b)
	if len(rk.Excluded) > 0 {
		var sb strings.Builder
		sb.WriteString("<ul class=\"excluded\">")
		for _, e := range rk.Excluded {
			sb.WriteString("<li>" + template.HTMLEscapeString(e) + "</li>")
		}
		sb.WriteString("</ul>")
		p.Blocks = append(p.Blocks, block{Heading: "样本过小，未参与比率类提示", HTML: template.HTML(sb.String())})
	}
	_, err = s.table(ctx, p, v, "risks", false)
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
