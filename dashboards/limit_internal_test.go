package dashboards

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBusyAnswers503: with every slot taken and the queue full, a request is answered 503
// with Retry-After at once; one that finds room in the queue waits and is served.
func TestBusyAnswers503(t *testing.T) {
	var logged strings.Builder
	s := &Server{log: log.New(&logged, "", 0), tpl: nil}
	l := newLimiter(1, 1, time.Minute)
	block, started := make(chan struct{}), make(chan struct{}, 4)
	h := s.limited(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-block
		w.WriteHeader(200)
	}))
	codes := make(chan int, 2)
	var wg sync.WaitGroup
	serve := func() {
		defer wg.Done()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/years", nil))
		codes <- w.Code
	}
	wg.Add(1)
	go serve() // takes the slot
	<-started
	wg.Add(1)
	go serve() // waits in the queue
	for l.queued.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/metrics", nil)) // no room: refused
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("at capacity: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	close(block)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("a request holding or waiting for the slot: %d", c)
		}
	}
}

// TestAbandonedRequestsLoggedOnce: queries interrupted because their clients left are
// logged once, quietly, not once each with DuckDB's "INTERRUPT Error".
func TestAbandonedRequestsLoggedOnce(t *testing.T) {
	var logged strings.Builder
	s := &Server{log: log.New(&logged, "", 0)}
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := httptest.NewRequest("GET", "/compare", nil).WithContext(ctx)
		s.fail(httptest.NewRecorder(), r, errorString("INTERRUPT Error: Interrupted!"))
	}
	if n := strings.Count(logged.String(), "\n"); n != 1 || strings.Contains(logged.String(), "INTERRUPT") {
		t.Fatalf("logged %d lines: %q", n, logged.String())
	}
	if s.quiet.n.Load() != 5 {
		t.Fatalf("counted %d", s.quiet.n.Load())
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
