package dashboards_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/analytics"
	"gongkai/analytics/analyticstest"
	"gongkai/config"
	"gongkai/dashboards"
	"gongkai/ingest"
	"gongkai/ingest/store"
)

type fixture struct {
	srv *httptest.Server
	a   *analytics.Analytics
	ids map[string]int
	mu  sync.Mutex
	got []string // uploaded names
}

func testConfig() config.Config {
	return config.Config{District: "测试区",
		Server: config.Server{Token: "s3cret", MaxUploadMB: 1},
		Risk:   config.Risk{MinApplications: 10, CorrectionRateJump: 10, LitigationJump: 2, DisclosureRateDrop: 15, PublicationsDrop: 0.5, CopiedSimilarity: 0.9}}
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := analyticstest.Build(t, t.TempDir())
	f := &fixture{a: analytics.NewStore(db), ids: map[string]int{}}
	as, err := f.a.Agencies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		f.ids[a.Name] = a.ID
	}
	ingest := func(_ context.Context, files []dashboards.Upload) ([]dashboards.UploadResult, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []dashboards.UploadResult
		for _, u := range files {
			f.got = append(f.got, u.Name)
			if bytes.Contains(u.Data, []byte("bad")) {
				out = append(out, dashboards.UploadResult{Name: u.Name, Outcome: dashboards.OutcomeFailed, Error: "未找到报告标题"})
				continue
			}
			out = append(out, dashboards.UploadResult{Name: u.Name, Outcome: dashboards.OutcomeNew, Agency: analyticstest.Town,
				AgencyID: int64(f.ids[analyticstest.Town]), Year: 2024, ReportID: 1, Errors: 1, Findings: []string{"表三 结转不符"}})
		}
		return out, nil
	}
	h := dashboards.NewServer(f.a, testConfig(), dashboards.WithIngest(ingest), dashboards.WithAnimation(false))
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

func get(t testing.TB, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// pages returns every page of the fixture (with filters and each agency).
func (f *fixture) pages() []string {
	ps := []string{"/", "/?year=2023", "/?level=township", "/?q=教育&sort=applications&desc=1", "/compare", "/compare?from=2023&to=2024&metric=disclosure_rate",
		"/quality", "/quality?year=2023&rule=T3-balance", "/risks", "/risks?year=2023", "/summary", "/summary?year=2023&level=township", "/summary?skip=1", "/upload", "/source?report=1&line=3"}
	for _, id := range f.ids {
		ps = append(ps, "/agency?id="+itoa(id), "/agency?id="+itoa(id)+"&year=2023")
	}
	return ps
}

func itoa(n int) string { return strconv.Itoa(n) }

var externalURL = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|(src|href|action)\s*=\s*["']?(https?:|//)`)

func TestPagesLoadWithoutExternalURLs(t *testing.T) {
	f := newFixture(t)
	for _, p := range f.pages() {
		code, body, _ := get(t, f.srv.URL+p)
		if code != http.StatusOK {
			t.Errorf("%s: status %d\n%s", p, code, body)
			continue
		}
		if m := externalURL.FindString(body); m != "" {
			t.Errorf("%s: refers to another host: %q", p, m)
		}
		if !strings.Contains(body, `src="/assets/echarts.min.js"`) {
			t.Errorf("%s: does not load the embedded ECharts", p)
		}
	}
	code, body, _ := get(t, f.srv.URL+"/assets/echarts.min.js")
	if code != 200 || len(body) < 500000 {
		t.Fatalf("echarts asset: %d, %d bytes", code, len(body))
	}
}

func TestAPIEqualsDirectSum(t *testing.T) {
	f := newFixture(t)
	var direct float64
	if err := f.a.DB().QueryRow(`SELECT sum(value)::DOUBLE FROM current_cells WHERE key = 'table3.new_received.total' AND year = 2024`).Scan(&direct); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, f.srv.URL+"/api/tables/kpi?year=2024")
	var kpi struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(body), &kpi); err != nil {
		t.Fatal(err, body)
	}
	if kpi.Rows[0]["metric"] != "新收申请" || kpi.Rows[0]["value"] != direct {
		t.Fatalf("kpi %v, direct %v", kpi.Rows[0], direct)
	}
	_, body, _ = get(t, f.srv.URL+"/api/tables/trend")
	var trend struct {
		Rows []map[string]any `json:"rows"`
	}
	json.Unmarshal([]byte(body), &trend)
	if len(trend.Rows) != 2 || trend.Rows[1]["applications"] != direct || trend.Rows[1]["disclosure_rate"] != 68.3 {
		t.Fatalf("trend %v", trend.Rows)
	}
	// Every documented table answers.
	_, body, _ = get(t, f.srv.URL+"/api/")
	var eps []struct{ Path string }
	json.Unmarshal([]byte(body), &eps)
	if len(eps) < 20 {
		t.Fatalf("api index %s", body)
	}
	for _, e := range eps {
		if !strings.HasPrefix(e.Path, "/api/tables/") {
			continue
		}
		code, body, _ := get(t, f.srv.URL+e.Path+"?id="+itoa(f.ids[analyticstest.Town]))
		if code != 200 {
			t.Errorf("%s: %d %s", e.Path, code, body)
		}
	}
}

func TestDownloads(t *testing.T) {
	f := newFixture(t)
	code, body, h := get(t, f.srv.URL+"/download/agencies.csv?year=2024")
	if code != 200 || !strings.HasPrefix(body, "\uFEFF单位,级别,状态,新收申请") {
		t.Fatalf("csv %d %q", code, body)
	}
	if !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("disposition %q", h.Get("Content-Disposition"))
	}
	for _, want := range []string{analyticstest.Town + ",乡镇街道,有错误·迟报,20,20,0.25", analyticstest.Gov + ",区县政府,未报送"} {
		if !strings.Contains(body, want) {
			t.Errorf("csv lacks %q:\n%s", want, body)
		}
	}
	code, body, _ = get(t, f.srv.URL+"/download/agency_table3.xlsx?id="+itoa(f.ids[analyticstest.Town])+"&year=2024")
	if code != 200 {
		t.Fatalf("xlsx %d %s", code, body)
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetName(0)
	v, _ := x.GetCellValue(sheet, "H2")
	if v != "20" {
		t.Fatalf("xlsx H2 = %q", v)
	}
	if code, _, _ := get(t, f.srv.URL+"/download/nope.csv"); code != 404 {
		t.Fatalf("unknown table: %d", code)
	}
}

func upload(t testing.TB, url, token string, files map[string]string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, content := range files {
		w, _ := mw.CreateFormFile("file", name)
		w.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
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

func TestUpload(t *testing.T) {
	f := newFixture(t)
	if code, _ := upload(t, f.srv.URL+"/api/upload", "", map[string]string{"a.txt": "x"}); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := upload(t, f.srv.URL+"/api/upload", "wrong", map[string]string{"a.txt": "x"}); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	if code, body := upload(t, f.srv.URL+"/api/upload", "s3cret", map[string]string{"big.txt": strings.Repeat("x", 3<<20)}); code != 413 {
		t.Fatalf("too large: %d %s", code, body)
	}
	code, body := upload(t, f.srv.URL+"/api/upload", "s3cret", map[string]string{"good.txt": "report", "bad.txt": "bad"})
	if code != 200 {
		t.Fatalf("upload %d %s", code, body)
	}
	var res []dashboards.UploadResult
	json.Unmarshal([]byte(body), &res)
	if len(res) != 2 {
		t.Fatalf("results %s", body)
	}
	for _, r := range res {
		if (r.Name == "bad.txt") != (r.Error == "未找到报告标题") {
			t.Errorf("result %+v", r)
		}
	}
	// The HTML form path answers a page.
	code, body = upload(t, f.srv.URL+"/upload?token=s3cret", "s3cret", map[string]string{"good.txt": "report"})
	if code != 200 || !strings.Contains(body, "good.txt") {
		t.Fatalf("form upload %d", code)
	}
	// Without a token configured uploads are off.
	cfg := testConfig()
	cfg.Server.Token = ""
	srv := httptest.NewServer(dashboards.NewServer(f.a, cfg, dashboards.WithIngest(func(context.Context, []dashboards.Upload) ([]dashboards.UploadResult, error) {
		return nil, nil
	})))
	defer srv.Close()
	if code, _ := upload(t, srv.URL+"/api/upload", "x", map[string]string{"a.txt": "x"}); code != 403 {
		t.Fatalf("uploads off: %d", code)
	}
}

func TestConcurrentReads(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ps := f.pages()
			p := ps[i%len(ps)]
			resp, err := http.Get(f.srv.URL + p)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}(i)
	}
	wg.Wait()
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	for p, want := range map[string]int{"/agency": 400, "/agency?id=999": 404, "/source?report=999": 404, "/api/tables/nope": 404, "/nope": 404} {
		if code, _, _ := get(t, f.srv.URL+p); code != want {
			t.Errorf("%s: %d, want %d", p, code, want)
		}
	}
}

// TestIncompleteShown: a report stored as incomplete (a page cut in table 3) is shown as
// 不完整 with what it lacks on 数据质量 and on the organ's page.
func TestIncompleteShown(t *testing.T) {
	db := analyticstest.Build(t, t.TempDir())
	s := analyticstest.Specs[0]
	s.Year = 2022
	r := analyticstest.Report(s)
	for _, k := range r.Keys() {
		if strings.HasPrefix(k, "table4.") || strings.HasPrefix(k, "table3.carried_forward.") {
			r.Cells.Set(k, ingest.Cell{})
		}
	}
	r.Incomplete, r.IncompleteReason = true, "表三在第40行中断；未找到表四"
	sum := sha256.Sum256([]byte(r.Text + "cut"))
	saved := db.SaveAll([]store.Item{{Report: r, Meta: store.FileMeta{Path: r.Source, SHA256: fmt.Sprintf("%x", sum), SourceFormat: "text", ParserVersion: "test"}}})
	if err := saved[0].Err; err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(dashboards.NewServer(analytics.NewStore(db), testConfig(), dashboards.WithAnimation(false)))
	defer srv.Close()
	for _, page := range []string{"/quality?year=2022", fmt.Sprintf("/agency?id=%d&year=2022", saved[0].AgencyID)} {
		code, body, _ := get(t, srv.URL+page)
		if code != http.StatusOK || !strings.Contains(body, "不完整") || !strings.Contains(body, "表三在第40行中断；未找到表四") {
			t.Errorf("%s: %d, the page does not say the report is incomplete and what it lacks", page, code)
		}
	}
}

// /api/agencies pages: a country has ~150,000 organs, never answered at once.
func TestAPIAgenciesPaged(t *testing.T) {
	f := newFixture(t)
	all, err := f.a.Agencies(t.Context())
	if err != nil || len(all) < 3 {
		t.Fatalf("fixture agencies: %d, %v", len(all), err)
	}
	names := func(body string) []string {
		var as []analytics.Agency
		if err := json.Unmarshal([]byte(body), &as); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	var named []string // organs whose name holds all[1]'s
	for _, a := range all {
		if strings.Contains(a.Name, all[1].Name) {
			named = append(named, a.Name)
		}
	}
	for _, c := range []struct {
		query string
		want  []string
		total int
	}{
		{"", []string{all[0].Name, all[1].Name, all[2].Name}, len(all)},
		{"?limit=2", []string{all[0].Name, all[1].Name}, len(all)},
		{"?limit=2&offset=1", []string{all[1].Name, all[2].Name}, len(all)},
		{"?offset=100000", nil, len(all)},
		{"?q=" + url.QueryEscape(all[1].Name), named, len(named)},
	} {
		code, body, h := get(t, f.srv.URL+"/api/agencies"+c.query)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.query, code, body)
		}
		got := names(body)
		if c.query == "" {
			got = got[:min(3, len(got))]
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
		if h.Get("X-Total-Count") != strconv.Itoa(c.total) {
			t.Errorf("%s: X-Total-Count %q, want %d", c.query, h.Get("X-Total-Count"), c.total)
		}
	}
	if code, body, _ := get(t, f.srv.URL+"/api/agencies?limit=-1"); code != http.StatusBadRequest || !strings.Contains(body, "limit") {
		t.Errorf("limit=-1: %d %s", code, body)
	}
}
