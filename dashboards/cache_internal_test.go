package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/store"
)

func cacheServer(t *testing.T, slots int) (*Server, *store.DB) {
	t.Helper()
	db := analyticstest.Build(t, t.TempDir())
	return &Server{a: analytics.NewStore(db), reads: newLimiter(slots, 1000, time.Hour), log: log.New(io.Discard, "", 0)}, db
}

func get(h http.HandlerFunc, ctx context.Context, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h(w, httptest.NewRequest("GET", path, nil).WithContext(ctx))
	return w
}

// TestSingleFlight: many requests for a page not yet cached cause one computation, and all
// get its answer; a request while the page is cached causes none.
func TestSingleFlight(t *testing.T) {
	s, _ := cacheServer(t, 4)
	var calls atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	h := s.cachedGET(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			close(started)
		}
		<-release
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("page"))
	})
	var wg sync.WaitGroup
	bodies := make(chan string, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := get(h, context.Background(), "/x")
			bodies <- w.Body.String() + " " + w.Header().Get("Content-Type")
		}()
		if i == 0 {
			<-started // the first is computing: the others find its flight (or its answer)
		}
	}
	close(release)
	wg.Wait()
	close(bodies)
	for b := range bodies {
		if b != "page text/plain" {
			t.Errorf("answer %q", b)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d computations for 50 requests of one page", n)
	}
	if w := get(h, context.Background(), "/x"); w.Body.String() != "page" || calls.Load() != 1 {
		t.Fatalf("cached: %q after %d computations", w.Body.String(), calls.Load())
	}
	if get(h, context.Background(), "/x?other=1"); calls.Load() != 2 {
		t.Fatalf("another URL: %d computations, want 2", calls.Load())
	}
}

// TestCachedWithoutSlot: a cached page is answered while every slot of the read limiter is
// taken (it would otherwise wait for an hour); a page to compute waits for a slot.
func TestCachedWithoutSlot(t *testing.T) {
	s, _ := cacheServer(t, 1)
	h := s.cachedGET(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) })
	if w := get(h, context.Background(), "/x"); w.Body.String() != "page" {
		t.Fatalf("first: %q", w.Body.String())
	}
	release, err := s.reads.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if w := get(h, context.Background(), "/x"); w.Code != 200 || w.Body.String() != "page" {
		t.Fatalf("cached with every slot taken: %d %q", w.Code, w.Body.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- get(h, ctx, "/y") }()
	for s.reads.queued.Load() != 1 { // the uncached page waits in the queue
		time.Sleep(time.Millisecond)
	}
	release()
	if w := <-done; w.Body.String() != "page" {
		t.Fatalf("computed after the slot was freed: %q", w.Body.String())
	}
	cancel()
}

// TestAbandonedFlightTakenOver: when the client computing a page leaves, a request waiting
// for it computes the page itself instead of getting nothing.
func TestAbandonedFlightTakenOver(t *testing.T) {
	s, _ := cacheServer(t, 4)
	var calls atomic.Int32
	started := make(chan struct{})
	h := s.cachedGET(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			close(started)
			<-r.Context().Done() // the first client leaves mid-page
			return
		}
		w.Write([]byte("page"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan struct{})
	go func() { get(h, ctx, "/x"); close(first) }()
	<-started
	second := make(chan string)
	go func() { second <- get(h, context.Background(), "/x").Body.String() }()
	cancel()
	<-first
	if b := <-second; b != "page" || calls.Load() != 2 {
		t.Fatalf("waiting request got %q after %d computations", b, calls.Load())
	}
}

// TestCacheFollowsDataVersion: a write moves the version: the page is computed again, and an
// answer computed for an older version is not kept.
func TestCacheFollowsDataVersion(t *testing.T) {
	s, db := cacheServer(t, 4)
	var calls atomic.Int32
	h := s.cachedGET(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); w.Write([]byte("page")) })
	get(h, context.Background(), "/x")
	get(h, context.Background(), "/x")
	if calls.Load() != 1 {
		t.Fatalf("%d computations before a write", calls.Load())
	}
	if err := db.SyncRegistry(analyticstest.Registry); err != nil {
		t.Fatal(err)
	}
	get(h, context.Background(), "/x")
	get(h, context.Background(), "/x")
	if calls.Load() != 2 {
		t.Fatalf("%d computations after a write, want 2", calls.Load())
	}
	v := db.DataVersion()
	a, f, lead := s.cache.lookup(v-1, "/old")
	if a != nil || !lead {
		t.Fatal("an older version must compute alone")
	}
	s.cache.finish(v-1, "/old", f, &answer{status: 200}, true)
	if a, _, _ := s.cache.lookup(v, "/old"); a != nil {
		t.Fatal("an answer of an older version was kept")
	}
}

// TestWarmup: after a write, the pages every user sees first are computed in the background
// and found in the cache of the new version.
func TestWarmup(t *testing.T) {
	db := analyticstest.Build(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Config{Risk: config.Risk{MinApplications: 10, CorrectionRateJump: 10, LitigationJump: 2, DisclosureRateDrop: 15, PublicationsDrop: 0.5}}
	s := NewServer(analytics.NewStore(db), cfg, WithWarmup(ctx, 5*time.Millisecond), WithLogger(log.New(io.Discard, "", 0))).(*Server)
	warmed := func(version int64) bool {
		for _, p := range s.warmList() {
			if s.cache.peek(version, s.cacheKey(httptest.NewRequest("GET", p, nil))) == nil {
				return false
			}
		}
		return true
	}
	for !warmed(db.DataVersion()) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := db.SyncRegistry(append(analyticstest.Registry[:len(analyticstest.Registry):len(analyticstest.Registry)],
		config.Organ{Name: "新设乡人民政府", Level: ingest.LevelTownship})); err != nil {
		t.Fatal(err)
	}
	for !warmed(db.DataVersion()) {
		time.Sleep(5 * time.Millisecond)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/agencies", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "新设乡人民政府") {
		t.Fatalf("the warmed 单位 page lacks the new organ: %d", w.Code)
	}
}

// TestStalePageWhileRecomputing: after a write, a page whose new version takes longer than
// staleWait is shown from the version before, marked as such at its top (a JSON array: in
// its header only); its new version is computed once and then shown.
func TestStalePageWhileRecomputing(t *testing.T) {
	s, db := cacheServer(t, 4)
	var calls atomic.Int32
	release := make(chan struct{})
	page := func(ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			if n > 2 {
				<-release // the versions after the write take long
			}
			w.Header().Set("Content-Type", ctype)
			if ctype == "application/json" {
				fmt.Fprintf(w, "[v%d]", n)
				return
			}
			fmt.Fprintf(w, "<main>v%d", n)
		}
	}
	html := s.cachedGET(page("text/html; charset=utf-8"))
	js := s.cachedGET(page("application/json"))
	get(html, context.Background(), "/p")
	get(js, context.Background(), "/j")
	if err := db.SyncRegistry(analyticstest.Registry); err != nil {
		t.Fatal(err)
	}
	w := get(html, context.Background(), "/p")
	if w.Header().Get("X-Gongkai-Stale") != "1" || !strings.Contains(w.Body.String(), "数据刚刚更新") || !strings.HasSuffix(w.Body.String(), "v1") {
		t.Fatalf("while recomputing: %q %v", w.Body.String(), w.Header())
	}
	w = get(js, context.Background(), "/j")
	if w.Header().Get("X-Gongkai-Stale") != "1" || w.Body.String() != "[v2]" {
		t.Fatalf("JSON array while recomputing: %q %v", w.Body.String(), w.Header())
	}
	close(release)
	for {
		w = get(html, context.Background(), "/p")
		if w.Header().Get("X-Gongkai-Stale") == "" {
			break
		}
	}
	if b := w.Body.String(); strings.Contains(b, "数据刚刚更新") || (b != "<main>v3" && b != "<main>v4") {
		t.Fatalf("after recomputing: %q", b)
	}
	if n := calls.Load(); n != 4 {
		t.Fatalf("%d computations, want 4 (each page once a version)", n)
	}
}

// TestStaleJSONObject: a JSON object shown stale says so in a member and stays valid JSON.
func TestStaleJSONObject(t *testing.T) {
	a := &answer{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"rows": [1, 2]}`), page: true}
	var v map[string]any
	st := a.asStale()
	if err := json.Unmarshal(st.body, &v); err != nil || v["stale"] == nil || v["rows"] == nil || st.header.Get("X-Gongkai-Stale") != "1" {
		t.Fatalf("%s: %v %v", st.body, v, err)
	}
}

// TestCacheKeyOneForm: one view asked in different ways (the filter form's empty fields and
// order, defaults written out or left out) is one entry of the cache, so that the filters
// the warm-up computes are found by the form; other parameters and other views are apart,
// and a view with notes about its parameters keeps its own URL.
func TestCacheKeyOneForm(t *testing.T) {
	s, _ := cacheServer(t, 4)
	years, err := s.a.Years(context.Background())
	if err != nil || len(years) < 2 {
		t.Fatalf("years %v %v", years, err)
	}
	last, prev := years[len(years)-1], years[len(years)-2]
	key := func(u string) string { return s.cacheKey(httptest.NewRequest("GET", u, nil)) }
	same := [][]string{
		{"/", fmt.Sprintf("/?year=%d&level=&q=", last), fmt.Sprintf("/?q=&year=%d", last)},
		{"/?level=township", fmt.Sprintf("/?year=%d&level=township&q=", last), fmt.Sprintf("/?level=township&year=%d", last)},
		{"/compare", fmt.Sprintf("/compare?from=%d&to=%d&level=&metric=applications&q=", prev, last)},
		{"/api/tables/agencies?limit=100", fmt.Sprintf("/api/tables/agencies?year=%d&limit=100&q=", last)},
	}
	seen := map[string]string{}
	for _, group := range same {
		k := key(group[0])
		for _, u := range group[1:] {
			if key(u) != k {
				t.Errorf("%s and %s: keys %q and %q", group[0], u, k, key(u))
			}
		}
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s share the key %q", group[0], other, k)
		}
		seen[k] = group[0]
	}
	for _, pair := range [][2]string{{"/", fmt.Sprintf("/?year=%d", prev)}, {"/?level=township", "/?level=department"},
		{"/api/tables/agencies?limit=100", "/api/tables/agencies?limit=10"}, {"/compare", "/compare?all=1"}} {
		if key(pair[0]) == key(pair[1]) {
			t.Errorf("%s and %s share the key %q", pair[0], pair[1], key(pair[0]))
		}
	}
	if u := "/?year=abc&level=township"; key(u) != u {
		t.Errorf("a view with notes: key %q, want its URL", key(u))
	}
}

// TestCacheBoundedInBytes: the bodies kept never exceed maxCachedBytes, however many pages
// are asked for, and a body too large to be worth keeping is shared but not kept.
func TestCacheBoundedInBytes(t *testing.T) {
	var c pageCache
	body := make([]byte, maxCachedBytes/20)
	for i := range 100 {
		k := fmt.Sprint("/p", i)
		_, f, lead := c.lookup(1, k)
		if !lead {
			t.Fatal("not the leader of a new page")
		}
		c.finish(1, k, f, &answer{status: 200, body: body, page: true}, true)
		if c.size > maxCachedBytes {
			t.Fatalf("after %d pages: %d bytes kept", i+1, c.size)
		}
		n := 0
		for _, a := range c.entries {
			n += len(a.body)
		}
		if n != c.size {
			t.Fatalf("size %d, bodies %d", c.size, n)
		}
	}
	_, f, _ := c.lookup(1, "/huge")
	c.finish(1, "/huge", f, &answer{status: 200, body: make([]byte, maxCachedBytes/4)}, true)
	if c.peek(1, "/huge") != nil || f.res == nil {
		t.Fatal("a huge body is kept, or not shared")
	}
}

// TestStaleWaitFor: a reader waits staleWait for a page being recomputed, unless its last
// drawing took so long that the new one cannot be ready by then: it is shown the page as
// last drawn at once instead of the same page 300 ms later.
func TestStaleWaitFor(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name    string
		took    time.Duration // the last drawing
		running time.Duration // how long the recomputation has run
		want    time.Duration
	}{
		{"fast page", 20 * time.Millisecond, 0, staleWait},
		{"as long as the wait", staleWait, 0, staleWait},
		{"slow page just started", 2 * time.Second, 0, 0},
		{"slow page nearly done", 2 * time.Second, 1900 * time.Millisecond, staleWait},
		{"slow page taking longer than last time", 2 * time.Second, 3 * time.Second, staleWait},
	} {
		f := &flight{start: now.Add(-tc.running)}
		got := staleWaitFor(&answer{took: tc.took}, f)
		if (got == 0) != (tc.want == 0) {
			t.Errorf("%s: wait %v, want %v", tc.name, got, tc.want)
		}
	}
}
