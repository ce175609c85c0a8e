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
	"sync/atomic"
	"time"

	"gongkai/analytics"
	"gongkai/config"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

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
	reads     *limiter  // pages, API and downloads: the database's readers
	uploads   *limiter  // uploads: bodies held in memory, one ingest at a time
	quiet     quietLog  // requests abandoned by their clients
	cache     pageCache // rendered pages and API answers of the current data version
	// cachedRoutes are the mux patterns served through the cache (which takes read slots
	// only to compute) or without the database: every other GET takes a slot first.
	cachedRoutes map[string]bool
	warmCtx      context.Context // nil: no warm-up (WithWarmup)
	warmTick     time.Duration
	warmed       atomic.Int64 // the data version whose warm-up was started
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
	s.reads = newLimiter(cfg.Server.MaxConcurrent, cfg.Server.MaxQueued, cfg.Server.QueueWait)
	s.uploads = newLimiter(2, 8, cfg.Server.QueueWait)
	sub, _ := fs.Sub(assetFS, "assets")
	m := http.NewServeMux()
	m.Handle("GET /assets/", http.StripPrefix("/assets/", cacheAssets(http.FileServerFS(sub))))
	s.cachedRoutes = map[string]bool{}
	cached := func(pattern string, h http.HandlerFunc) {
		s.cachedRoutes[pattern] = true
		m.HandleFunc(pattern, s.cachedGET(h))
	}
	cached("GET /{$}", s.page(s.overview))
	cached("GET /agency", s.page(s.agency))
	cached("GET /agencies", s.page(s.agencyList))
	cached("GET /compare", s.page(s.compare))
	cached("GET /quality", s.page(s.quality))
	cached("GET /risks", s.page(s.risks))
	cached("GET /source", s.page(s.source))
	m.HandleFunc("GET /upload", s.page(s.uploadForm))
	m.HandleFunc("POST /upload", s.uploadPage)
	m.HandleFunc("POST /api/upload", s.uploadAPI)
	m.HandleFunc("POST /api/check", s.checkAPI)
	// answers that never touch the database take no slot either
	for _, p := range []string{"GET /api/upload", "GET /api/{$}", "GET /api/metrics"} {
		s.cachedRoutes[p] = true
	}
	m.HandleFunc("GET /api/upload", s.uploadLimitsAPI)
	m.HandleFunc("GET /api/{$}", s.apiIndex)
	m.HandleFunc("GET /api/metrics", s.apiMetrics)
	cached("GET /api/years", s.apiYears)
	m.HandleFunc("GET /api/agencies", s.apiAgencies)
	cached("GET /api/tables/{name}", s.apiTable)
	m.HandleFunc("GET /download/{file}", s.download)
	s.summaryRoutes(m)
	s.mux = m
	if s.warmCtx != nil {
		go s.watch()
	}
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
	secureHeaders(w.Header())
	if err := crossOrigin.Check(r); err != nil {
		s.fail(w, r, &httpError{http.StatusForbidden, "拒绝：请求不是从本站页面发出的（Origin 不符）。"})
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/assets/"):
		s.mux.ServeHTTP(w, r)
	case r.Method == http.MethodPost:
		s.mux.ServeHTTP(w, r) // uploads take their own slots once the token is checked
	default:
		if _, pattern := s.mux.Handler(r); s.cachedRoutes[pattern] {
			s.mux.ServeHTTP(w, r) // the cache takes a slot only to compute
			return
		}
		s.limited(s.reads, s.mux).ServeHTTP(w, r)
	}
}

// view is the state of a page that lives in its URL: filters, choices and sorting.
type view struct {
	Year, From, To, ID int
	Level, Q, Metric   string
	Rule               string
	Sort               string
	Desc               bool
	Years              []int
	All                bool     // 同比: every organ, not only those with reports in both years
	Notes              []string // parameters that could not be used, said on the page
	// win is the window of rows of the table being built that is asked for: the page a
	// page of the dashboards shows, or the API's limit and offset (its sort is Sort, Desc).
	// A long table may then hold only those rows (Table.Windowed, ordered and paged in the
	// database); a zero Limit asks for the whole table (downloads).
	win analytics.Page
}

// window returns the table asked for by fn with v's window: a table that pages itself
// (Windowed) is asked again for its last page when the window starts past its end.
func window(ctx context.Context, fn tableFunc, v view) (*analytics.Table, error) {
	t, err := fn(ctx, v)
	if err != nil || !t.Windowed || len(t.Rows) > 0 || t.Total == 0 || v.win.Limit <= 0 || v.win.Offset < t.Total {
		return t, err
	}
	v.win.Offset = (t.Total - 1) / v.win.Limit * v.win.Limit
	return fn(ctx, v)
}

// parseView reads the URL's parameters; absent ones take defaults from the years stored.
func (s *Server) parseView(ctx context.Context, r *http.Request) (view, error) {
	years, err := s.a.Years(ctx)
	if err != nil {
		return view{}, err
	}
	q := r.URL.Query()
	var notes []string
	atoi := func(k string) int {
		x := strings.TrimSpace(q.Get(k))
		if x == "" {
			return 0
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < 0 {
			notes = append(notes, fmt.Sprintf("参数 %s=%q 不是有效的数字，已忽略", k, x))
			return 0
		}
		return n
	}
	v := view{Year: atoi("year"), From: atoi("from"), To: atoi("to"), ID: atoi("id"),
		Level: q.Get("level"), Q: strings.TrimSpace(q.Get("q")), Metric: q.Get("metric"),
		Rule: q.Get("rule"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Years: years, All: q.Get("all") == "1"}
	v.Notes = v.check(notes)
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
		if v.Metric != "" {
			v.Notes = append(v.Notes, fmt.Sprintf("没有名为 %q 的指标，显示“新收申请”", v.Metric))
		}
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
	if v.All {
		q.Set("all", "1")
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
	} else if gone(r, err) {
		s.quiet.note(s.log) // the client left; nobody reads an answer
		return
	} else {
		s.log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
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
