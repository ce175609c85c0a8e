package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/ingest/check"
	"gongkai/ingest/parse"
	"gongkai/ingest/store"
	"gongkai/ingest/web"
	"gongkai/ingest/web/webtest"
)

// The test portal's column and frameset through the whole road: every report stored with its
// URLs and the numbers of its truth, every bad link one failure named by its URL; the second
// run stores nothing and counts every report unchanged.
func TestRunWeb(t *testing.T) {
	p := webtest.New(t, 3)
	db, err := store.Open(filepath.Join(t.TempDir(), "web.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opt := Options{Parse: parse.File, Check: check.Report, CrossYear: check.Years, ParserVersion: "test"}
	client := func() *web.Client {
		return web.New(web.Options{Version: "test", Timeout: time.Second, Retries: 1})
	}
	urls := []string{p.Column(), p.Frames}
	wantReports := len(p.Reports) + 1
	res, err := RunWeb(context.Background(), db, client(), urls, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != wantReports || res.Failed != len(p.Failing) || res.Unchanged != 0 || res.Replaced != 0 {
		t.Fatalf("first run: %s; failures %v", res.Summary(), res.Failures)
	}
	failed := map[string]string{}
	for _, f := range res.Failures {
		failed[f.Path] = f.Reason
	}
	for u, why := range p.Failing {
		if !strings.Contains(failed[u], why) {
			t.Errorf("failure of %s: %q, want %q", u, failed[u], why)
		}
	}
	for page, truth := range p.Reports {
		stored, err := db.Load(truth.Agency, truth.Year)
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		// every number read is the report's; a cell the reader could not read is unread with a
		// finding naming it, never a guess (the PDF reader leaves some table-4 rows so)
		flagged := map[string]bool{}
		for _, f := range stored.Findings {
			flagged[f.Cell] = true
		}
		unread := 0
		for _, k := range truth.Keys() {
			want, _ := truth.Value(k)
			got, ok := stored.Value(k)
			switch {
			case !ok && !flagged[k]:
				t.Errorf("%s %s: unread without a finding", page, k)
			case !ok:
				unread++
			case got != want:
				t.Errorf("%s %s: %v, want %v", page, k, got, want)
			}
		}
		if unread > 0 {
			t.Logf("%s: %d cells unread (flagged)", page, unread)
		}
		if unread > 0 && p.Attachments[page] == "" {
			t.Errorf("%s: a generated HTML page left %d cells unread", page, unread)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM report_urls WHERE page_url = ? AND attachment_url = ?`,
			page, p.Attachments[page]).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: %d report_urls rows (%v)", page, n, err)
		}
	}
	again, err := RunWeb(context.Background(), db, client(), urls, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.New != 0 || again.Replaced != 0 || again.Unchanged != wantReports || again.Failed != len(p.Failing) {
		t.Fatalf("second run: %s", again.Summary())
	}
}
