// Package web reads annual reports straight from government portals: it fetches pages
// politely (robots.txt first and obeyed, a User-Agent naming gongkai, one request at a time
// per host with a pause between, timeouts, retries with backoff on 5xx and timeouts, a size
// limit per response, cookies only for the run), follows the links of a 政府信息公开年报
// column whose text is a report title (and its pagination, bounded), and hands back each
// report's bytes: the page with the tables, or the PDF/DOCX attachment of the page. It knows
// nothing of parsing, storage or dashboards; callers turn the bytes into reports.
package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options set how politely and how far the client fetches. Zero values take the defaults
// noted; Delay 0 means no pause (tests).
type Options struct {
	Version      string            // gongkai's version, named in the User-Agent
	Delay        time.Duration     // pause between two requests to one host; also the base of the retry backoff
	Timeout      time.Duration     // one request, headers and body; 0: 30 s
	MaxBytes     int64             // largest response body; 0: 50 MiB
	Retries      int               // further tries after a 5xx or a timeout; negative: none
	MaxPages     int               // column pages read per column (pagination bound); 0: 50
	MaxRedirects int               // redirects followed per request; 0: 5
	Transport    http.RoundTripper // nil: a copy of http.DefaultTransport
}

// Client fetches pages. It is safe for concurrent use; requests to one host are serialised.
type Client struct {
	opt   Options
	ua    string
	hc    *http.Client
	mu    sync.Mutex
	hosts map[string]*host
	sleep func(ctx context.Context, d time.Duration) error
}

// host is the state kept per scheme://host: its robots.txt and when it was last asked.
type host struct {
	mu     sync.Mutex // held while a request to the host runs: one at a time
	last   time.Time  // end of the last request
	robots *robots    // nil until read
}

// Response is a page or file fetched.
type Response struct {
	URL          string    // the URL finally answered, after redirects
	Status       int       // 200, or 304 for a conditional request whose version is unchanged
	ContentType  string    // the Content-Type header
	ETag         string    // the ETag header, if any
	LastModified string    // the Last-Modified header, if any
	Body         []byte    // empty for 304
	FetchedAt    time.Time // when the response arrived
}

// Conditions make a request conditional on a version already held (If-None-Match,
// If-Modified-Since); a server that offers neither header is simply asked again.
type Conditions struct {
	ETag         string
	LastModified string
}

// Error is a URL that could not be fetched, with the reason in Chinese for the clerk.
type Error struct {
	URL    string
	Reason string
	Err    error // the underlying error, if any
}

func (e *Error) Error() string { return e.Reason }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrRobots is wrapped by the error of a URL that robots.txt forbids.
var ErrRobots = errors.New("robots.txt forbids it")

// New returns a client with opt's settings and an empty cookie jar that lives as long as
// the client (one run).
func New(opt Options) *Client {
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 50 << 20
	}
	if opt.Retries < 0 {
		opt.Retries = 0
	}
	if opt.MaxPages <= 0 {
		opt.MaxPages = 50
	}
	if opt.MaxRedirects <= 0 {
		opt.MaxRedirects = 5
	}
	if opt.Version == "" {
		opt.Version = "dev"
	}
	tr := opt.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return &Client{
		opt: opt,
		ua:  "gongkai/" + opt.Version + " (reader of government information disclosure annual reports; obeys robots.txt)",
		hc: &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // redirects are followed by Get, each hop checked
		}},
		hosts: map[string]*host{},
		sleep: sleepCtx,
	}
}

// UserAgent is the User-Agent header sent with every request.
func (c *Client) UserAgent() string { return c.ua }

// Get fetches rawURL: robots.txt of each host is read first and obeyed, redirects are
// followed up to MaxRedirects (a loop is an error), 5xx answers and timeouts are tried again
// with growing pauses. A 304 answer to cond is returned with Status 304 and no body; any
// other answer but 200 is an error.
func (c *Client) Get(ctx context.Context, rawURL string, cond *Conditions) (*Response, error) {
	seen := map[string]bool{}
	cur := rawURL
	for hop := 0; ; hop++ {
		u, err := url.Parse(cur)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("不是可抓取的网址：%s", cur), Err: err}
		}
		u.Fragment = ""
		cur = u.String()
		if seen[cur] {
			return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("重定向循环（%s）", cur)}
		}
		seen[cur] = true
		h := c.host(u)
		if err := c.checkRobots(ctx, h, u); err != nil {
			return nil, err
		}
		resp, err := c.fetch(ctx, h, u, cond, c.opt.MaxBytes)
		if err != nil {
			return nil, &Error{URL: rawURL, Reason: err.Error(), Err: err}
		}
		switch {
		case resp.Status == http.StatusOK || resp.Status == http.StatusNotModified:
			return resp.Response, nil
		case resp.Status >= 300 && resp.Status < 400 && resp.location != "":
			if hop >= c.opt.MaxRedirects {
				return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("重定向超过 %d 次", c.opt.MaxRedirects)}
			}
			next, err := u.Parse(resp.location)
			if err != nil {
				return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("重定向地址无效：%s", resp.location), Err: err}
			}
			cur = next.String()
		default:
			return nil, &Error{URL: rawURL, Reason: fmt.Sprintf("服务器返回 HTTP %d", resp.Status)}
		}
	}
}

// fetched is one HTTP exchange, before redirects are followed.
type fetched struct {
	*Response
	location string
}

// host returns the state of u's scheme://host.
func (c *Client) host(u *url.URL) *host {
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hosts[key]
	if h == nil {
		h = &host{}
		c.hosts[key] = h
	}
	return h
}

// checkRobots reads the host's robots.txt once and tells whether u may be fetched.
func (c *Client) checkRobots(ctx context.Context, h *host, u *url.URL) error {
	h.mu.Lock()
	rb := h.robots
	h.mu.Unlock()
	if rb == nil {
		rb = c.readRobots(ctx, h, u)
		h.mu.Lock()
		h.robots = rb
		h.mu.Unlock()
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !rb.allowed(path) {
		reason := "robots.txt 不允许抓取此地址"
		if rb.denyAll {
			reason = "robots.txt 无法读取（服务器错误或不可达），按规定不抓取该网站"
		}
		return &Error{URL: u.String(), Reason: reason, Err: ErrRobots}
	}
	return nil
}

// readRobots fetches /robots.txt of u's host (RFC 9309: a 4xx allows everything, a 5xx or
// an unreachable host allows nothing; up to five redirects).
func (c *Client) readRobots(ctx context.Context, h *host, u *url.URL) *robots {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	for range 5 {
		resp, err := c.fetch(ctx, h, ru, nil, 512<<10)
		if err != nil {
			return &robots{denyAll: true}
		}
		switch {
		case resp.Status >= 200 && resp.Status < 300:
			return parseRobots(resp.Body, "gongkai")
		case resp.Status >= 300 && resp.Status < 400 && resp.location != "":
			next, err := ru.Parse(resp.location)
			if err != nil || next.Host != u.Host {
				return &robots{allowAll: true} // elsewhere: treat as absent
			}
			ru = next
		case resp.Status >= 400 && resp.Status < 500:
			return &robots{allowAll: true}
		default:
			return &robots{denyAll: true}
		}
	}
	return &robots{allowAll: true}
}

// fetch makes one request to u (no redirect followed), waiting its turn on the host and the
// delay since the host's last request, and tries again after 5xx answers and timeouts.
func (c *Client) fetch(ctx context.Context, h *host, u *url.URL, cond *Conditions, limit int64) (*fetched, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var lastErr error
	for attempt := 0; attempt <= c.opt.Retries; attempt++ {
		if attempt > 0 {
			// backoff: 2, 4, 8 … times the delay, with some jitter
			d := c.opt.Delay * time.Duration(1<<attempt)
			d += time.Duration(rand.Int64N(int64(d)/4 + 1))
			if err := c.sleep(ctx, d); err != nil {
				return nil, err
			}
		}
		if wait := c.opt.Delay - time.Since(h.last); !h.last.IsZero() && wait > 0 {
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		f, err := c.once(ctx, u, cond, limit)
		h.last = time.Now()
		if err == nil && f.Status < 500 {
			return f, nil
		}
		if err == nil {
			lastErr = fmt.Errorf("服务器返回 HTTP %d", f.Status)
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !isTimeout(err) && !isTransient(err) {
			return nil, err
		}
		lastErr = err
	}
	if c.opt.Retries > 0 {
		return nil, fmt.Errorf("%w（已重试 %d 次）", lastErr, c.opt.Retries)
	}
	return nil, lastErr
}

// once is one HTTP exchange with the timeout and the size limit.
func (c *Client) once(ctx context.Context, u *url.URL, cond *Conditions, limit int64) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("请求无效：%w", err)
	}
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,*/*;q=0.5")
	if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, describe(err, c.opt.Timeout)
	}
	defer resp.Body.Close()
	f := &fetched{Response: &Response{URL: u.String(), Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, location: resp.Header.Get("Location")}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		f.FetchedAt = time.Now()
		return f, nil
	}
	if resp.ContentLength > limit {
		return nil, tooBig(limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, describe(err, c.opt.Timeout)
	}
	if int64(len(body)) > limit {
		return nil, tooBig(limit)
	}
	f.Body, f.FetchedAt = body, time.Now()
	return f, nil
}

// tooBig is the error of a response over the size limit.
func tooBig(limit int64) error {
	return fmt.Errorf("响应超过大小上限（%s）", sizeText(limit))
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d 字节", n)
}

// timeoutError is a request that took longer than the timeout.
type timeoutError struct {
	d   time.Duration
	err error
}

func (e *timeoutError) Error() string { return fmt.Sprintf("超时（%s 内未完成）", e.d) }
func (e *timeoutError) Unwrap() error { return e.err }

// describe turns a transport error into a clerk's message, keeping it for errors.Is.
func describe(err error, timeout time.Duration) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &timeoutError{timeout, err}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("无法连接：%w", err)
}

func isTimeout(err error) bool {
	var te *timeoutError
	return errors.As(err, &te)
}

// isTransient tells whether a connection error may go away on a second try (a reset or a
// closed connection), as opposed to a name that does not resolve or a refused connection.
func isTransient(err error) bool {
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "EOF")
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
