package web

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/ingest"
)

// Link is an <a> of a page: its absolute URL and its text (or title attribute when that is
// longer: portals cut long titles in lists).
type Link struct {
	URL  string
	Text string
}

// Page is what a fetched HTML page offers the crawler.
type Page struct {
	Title       string   // <title>
	Heading     string   // the first <h1>/<h2>, often the article's title
	HasReport   bool     // the text holds the report's own table 3 (the tables are on the page)
	ReportLinks []Link   // links whose text is a report title (to pages or files)
	Attachments []Link   // links to PDF/DOCX/DOC/WPS files
	NextPages   []string // pagination: 下一页/尾页 targets and index_N pages, in order
	Frames      []string // <frame>/<iframe> sources
}

// IsHTML tells whether a response is an HTML page (by Content-Type, else by its first bytes).
func IsHTML(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "html") {
		return true
	}
	if ct != "" && !strings.HasPrefix(ct, "text/plain") && !strings.Contains(ct, "octet-stream") {
		return false
	}
	head := bytes.TrimLeft(body[:min(len(body), 512)], "\xef\xbb\xbf \t\r\n")
	lower := bytes.ToLower(head[:min(len(head), 64)])
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.HasPrefix(lower, []byte("<head")) || bytes.HasPrefix(lower, []byte("<meta")) || bytes.HasPrefix(lower, []byte("<frameset"))
}

// decodeHTML returns the page as UTF-8: the charset of the HTTP header, else of the page's
// <meta> (GBK pages often declare it only there), else UTF-8 when valid, else GB18030.
func decodeHTML(contentType string, body []byte) string {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && name != "utf-8" && !utf8.Valid(body) {
		enc = simplifiedchinese.GB18030
	} else if !certain && utf8.Valid(body) {
		return string(body)
	}
	if name == "utf-8" && utf8.Valid(body) {
		return string(body)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return string(body)
	}
	return string(out)
}

// reReportTitle matches the title of an annual report as portals print it: 2023年（度）…
// 政府信息公开工作年度报告, …政务公开工作年度报告, …政府信息公开年度报告, …信息公开年报.
var reReportTitle = regexp.MustCompile(`((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*度?.{0,40}?(?:政府信息公开|政务公开|信息公开).{0,6}?(?:年度报告|年报|工作报告)`)

// notReport are words of link texts that name the report but are something else: notices
// about writing it, readings of it, evaluations.
var notReport = []string{"通知", "关于", "公告", "解读", "图解", "征集", "培训", "会议", "编制", "评估", "考核", "检查", "报送", "提醒", "目录", "指南"}

// IsReportTitle tells whether s (a link text or a page title) is the title of a 政府信息公开
// 工作年度报告 rather than a notice, a reading or news about one.
func IsReportTitle(s string) bool {
	s = strings.Join(strings.Fields(s), "")
	if !reReportTitle.MatchString(s) {
		return false
	}
	for _, w := range notReport {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// attachmentExt are the file types a report is attached as.
var attachmentExt = []string{".pdf", ".docx", ".doc", ".wps"}

// isAttachment tells whether a link points at (or its text names) a PDF or Word file.
func isAttachment(l Link) bool {
	u, err := url.Parse(l.URL)
	if err != nil {
		return false
	}
	for _, s := range []string{strings.ToLower(u.Path), strings.ToLower(u.RawQuery), strings.ToLower(l.Text)} {
		for _, ext := range attachmentExt {
			if strings.HasSuffix(s, ext) || strings.Contains(s, ext+"&") || strings.Contains(s, ext+"（") || strings.Contains(s, ext+"(") {
				return true
			}
		}
	}
	return false
}

var (
	reIndexN    = regexp.MustCompile(`^(index|list|default)_(\d+)\.(s?html?)$`)
	rePageCalls = regexp.MustCompile(`createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]`)
	nextWords   = []string{"下一页", "下页", "尾页", "末页", "后一页", "最后一页", ">", "»", ">>"}
)

// ParsePage reads an HTML page fetched from pageURL (the response's final URL).
func ParsePage(pageURL, contentType string, body []byte) (*Page, error) {
	text := decodeHTML(contentType, body)
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	p := &Page{}
	var links []Link
	var scripts strings.Builder
	var plain strings.Builder
	baseSet := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Base:
				if href := attr(n, "href"); href != "" && !baseSet {
					if b, err := base.Parse(href); err == nil {
						base, baseSet = b, true
					}
				}
			case atom.Title:
				if p.Title == "" {
					p.Title = squash(textOf(n))
				}
			case atom.H1, atom.H2:
				if p.Heading == "" {
					p.Heading = squash(textOf(n))
				}
			case atom.Script:
				scripts.WriteString(textOf(n))
				return
			case atom.Style:
				return
			}
		}
		if n.Type == html.TextNode {
			plain.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	walkLinks(doc, base, &links, &p.Frames)

	body2 := strings.Join(strings.Fields(plain.String()), "")
	p.HasReport = strings.Contains(body2, afterNumeral(ingest.Table3RowLabels["new_received"])) ||
		strings.Contains(body2, afterNumeral(ingest.HeadingTable3))

	self := base.String()
	seen := map[string]bool{}
	dir := path.Dir(base.Path)
	maxIndex, indexStem, indexExt := 0, "", ""
	for _, l := range links {
		if l.URL == self || l.URL == pageURL {
			continue
		}
		switch {
		case isAttachment(l):
			if !seen["a"+l.URL] {
				seen["a"+l.URL] = true
				p.Attachments = append(p.Attachments, l)
			}
			if IsReportTitle(l.Text) && !seen["r"+l.URL] {
				seen["r"+l.URL] = true
				p.ReportLinks = append(p.ReportLinks, l)
			}
		case IsReportTitle(l.Text):
			if !seen["r"+l.URL] {
				seen["r"+l.URL] = true
				p.ReportLinks = append(p.ReportLinks, l)
			}
		default:
			u, _ := url.Parse(l.URL)
			if u == nil || u.Host != base.Host {
				continue
			}
			if m := reIndexN.FindStringSubmatch(path.Base(u.Path)); m != nil && path.Dir(u.Path) == dir {
				n, _ := strconv.Atoi(m[2])
				if n > maxIndex {
					maxIndex, indexStem, indexExt = n, m[1], m[3]
				}
				continue
			}
			for _, w := range nextWords {
				if l.Text == w || (len([]rune(w)) > 1 && strings.Contains(l.Text, w) && len([]rune(l.Text)) <= 6) {
					p.NextPages = append(p.NextPages, l.URL)
					break
				}
			}
		}
	}
	// TRS-style pagination written by a script: createPageHTML(pages, current, "index", "html")
	if m := rePageCalls.FindStringSubmatch(scripts.String()); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n-1 > maxIndex {
			maxIndex, indexStem, indexExt = n-1, m[3], m[4]
		}
	}
	for i := 1; i <= maxIndex && i <= 1000; i++ {
		if u, err := base.Parse(indexStem + "_" + strconv.Itoa(i) + "." + indexExt); err == nil {
			p.NextPages = append(p.NextPages, u.String())
		}
	}
	return p, nil
}

// walkLinks collects the links and frames of doc against base (used when a <base> is set).
func walkLinks(n *html.Node, base *url.URL, links *[]Link, frames *[]string) {
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.A:
			href := strings.TrimSpace(attr(n, "href"))
			lower := strings.ToLower(href)
			if href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(lower, "javascript:") && !strings.HasPrefix(lower, "mailto:") {
				if u, err := base.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					u.Fragment = ""
					t := squash(textOf(n))
					if title := squash(attr(n, "title")); len([]rune(title)) > len([]rune(t)) {
						t = title
					}
					*links = append(*links, Link{URL: u.String(), Text: t})
				}
			}
		case atom.Frame, atom.Iframe:
			if src := strings.TrimSpace(attr(n, "src")); src != "" && !strings.HasPrefix(src, "about:") && !strings.HasPrefix(strings.ToLower(src), "javascript:") {
				if u, err := base.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					*frames = append(*frames, u.String())
				}
			}
		case atom.Script, atom.Style:
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkLinks(c, base, links, frames)
	}
}

// afterNumeral drops the "一、" of a printed label: pages put it in a cell of its own or leave it out.
func afterNumeral(label string) string {
	if _, rest, ok := strings.Cut(label, "、"); ok {
		return rest
	}
	return label
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

// squash joins the words of s with single spaces (NBSP and full-width spaces included).
func squash(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\u00a0", " ", "\u3000", " ").Replace(s)), " ")
}
