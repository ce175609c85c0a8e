package dashboards

import (
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongkai/config"
)

// TestLongDownloadOutlivesWriteTimeout: a download making progress goes on past the server's
// write timeout (keepWriting moves the deadline as bytes leave); without it, the same answer
// is cut at the timeout, which is what a national CSV (~100 s, 480 MB) met at 120 s.
func TestLongDownloadOutlivesWriteTimeout(t *testing.T) {
	const parts, pause = 8, 60 * time.Millisecond
	cfg := config.Server{WriteTimeout: 200 * time.Millisecond}
	s := &Server{cfg: config.Config{Server: cfg}}
	for _, keep := range []bool{true, false} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if keep {
				w = progressWriter{w, s.keepWriting(w)}
			}
			for i := 0; i < parts; i++ {
				io.WriteString(w, strings.Repeat("x", 1000)+"\n")
				http.NewResponseController(w).Flush()
				time.Sleep(pause)
			}
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := HTTPServer(h, cfg, log.New(io.Discard, "", 0))
		go srv.Serve(ln)
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		var n int
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			n = strings.Count(string(b), "\n")
		}
		srv.Close()
		if keep && n != parts {
			t.Errorf("with keepWriting: %d of %d parts arrived (%v)", n, parts, err)
		}
		if !keep && n == parts {
			t.Errorf("without keepWriting all %d parts arrived past the write timeout: the test shows nothing", parts)
		}
	}
}
