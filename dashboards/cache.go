package dashboards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"gongkai/ingest"
)

// pageCache keeps rendered pages and API answers of one data version, and the computations
// under way: data change only when reports are stored, so a page is computed once per version,
// and many clients asking for the same page at once wait for one computation (single flight)
// instead of each running it.
type pageCache struct {
	mu      sync.Mutex
	version int64
	entries map[string]*answer
	flights map[string]*flight
	// stale are the pages (HTML pages, JSON answers) last drawn for earlier versions, shown while
	// their new version is computed for longer than staleWait.
	stale map[string]*answer
	size  int // the bytes of the bodies in entries
}

// answer is a recorded response. page: an HTML page or a JSON answer, which may be shown
// stale (marked as such).
type answer struct {
	status int
	header http.Header
	body   []byte
	page   bool
	took   time.Duration // how long it took to compute
}

func (a *answer) write(w http.ResponseWriter) {
	for k, vs := range a.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// flight is one computation of a page; done is closed when res is set (nil: the computation
// gave nothing the others may use, such as a client that left or a full queue).
type flight struct {
	done  chan struct{}
	res   *answer
	start time.Time
}

// maxCached bounds the cache (pages × filters) and maxCachedBytes the bodies it holds, and
// so do they the pages kept to be shown stale; when full, it starts over.
const (
	maxCached      = 2048
	maxCachedBytes = 64 << 20
)

// lookup returns the cached answer of key, or the flight computing it; lead says that the
// caller started that flight and must finish it.
func (c *pageCache) lookup(version int64, key string) (a *answer, f *flight, lead bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version > c.version || c.entries == nil {
		stale, size := map[string]*answer{}, 0
		for k, a := range c.entries {
			if a.page {
				stale[k] = a
				size += len(a.body)
			}
		}
		for k, a := range c.stale { // pages not asked for since: still the latest drawn
			if _, ok := stale[k]; !ok && len(stale) < maxCached && size+len(a.body) <= maxCachedBytes {
				stale[k] = a
				size += len(a.body)
			}
		}
		c.version, c.entries, c.flights, c.stale, c.size = version, map[string]*answer{}, map[string]*flight{}, stale, 0
	}
	if version < c.version {
		// an older version than the cache's (the request began before a write): compute
		// alone, keep nothing
		return nil, &flight{done: make(chan struct{}), start: time.Now()}, true
	}
	if a, ok := c.entries[key]; ok {
		return a, nil, false
	}
	if f, ok := c.flights[key]; ok {
		return nil, f, false
	}
	f = &flight{done: make(chan struct{}), start: time.Now()}
	c.flights[key] = f
	return nil, f, true
}

// staleOf returns the page of key drawn from an older version, nil when none.
func (c *pageCache) staleOf(key string) *answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stale[key]
}

// staleWait is how long a request waits for a page being recomputed after a write before it
// is shown the page as last drawn for an earlier version, marked as such (staleNote).
const staleWait = 300 * time.Millisecond

// staleWaitFor is how long a request waits for the flight f recomputing the page old was
// drawn by: staleWait, unless the page took so long to draw last time that it will not be
// ready within staleWait (its last drawing's time minus what f has already spent exceeds
// staleWait): then not at all, the reader would only be shown old later.
func staleWaitFor(old *answer, f *flight) time.Duration {
	if old.took-time.Since(f.start) > staleWait {
		return 0
	}
	return staleWait
}

// staleNote is put at the top of a page shown from before the latest write(s).
var staleNote = []byte(`<main><p class="note stale">数据刚刚更新（有报告入库），本页正在重新计算：下面是更新前的数字，可能还不含最新入库的报告，请稍后刷新。</p>`)

// staleJSON is put at the start of a JSON object shown from before the latest write(s).
var staleJSON = []byte(`{"stale": "数据刚刚更新（有报告入库），本结果正在重新计算：以下是更新前的数字，请稍后重新请求。",`)

// asStale is a page marked as drawn before the latest write: a note at the top of an HTML
// page, a "stale" member of a JSON object, and the header X-Gongkai-Stale (the only mark of
// a JSON array: /api/years).
func (a *answer) asStale() *answer {
	var b []byte
	switch {
	case bytes.HasPrefix(a.body, []byte("{")):
		b = append(append([]byte{}, staleJSON...), a.body[1:]...)
	case bytes.HasPrefix(a.body, []byte("[")):
		b = a.body
	default:
		b = bytes.Replace(a.body, []byte("<main>"), staleNote, 1)
	}
	h := a.header.Clone()
	h.Set("X-Gongkai-Stale", "1")
	h.Set("Cache-Control", "no-store")
	return &answer{status: a.status, header: h, body: b, took: a.took}
}

// peek returns the cached answer of key for version, nil when none.
func (c *pageCache) peek(version int64, key string) *answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil
	}
	return c.entries[key]
}

// finish ends a flight with its answer (nil: none to share), keeping it when it is a page
// worth caching.
func (c *pageCache) finish(version int64, key string, f *flight, a *answer, keep bool) {
	c.mu.Lock()
	if c.version == version {
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		if keep && a != nil && len(a.body) <= maxCachedBytes/8 {
			if len(c.entries) >= maxCached || c.size+len(a.body) > maxCachedBytes {
				c.entries, c.size = map[string]*answer{}, 0
			}
			if old, ok := c.entries[key]; ok {
				c.size -= len(old.body)
			}
			c.entries[key] = a
			c.size += len(a.body)
		}
	}
	c.mu.Unlock()
	f.res = a
	close(f.done)
}

// recorder buffers a response so that a page can be cached and shared.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// cachedGET serves h through the page cache, keyed by the URL, for as long as the data
// version (kept in memory by the store) does not move. A cached answer is written without
// touching the database and without waiting for a slot of the read limiter; a page not yet
// cached is computed once, in a slot, while the other requests for it wait for that answer.
// Only 200s are kept; other answers are shared with the requests that waited for them.
func (s *Server) cachedGET(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		version, err := s.a.DataVersion(r.Context())
		if err != nil {
			s.limited(s.reads, h).ServeHTTP(w, r)
			return
		}
		s.warmFor(version)
		key := s.cacheKey(r)
		for {
			a, f, lead := s.cache.lookup(version, key)
			if a != nil {
				a.write(w)
				return
			}
			if old := s.cache.staleOf(key); old != nil {
				// A page drawn before the latest write: it is recomputed (by this request,
				// detached from its client, or by the one already at it); wait a little for
				// it, then show the old page marked as such rather than keep the reader waiting.
				if lead {
					go s.computeShared(h, r, version, key, f)
				}
				wait := staleWaitFor(old, f)
				if r.Context().Value(warming{}) != nil {
					wait = time.Hour // the warm-up computes one page at a time
				}
				t := time.NewTimer(wait)
				select {
				case <-f.done:
					t.Stop()
					if f.res != nil {
						f.res.write(w)
					} else {
						old.asStale().write(w) // no slot for it now
					}
					return
				case <-t.C:
					old.asStale().write(w)
					return
				case <-r.Context().Done():
					t.Stop()
					return
				}
			}
			if !lead {
				select {
				case <-f.done:
				case <-r.Context().Done():
					return // the client left
				}
				if f.res != nil {
					f.res.write(w)
					return
				}
				continue // the computation was abandoned: take it over
			}
			a, keep, err := s.compute(h, r, version)
			s.cache.finish(version, key, f, a, keep)
			if errors.Is(err, errMoved) {
				version, _ = s.a.DataVersion(r.Context())
				continue // a write came while it waited for a slot: the page of the new data
			}
			if err != nil {
				if errors.Is(err, errBusy) {
					s.busy(w, r, s.reads)
				} // else the client left
				return
			}
			if a != nil {
				a.write(w)
			}
			return
		}
	}
}

// viewParams are the URL parameters a view reads (parseView); view.values writes them back
// in one form.
var viewParams = []string{"year", "from", "to", "id", "level", "q", "metric", "rule", "sort", "desc", "all"}

// cacheKey is the key of r's page in the cache: its path and its parameters in one form, so
// that the same view asked in different ways (the filter form sends every field, empty ones
// too, in its own order; a default year or metric written out or left out) is computed and
// kept once, and a warmed filter is found by the form that asks for it. A view with notes
// about its parameters keeps its raw URL (the notes are on the page).
func (s *Server) cacheKey(r *http.Request) string {
	raw := r.URL.Path + "?" + r.URL.RawQuery
	v, err := s.parseView(r.Context(), r)
	if err != nil || len(v.Notes) > 0 {
		return raw
	}
	q := url.Values{}
	for k, xs := range r.URL.Query() {
		if slices.Contains(viewParams, k) {
			continue
		}
		for _, x := range xs {
			if x != "" {
				q.Add(k, x)
			}
		}
	}
	for k, xs := range v.values() {
		q[k] = xs
	}
	return r.URL.Path + "?" + q.Encode()
}

// computeShared computes the page of r for the requests waiting on f, detached from r's
// client (who may have been shown the stale page and left).
func (s *Server) computeShared(h http.HandlerFunc, r *http.Request, version int64, key string, f *flight) {
	r = r.Clone(context.WithoutCancel(r.Context()))
	a, keep, _ := s.compute(h, r, version)
	s.cache.finish(version, key, f, a, keep)
}

// errMoved says that the data version moved while a computation waited for its slot.
var errMoved = errors.New("data version moved")

// compute runs h for r in a slot of the read limiter and records its answer: nil when there
// is none to share (no slot: err; the data version moved past version while it waited:
// errMoved, so that no slot is spent on a page already out of date; or the client left
// mid-page). keep says whether the answer may be cached.
func (s *Server) compute(h http.HandlerFunc, r *http.Request, version int64) (a *answer, keep bool, err error) {
	release, err := s.reads.acquire(r.Context())
	if err != nil {
		return nil, false, err
	}
	defer release()
	if v, err := s.a.DataVersion(r.Context()); err == nil && v != version {
		return nil, false, errMoved
	}
	rec := &recorder{header: http.Header{}}
	t0 := time.Now()
	h(rec, r)
	if r.Context().Err() != nil {
		return nil, false, nil // its queries were interrupted: not an answer for others
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	ct := rec.header.Get("Content-Type")
	a = &answer{status: rec.status, header: rec.header, body: rec.buf.Bytes(),
		page: strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/json"), took: time.Since(t0)}
	return a, rec.status == http.StatusOK && rec.header.Get("Content-Disposition") == "", nil
}

// warmPaths are the pages and answers every user sees first, computed in the background as
// soon as the data version moves (WithWarmup), so that the first visitor after a write finds
// them cached.
var warmPaths = []string{
	"/", "/compare", "/risks", "/quality", "/agencies",
	"/api/tables/kpi", "/api/tables/trend", "/api/tables/compare_district", "/api/tables/movers_up",
	"/api/tables/movers_down", "/api/tables/quality_rules", "/api/tables/risks",
}

// WithWarmup computes the pages every user sees first (warmPaths) in the background whenever
// the data version moves (checked every tick until ctx ends, and on every request), one at
// a time in a slot like any request, so that the first visitor after a write finds them
// cached. For gongkai serve.
func WithWarmup(ctx context.Context, tick time.Duration) Option {
	return func(s *Server) { s.warmCtx, s.warmTick = ctx, tick }
}

// watch starts warm-ups until the server's context ends.
func (s *Server) watch() {
	t := time.NewTicker(s.warmTick)
	defer t.Stop()
	for {
		if v, err := s.a.DataVersion(s.warmCtx); err == nil {
			s.warmFor(v)
		}
		select {
		case <-s.warmCtx.Done():
			return
		case <-t.C:
		}
	}
}

// warming marks the context of a warm-up request.
type warming struct{}

// warmFor starts warming the pages of version unless that was done (or is under way).
func (s *Server) warmFor(version int64) {
	if s.warmCtx == nil {
		return
	}
	for {
		old := s.warmed.Load()
		if old >= version {
			return
		}
		if s.warmed.CompareAndSwap(old, version) {
			go s.warm(version)
			return
		}
	}
}

// warmFilters are the pages warmed for every level and every year once warmPaths are done:
// the district figures of any level and year are sums kept in memory, so these cost the
// organ tables alone.
var warmFilters = struct{ levels, years, levelYears []string }{
	levels:     []string{"/", "/compare", "/risks"},
	years:      []string{"/", "/risks"},
	levelYears: []string{"/"},
}

// warmList is what a warm-up computes, in order: warmPaths, then each level, each earlier
// year (latest first), then each level of each earlier year.
func (s *Server) warmList() []string {
	out := append([]string{}, warmPaths...)
	years, err := s.a.Years(s.warmCtx)
	if err != nil || len(years) == 0 {
		return out
	}
	for _, l := range ingest.Levels {
		for _, p := range warmFilters.levels {
			out = append(out, p+"?level="+url.QueryEscape(l[0]))
		}
	}
	for i := len(years) - 2; i >= 0; i-- {
		for _, p := range warmFilters.years {
			out = append(out, fmt.Sprintf("%s?year=%d", p, years[i]))
		}
	}
	for i := len(years) - 2; i >= 0; i-- {
		for _, l := range ingest.Levels {
			for _, p := range warmFilters.levelYears {
				out = append(out, fmt.Sprintf("%s?level=%s&year=%d", p, url.QueryEscape(l[0]), years[i]))
			}
		}
	}
	return out
}

// warm requests every page of warmList of version through the cache, stopping when the
// version moves (a newer warm-up takes over) or the server stops.
func (s *Server) warm(version int64) {
	for _, p := range s.warmList() {
		if v, err := s.a.DataVersion(s.warmCtx); err != nil || v != version || s.warmCtx.Err() != nil {
			return
		}
		r, err := http.NewRequestWithContext(context.WithValue(s.warmCtx, warming{}, true), http.MethodGet, p, nil)
		if err != nil {
			continue
		}
		s.mux.ServeHTTP(&recorder{header: http.Header{}}, r)
	}
}
