package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai/ingest/web"
	"gongkai/ingest/web/webtest"
)

func testClient() *web.Client {
	return web.New(web.Options{Version: "test", Delay: 0, Timeout: time.Second, Retries: 1, MaxPages: 5, MaxRedirects: 3})
}

func crawl(t *testing.T, c *web.Client, urls []string, known func(string) (web.Conditions, bool)) map[string]web.Doc {
	t.Helper()
	got := map[string]web.Doc{}
	err := c.Crawl(context.Background(), urls, web.CrawlOptions{Known: known}, func(d web.Doc) {
		if _, dup := got[d.Page]; dup {
			t.Errorf("%s emitted twice", d.Page)
		}
		got[d.Page] = d
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The column: every report link yields its report (page, GBK page, PDF and DOCX attachments,
// redirect, a 500 that recovers), every bad link one failure with its reason, the notice is
// never requested, robots.txt is read first; a second run with the validators held gets 304s.
func TestCrawlColumn(t *testing.T) {
	p := webtest.New(t, 1)
	c := testClient()
	got := crawl(t, c, []string{p.Column()}, nil)

	for u := range p.Reports {
		d, ok := got[u]
		switch {
		case !ok:
			t.Errorf("report %s not found", u)
		case d.Err != nil:
			t.Errorf("report %s: %v", u, d.Err)
		case len(d.Body) == 0:
			t.Errorf("report %s: no bytes", u)
		case d.Attachment != p.Attachments[u]:
			t.Errorf("report %s: attachment %q, want %q", u, d.Attachment, p.Attachments[u])
		}
	}
	for u, why := range p.Failing {
		d, ok := got[u]
		if !ok || d.Err == nil {
			t.Errorf("%s: want a failure (%s), got %+v", u, why, ok)
			continue
		}
		if !strings.Contains(d.Err.Error(), why) {
			t.Errorf("%s: reason %q lacks %q", u, d.Err, why)
		}
	}
	if n := len(got); n != len(p.Reports)+len(p.Failing) {
		for u, d := range got {
			t.Logf("%s: err %v", u, d.Err)
		}
		t.Errorf("%d docs, want %d", n, len(p.Reports)+len(p.Failing))
	}
	if p.Hits("/ndbg/notice.html") != 0 {
		t.Error("the notice was requested")
	}
	if p.Hits("/private/g.html") != 0 {
		t.Error("a path robots.txt forbids was requested")
	}
	if o := p.Order(); len(o) == 0 || o[0] != "/robots.txt" || p.Hits("/robots.txt") != 1 {
		t.Errorf("robots.txt not read first and once: %v", o)
	}
	if p.Hits("/ndbg/flaky.html") != 2 {
		t.Errorf("flaky page asked %d times, want 2", p.Hits("/ndbg/flaky.html"))
	}
	for _, a := range p.Agents() {
		if !strings.HasPrefix(a, "gongkai/test ") {
			t.Errorf("User-Agent %q does not name gongkai and its version", a)
		}
	}

	// the second run, holding each report's validators
	held := map[string]web.Conditions{}
	for _, d := range got {
		if d.Err == nil {
			held[d.Name()] = web.Conditions{ETag: d.ETag, LastModified: d.LastModified}
		}
	}
	again := crawl(t, testClient(), []string{p.Column()}, func(u string) (web.Conditions, bool) {
		c, ok := held[u]
		return c, ok
	})
	for u := range p.Reports {
		if d := again[u]; d.Err != nil || !d.NotModified {
			t.Errorf("second run %s: not modified %v, err %v", u, d.NotModified, d.Err)
		}
	}
}

// A frameset page: the report in a frame is found, the frame without one is not a failure of
// its own once the report is found.
func TestCrawlFrames(t *testing.T) {
	p := webtest.New(t, 2)
	got := crawl(t, testClient(), []string{p.Frames}, nil)
	var reports int
	for u, d := range got {
		if d.Err != nil {
			t.Errorf("%s: %v", u, d.Err)
		} else {
			reports++
			if !strings.HasSuffix(u, "/ndbg/h.html") {
				t.Errorf("report from %s", u)
			}
		}
	}
	if reports != 1 {
		t.Errorf("%d reports from the frameset, want 1: %v", reports, got)
	}
}
