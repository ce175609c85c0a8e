package dashboards_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/dashboards"
	"gongkai/ingest"
	"gongkai/ingest/store"
)

// TestSecurityHeaders: every response — pages, API, downloads, assets, errors, refused
// uploads — carries the policy: no inline script or style, no framing, no sniffing, no
// referrer to other sites.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	paths := append(f.pages(), "/api/", "/api/tables/kpi?year=2024", "/download/agencies.csv", "/download/agencies.xlsx",
		"/assets/echarts.min.js", "/assets/gongkai.js", "/assets/style.css", "/nope", "/agency?id=999", "/api/tables/nope")
	check := func(what string, h http.Header) {
		t.Helper()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", what, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", what, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", what, h)
		}
	}
	for _, p := range paths {
		_, body, h := get(t, f.srv.URL+p)
		check(p, h)
		if strings.Contains(body, "<script>") || strings.Contains(body, " onclick=") || strings.Contains(body, " onchange=") {
			t.Errorf("%s: inline script in the page", p)
		}
	}
	resp, err := http.Post(f.srv.URL+"/api/upload", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	check("POST /api/upload", resp.Header)
}

// TestPostChecksOrigin: a form posted from another site is refused before anything is read.
func TestPostChecksOrigin(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		origin, site string
		want         int
	}{
		{"http://evil.example", "", http.StatusForbidden},
		{"", "cross-site", http.StatusForbidden},
		{f.srv.URL, "same-origin", http.StatusOK},
	} {
		status, body := postForm(t, f.srv.URL+"/upload", tc.origin, tc.site, "s3cret", map[string]string{"good.txt": "report"})
		if status != tc.want {
			t.Errorf("Origin %q Sec-Fetch-Site %q: %d, want %d\n%s", tc.origin, tc.site, status, tc.want, body)
		}
	}
	if f.uploaded() != 1 {
		t.Fatalf("%d files ingested, want 1 (the same-origin post)", f.uploaded())
	}
}

// TestHostileOrganNames: organ names that would end or swallow a script element render every
// page whole, the charts' options intact (the 同比 heatmap lists organ names).
func TestHostileOrganNames(t *testing.T) {
	dir := t.TempDir()
	db := analyticstest.Build(t, dir)
	names := []string{"区<!--<script>局", "区</script><b>局", "区&amp;\"'局"}
	for _, name := range names {
		for _, y := range []int{2023, 2024} {
			r := analyticstest.Report(analyticstest.Spec{Agency: name, Level: ingest.LevelDepartment, Year: y,
				Cells: map[string]float64{"table3.new_received.natural_person": float64(y - 2000), "table3.new_received.total": float64(y - 2000)}})
			saveDerived(t, db, r, r.Source)
		}
	}
	srv := httptest.NewServer(dashboards.NewServer(analytics.NewStore(db), testConfig(), dashboards.WithAnimation(false)))
	defer srv.Close()
	for _, p := range []string{"/compare?from=2023&to=2024", "/compare?from=2023&to=2024&metric=disclosure_rate", "/", "/quality", "/risks"} {
		code, body, _ := get(t, srv.URL+p)
		if code != 200 {
			t.Fatalf("%s: %d", p, code)
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		footer, options := false, 0
		var seen []string
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "footer" {
				footer = true
			}
			if n.Type == html.ElementNode && n.Data == "script" && attr(n, "class") == "chart-options" {
				options++
				var opt any
				text := ""
				if n.FirstChild != nil {
					text = n.FirstChild.Data
				}
				if err := json.Unmarshal([]byte(text), &opt); err != nil {
					t.Errorf("%s: chart %s: options are not JSON: %v", p, attr(n, "data-for"), err)
				}
				seen = append(seen, text)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		if !footer {
			t.Errorf("%s: the page was swallowed (no footer after parsing)", p)
		}
		if got := strings.Count(body, `class="chart-options"`); got != options {
			t.Errorf("%s: %d chart blocks in the source, %d after parsing", p, got, options)
		}
		if strings.HasPrefix(p, "/compare") {
			all := strings.Join(seen, "")
			for _, name := range names {
				b, _ := json.Marshal(name)
				var back string
				json.Unmarshal(b, &back)
				if !strings.Contains(all, string(b)) || back != name {
					t.Errorf("%s: organ %q not in the charts' options", p, name)
				}
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// postForm posts a browser-like upload form (the token field first, as the page orders it)
// with the given Origin and Sec-Fetch-Site headers ("" = absent).
func postForm(t testing.TB, url, origin, site, token string, files map[string]string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if token != "" {
		mw.WriteField("token", token)
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("file", name)
		w.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *fixture) uploaded() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got)
}

// TestNoServerPaths: a report read from a file deep in the server's folders is named by its
// file name on every page and table, never by its path.
func TestNoServerPaths(t *testing.T) {
	db := analyticstest.Build(t, t.TempDir())
	const secret = "/srv/机密目录/uploads/0123abcd"
	r := analyticstest.Report(analyticstest.Spec{Agency: "区审计局", Level: ingest.LevelDepartment, Year: 2024,
		Cells: map[string]float64{"table3.new_received.natural_person": 3, "table3.new_received.total": 3}})
	saveDerived(t, db, r, secret+"/审计局2024年报.txt")
	a := analytics.NewStore(db)
	srv := httptest.NewServer(dashboards.NewServer(a, testConfig(), dashboards.WithAnimation(false)))
	defer srv.Close()
	as, _ := a.Agencies(t.Context())
	var id int
	for _, x := range as {
		if x.Name == "区审计局" {
			id = x.ID
		}
	}
	seen := false
	for _, p := range []string{fmt.Sprintf("/agency?id=%d&year=2024", id), "/", "/quality", fmt.Sprintf("/api/tables/agency_findings?id=%d&year=2024", id),
		"/api/tables/agencies", "/download/agencies.csv"} {
		_, body, _ := get(t, srv.URL+p)
		if strings.Contains(body, "/srv/") || strings.Contains(body, "机密目录") {
			t.Errorf("%s shows a server path", p)
		}
		seen = seen || strings.Contains(body, "审计局2024年报.txt")
	}
	if !seen {
		t.Error("the agency page does not name the report's file")
	}
}

// saveDerived stores a report with its derived metric rows, as the pipeline does.
func saveDerived(t *testing.T, db *store.DB, r *ingest.Report, path string) {
	t.Helper()
	sum := sha256.Sum256([]byte(r.Text))
	saved := db.SaveAllDerived([]store.Item{{Report: r, Meta: store.FileMeta{Path: path, SHA256: fmt.Sprintf("%x", sum),
		SourceFormat: "text", ParserVersion: "test"}}}, analytics.Derivation(), nil)
	if err := saved[0].Err; err != nil {
		t.Fatal(err)
	}
}
