// Package webtest serves a small government portal on 127.0.0.1 for tests: a 政府信息公开年报
// column of two pages whose report links lead to generated reports (a UTF-8 page, a GBK page
// declared only in <meta>, pages whose report is a PDF or DOCX attachment, a redirect, a page
// that fails once with 500), and to links that must fail (a dead link, a slow page, a redirect
// loop, a path robots.txt forbids), next to a notice that must not be followed. The PDF and
// DOCX attachments are written by the generator (ingest/generate), so reading them goes
// through the same readers as files.
package webtest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"html"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// Attachment renders a report as the bytes of an attachment of kind "pdf" or "docx" with the
// generator's writers (the PDF is printed by headless chromium).
var Attachment = func(r *ingest.Report, kind string) ([]byte, error) {
	return generate.Render(r, kind)
}

// Portal is the running test portal.
type Portal struct {
	Server *httptest.Server
	// Reports maps the URL of every report link that must yield a report (the page as
	// linked) to its truth, and Attachments the same page URL to the attachment URL read.
	Reports     map[string]*ingest.Report
	Attachments map[string]string
	// Failing are the report links that must fail, each with a word of its expected reason.
	Failing map[string]string
	// Notice is a link on the column that is not a report and must not be requested.
	Notice string
	// Frames is a page whose report sits in an <iframe>; FramedReport its truth.
	Frames       string
	FramedReport *ingest.Report

	mu     sync.Mutex
	hits   map[string]int
	order  []string
	agents map[string]bool
	flaky  int
	done   chan struct{}
	files  map[string][]byte // path → body
	types  map[string]string // path → Content-Type
}

// Column returns the URL of the column's first page.
func (p *Portal) Column() string { return p.Server.URL + "/ndbg/index.html" }

// Hits returns how often path was requested.
func (p *Portal) Hits(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

// Order returns the paths in the order they were requested.
func (p *Portal) Order() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.order...)
}

// Agents returns the User-Agent headers seen.
func (p *Portal) Agents() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for a := range p.agents {
		out = append(out, a)
	}
	return out
}

// New starts the portal with reports generated from seed; it is closed with the test.
func New(t testing.TB, seed int64) *Portal {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	ags := generate.District(rng, "", 9)
	var reps []*ingest.Report
	for _, a := range ags {
		reps = append(reps, generate.Truth(rng, a, 2023, ingest.Format2021, nil))
	}
	p := &Portal{Reports: map[string]*ingest.Report{}, Attachments: map[string]string{}, Failing: map[string]string{},
		hits: map[string]int{}, agents: map[string]bool{}, done: make(chan struct{}),
		files: map[string][]byte{}, types: map[string]string{}}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve)) // listens on 127.0.0.1
	t.Cleanup(func() { close(p.done); p.Server.Close() })
	base := p.Server.URL
	title := func(r *ingest.Report) string {
		return fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Agency, r.Year)
	}
	page := func(path string, r *ingest.Report, layout string) {
		b, err := generate.Render(r, layout)
		if err != nil {
			t.Fatal(err)
		}
		p.files[path] = b
		p.types[path] = "text/html" // no charset: the GBK page declares it only in <meta>
		p.Reports[base+path] = r
	}
	attach := func(path, file string, r *ingest.Report, kind, ctype string) {
		b, err := Attachment(r, kind)
		if errors.Is(err, generate.ErrNoChromium) {
			// without chromium no PDF can be printed: the attachment is the report as text
			// under the PDF's name (the reader sniffs bytes), so the rest still runs
			t.Logf("%s: %v; served as text", file, err)
			b, err = generate.Render(r, "tabs")
		}
		if err != nil {
			t.Fatal(err)
		}
		p.files[file] = b
		p.types[file] = ctype
		p.files[path] = []byte(fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/ndbg/index.html">政府信息公开年报</a></div>
<h1>%s</h1><p>发布时间：2024-01-20</p><p>现将本单位年度报告全文发布如下，请点击附件查看。</p>
<p>附件：<a href="%s">%s.%s</a></p></body></html>`, html.EscapeString(title(r)), html.EscapeString(title(r)), file, html.EscapeString(title(r)), kind))
		p.types[path] = "text/html; charset=utf-8"
		p.Reports[base+path] = r
		p.Attachments[base+path] = base + file
	}
	page("/ndbg/a.html", reps[0], "html")
	page("/ndbg/b.html", reps[1], "html-gbk")
	attach("/ndbg/c.html", "/files/c.pdf", reps[2], "pdf", "application/pdf")
	attach("/ndbg/d.html", "/files/d.docx", reps[3], "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	page("/ndbg/e.html", reps[4], "html") // reached through /ndbg/old.html
	p.Reports[base+"/ndbg/old.html"] = p.Reports[base+"/ndbg/e.html"]
	delete(p.Reports, base+"/ndbg/e.html")
	page("/ndbg/flaky.html", reps[5], "html")
	page("/private/g.html", reps[6], "html")
	delete(p.Reports, base+"/private/g.html")
	page("/ndbg/h.html", reps[7], "html")
	delete(p.Reports, base+"/ndbg/h.html")
	p.FramedReport = reps[7]
	p.Frames = base + "/frames.html"
	p.files["/frames.html"] = []byte(`<html><head><title>年报</title></head><frameset rows="20%,80%"><frame src="/top.html"><frame src="ndbg/h.html"></frameset></html>`)
	p.files["/top.html"] = []byte(`<html><body><a href="/">首页</a></body></html>`)
	p.files["/ndbg/notice.html"] = []byte(`<html><body><p>通知正文</p></body></html>`)
	p.Notice = base + "/ndbg/notice.html"
	p.Failing[base+"/ndbg/dead.html"] = "404"
	p.Failing[base+"/ndbg/slow.html"] = "超时"
	p.Failing[base+"/ndbg/loop1.html"] = "重定向循环"
	p.Failing[base+"/private/g.html"] = "robots.txt"

	link := func(href string, r *ingest.Report, text string) string {
		if text == "" {
			text = title(r)
		}
		return fmt.Sprintf(`<li><a href="%s" title="%s">%s</a><span>2024-01-20</span></li>`, href, html.EscapeString(text), html.EscapeString(cut(text, 18)))
	}
	col1 := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_红寺堡区人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="../xwzx/">新闻中心</a></div>
<ul class="list">` + link("a.html", reps[0], "") + link("./b.html", reps[1], "") +
		link("notice.html", nil, "关于做好2023年政府信息公开工作年度报告编制和发布工作的通知") +
		link("/ndbg/dead.html", reps[8], "") + link("c.html", reps[2], "") + `</ul>
<div class="page"><a href="index.html">首页</a> <a href="index_1.html">下一页</a> <a href="index_1.html">尾页</a></div></body></html>`
	p.files["/ndbg/index.html"] = []byte(col1)
	p.types["/ndbg/index.html"] = "text/html; charset=utf-8"
	col2 := `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><base href="` + base + `/ndbg/">
<title>政府信息公开年报（第2页）</title></head><body><ul>` +
		link("d.html", reps[3], "") + link("old.html", reps[4], "") + link("slow.html", reps[0], "红寺堡区慢速局2023年度政府信息公开工作年度报告") +
		link("flaky.html", reps[5], "") + link("loop1.html", reps[1], "红寺堡区循环局2023年政府信息公开年度报告") +
		link("/private/g.html", reps[6], "") + `</ul>
<div class="page"><a href="index.html">上一页</a> <a href="index.html">首页</a> <a href="index_1.html">尾页</a></div></body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(col2))
	if err != nil {
		t.Fatal(err)
	}
	p.files["/ndbg/index_1.html"] = gbk
	p.types["/ndbg/index_1.html"] = "text/html"
	return p
}

// cut shortens s to n characters with "…", as portals' lists do (the title attribute keeps it).
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func (p *Portal) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	p.order = append(p.order, r.URL.Path)
	p.agents[r.UserAgent()] = true
	flaky := 0
	if r.URL.Path == "/ndbg/flaky.html" {
		p.flaky++
		flaky = p.flaky
	}
	p.mu.Unlock()
	switch r.URL.Path {
	case "/robots.txt":
		fmt.Fprint(w, "# test portal\nUser-agent: *\nDisallow: /private/\nDisallow: /admin\n")
		return
	case "/ndbg/old.html":
		http.Redirect(w, r, "/ndbg/e.html", http.StatusMovedPermanently)
		return
	case "/ndbg/loop1.html":
		http.Redirect(w, r, "loop2.html", http.StatusFound)
		return
	case "/ndbg/loop2.html":
		http.Redirect(w, r, "loop1.html", http.StatusFound)
		return
	case "/ndbg/slow.html":
		select {
		case <-r.Context().Done():
		case <-p.done:
		}
		return
	case "/ndbg/flaky.html":
		if flaky == 1 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
	}
	body, ok := p.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(body))
	w.Header().Set("ETag", etag)
	if ct := p.types[r.URL.Path]; ct != "" {
		w.Header().Set("Content-Type", ct)
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

// Body returns what the portal serves at path (for comparing with what was read).
func (p *Portal) Body(path string) []byte { return bytes.Clone(p.files[path]) }
