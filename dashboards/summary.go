package dashboards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/analytics"
	"gongkai/ingest"
)

// The 汇总 page: the district's consolidated tables 2, 3 and 4 in the official layout (what
// gongkai summary writes), with what the sum stands on, and its downloads (CSV, XLSX, DOCX,
// Markdown, HTML). The numbers come from analytics.Summary.

// summaryRoutes adds the 汇总 page and its downloads to m.
func (s *Server) summaryRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /summary", s.page(s.summary))
	m.HandleFunc("GET /summary/download", s.summaryDownload)
}

// summaryOf computes the summary of the view (year, level) and of the request's skip flag.
func (s *Server) summaryOf(ctx context.Context, v view, q url.Values) (*analytics.Summary, error) {
	o := analytics.SummaryOptions{Year: v.Year, SkipUnread: q.Get("skip") == "1", District: s.cfg.District,
		Covers: analytics.CoversOf(s.cfg.Registry)}
	if v.Level != "" {
		o.Levels = []string{v.Level}
	}
	return s.a.Summary(ctx, o)
}

func (s *Server) summary(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = "汇总", "/summary"
	p.Controls = controls{Year: true, Level: true}
	if v.Year == 0 {
		p.Blocks = append(p.Blocks, block{Note: "数据库中还没有报告。"})
		return nil
	}
	q := r.URL.Query()
	sum, err := s.summaryOf(ctx, v, q)
	if errors.Is(err, analytics.ErrSummaryTooLarge) {
		// a province's or a country's year: the form stays, to choose a level
		p.Blocks = append(p.Blocks, block{Note: err.Error()})
		return nil
	}
	if err != nil {
		return badRequest("%s", err.Error())
	}
	p.Title = sum.Title
	dl := url.Values{"year": {strconv.Itoa(v.Year)}}
	if v.Level != "" {
		dl.Set("level", v.Level)
	}
	toggle := v.values()
	if sum.SkipUnread {
		dl.Set("skip", "1")
	} else {
		toggle.Set("skip", "1")
	}
	var links strings.Builder
	links.WriteString(`<div class="dl summary-dl">下载 `)
	for _, f := range []struct{ format, label string }{{"csv", "CSV"}, {"xlsx", "XLSX"}, {"docx", "DOCX"}, {"md", "Markdown"}, {"html", "HTML"}} {
		dl.Set("format", f.format)
		fmt.Fprintf(&links, `<a href="/summary/download?%s" class="%s" download>%s</a> `, html.EscapeString(dl.Encode()), f.format, f.label)
	}
	skipText := "跳过未能读取的单元格（合计不完整）"
	if sum.SkipUnread {
		skipText = "不跳过：有单位未能读取的栏目留空"
	}
	fmt.Fprintf(&links, `</div><p><a href="/summary?%s" id="summary-skip">%s</a></p>`, html.EscapeString(toggle.Encode()), skipText)

	p.Blocks = append(p.Blocks,
		block{Heading: "汇总范围", Wide: true, HTML: template.HTML(links.String() + paras(sum.Section1()))},
		block{Wide: true, HTML: template.HTML(`<div class="scroll official" id="summary-tables">` + analytics.SummaryTables(sum) + `</div>`)},
		block{Heading: "汇总依据的单位", Wide: true, HTML: template.HTML(organLists(sum))},
		block{Heading: "问题与说明", Wide: true, HTML: template.HTML(paras(sum.Section5()) + paras(sum.Section6()))},
	)
	return nil
}

// paras is text lines as escaped paragraphs.
func paras(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("<p>" + html.EscapeString(l) + "</p>")
	}
	return b.String()
}

// organLists is the organs the sum stands on, in four lists with links to their pages.
func organLists(sum *analytics.Summary) string {
	var b strings.Builder
	list := func(id, title string, gs []analytics.SummaryOrgan, detail func(analytics.SummaryOrgan) string) {
		fmt.Fprintf(&b, `<h3>%s（%d）</h3><ul id="%s">`, html.EscapeString(title), len(gs), id)
		if len(gs) == 0 {
			b.WriteString("<li>无</li>")
		}
		for _, g := range gs {
			name := html.EscapeString(g.Name)
			if g.AgencyID != 0 {
				name = fmt.Sprintf(`<a href="%s">%s</a>`, agencyLink(g.AgencyID, sum.Year), name)
			}
			fmt.Fprintf(&b, "<li>%s <span class=\"note\">%s</span>%s</li>", name, html.EscapeString(ingest.LevelLabel(g.Level)), html.EscapeString(detail(g)))
		}
		b.WriteString("</ul>")
	}
	none := func(analytics.SummaryOrgan) string { return "" }
	list("summary-included", "计入的单位", sum.Included, none)
	list("summary-missing", "应报未报的单位（单位名录）", sum.Missing, none)
	list("summary-aggregates", "未计入的汇总报告", sum.Aggregates, func(g analytics.SummaryOrgan) string { return "：" + g.Note })
	list("summary-flawed", "报告本身有错误或未能读取的单位", sum.Flawed, func(g analytics.SummaryOrgan) string {
		var why []string
		for _, r := range g.Errors {
			why = append(why, ingest.RuleLabel(r))
		}
		if g.Unread > 0 {
			why = append(why, fmt.Sprintf("%d 个单元格未能读取", g.Unread))
		}
		return "：" + strings.Join(why, "；")
	})
	return b.String()
}

// summaryDownload writes the summary of year (and level, skip) as a file.
func (s *Server) summaryDownload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, err := s.parseView(ctx, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	types := map[string]string{
		"csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	}
	if _, ok := types[format]; !ok || !slices.Contains(analytics.SummaryFormats, format) {
		s.fail(w, r, badRequest("下载格式应为 %s", strings.Join(analytics.SummaryFormats, "、")))
		return
	}
	sum, err := s.summaryOf(ctx, v, r.URL.Query())
	if err != nil {
		s.fail(w, r, badRequest("%s", err.Error()))
		return
	}
	var b bytes.Buffer
	if err := analytics.WriteSummary(&b, sum, format); err != nil {
		s.fail(w, r, err)
		return
	}
	name := sum.Title + "." + format
	w.Header().Set("Content-Type", types[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="summary-%d.%s"; filename*=UTF-8''%s`, v.Year, format, url.PathEscape(name)))
	w.Write(b.Bytes())
}
