package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
)

// Doc is one report found on the web: its bytes and where they came from, or why the link
// could not be fetched or read.
type Doc struct {
	Page         string    // the report page as linked (or given), or the file itself when linked directly
	Attachment   string    // the PDF/DOCX URL when the report is an attachment of Page
	ContentType  string    // of the response read
	Body         []byte    // the report's bytes: the page's HTML, or the attachment's
	FetchedAt    time.Time // when Body arrived
	ETag         string    // validators of the response read
	LastModified string
	NotModified  bool  // a conditional request answered 304: the version stored is current
	Err          error // the link could not be fetched or holds no report: one failure
}

// Name is the URL of the report's bytes: the attachment's, else the page's.
func (d Doc) Name() string {
	if d.Attachment != "" {
		return d.Attachment
	}
	return d.Page
}

// IsHTML tells whether the report's bytes are a web page (its tables in the page).
func (d Doc) IsHTML() bool { return d.Attachment == "" && IsHTML(d.ContentType, d.Body) }

// CrawlOptions are the callbacks of a crawl; all may be nil.
type CrawlOptions struct {
	// Known returns the validators of the version stored of a report's URL (the attachment's,
	// else the page's) so its fetch can be conditional; ok false when none is stored.
	Known func(url string) (c Conditions, ok bool)
	// Progress is called after each report link: done of total known so far.
	Progress func(done, total int)
}

// errNothing is the failure of a page that holds no report.
var errNothing = errors.New("页面中没有报告表格、报告附件或年报链接")

// maxDepth bounds how far links are followed from a URL given: column → report page →
// attachment, with a frame or an intermediate list in between.
const maxDepth = 4

// crawl is the state of one Crawl.
type crawl struct {
	c       *Client
	opt     CrawlOptions
	emit    func(Doc)
	visited map[string]bool
	done    int
	total   int
}

// Crawl reads each URL given: a report page (its tables on the page, or its report as a PDF or
// DOCX attachment), a document itself, or a 年报 column whose report links (and pagination,
// at most MaxPages pages) are followed. emit is called once per report found, in order, with
// the report's bytes or with the reason it could not be had; a URL that fails is emitted as a
// Doc with Err and the crawl goes on. The error is for the crawl itself (ctx cancelled).
func (c *Client) Crawl(ctx context.Context, urls []string, opt CrawlOptions, emit func(Doc)) error {
	cr := &crawl{c: c, opt: opt, emit: emit, visited: map[string]bool{}}
	for _, u := range urls {
		if err := ctx.Err(); err != nil {
			return err
		}
		cr.total++
		cr.visit(ctx, u, 0, false)
		cr.progress()
	}
	return ctx.Err()
}

func (cr *crawl) progress() {
	cr.done++
	if cr.opt.Progress != nil {
		cr.opt.Progress(cr.done, cr.total)
	}
}

func (cr *crawl) fail(page, attachment string, err error) {
	cr.emit(Doc{Page: page, Attachment: attachment, Err: err})
}

// conditions are the validators held for u, if any.
func (cr *crawl) conditions(u string) *Conditions {
	if cr.opt.Known == nil {
		return nil
	}
	if c, ok := cr.opt.Known(u); ok {
		return &c
	}
	return nil
}

// visit reads u and emits what it holds. asReport: u was linked as a report (its fetch may be
// conditional).
func (cr *crawl) visit(ctx context.Context, u string, depth int, asReport bool) {
	if cr.visited[u] {
		return
	}
	cr.visited[u] = true
	var cond *Conditions
	if asReport {
		cond = cr.conditions(u)
	}
	resp, err := cr.c.Get(ctx, u, cond)
	if err != nil {
		cr.fail(u, "", err)
		return
	}
	cr.visited[resp.URL] = true
	if resp.Status == 304 {
		cr.emit(Doc{Page: u, NotModified: true, FetchedAt: resp.FetchedAt})
		return
	}
	if !IsHTML(resp.ContentType, resp.Body) {
		cr.emit(docOf(u, "", resp))
		return
	}
	p, err := ParsePage(resp.URL, resp.ContentType, resp.Body)
	if err != nil {
		cr.fail(u, "", fmt.Errorf("网页无法解析：%w", err))
		return
	}
	reportish := IsReportTitle(p.Heading) || IsReportTitle(p.Title)
	switch {
	case p.HasReport:
		cr.emit(docOf(u, "", resp))
	case len(p.Attachments) > 0 && (reportish || asReport || len(p.ReportLinks) == 0):
		a := pickAttachment(p.Attachments)
		cr.attachment(ctx, u, a.URL)
	case len(p.ReportLinks) > 0 && depth < maxDepth:
		cr.column(ctx, u, resp.URL, p, depth)
	case len(p.Frames) > 0 && depth < maxDepth:
		// the frames' reports count; a frame holding nothing (a banner, a menu) is no failure
		// unless no frame holds anything
		emit := cr.emit
		var found []Doc
		cr.emit = func(d Doc) { found = append(found, d) }
		for _, f := range p.Frames {
			cr.visit(ctx, f, depth+1, asReport)
		}
		cr.emit = emit
		some := false
		for _, d := range found {
			if !errors.Is(d.Err, errNothing) {
				some = true
				emit(d)
			}
		}
		if !some {
			cr.fail(u, "", errNothing)
		}
	default:
		cr.fail(u, "", errNothing)
	}
}

// attachment fetches the attachment a of report page page and emits it.
func (cr *crawl) attachment(ctx context.Context, page, a string) {
	cr.visited[a] = true
	resp, err := cr.c.Get(ctx, a, cr.conditions(a))
	if err != nil {
		cr.fail(page, "", fmt.Errorf("附件 %s：%w", a, err))
		return
	}
	if resp.Status == 304 {
		cr.emit(Doc{Page: page, Attachment: a, NotModified: true, FetchedAt: resp.FetchedAt})
		return
	}
	cr.emit(docOf(page, a, resp))
}

// column reads a 年报 column: its pages (the first given, the others by its pagination, at
// most MaxPages in all), then every report link found on them.
func (cr *crawl) column(ctx context.Context, u, final string, first *Page, depth int) {
	pages := []*Page{first}
	queued := map[string]bool{u: true, final: true}
	var queue []string
	add := func(p *Page) {
		for _, n := range p.NextPages {
			if !queued[n] && sameDir(final, n) {
				queued[n] = true
				queue = append(queue, n)
			}
		}
	}
	add(first)
	for len(queue) > 0 && len(pages) < cr.c.opt.MaxPages {
		if ctx.Err() != nil {
			return
		}
		n := queue[0]
		queue = queue[1:]
		if cr.visited[n] {
			continue
		}
		cr.visited[n] = true
		resp, err := cr.c.Get(ctx, n, nil)
		if err != nil {
			cr.fail(n, "", fmt.Errorf("栏目分页：%w", err))
			continue
		}
		if !IsHTML(resp.ContentType, resp.Body) {
			continue
		}
		p, err := ParsePage(resp.URL, resp.ContentType, resp.Body)
		if err != nil {
			cr.fail(n, "", fmt.Errorf("栏目分页无法解析：%w", err))
			continue
		}
		pages = append(pages, p)
		add(p)
	}
	var links []Link
	seen := map[string]bool{}
	for _, p := range pages {
		for _, l := range p.ReportLinks {
			if !seen[l.URL] {
				seen[l.URL] = true
				links = append(links, l)
			}
		}
	}
	cr.total += len(links)
	for _, l := range links {
		if ctx.Err() != nil {
			return
		}
		cr.visit(ctx, l.URL, depth+1, true)
		cr.progress()
	}
}

// sameDir tells whether a pagination link stays in the column: same host and folder.
func sameDir(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil || ua.Host != ub.Host {
		return false
	}
	da, db := ua.Path, ub.Path
	if !strings.HasSuffix(da, "/") {
		da = path.Dir(da)
	}
	if !strings.HasSuffix(db, "/") {
		db = path.Dir(db)
	}
	return strings.TrimSuffix(da, "/") == strings.TrimSuffix(db, "/")
}

// pickAttachment chooses the report among a page's attachments: the first whose text or name
// is a report title, else the first PDF or DOCX, else the first.
func pickAttachment(as []Link) Link {
	for _, a := range as {
		if IsReportTitle(a.Text) || IsReportTitle(lastSegment(a.URL)) {
			return a
		}
	}
	for _, a := range as {
		l := strings.ToLower(a.URL + " " + a.Text)
		if strings.Contains(l, ".pdf") || strings.Contains(l, ".docx") {
			return a
		}
	}
	return as[0]
}

func lastSegment(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	s, err := url.PathUnescape(path.Base(p.Path))
	if err != nil {
		return p.Path
	}
	return s
}

func docOf(page, attachment string, r *Response) Doc {
	return Doc{Page: page, Attachment: attachment, ContentType: r.ContentType, Body: r.Body,
		FetchedAt: r.FetchedAt, ETag: r.ETag, LastModified: r.LastModified}
}
