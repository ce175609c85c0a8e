package dashboards

import (
	"context"
	"errors"
	"log"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongkai/config"
)

// limiter bounds the requests that work the database: at most cap(slots) run, at most
// maxQueued wait (each at most wait), and the rest are told to come back later (503 with
// Retry-After) instead of piling up goroutines, DuckDB threads and memory until the server
// falls over.
type limiter struct {
	slots     chan struct{}
	queued    atomic.Int64
	maxQueued int64
	wait      time.Duration
}

func newLimiter(concurrent, queued int, wait time.Duration) *limiter {
	if concurrent <= 0 {
		concurrent = 2 * runtime.NumCPU()
	}
	if queued <= 0 {
		queued = 256
	}
	if wait <= 0 {
		wait = 30 * time.Second
	}
	return &limiter{slots: make(chan struct{}, concurrent), maxQueued: int64(queued), wait: wait}
}

// errBusy says the server is at capacity.
var errBusy = errors.New("busy")

// acquire takes a slot, waiting in the queue if there is room; release gives it back.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	if l.queued.Add(1) > l.maxQueued {
		l.queued.Add(-1)
		return nil, errBusy
	}
	defer l.queued.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *limiter) release() { <-l.slots }

// retryAfter is the Retry-After of a 503, in seconds.
func (l *limiter) retryAfter() string {
	return strconv.Itoa(max(1, int(l.wait/time.Second)/3))
}

// busy answers 503 with Retry-After.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, l *limiter) {
	w.Header().Set("Retry-After", l.retryAfter())
	s.fail(w, r, &httpError{http.StatusServiceUnavailable, "服务器繁忙，请稍后再试。"})
}

// limited runs h within l's bounds.
func (s *Server) limited(l *limiter, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, err := l.acquire(r.Context())
		if err != nil {
			if errors.Is(err, errBusy) {
				s.busy(w, r, l)
			} // else the client left while waiting: nothing to answer
			return
		}
		defer release()
		h.ServeHTTP(w, r)
	})
}

// gone tells whether err comes from a request its client abandoned: the context was
// cancelled, and DuckDB reports its interrupted query as "INTERRUPT Error".
func gone(r *http.Request, err error) bool {
	return r.Context().Err() != nil || errors.Is(err, context.Canceled) ||
		(err != nil && strings.Contains(err.Error(), "INTERRUPT"))
}

// quietLog logs the first abandoned request once and counts the rest without a word: a
// browser that moves on mid-page is normal, not an error.
type quietLog struct {
	once sync.Once
	n    atomic.Int64
}

func (q *quietLog) note(l *log.Logger) {
	q.n.Add(1)
	q.once.Do(func() {
		l.Printf("客户端在回答完成前断开，查询已中断（正常现象；此后不再逐条记录）")
	})
}

// HTTPServer returns the http.Server for h with the timeouts of c: a whole request (headers
// and body) must arrive within ReadTimeout, the answer leave within WriteTimeout, and a
// keep-alive connection is closed after IdleTimeout without a request. Slow or idle clients
// cannot hold connections open for ever.
func HTTPServer(h http.Handler, c config.Server, errorLog *log.Logger) *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d <= 0 {
			return def
		}
		return d
	}
	read := or(c.ReadTimeout, 60*time.Second)
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(read, 10*time.Second),
		ReadTimeout:       read,
		WriteTimeout:      writeTimeout(c),
		IdleTimeout:       or(c.IdleTimeout, 30*time.Second),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errorLog,
	}
}

// writeTimeout is the time an answer has to leave the server (a download: between two
// steps of progress, see keepWriting).
func writeTimeout(c config.Server) time.Duration {
	if c.WriteTimeout > 0 {
		return c.WriteTimeout
	}
	return 120 * time.Second
}
