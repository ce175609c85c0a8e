package web

import (
	"strings"
	"testing"
)

// FuzzParsePage: any bytes as a page never panic, and every link found is absolute http(s).
func FuzzParsePage(f *testing.F) {
	f.Add([]byte(`<html><head><base href="/a/"><meta charset="gbk"></head><body><a href="x.html">2023年政府信息公开工作年度报告</a><a href="index_3.html">3</a><iframe src="f.html"></iframe></body></html>`), "text/html")
	f.Add([]byte(`<a href="javascript:void(0)">下一页</a><script>createPageHTML(4, 0, "index", "shtml");</script>`), "")
	f.Add([]byte("\xff\xfe<\x00a\x00"), "text/html; charset=utf-16")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := ParsePage("http://127.0.0.1/ndbg/index.html", contentType, body)
		if err != nil {
			return
		}
		for _, l := range append(append(p.ReportLinks, p.Attachments...), Link{URL: "http://x"}) {
			if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") {
				t.Fatalf("link %q is not absolute http", l.URL)
			}
		}
		if len(p.NextPages) > 1000+len(body) {
			t.Fatalf("%d pages from %d bytes", len(p.NextPages), len(body))
		}
	})
}

// FuzzRobots: any robots.txt and path never panic.
func FuzzRobots(f *testing.F) {
	f.Add("User-agent: *\nDisallow: /private/\nAllow: /*.html$\n", "/private/a.html")
	f.Add("User-agent: gongkai\nDisallow: /\n", "/")
	f.Fuzz(func(t *testing.T, body, path string) {
		parseRobots([]byte(body), "gongkai").allowed(path)
	})
}
