package dashboards

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/analytics"
)

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request) {
	type ep struct {
		Path   string `json:"path"`
		Params string `json:"params,omitempty"`
		About  string `json:"about"`
	}
	eps := []ep{
		{"/api/metrics", "", "指标定义：名称、中文名、一句话定义、单位、类型"},
		{"/api/years", "", "有报告的年度"},
		{"/api/agencies", "limit（默认 1000，至多 10000）, offset, q（名称中的字）", "单位，按名称，分页（总数见响应头 X-Total-Count）"},
		{"/api/upload", "token (X-Gongkai-Token 或 Authorization: Bearer)", "POST multipart 字段 file（可多个）：上传报告入库"},
	}
	for _, t := range tableDocs {
		eps = append(eps, ep{"/api/tables/" + t.Name, t.Params + "; limit（默认 1000，至多 10000）, offset, sort（列名）, desc=1",
			t.About + "（整表下载：/download/" + t.Name + ".csv | .xlsx）"})
	}
	writeJSON(w, http.StatusOK, eps)
}

func (s *Server) apiMetrics(w http.ResponseWriter, r *http.Request) {
	type def struct {
		Name       string `json:"name"`
		Label      string `json:"label"`
		Definition string `json:"definition"`
		Unit       string `json:"unit"`
		Group      string `json:"group"`
		Ratio      bool   `json:"ratio"`
		Num        string `json:"numerator,omitempty"`
		Den        string `json:"denominator,omitempty"`
	}
	var out []def
	for _, m := range analytics.Metrics {
		out = append(out, def{m.Name, m.Label, m.Definition, m.Unit, m.Group, m.Kind == analytics.Ratio, m.Num, m.Den})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiYears(w http.ResponseWriter, r *http.Request) {
	ys, err := s.a.Years(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ys == nil {
		ys = []int{}
	}
	writeJSON(w, http.StatusOK, ys)
}

// apiAgencies answers the organs by name, a page at a time (limit, offset as for the tables;
// q: a part of the name): a country has ~150,000 of them. The whole count is in the header
// X-Total-Count.
func (s *Server) apiAgencies(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := pageParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// the name search of every page (matches), paged in the database
	total, page, err := s.a.AgencyList(r.Context(), analytics.AgencyQuery{Filter: analytics.Filter{Search: strings.TrimSpace(r.URL.Query().Get("q"))},
		Page: analytics.Page{Limit: limit, Offset: offset}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	writeJSON(w, http.StatusOK, page)
}

// pageParams reads limit and offset of an API request: limit defaults to apiPageLimit and is
// at most maxPageLimit (0: the most); a value that is not a whole number ≥ 0 is refused.
func pageParams(r *http.Request) (limit, offset int, err error) {
	q := r.URL.Query()
	limit = apiPageLimit
	for _, p := range []struct {
		key string
		dst *int
	}{{"limit", &limit}, {"offset", &offset}} {
		if x := q.Get(p.key); x != "" {
			n, err := strconv.Atoi(x)
			if err != nil || n < 0 {
				return 0, 0, badRequest("参数 %s=%q 应为非负整数", p.key, x)
			}
			*p.dst = n
		}
	}
	if limit == 0 || limit > maxPageLimit {
		limit = maxPageLimit
	}
	return limit, offset, nil
}

// buildTable builds the named table for the request's view.
func (s *Server) buildTable(r *http.Request, name string, win analytics.Page) (*analytics.Table, error) {
	fn, ok := s.tables[name]
	if !ok {
		return nil, notFound("没有名为 %s 的表", name)
	}
	v, err := s.parseView(r.Context(), r)
	if err != nil {
		return nil, err
	}
	if len(v.Years) == 0 {
		return &analytics.Table{Name: name, Title: name, Columns: []analytics.Column{}}, nil
	}
	v.win = win
	return fn(r.Context(), v)
}

// apiPageLimit is the rows an API table answer holds when limit is not given; maxPageLimit
// the most it may ask for. Whole tables stream from /download/.
const apiPageLimit, maxPageLimit = 1000, 10000

func (s *Server) apiTable(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, err := pageParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// a long table orders and pages itself in the database (Windowed): its rows are the page
	t, err := s.buildTable(r, r.PathValue("name"), analytics.Page{Limit: limit, Offset: offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if key := q.Get("sort"); key != "" {
		if err := sortable(t, key); err != nil {
			s.fail(w, r, err)
			return
		}
		if !t.Windowed {
			sortTable(t, key, q.Get("desc") == "1")
		}
	}
	total := len(t.Rows)
	page := *t
	if t.Windowed {
		total = t.Total
	} else {
		page.Rows = t.Rows[min(offset, total):min(offset+limit, total)]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": t.Name, "title": t.Title, "note": t.Note, "columns": t.Columns,
		"total": total, "offset": offset, "limit": limit, "rows": page.Records(),
	})
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	ext := path.Ext(file)
	name := strings.TrimSuffix(file, ext)
	if ext != ".csv" && ext != ".xlsx" {
		s.fail(w, r, notFound("只提供 .csv 与 .xlsx 下载"))
		return
	}
	var t *analytics.Table
	// a long table streams from the database, a chunk of rows at a time
	each := func(write func([]analytics.Cell) error) error {
		for _, row := range t.Rows {
			if err := write(row); err != nil {
				return err
			}
		}
		return nil
	}
	if st, ok := s.streams()[name]; ok {
		v, err := s.parseView(r.Context(), r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(v.Years) > 0 {
			t = st.head(v)
			if err := sortable(t, v.Sort); err != nil {
				s.fail(w, r, err)
				return
			}
			pg := analytics.Page{Sort: v.Sort, Desc: v.Desc}
			if ext == ".xlsx" {
				// a table longer than a worksheet is refused before it is read
				total, err := st.rows(r.Context(), v, analytics.Page{Limit: 1, Sort: v.Sort, Desc: v.Desc}, func([]analytics.Cell) error { return nil })
				if err == nil && total+1 > analytics.MaxXLSXRows {
					err = badRequest("%s", analytics.ErrXLSXRows)
				}
				if err != nil {
					s.fail(w, r, err)
					return
				}
			}
			each = func(write func([]analytics.Cell) error) error {
				_, err := st.rows(r.Context(), v, pg, write)
				return err
			}
		}
	}
	if t == nil {
		var err error
		if t, err = s.buildTable(r, name, analytics.Page{}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	// A long download may take longer than the server's write timeout: the deadline moves
	// on while rows are read and bytes leave, so only a download that stalls is cut.
	alive := s.keepWriting(w)
	rows := each
	each = func(write func([]analytics.Cell) error) error {
		return rows(func(row []analytics.Cell) error {
			alive()
			return write(row)
		})
	}
	w = progressWriter{w, alive}
	disp := fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", name+ext, url.PathEscape(t.Title+ext))
	if ext == ".csv" {
		// CSV goes to the client as it is written, from its first row: an error before it
		// is an error page; one midway cuts the file short (and is logged).
		var cw *analytics.CSVWriter
		start := func() (err error) {
			if cw == nil {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", disp)
				cw, err = analytics.NewCSVWriter(w, t)
			}
			return err
		}
		err := each(func(row []analytics.Cell) error {
			if err := start(); err != nil {
				return err
			}
			return cw.Write(row)
		})
		if err == nil {
			if err = start(); err == nil {
				err = cw.Flush()
			}
		}
		if err != nil && cw == nil {
			s.fail(w, r, err)
		} else if err != nil {
			s.log.Printf("download %s: %v", r.URL, err)
		}
		return
	}
	// A workbook's rows go to a temporary file and the workbook is sent at the end: a table
	// that does not fit a worksheet, or a failed read, is an error page, not a broken file.
	x, err := analytics.NewXLSXWriter(t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer x.Close()
	if err := each(x.Write); err != nil {
		if errors.Is(err, analytics.ErrXLSXRows) {
			err = badRequest("%s", err)
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", disp)
	if err := x.Finish(w); err != nil {
		s.log.Printf("download %s: %v", r.URL, err)
	}
}

// stream is a long table whose rows come from the database in order, a window or a chunk at
// a time, and are never held whole (a country's organs, organ-years, organ-metrics): its head
// (the table without rows) and its rows, pg's window of them (Limit 0: all), with how many
// there are in all.
type stream struct {
	head func(v view) *analytics.Table
	rows func(ctx context.Context, v view, pg analytics.Page, write func([]analytics.Cell) error) (total int, err error)
}

// streams are the tables whose downloads stream: the organ lists of a year (150,000 rows in
// a country), every organ and year (742,500), every organ and metric of two years (9
// million), organ × year.
func (s *Server) streams() map[string]stream {
	return map[string]stream{
		"agencies": {head: agenciesHead, rows: func(ctx context.Context, v view, pg analytics.Page, write func([]analytics.Cell) error) (int, error) {
			v.win = pg
			q := agenciesQuery(v)
			total := 0
			err := s.a.EachOrgan(ctx, q, func(n int, g analytics.OrganRow) error {
				total = n
				return write(agenciesRow(v, g))
			})
			return total, err
		}},
		"metrics":     s.metricsStream(),
		"compare_all": s.compareAllStream(),
		"heatmap":     s.heatmapStream(),
	}
}

// streamed is the table function of a stream: the window the view asks for, in its order.
func (s *Server) streamed(st stream) tableFunc {
	return func(ctx context.Context, v view) (*analytics.Table, error) {
		t := st.head(v)
		total, err := st.rows(ctx, v, analytics.Page{Limit: v.win.Limit, Offset: v.win.Offset, Sort: v.Sort, Desc: v.Desc}, func(row []analytics.Cell) error {
			t.Rows = append(t.Rows, row)
			return nil
		})
		if err != nil {
			return nil, err
		}
		t.Windowed, t.Offset, t.Total = v.win.Limit > 0, v.win.Offset, total
		return t, nil
	}
}

// keepWriting returns a function that moves the write deadline of w's connection to a
// write timeout from now, at most a few times a timeout: a download making progress is not
// cut by the server's WriteTimeout; one that stalls still is.
func (s *Server) keepWriting(w http.ResponseWriter) func() {
	rc := http.NewResponseController(w)
	d := writeTimeout(s.cfg.Server)
	var last time.Time
	return func() {
		if now := time.Now(); now.Sub(last) > d/8 {
			last = now
			_ = rc.SetWriteDeadline(now.Add(d)) // (a writer without deadlines keeps none)
		}
	}
}

// progressWriter is a ResponseWriter that calls alive before each write.
type progressWriter struct {
	http.ResponseWriter
	alive func()
}

func (p progressWriter) Write(b []byte) (int, error) {
	p.alive()
	return p.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (p progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// sortable checks that table t has the column key to be sorted by ("" sorts by nothing).
func sortable(t *analytics.Table, key string) error {
	if key != "" && !slices.ContainsFunc(t.Columns, func(c analytics.Column) bool { return c.Key == key }) {
		return badRequest("表 %s 没有列 %q，无法排序", t.Name, key)
	}
	return nil
}
