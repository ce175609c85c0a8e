package dashboards

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

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
		{"/api/agencies", "", "全部单位"},
		{"/api/upload", "token (X-Gongkai-Token 或 Authorization: Bearer)", "POST multipart 字段 file（可多个）：上传报告入库"},
	}
	for _, t := range tableDocs {
		eps = append(eps, ep{"/api/tables/" + t.Name, t.Params, t.About + "（下载：/download/" + t.Name + ".csv | .xlsx）"})
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

func (s *Server) apiAgencies(w http.ResponseWriter, r *http.Request) {
	as, err := s.a.Agencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if as == nil {
		as = []analytics.Agency{}
	}
	writeJSON(w, http.StatusOK, as)
}

// buildTable builds the named table for the request's view.
func (s *Server) buildTable(r *http.Request, name string) (*analytics.Table, error) {
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
	return fn(r.Context(), v)
}

func (s *Server) apiTable(w http.ResponseWriter, r *http.Request) {
	t, err := s.buildTable(r, r.PathValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": t.Name, "title": t.Title, "note": t.Note, "columns": t.Columns, "rows": t.Records(),
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
	t, err := s.buildTable(r, name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if ext == ".csv" {
		err = analytics.WriteCSV(&buf, t)
	} else {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = analytics.WriteXLSX(&buf, t)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fname := t.Title + ext
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", name+ext, url.PathEscape(fname)))
	w.Write(buf.Bytes())
}
