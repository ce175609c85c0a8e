// Package dashboards serves gongkai's web pages: 总览, 单位, 同比, 数据质量, 风险提示 and the
// upload form, each a server-rendered, printable page with charts drawn by ECharts (embedded,
// served by this binary: no page loads anything from another host), every table also as
// JSON under /api/ and as CSV (UTF-8 with BOM) and XLSX downloads. It asks analytics for
// every number and writes no SQL of its own.
package dashboards

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/analytics"
	"gongkai/config"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// IngestFunc adds one uploaded file to the database with the same rules and messages as
// gongkai ingest: outcome is what happened (new, replaced, unchanged), err why it failed.
type IngestFunc func(name string, data []byte) (outcome string, err error)

// Option configures a Server.
type Option func(*Server)

// WithIngest enables uploads through f (they also need server.token in the config).
func WithIngest(f IngestFunc) Option { return func(s *Server) { s.ingest = f } }

// WithAnimation turns chart animation on or off (off for tests and screenshots).
func WithAnimation(on bool) Option { return func(s *Server) { s.animation = on } }

// WithLogger sets where request errors are logged.
func WithLogger(l *log.Logger) Option { return func(s *Server) { s.log = l } }

// Server is the dashboards' http.Handler.
type Server struct {
	a         *analytics.Analytics
	cfg       config.Config
	ingest    IngestFunc
	check     CheckFunc
	webIngest IngestURLsFunc
	animation bool
	log       *log.Logger
	tpl       *template.Template
	mux       *http.ServeMux
	tables    map[string]tableFunc
}

// NewServer returns the dashboards over a, configured by cfg (district name, risk
// thresholds, upload token and size limit).
func NewServer(a *analytics.Analytics, cfg config.Config, options ...Option) http.Handler {
	s := &Server{a: a, cfg: cfg, animation: true, log: log.Default()}
	for _, o := range options {
		o(s)
	}
	s.tpl = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	s.tables = s.tableFuncs()
	sub, _ := fs.Sub(assetFS, "assets")
	m := http.NewServeMux()
	m.Handle("GET /assets/", http.StripPrefix("/assets/", cacheAssets(http.FileServerFS(sub))))
	m.HandleFunc("GET /{$}", s.page(s.overview))
	m.HandleFunc("GET /agency", s.page(s.agency))
	m.HandleFunc("GET /compare", s.page(s.compare))
	m.HandleFunc("GET /quality", s.page(s.quality))
	m.HandleFunc("GET /risks", s.page(s.risks))
	m.HandleFunc("GET /source", s.page(s.source))
	m.HandleFunc("GET /upload", s.page(s.uploadForm))
	m.HandleFunc("POST /upload", s.uploadPage)
	m.HandleFunc("POST /api/upload", s.uploadAPI)
	m.HandleFunc("POST /api/check", s.checkAPI)
	m.HandleFunc("GET /api/{$}", s.apiIndex)
	m.HandleFunc("GET /api/metrics", s.apiMetrics)
	m.HandleFunc("GET /api/years", s.apiYears)
	m.HandleFunc("GET /api/agencies", s.apiAgencies)
	m.HandleFunc("GET /api/tables/{name}", s.apiTable)
	m.HandleFunc("GET /download/{file}", s.download)
	s.summaryRoutes(m)
	s.mux = m
	return s
}

func cacheAssets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
	s.mux.ServeHTTP(w, r)
}

// view is the state of a page that lives in its URL: filters, choices and sorting.
type view struct {
	Year, From, To, ID int
	Level, Q, Metric   string
	Rule               string
	Sort               string
	Desc               bool
	Years              []int
}

// parseView reads the URL's parameters; absent ones take defaults from the years stored.
func (s *Server) parseView(ctx context.Context, r *http.Request) (view, error) {
	years, err := s.a.Years(ctx)
	if err != nil {
		return view{}, err
	}
	q := r.URL.Query()
	atoi := func(k string) int { n, _ := strconv.Atoi(q.Get(k)); return n }
	v := view{Year: atoi("year"), From: atoi("from"), To: atoi("to"), ID: atoi("id"),
		Level: q.Get("level"), Q: strings.TrimSpace(q.Get("q")), Metric: q.Get("metric"),
		Rule: q.Get("rule"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Years: years}
	last := 0
	if len(years) > 0 {
		last = years[len(years)-1]
	}
	if v.Year == 0 {
		v.Year = last
	}
	if v.To == 0 {
		v.To = last
	}
	if v.From == 0 {
		v.From = v.To - 1
		if len(years) > 0 && !slices.Contains(years, v.From) {
			v.From = years[0]
		}
	}
	if _, ok := analytics.MetricByName(v.Metric); !ok {
		v.Metric = "applications"
	}
	return v, nil
}

// filter is the analytics filter of the view's level and search (years left to the caller).
func (v view) filter() analytics.Filter { return analytics.Filter{Level: v.Level, Search: v.Q} }

// values returns the view as URL parameters, with overrides ("key", "value" pairs; an empty
// value removes the key).
func (v view) values(kv ...string) url.Values {
	q := url.Values{}
	set := func(k, x string) {
		if x != "" && x != "0" {
			q.Set(k, x)
		}
	}
	set("year", strconv.Itoa(v.Year))
	set("from", strconv.Itoa(v.From))
	set("to", strconv.Itoa(v.To))
	set("id", strconv.Itoa(v.ID))
	set("level", v.Level)
	set("q", v.Q)
	if v.Metric != "applications" {
		set("metric", v.Metric)
	}
	set("rule", v.Rule)
	set("sort", v.Sort)
	if v.Desc {
		q.Set("desc", "1")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}

// link is path?query of the view with overrides.
func (v view) link(path string, kv ...string) string {
	q := v.values(kv...).Encode()
	if q == "" {
		return path
	}
	return path + "?" + q
}

// httpError is an error with the status to answer.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func notFound(format string, a ...any) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "服务器内部错误"
	var he *httpError
	if errors.As(err, &he) {
		status, msg = he.status, he.msg
	} else {
		s.log.Printf("%s %s: %v", r.Method, r.URL, err)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/download/") {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s.tpl.ExecuteTemplate(w, "layout.html", &pageData{Title: "出错了", District: s.cfg.District, Error: msg, Nav: nav})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
