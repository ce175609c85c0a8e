package dashboards

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"gongkai/ingest"
)

// check drops parameters that name nothing stored (a year without reports, an unknown
// level) so that defaults apply, and returns what it dropped in words for the page: a
// mistyped URL is said, never silently shown as something else.
func (v *view) check(notes []string) []string {
	for _, y := range []*int{&v.Year, &v.From, &v.To} {
		if *y != 0 && len(v.Years) > 0 && !slices.Contains(v.Years, *y) {
			notes = append(notes, fmt.Sprintf("没有 %d 年的报告，已改为默认年度", *y))
			*y = 0
		}
	}
	if v.Level != "" && !ingest.IsLevel(v.Level) {
		notes = append(notes, fmt.Sprintf("没有名为 %q 的级别，显示全部级别", v.Level))
		v.Level = ""
	}
	return notes
}

// scope names the organs the view selects, for titles: 全区, 乡镇街道, 名称含“教育”的部门.
func (v view) scope() string {
	s := "全区"
	if v.Level != "" {
		s = ingest.LevelLabel(v.Level)
	}
	if v.Q != "" {
		if v.Level == "" {
			s = "名称含“" + v.Q + "”的单位"
		} else {
			s = "名称含“" + v.Q + "”的" + s
		}
	}
	return s
}

// pageRows is how many rows a table shows on a page; the rest are paged, and whole tables
// come from the downloads and the JSON API.
const pageRows = 50

// pager is the paging of one table on a page: its own URL parameter pg_<table>.
type pager struct {
	Page, Pages, Total, First, Last int
	Prev, Next                      string
}

// pageParam is the URL parameter of a table's page number.
func pageParam(table string) string { return "pg_" + table }

// paginate keeps one page of rows of tv (by its pg_<name> parameter in q) and returns the
// pager; nil when everything fits.
func paginate(tv *tableView, q url.Values, path string) *pager {
	n := len(tv.Rows)
	if tv.Windowed {
		n = tv.Total
	}
	if n <= pageRows {
		return nil
	}
	pages := (n + pageRows - 1) / pageRows
	p, _ := strconv.Atoi(q.Get(pageParam(tv.Name)))
	p = min(max(p, 1), pages)
	lo, hi := (p-1)*pageRows, min(p*pageRows, n)
	if tv.Windowed { // the rows are that page already
		p, lo = tv.Offset/pageRows+1, tv.Offset
		hi = min(lo+len(tv.Rows), n)
	} else {
		t := *tv.Table
		t.Rows = t.Rows[lo:hi]
		tv.Table = &t
	}
	pg := &pager{Page: p, Pages: pages, Total: n, First: lo + 1, Last: hi}
	link := func(k int) string {
		qq := url.Values{}
		for key, vs := range q {
			qq[key] = vs
		}
		qq.Set(pageParam(tv.Name), strconv.Itoa(k))
		return path + "?" + qq.Encode() + "#" + tv.Name
	}
	if p > 1 {
		pg.Prev = link(p - 1)
	}
	if p < pages {
		pg.Next = link(p + 1)
	}
	return pg
}
