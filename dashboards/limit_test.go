package dashboards_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/config"
	"gongkai/dashboards"
)

// serveWith starts the dashboards behind dashboards.HTTPServer (the server gongkai serve
// runs) on a loopback port.
func serveWith(t *testing.T, cfg config.Config, opts ...dashboards.Option) string {
	t.Helper()
	db := analyticstest.Build(t, t.TempDir())
	srv := dashboards.HTTPServer(dashboards.NewServer(analytics.NewStore(db), cfg, opts...), cfg.Server, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedByServer waits (at most a minute: a bound, not a measurement) until the server
// closes conn, reading whatever it sends first.
func closedByServer(t *testing.T, conn net.Conn) bool {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// TestTimeoutsCloseSlowAndIdleConnections: a body that never arrives and a keep-alive
// connection left idle are closed by the server.
func TestTimeoutsCloseSlowAndIdleConnections(t *testing.T) {
	cfg := testConfig()
	cfg.Server.ReadTimeout, cfg.Server.IdleTimeout = time.Second, time.Second
	addr := serveWith(t, cfg)

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST /api/upload HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer s3cret\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n", addr)
	if !closedByServer(t, slow) {
		t.Error("a request whose body never comes is held open")
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /api/years HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	if !closedByServer(t, idle) {
		t.Error("an idle keep-alive connection is held open")
	}
}

// countingBody counts the bytes the server reads of a request body.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
func (c *countingBody) Close() error { return nil }

// zeros is an endless reader that allocates nothing.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// multipartBody is a 20 MB upload form whose file comes first (no token), produced lazily.
func multipartBody(size int64) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, _ := mw.CreateFormFile("file", "big.txt")
		if _, err := io.Copy(w, io.LimitReader(zeros{}, size)); err != nil {
			pw.CloseWithError(err)
			return
		}
		mw.Close()
		pw.Close()
	}()
	return pr, mw.FormDataContentType()
}

// TestTokenlessUploadNotRead: an upload without the token is refused before its body is
// read — from the API at once, from the form after its first field — and one larger than
// the limit before anything is read.
func TestTokenlessUploadNotRead(t *testing.T) {
	f := newFixture(t)
	cfg := testConfig()
	cfg.Server.MaxUploadMB = 20
	h := dashboards.NewServer(f.a, cfg, dashboards.WithIngest(func(context.Context, []dashboards.Upload) ([]dashboards.UploadResult, error) {
		t.Error("ingest called")
		return nil, nil
	}))
	for _, tc := range []struct {
		path, token string
		length      int64
		want        int
		maxRead     int64
	}{
		{"/api/upload", "", 20 << 20, 401, 0},
		{"/api/upload", "wrong", 20 << 20, 401, 0},
		{"/upload", "", 19 << 20, 401, 64 << 10}, // the form's first part is the file: refused there
		{"/api/upload", "s3cret", 30 << 20, 413, 0},
	} {
		body, ctype := multipartBody(tc.length)
		cb := &countingBody{r: body}
		req := httptest.NewRequest("POST", tc.path, nil)
		req.Body, req.ContentLength = cb, tc.length+200
		req.Header.Set("Content-Type", ctype)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tc.want || cb.n.Load() > tc.maxRead {
			t.Errorf("%s token %q: %d, %d bytes of the body read; want %d, at most %d", tc.path, tc.token, w.Code, cb.n.Load(), tc.want, tc.maxRead)
		}
		if strings.Contains(w.Body.String(), "/tmp") {
			t.Errorf("%s: a server path in the answer: %s", tc.path, w.Body.String())
		}
	}
}

// TestTokenlessUploadsMemoryFlat: 60 concurrent token-less 20 MB uploads over loopback leave
// the server's heap flat (it used to buffer every body: 3.15 GB RSS).
func TestTokenlessUploadsMemoryFlat(t *testing.T) {
	if raceEnabled {
		t.Skip("a memory measurement: meaningless under the race detector")
	}
	cfg := testConfig()
	cfg.Server.MaxUploadMB = 20
	addr := serveWith(t, cfg, dashboards.WithIngest(func(context.Context, []dashboards.Upload) ([]dashboards.UploadResult, error) {
		return nil, nil
	}))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			default:
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	var refused, other atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, DisableKeepAlives: true}}
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			path := "/api/upload"
			if i%2 == 1 {
				path = "/upload"
			}
			body, ctype := multipartBody(20<<20 - 4096)
			req, _ := http.NewRequest("POST", "http://"+addr+path, body)
			req.Header.Set("Content-Type", ctype)
			resp, err := client.Do(req)
			if err != nil { // the server may close while the client still writes: refused all the same
				refused.Add(1)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 401 || resp.StatusCode == 503 {
				refused.Add(1)
			} else {
				other.Add(1)
			}
		}(i)
	}
	wg.Wait()
	close(stop)
	grew := int64(peak.Load()) - int64(base)
	t.Logf("60 token-less 20 MB uploads: %d refused; heap in use grew by at most %.1f MB", refused.Load(), float64(grew)/(1<<20))
	if other.Load() > 0 {
		t.Errorf("%d uploads were not refused", other.Load())
	}
	if grew > 100<<20 {
		t.Errorf("heap grew by %d MB: bodies were buffered", grew>>20)
	}
}
