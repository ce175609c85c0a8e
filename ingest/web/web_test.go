package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIsReportTitle(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"红寺堡区教育局2023年政府信息公开工作年度报告", true},
		{"2023年度红寺堡区人民政府政府信息公开工作年度报告", true},
		{"平潭综合实验区2024年度政府信息公开工作年度报告", true},
		{"红寺堡镇 2022 年政务公开工作年度报告", true},
		{"区财政局2021年政府信息公开年报", true},
		{"二〇二三年红寺堡区政府信息公开工作年度报告", true},
		{"红寺堡区民政局2023年政府信息公开工作年度报告（更正版）", true},
		{"关于做好2023年政府信息公开工作年度报告编制和发布工作的通知", false},
		{"《2023年政府信息公开工作年度报告》解读", false},
		{"图解：2023年政府信息公开工作年度报告", false},
		{"政府信息公开年报", false},
		{"政府信息公开指南", false},
		{"2023年工作总结", false},
		{"下一页", false},
	}
	for _, tt := range tests {
		if got := IsReportTitle(tt.s); got != tt.want {
			t.Errorf("IsReportTitle(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestRobots(t *testing.T) {
	body := `# comment
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Allow: /private/open/
Disallow:

User-agent: other
User-agent: gongkai
Disallow: /nogongkai/
`
	tests := []struct {
		agent, path string
		want        bool
	}{
		{"somebot", "/ndbg/index.html", true},
		{"somebot", "/private/a.html", false},
		{"somebot", "/private/open/a.html", true},
		{"somebot", "/files/a.pdf", false},
		{"somebot", "/files/a.pdf?x=1", true},
		{"gongkai", "/private/a.html", true}, // its own group replaces *
		{"gongkai", "/nogongkai/a.html", false},
		{"gongkai", "/robots.txt", true},
	}
	for _, tt := range tests {
		if got := parseRobots([]byte(body), tt.agent).allowed(tt.path); got != tt.want {
			t.Errorf("%s %s: %v, want %v", tt.agent, tt.path, got, tt.want)
		}
	}
	if (&robots{denyAll: true}).allowed("/a") || !(&robots{allowAll: true}).allowed("/a") {
		t.Error("deny-all / allow-all")
	}
}

// One host is asked one request at a time with the delay between (the pause is recorded, not
// waited), a 5xx robots.txt forbids the host, too big a response and too many redirects fail.
func TestClientRules(t *testing.T) {
	var mu sync.Mutex
	inFlight, maxInFlight := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		maxInFlight = max(maxInFlight, inFlight)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		switch {
		case r.URL.Path == "/robots.txt":
			w.WriteHeader(http.StatusNotFound)
		case r.URL.Path == "/big":
			w.Write([]byte(strings.Repeat("x", 2000)))
		case strings.HasPrefix(r.URL.Path, "/hop"):
			var n int
			fmt.Sscanf(r.URL.Path, "/hop%d", &n)
			http.Redirect(w, r, fmt.Sprintf("/hop%d", n+1), http.StatusFound)
		case r.URL.Path == "/cookie":
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "1"})
			w.Write([]byte("ok"))
		case r.URL.Path == "/needcookie":
			if _, err := r.Cookie("s"); err != nil {
				http.Error(w, "no cookie", http.StatusForbidden)
				return
			}
			w.Write([]byte("ok"))
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	c := New(Options{Version: "t", Delay: time.Second, MaxBytes: 1000, MaxRedirects: 2})
	var pauses []time.Duration
	var pmu sync.Mutex
	c.sleep = func(ctx context.Context, d time.Duration) error {
		pmu.Lock()
		pauses = append(pauses, d)
		pmu.Unlock()
		return nil
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(ctx, fmt.Sprintf("%s/p%d", srv.URL, i), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if maxInFlight != 1 {
		t.Errorf("%d requests at once to one host", maxInFlight)
	}
	if len(pauses) < 4 { // robots.txt, then four pages: a pause before each page
		t.Errorf("pauses %v, want one before each request after the first", pauses)
	}
	for _, d := range pauses {
		if d <= 0 || d > time.Second {
			t.Errorf("pause %v not within the delay", d)
		}
	}
	if _, err := c.Get(ctx, srv.URL+"/big", nil); err == nil || !strings.Contains(err.Error(), "大小上限") {
		t.Errorf("big: %v", err)
	}
	if _, err := c.Get(ctx, srv.URL+"/hop0", nil); err == nil || !strings.Contains(err.Error(), "重定向超过") {
		t.Errorf("hops: %v", err)
	}
	if _, err := c.Get(ctx, srv.URL+"/cookie", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, srv.URL+"/needcookie", nil); err != nil {
		t.Errorf("the run's cookie was not sent back: %v", err)
	}
	if _, err := New(Options{}).Get(ctx, srv.URL+"/needcookie", nil); err == nil {
		t.Error("a new client (run) kept the cookie")
	}
	if _, err := c.Get(ctx, "ftp://127.0.0.1/x", nil); err == nil {
		t.Error("ftp fetched")
	}
}

func TestRobotsUnreadable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c := New(Options{Version: "t"})
	_, err := c.Get(context.Background(), srv.URL+"/a", nil)
	if err == nil || !strings.Contains(err.Error(), "robots.txt") {
		t.Errorf("a host whose robots.txt fails was fetched: %v", err)
	}
}
