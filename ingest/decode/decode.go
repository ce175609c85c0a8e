// Package decode turns a file's bytes into normalised text lines for the report parser.
//
// One Reader a format (PDF with a text layer, DOCX, HTML, Markdown, plain text; more can be
// added with Register) decides from the bytes whether it can read a file and turns it into a
// Document: the text as lines (one paragraph or table row a line, table cells separated by
// "\t"), the encoding it was found in, and the page metadata it carried. Every line has gone
// through Normalize, the same function the parser applies to the labels it looks for.
package decode

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Document is a file's text, normalised.
type Document struct {
	// Kind names the reader that produced the document: "pdf", "docx", "html", "markdown",
	// "text".
	Kind string
	// Encoding is the character encoding the bytes were decoded from: "utf-8",
	// "utf-8-bom", "utf-16le", "utf-16be", "gbk", "gb18030", or another canonical
	// charset name when an HTML page declared one.
	Encoding string
	// Title is the HTML <title>, or "" for other kinds.
	Title string
	// Meta holds the page metadata found, keyed as found: the archiver's and collector's
	// header labels ("标题", "发布时间", "发布机构", "来源" …), an HTML page's metadata table
	// ("索引号", "公开日期" …) and <meta name=… content=…> tags ("PubDate", "ArticleTitle",
	// "ContentSource" …). Values are normalised. Never nil.
	Meta map[string]string
	// Lines is the normalised text, one paragraph or table row a line. Table rows have
	// their cells joined by "\t" (empty cells kept as empty strings); a table is preceded
	// and followed by an empty line; runs of empty lines are collapsed to one.
	Lines []string
	// Text is Lines joined by "\n" when the reader has it at hand ("" otherwise): the lines
	// are slices of it, so a caller that needs the whole text need not copy it. A caller
	// that changes Lines must not trust it (parse checks that the lines are its slices).
	Text string
	// Pages is, for a paged format (PDF), the 1-based page each line was read from
	// (len(Pages) == len(Lines)); nil for formats without pages.
	Pages []int
}

// PageLine returns the page of a 1-based line and the line's 1-based position within its
// page ("第3页 第12行"), or 0, 0 when the document has no pages or line is out of range.
func (d *Document) PageLine(line int) (page, lineInPage int) {
	if line < 1 || line > len(d.Pages) {
		return 0, 0
	}
	page = d.Pages[line-1]
	first := line
	for first > 1 && d.Pages[first-2] == page {
		first--
	}
	return page, line - first + 1
}

// Reader reads one kind of file. Sniff decides from the bytes (not the file name) whether
// the reader can read them; Read decodes them. Read's errors name the file:
// "decode NAME: …".
type Reader interface {
	Kind() string
	Sniff(data []byte) bool
	Read(name string, data []byte) (*Document, error)
}

// Errors wrapped by the built-in readers, for callers that want to tell the cases apart
// with errors.Is.
var (
	// ErrNotText is returned for bytes that are binary (NULs, control characters, a PDF or
	// archive signature) rather than text.
	ErrNotText = errors.New("not text")
	// ErrEncoding is returned for bytes that decode to garbage in every encoding tried.
	ErrEncoding = errors.New("unreadable encoding")
)

var (
	readers   atomic.Pointer[[]Reader]
	registerM sync.Mutex
)

func init() {
	rs := []Reader{PDF{}, DOCX{}, Legacy{}, HTML{}, Markdown{}, Text{}}
	readers.Store(&rs)
}

// Register adds a reader in front of the registered ones, so that it is asked first. It is
// safe to call concurrently with Read.
func Register(r Reader) {
	registerM.Lock()
	defer registerM.Unlock()
	old := *readers.Load()
	rs := make([]Reader, 0, len(old)+1)
	rs = append(rs, r)
	rs = append(rs, old...)
	readers.Store(&rs)
}

// Read picks the first registered Reader whose Sniff accepts the bytes (PDF, DOCX, the
// legacy Word/WPS refusal, HTML, Markdown, then plain text as the fallback) and returns its Document. Errors name the
// file: "decode NAME: …".
func Read(name string, data []byte) (*Document, error) {
	for _, r := range *readers.Load() {
		if r.Sniff(data) {
			return r.Read(name, data)
		}
	}
	return nil, fmt.Errorf("decode %s: %w: no reader accepts it", name, ErrNotText)
}

// errorf formats an error naming the file, in the package's "decode NAME: …" form.
func errorf(name, format string, args ...any) error {
	return fmt.Errorf("decode %s: "+format, append([]any{name}, args...)...)
}

// Format is one kind of file gongkai reads.
type Format struct {
	// Name is the format's name for a clerk: "PDF（带文字层）", "Word（.docx）" …
	Name string
	// Exts are the file name extensions, lower case with the dot: ".pdf".
	Exts []string
}

// Formats lists the formats the registered-by-default readers read, in the order a clerk
// is told about them. The upload page and the README list exactly these; a format not
// listed here (.doc, .wps, scans without a text layer) is refused with a message.
func Formats() []Format {
	return []Format{
		{Name: "PDF（带文字层）", Exts: []string{".pdf"}},
		{Name: "Word（.docx，含 WPS 另存的 .docx）", Exts: []string{".docx"}},
		{Name: "网页（.html）", Exts: []string{".html", ".htm", ".shtml"}},
		{Name: "Markdown（.md）", Exts: []string{".md", ".markdown"}},
		{Name: "纯文本（.txt）", Exts: []string{".txt", ".text"}},
	}
}
