package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/dashboards"
	"gongkai/ingest/generate"
	"gongkai/ingest/store"
)

// uploadServer serves the dashboards with the real upload ingest over a fresh database in
// dir, and counts the upload requests it receives and the largest body.
type uploadServer struct {
	db       *store.DB
	url      string
	cfg      config.Config
	posts    atomic.Int64
	maxBytes atomic.Int64
	maxFiles atomic.Int64
}

func newUploadServer(t testing.TB, dir string, mutate func(*config.Config)) *uploadServer {
	t.Helper()
	cfg := config.Config{DB: filepath.Join(dir, "u.duckdb"), District: "测试区",
		Server: config.Server{Token: "t0ken", MaxUploadMB: 20, MaxFiles: 500},
		Risk:   config.Risk{MinApplications: 10, CorrectionRateJump: 10, LitigationJump: 2, DisclosureRateDrop: 15, PublicationsDrop: 0.5, CopiedSimilarity: 0.9}}
	if mutate != nil {
		mutate(&cfg)
	}
	db, err := store.Open(cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u := &uploadServer{db: db, cfg: cfg}
	h := dashboards.NewServer(analytics.NewStore(db), cfg, dashboards.WithIngest(uploadIngest(db, cfg)), dashboards.WithAnimation(false))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			u.posts.Add(1)
			for old := u.maxBytes.Load(); r.ContentLength > old && !u.maxBytes.CompareAndSwap(old, r.ContentLength); old = u.maxBytes.Load() {
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u.url = srv.URL
	return u
}

func (u *uploadServer) count(t testing.TB, q string) int {
	t.Helper()
	var n int
	if err := u.db.SQL().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// postFile uploads files through the API and returns the results.
func postFiles(t testing.TB, url string, files map[string][]byte) []dashboards.UploadResult {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := mw.CreateFormFile("file", n)
		w.Write(files[n])
	}
	mw.Close()
	req, _ := http.NewRequest("POST", url+"/api/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var rs []dashboards.UploadResult
	if err := json.Unmarshal(body, &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

func genFiles(t testing.TB, dir string, agencies, from, to int, layouts ...string) []string {
	t.Helper()
	files, err := generate.Write(generate.Options{Agencies: agencies, From: from, To: to, Out: dir, Seed: 7, Layouts: layouts,
		Inject: map[string]float64{"X-carry-over": 0.2, "T3-balance": 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") {
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			out = append(out, f)
		}
	}
	return out
}

// TestReuploadKeepsStoredFile: uploads are content-addressed; the same bytes again (under the
// same or another name) are 未变 and the file the stored report points to stays. A failed
// file leaves nothing behind, and no answer names a path on the server.
func TestReuploadKeepsStoredFile(t *testing.T) {
	dir := t.TempDir()
	u := newUploadServer(t, dir, nil)
	files := genFiles(t, filepath.Join(dir, "gen"), 1, 2024, 2024, "tabs")
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	first := postFiles(t, u.url, map[string][]byte{"报告.txt": data})
	if len(first) != 1 || first[0].Outcome != "new" || first[0].Agency == "" || first[0].Year != 2024 || first[0].ReportID == 0 {
		t.Fatalf("first upload: %+v", first)
	}
	var source string
	u.db.SQL().QueryRow(`SELECT source_path FROM reports`).Scan(&source)
	for _, name := range []string{"报告.txt", "另一个名字.txt"} {
		again := postFiles(t, u.url, map[string][]byte{name: data})
		if again[0].Outcome != "unchanged" || again[0].ReportID != first[0].ReportID || again[0].Agency != first[0].Agency {
			t.Fatalf("re-upload as %s: %+v", name, again)
		}
		if _, err := os.Stat(source); err != nil {
			t.Fatalf("re-upload as %s removed the stored source file: %v", name, err)
		}
	}
	if got, _ := os.ReadFile(source); !bytes.Equal(got, data) {
		t.Fatal("the stored source file changed")
	}
	bad := postFiles(t, u.url, map[string][]byte{"坏.txt": []byte("这不是年度报告")})
	if bad[0].Outcome != "failed" || bad[0].Error == "" {
		t.Fatalf("bad upload: %+v", bad)
	}
	for _, r := range append(first, bad...) {
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), dir) || strings.Contains(string(b), "uploads/") {
			t.Errorf("a server path in the answer: %s", b)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "uploads"))
	if len(ents) != 1 {
		t.Fatalf("%d kept uploads, want 1 (the failed one leaves nothing)", len(ents))
	}
}

// TestIngestServerManyFiles: gongkai ingest --server of 5,000 files sends them in requests
// within the server's limits and every report arrives.
func TestIngestServerManyFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 files; skipped with -short")
	}
	dir := t.TempDir()
	u := newUploadServer(t, dir, func(c *config.Config) { c.Server.MaxUploadMB, c.Server.MaxFiles = 4, 400 })
	gen := filepath.Join(dir, "gen")
	files := genFiles(t, gen, 1000, 2020, 2024, "tabs", "markdown", "cells")
	if len(files) != 5000 {
		t.Fatalf("%d files generated", len(files))
	}
	var out, errOut bytes.Buffer
	failed, err := postToServer(context.Background(), u.url, "t0ken", files, &out, &errOut)
	if err != nil || failed != 0 {
		t.Fatalf("postToServer: %d failed, %v\n%s", failed, err, errOut.String())
	}
	if !strings.HasPrefix(strings.TrimSpace(out.String()), "入库完成：新增 5000，未变 0，替换 0，失败 0") {
		t.Fatalf("summary %q", out.String())
	}
	if n := u.count(t, `SELECT count(*) FROM current_reports`); n != 5000 {
		t.Fatalf("%d reports stored, want 5000", n)
	}
	if p, err := u.db.Verify(); err != nil || len(p) > 0 {
		t.Fatalf("verify: %v %v", p, err)
	}
	if u.posts.Load() < 13 || u.maxBytes.Load() > 4<<20 {
		t.Fatalf("%d requests, largest %d bytes: not within the 4 MB / 400-file limits", u.posts.Load(), u.maxBytes.Load())
	}
	t.Logf("5,000 files in %d requests, largest %.1f MB", u.posts.Load(), float64(u.maxBytes.Load())/(1<<20))
}

// routes lists every GET route of the server with parameters that exist in its database.
func routes(t testing.TB, u *uploadServer) []string {
	t.Helper()
	var agency, report, year int
	u.db.SQL().QueryRow(`SELECT agency_id, id, year FROM current_reports ORDER BY id LIMIT 1`).Scan(&agency, &report, &year)
	ps := []string{"/", "/?level=township", "/agency?id=" + strconv.Itoa(agency), "/compare", "/compare?metric=disclosure_rate",
		"/quality", "/risks", "/upload", "/source?report=" + strconv.Itoa(report) + "&line=3",
		"/api/", "/api/metrics", "/api/years", "/api/agencies", "/api/upload", "/assets/style.css", "/assets/gongkai.js"}
	resp, err := http.Get(u.url + "/api/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eps []struct{ Path string }
	json.NewDecoder(resp.Body).Decode(&eps)
	for _, e := range eps {
		if name, ok := strings.CutPrefix(e.Path, "/api/tables/"); ok {
			q := fmt.Sprintf("?id=%d&year=%d", agency, year)
			ps = append(ps, e.Path+q, "/download/"+name+".csv"+q, "/download/"+name+".xlsx"+q)
		}
	}
	return ps
}

// loadResult is what the clients of a load run saw.
type loadResult struct {
	requests, errors int
	byStatus         map[int]int // errors by status (0: no answer)
	latencies        []time.Duration
	firstErrors      []string
}

// load runs clients that share the work: every route once per round, rounds times (or, when
// rounds is 0, routes over and over until stop is closed).
func load(u *uploadServer, ps []string, clients, rounds int, stop <-chan struct{}) loadResult {
	var mu sync.Mutex
	res := loadResult{byStatus: map[int]int{}}
	var wg sync.WaitGroup
	var next atomic.Int64
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if rounds > 0 && i >= rounds*len(ps) {
					return
				}
				if rounds == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
				p := ps[i%len(ps)]
				t0 := time.Now()
				resp, err := client.Get(u.url + p)
				status := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				el := time.Since(t0)
				mu.Lock()
				res.requests++
				res.latencies = append(res.latencies, el)
				if status != 200 {
					res.errors++
					res.byStatus[status]++
					if len(res.firstErrors) < 5 {
						res.firstErrors = append(res.firstErrors, fmt.Sprintf("%s: %d %v", p, status, err))
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	tr.CloseIdleConnections()
	return res
}

// TestLoadWhileUploading: many clients on every route (each route once, the clients sharing
// them) while an upload runs — no request fails and no uploaded report is lost. GONGKAI_LOAD_CLIENTS and GONGKAI_LOAD_SECONDS turn
// it into the README's measurement (clients for a duration, p95 and peak RSS logged).
func TestLoadWhileUploading(t *testing.T) {
	dir := t.TempDir()
	clients, _ := strconv.Atoi(os.Getenv("GONGKAI_LOAD_CLIENTS"))
	seconds, _ := strconv.Atoi(os.Getenv("GONGKAI_LOAD_SECONDS"))
	u := newUploadServer(t, dir, func(c *config.Config) {
		c.Server.MaxUploadMB = 4
		if seconds == 0 {
			// the queue waits as long as it takes: this test counts failures, and 503 has its
			// own test; a measurement (seconds > 0) keeps the defaults and counts the 503s
			c.Server.QueueWait = 10 * time.Minute
		}
	})
	gen := filepath.Join(dir, "gen")
	files := genFiles(t, gen, 30, 2022, 2024, "tabs", "html")
	base, upload := files[:60], files[60:]
	if _, err := postToServer(context.Background(), u.url, "t0ken", base, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	ps := routes(t, u)
	rounds := 1
	if clients == 0 {
		clients = 12
	}
	if seconds > 0 {
		rounds = 0
	}
	stop := make(chan struct{})
	upDone := make(chan error, 1)
	var upOut, upErr bytes.Buffer
	go func() {
		failed, err := postToServer(context.Background(), u.url, "t0ken", upload, &upOut, &upErr)
		if err == nil && failed > 0 {
			err = fmt.Errorf("%d files failed: %s", failed, upErr.String())
		}
		upDone <- err
	}()
	if seconds > 0 {
		go func() { time.Sleep(time.Duration(seconds) * time.Second); close(stop) }()
	}
	res := load(u, ps, clients, rounds, stop)
	if err := <-upDone; err != nil {
		t.Fatalf("upload during load: %v", err)
	}
	if res.errors > 0 && seconds == 0 {
		t.Errorf("%d of %d requests failed: %v", res.errors, res.requests, res.firstErrors)
	}
	if n := u.count(t, `SELECT count(*) FROM current_reports`); n != len(files) {
		t.Errorf("%d reports stored, want %d: reports lost", n, len(files))
	}
	if p, err := u.db.Verify(); err != nil || len(p) > 0 {
		t.Errorf("verify: %v %v", p, err)
	}
	sort.Slice(res.latencies, func(i, j int) bool { return res.latencies[i] < res.latencies[j] })
	p95 := res.latencies[len(res.latencies)*95/100]
	t.Logf("%d clients, %d routes: %d requests, %d errors %v, p95 %v, peak RSS %s; upload: %s",
		clients, len(ps), res.requests, res.errors, res.byStatus, p95.Round(time.Millisecond), peakRSS(), strings.TrimSpace(upOut.String()))
}

// peakRSS is the process's peak resident memory (Linux VmHWM), or "?".
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
