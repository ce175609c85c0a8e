package dashboards_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"gongkai/analytics/analyticstest"
	"gongkai/dashboards"
	"gongkai/ingest/decode"
)

// TestUploadPageFormats: the form promises exactly the formats the readers read.
func TestUploadPageFormats(t *testing.T) {
	f := newFixture(t)
	_, body, _ := get(t, f.srv.URL+"/upload")
	for _, fm := range decode.Formats() {
		if !strings.Contains(body, fm.Name) {
			t.Errorf("the page does not list %s", fm.Name)
		}
		for _, e := range fm.Exts {
			if !strings.Contains(body, e) {
				t.Errorf("the file picker does not accept %s", e)
			}
		}
	}
	known := map[string]bool{}
	for _, fm := range decode.Formats() {
		for _, e := range fm.Exts {
			known[e] = true
		}
	}
	i := strings.Index(body, `accept="`)
	if i < 0 {
		t.Fatal("no file picker")
	}
	accept := body[i+len(`accept="`):]
	accept = accept[:strings.Index(accept, `"`)]
	for _, e := range strings.Split(accept, ",") {
		if !known[e] {
			t.Errorf("the file picker accepts %s, which no reader reads", e)
		}
	}
	if strings.Index(body, `name="token"`) > strings.Index(body, `name="file"`) {
		t.Error("the token field must come before the files (it is checked before any file is read)")
	}
}

// TestUploadResultsPage: the results name each file's outcome in Chinese, the organ and
// year it was recognised as, what the check found, and link to the report.
func TestUploadResultsPage(t *testing.T) {
	f := newFixture(t)
	code, body := postForm(t, f.srv.URL+"/upload", f.srv.URL, "same-origin", "s3cret", map[string]string{"good.txt": "report", "bad.txt": "bad"})
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	for _, want := range []string{"新增", "失败", analyticstest.Town, "2024", "错误 1 条", "表三 结转不符", "未找到报告标题",
		`href="/agency?id=` + strconv.Itoa(f.ids[analyticstest.Town]) + `&amp;year=2024"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the results lack %q", want)
		}
	}
	for _, english := range []string{">new<", ">failed<", ">unchanged<", ">replaced<"} {
		if strings.Contains(body, english) {
			t.Errorf("English outcome %s on the page", english)
		}
	}
	code, body = postForm(t, f.srv.URL+"/upload", f.srv.URL, "same-origin", "wrong", map[string]string{"good.txt": "report"})
	if code != 401 || !strings.Contains(body, "令牌不正确") {
		t.Fatalf("wrong token: %d", code)
	}
}

// TestCheckAPIOpenAndBounded: drafts are checked without a token (nothing is stored), read
// within the upload limit like uploads.
func TestCheckAPIOpenAndBounded(t *testing.T) {
	f := newFixture(t)
	cfg := testConfig()
	var got int
	srv := httptest.NewServer(dashboards.NewServer(f.a, cfg, dashboards.WithCheck(func(_ context.Context, ds []dashboards.Draft) ([]dashboards.CheckResult, error) {
		got = len(ds)
		return []dashboards.CheckResult{{Source: ds[0].Name}}, nil
	})))
	defer srv.Close()
	if code, body := upload(t, srv.URL+"/api/check", "", map[string]string{"a.txt": "draft"}); code != 200 || got != 1 {
		t.Fatalf("check without token: %d %s (%d drafts)", code, body, got)
	}
	if code, _ := upload(t, srv.URL+"/api/check", "", map[string]string{"big.txt": strings.Repeat("x", 3<<20)}); code != 413 {
		t.Fatalf("check larger than the limit: %d", code)
	}
}
