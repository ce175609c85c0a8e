package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/schollz/progressbar/v3"

	"gongkai/config"
	"gongkai/ingest/web"
)

// version is gongkai's version, named in the User-Agent of web requests (set with
// -ldflags "-X main.version=…" at release).
var version = "0.1.0"

// isURL tells whether an argument is a web address rather than a path.
func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// splitArgs separates web addresses from paths, keeping their order.
func splitArgs(args []string) (urls, paths []string) {
	for _, a := range args {
		if isURL(a) {
			urls = append(urls, a)
		} else {
			paths = append(paths, a)
		}
	}
	return urls, paths
}

// registrySources lists the sources: of every organ of the registry, once each.
func registrySources(cfg *config.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range cfg.Registry {
		for _, s := range o.Sources {
			s = strings.TrimSpace(s)
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// webClient is the polite client of the web.* settings.
func webClient(cfg *config.Config) *web.Client {
	return web.New(web.Options{Version: version, Delay: cfg.Web.Delay, Timeout: cfg.Web.Timeout,
		MaxBytes: int64(cfg.Web.MaxMB) << 20, Retries: cfg.Web.Retries, MaxPages: cfg.Web.MaxPages,
		MaxRedirects: cfg.Web.MaxRedirects})
}

// crawlBar is a progress bar on w following a crawl (links done of those known so far).
func crawlBar(w io.Writer) (progress func(done, total int), finish func()) {
	var bar *progressbar.ProgressBar
	progress = func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription("抓取"), progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100e6), progressbar.OptionClearOnFinish())
		}
		if bar.GetMax() != total {
			bar.ChangeMax(total)
		}
		bar.Set(done)
	}
	finish = func() {
		if bar != nil {
			bar.Finish()
		}
	}
	return progress, finish
}

// eachWebReport reads every report found at u (a report page, a document, a 年报 column) and
// calls fn with its name (the URL of its bytes) and bytes, or with the reason it could not be
// had.
func eachWebReport(ctx context.Context, cfg *config.Config, u string, fn func(name string, data []byte, err error)) error {
	return webClient(cfg).Crawl(ctx, []string{u}, web.CrawlOptions{}, func(d web.Doc) {
		if d.Err != nil {
			fn(d.Page, nil, fmt.Errorf("%s: %w", d.Page, d.Err))
			return
		}
		fn(d.Name(), d.Body, nil)
	})
}
