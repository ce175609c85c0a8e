package dashboards_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gongkai/dashboards"
)

// postURLs posts the form's URL field (multipart, as the browser sends it).
func postURLs(t *testing.T, url, token, urls string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	api := strings.Contains(url, "/api/")
	if token != "" && !api {
		mw.WriteField("token", token) // the form sends the token first
	}
	mw.WriteField("urls", urls)
	mw.Close()
	req, err := http.NewRequest("POST", url, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" && api {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The upload page's URL field: shown on the form, token required, only web addresses, each
// result row returned.
func TestUploadURLs(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var got [][]string
	web := func(ctx context.Context, urls []string) []dashboards.UploadResult {
		mu.Lock()
		got = append(got, urls)
		mu.Unlock()
		return []dashboards.UploadResult{{Name: urls[0] + "/dead.html", Outcome: "failed", Error: "服务器返回 HTTP 404"},
			{Name: strings.Join(urls, " "), Outcome: "入库完成：新增 2，未变 0，替换 0，失败 1"}}
	}
	srv := httptest.NewServer(dashboards.NewServer(f.a, testConfig(), dashboards.WithIngest(func(context.Context, []dashboards.Upload) ([]dashboards.UploadResult, error) { return nil, nil }),
		dashboards.WithIngestURLs(web)))
	defer srv.Close()

	if code, body, _ := get(t, srv.URL+"/upload"); code != 200 || !strings.Contains(body, `name="urls"`) {
		t.Fatalf("form without a URL field: %d", code)
	}
	tests := []struct {
		name, token, urls string
		code              int
	}{
		{"no token", "", "http://127.0.0.1:1/ndbg/", 401},
		{"wrong token", "nope", "http://127.0.0.1:1/ndbg/", 401},
		{"not a URL", "s3cret", "http://127.0.0.1:1/ndbg/\n/etc/passwd", 400},
		{"two URLs", "s3cret", "http://127.0.0.1:1/ndbg/\r\nhttps://127.0.0.1:1/a.html", 200},
	}
	for _, tt := range tests {
		code, body := postURLs(t, srv.URL+"/api/upload", tt.token, tt.urls)
		if code != tt.code {
			t.Errorf("%s: %d, want %d (%s)", tt.name, code, tt.code, body)
			continue
		}
		if code == 200 {
			var res []dashboards.UploadResult
			if err := json.Unmarshal([]byte(body), &res); err != nil || len(res) != 2 || res[0].Error == "" {
				t.Errorf("%s: results %s", tt.name, body)
			}
		}
	}
	if len(got) != 1 || len(got[0]) != 2 {
		t.Errorf("URL runs %v, want one with two URLs", got)
	}
	// the HTML form answers a page with a row per result
	code, body := postURLs(t, srv.URL+"/upload", "s3cret", "http://127.0.0.1:1/ndbg/")
	if code != 200 || !strings.Contains(body, "服务器返回 HTTP 404") || !strings.Contains(body, "入库完成：新增 2") {
		t.Errorf("form post: %d", code)
	}
	// a server without the URL function refuses URLs
	plain := httptest.NewServer(dashboards.NewServer(f.a, testConfig(), dashboards.WithIngest(func(context.Context, []dashboards.Upload) ([]dashboards.UploadResult, error) { return nil, nil })))
	defer plain.Close()
	if code, _ := postURLs(t, plain.URL+"/api/upload", "s3cret", "http://127.0.0.1:1/"); code != 400 {
		t.Errorf("URLs without the function: %d", code)
	}
}
