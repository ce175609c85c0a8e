package pipeline

import (
	"bytes"
	"context"
	"path"
	"strings"

	"gongkai/ingest/store"
	"gongkai/ingest/web"
)

// RunWeb ingests the files under paths and the reports found at urls (report pages, documents,
// 年报 columns; see web.Client.Crawl), fetched with c one at a time as they are found. A URL
// stored before is asked for conditionally (ETag, Last-Modified); an unchanged report is
// counted unchanged. Every report link that cannot be fetched or read is one failure named by
// its URL, and the run goes on. progress, when not nil, follows the crawl (links done of known).
func RunWeb(ctx context.Context, db *store.DB, c *web.Client, urls, paths []string, opt Options, progress func(done, total int)) (Result, error) {
	held, err := db.WebValidators()
	if err != nil {
		return Result{}, err
	}
	ch := make(chan Fetched)
	opt.Fetched = ch
	known := func(u string) (web.Conditions, bool) {
		w, ok := held[u]
		return web.Conditions{ETag: w.ETag, LastModified: w.LastModified}, ok
	}
	crawlErr := make(chan error, 1)
	go func() {
		defer close(ch)
		crawlErr <- c.Crawl(ctx, urls, web.CrawlOptions{Known: known, Progress: progress}, func(d web.Doc) {
			select {
			case ch <- FromWeb(d):
			case <-ctx.Done():
			}
		})
	}()
	res, err := Run(ctx, db, paths, opt)
	if cerr := <-crawlErr; err == nil && cerr != nil {
		err = cerr
	}
	return res, err
}

// FromWeb turns a report found on the web into what Run reads: named by the URL of its bytes,
// with its page, attachment, fetch time and validators to store; a page's identity is its
// normalised text (visit counters and dates in the site chrome change the bytes of an
// unchanged report), an attachment's its bytes.
func FromWeb(d web.Doc) Fetched {
	f := Fetched{Name: d.Name(), Data: d.Body, Err: d.Err, NotModified: d.NotModified}
	if d.Err != nil || d.NotModified {
		return f
	}
	f.Web = &store.WebSource{Page: d.Page, Attachment: d.Attachment, FetchedAt: d.FetchedAt, ETag: d.ETag, LastModified: d.LastModified}
	f.TextHash = d.IsHTML()
	f.Format = formatOf(d)
	return f
}

// formatOf names the format of a fetched report: html for a page, else by the bytes' signature,
// else by the URL's extension.
func formatOf(d web.Doc) string {
	switch {
	case d.IsHTML():
		return "html"
	case bytes.HasPrefix(d.Body, []byte("%PDF")):
		return "pdf"
	case bytes.HasPrefix(d.Body, []byte("PK\x03\x04")):
		return "docx"
	case bytes.HasPrefix(d.Body, []byte("\xd0\xcf\x11\xe0")):
		return "doc"
	}
	name := d.Name()
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	if f := SourceFormat(path.Base(name)); f != "" && !strings.Contains(f, "/") {
		return f
	}
	return "text"
}
