package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// PDF reads PDF files that have a text layer (printed from WPS, Word or a browser), with
// PDFium compiled to WebAssembly (pure Go, no cgo). Table rows are rebuilt from the
// positions of the characters, not from a reading-order dump: characters are grouped into
// visual lines and, within a line, into cells where the gap between characters is wide; the
// numbers of a table's rows are aligned on the table's columns (a cell left empty in the
// report stays an empty cell); a label wrapped over two or three lines around its numbers
// is joined into the row; page numbers (— 4 —) and running headers and footers repeated on
// the pages are dropped; rotated pages are read upright. Lines keep the page they came
// from (Document.Pages).
//
// A PDF without a text layer (a scan) and an encrypted PDF are refused with a message
// saying so (ErrScanned, ErrEncrypted).
type PDF struct{}

// Errors of the PDF reader.
var (
	// ErrScanned is returned for a PDF whose pages are images without a text layer.
	ErrScanned = errors.New("扫描件（无文字层），需要OCR")
	// ErrEncrypted is returned for a PDF that needs a password to open.
	ErrEncrypted = errors.New("PDF 已加密（需要密码），无法读取；请提供未加密的版本")
	// ErrPDF is returned for a PDF that PDFium cannot open (damaged, not a PDF).
	ErrPDF = errors.New("PDF 文件已损坏或格式不正确")
	// errPDFium marks a failure inside PDFium (a trap): the instance is not reused.
	errPDFium = errors.New("PDFium")
)

const (
	maxPDFPages = 500     // a report has a handful; more is not a report
	maxPDFBytes = 1 << 28 // 256 MiB
)

// Kind returns "pdf".
func (PDF) Kind() string { return "pdf" }

// Sniff accepts bytes with the %PDF- signature in their first KiB.
func (PDF) Sniff(data []byte) bool {
	return bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-"))
}

// Read extracts the text layer and lays it out as lines.
func (PDF) Read(name string, data []byte) (*Document, error) {
	if len(data) > maxPDFBytes {
		return nil, errorf(name, "pdf: %w: %d bytes", ErrPDF, len(data))
	}
	inst, release, err := pdfInstance()
	if err != nil {
		return nil, errorf(name, "pdf: PDFium: %w", err)
	}
	// the layout first reads the characters alone; a page whose table it cannot place on
	// its columns that way (empty cells under a crowded header) is read again for the
	// table's ruling lines, and the layout done again with them
	var doc *Document
	var want []int
	wantRules := func(pages []ppage) []int {
		doc, want = layout(pages)
		return want
	}
	pages, title, err := extractPDF(inst, data, wantRules)
	// an instance that PDFium itself failed in (a trap, a panic) is not used again
	release(errors.Is(err, errPDFium))
	if err != nil {
		return nil, errorf(name, "pdf: %w", err)
	}
	chars := 0
	for _, p := range pages {
		chars += len(p.chars)
	}
	if chars == 0 {
		return nil, errorf(name, "pdf: %w", ErrScanned)
	}
	if len(want) > 0 { // rules read for pages the first layout asked for
		doc, _ = layout(pages)
	}
	doc.Title = Normalize(collapseSpace(title))
	return doc, nil
}

// pdfEngine is the process's PDFium: the WebAssembly module is compiled once (cached on
// disk under the user cache directory, so that the next process starts in a fraction of the
// time) and instantiated up to once per core, each instance reading one document at a time.
// PDFium's own page parsing is most of a PDF's cost, so documents read side by side are what
// uses a second core; an instance is made only when the ones there are busy, so a process
// that reads one PDF at a time keeps one (each holds tens of MB of WebAssembly memory).
var pdfEngine struct {
	once sync.Once
	pool pdfium.Pool
	err  error
	mu   sync.Mutex
	// startup is how long the first call took to make the first instance.
	startup time.Duration
}

// pdfInstances is the most PDFium instances a process keeps: one a core, at most 8.
func pdfInstances() int { return max(1, min(runtime.GOMAXPROCS(0), 8)) }

// PDFStartup returns how long it took to start PDFium in this process (0 before the first
// PDF). The first run on a machine compiles the module (seconds); later runs read the
// compiled module from the cache directory.
func PDFStartup() time.Duration {
	pdfEngine.mu.Lock()
	defer pdfEngine.mu.Unlock()
	return pdfEngine.startup
}

// pdfCacheDir is the directory of the compiled module, "" when no cache directory is
// writable (the module is then compiled in memory at every start).
func pdfCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "gongkai", "wazero")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	f, err := os.CreateTemp(dir, ".probe")
	if err != nil {
		return ""
	}
	f.Close()
	os.Remove(f.Name())
	return dir
}

// pdfInstance returns a PDFium instance for the caller alone; release gives it back (or,
// when broken is set, throws it away so that a document that upset PDFium cannot affect the
// next one).
func pdfInstance() (inst pdfium.Pdfium, release func(broken bool), err error) {
	pdfEngine.once.Do(func() {
		start := time.Now()
		cache := wazero.NewCompilationCache()
		if dir := pdfCacheDir(); dir != "" {
			if c, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
				cache = c
			}
		}
		rc := wazero.NewRuntimeConfig().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
			WithCompilationCache(cache)
		n := pdfInstances()
		pool, err := webassembly.Init(webassembly.Config{
			MinIdle: 1, MaxIdle: n, MaxTotal: n, ReuseWorkers: true,
			RuntimeConfig: rc,
			FSConfig:      wazero.NewFSConfig(), // no file system: documents are passed as bytes
			Stdout:        io.Discard,
			Stderr:        io.Discard,
		})
		if err != nil {
			pdfEngine.err = err
			return
		}
		pdfEngine.pool = pool
		pdfEngine.mu.Lock()
		pdfEngine.startup = time.Since(start)
		pdfEngine.mu.Unlock()
	})
	if pdfEngine.err != nil {
		return nil, nil, pdfEngine.err
	}
	inst, err = pdfEngine.pool.GetInstance(10 * time.Minute)
	if err != nil {
		return nil, nil, err
	}
	return inst, func(broken bool) {
		if broken {
			inst.Kill()
			return
		}
		inst.Close()
	}, nil
}

// pchar is one character of a page, in the page's display coordinates (points, origin at
// the top left, y downwards, the page's /Rotate applied).
type pchar struct {
	r              rune
	x0, y0, x1, y1 float64
}

func (c pchar) cx() float64 { return (c.x0 + c.x1) / 2 }
func (c pchar) cy() float64 { return (c.y0 + c.y1) / 2 }
func (c pchar) h() float64  { return c.y1 - c.y0 }

// ppage is the text of one page.
type ppage struct {
	chars         []pchar
	width, height float64
	// vrules are the page's vertical ruling lines, read when the layout asked (ruled).
	vrules []vrule
	ruled  bool
}

// vrule is a vertical ruling line: x, from y0 down to y1 (display coordinates).
type vrule struct{ x, y0, y1 float64 }

// extractPDF opens the document and reads every page's characters, and the document's
// title (its Info /Title: a browser prints the page's <title> there, WPS the file's title).
//
// wantRules is given the pages' characters while the document is open and returns the
// pages (1-based) whose ruling lines are to be read too.
func extractPDF(inst pdfium.Pdfium, data []byte, wantRules func([]ppage) []int) (pages []ppage, title string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %w: %v", ErrPDF, errPDFium, p)
		}
	}()
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		if errors.Is(err, pdfiumerrors.ErrPassword) || errors.Is(err, pdfiumerrors.ErrSecurity) {
			return nil, "", ErrEncrypted
		}
		return nil, "", fmt.Errorf("%w: %v", ErrPDF, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	pc, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrPDF, err)
	}
	n := pc.PageCount
	if n > maxPDFPages {
		return nil, "", fmt.Errorf("%w: %d pages (a report has far fewer)", ErrPDF, n)
	}
	if m, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: "Title"}); err == nil {
		title = m.Value
	}
	for i := 0; i < n; i++ {
		p, err := extractPage(inst, doc.Document, i, wantRules != nil)
		if err != nil {
			return nil, "", fmt.Errorf("page %d: %w", i+1, err)
		}
		pages = append(pages, p)
	}
	chars := 0
	for _, p := range pages {
		chars += len(p.chars)
	}
	if chars == 0 || wantRules == nil {
		return pages, title, nil
	}
	for _, pn := range wantRules(pages) {
		if pn < 1 || pn > len(pages) || pages[pn-1].ruled {
			continue
		}
		rules, err := loadPageRules(inst, doc.Document, pn-1)
		if err != nil {
			continue // the layout without rules stands
		}
		pages[pn-1].vrules, pages[pn-1].ruled = rules, true
	}
	return pages, title, nil
}

// maxRuleObjects bounds the page objects looked at for ruling lines.
const maxRuleObjects = 20000

// loadPageRules reads the vertical ruling lines of a page (table cell borders: thin filled
// rectangles, as browsers print them, or stroked lines, as Word and WPS do), in display
// coordinates. The edges of a rectangle below half the page's height (a cell's shading or
// outline) count too.
func loadPageRules(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, index int) ([]vrule, error) {
	lp, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: index})
	if err != nil {
		return nil, err
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: lp.Page})
	page := requests.Page{ByReference: &lp.Page}
	g, err := pageGeometry(inst, page)
	if err != nil {
		return nil, err
	}
	return pageRules(inst, page, g)
}

// pageRules reads the ruling lines of a loaded page.
func pageRules(inst pdfium.Pdfium, page requests.Page, g pgeom) ([]vrule, error) {
	objs, err := inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: page})
	if err != nil {
		return nil, err
	}
	var rules []vrule
	for k := 0; k < objs.Count && k < maxRuleObjects; k++ {
		o, err := inst.FPDFPage_GetObject(&requests.FPDFPage_GetObject{Page: page, Index: k})
		if err != nil {
			continue
		}
		t, err := inst.FPDFPageObj_GetType(&requests.FPDFPageObj_GetType{PageObject: o.PageObject})
		if err != nil || t.Type != enums.FPDF_PAGEOBJ_PATH {
			continue
		}
		b, err := inst.FPDFPageObj_GetBounds(&requests.FPDFPageObj_GetBounds{PageObject: o.PageObject})
		if err != nil {
			continue
		}
		x0, y0, x1, y1 := g.display(float64(b.Left), float64(b.Bottom), float64(b.Right), float64(b.Top))
		w, h := x1-x0, y1-y0
		switch {
		case h < 3:
		case w <= 2.5:
			rules = append(rules, vrule{(x0 + x1) / 2, y0, y1})
		case h < g.height/2:
			rules = append(rules, vrule{x0, y0, y1}, vrule{x1, y0, y1})
		}
	}
	return rules, nil
}

// pgeom is what it takes to turn a page's user space into display coordinates.
type pgeom struct {
	rot           int
	uw, uh        float64 // the unrotated page's size
	width, height float64 // the displayed size
}

// pageGeometry reads a page's size and rotation.
func pageGeometry(inst pdfium.Pdfium, page requests.Page) (pgeom, error) {
	var g pgeom
	w, err := inst.FPDF_GetPageWidthF(&requests.FPDF_GetPageWidthF{Page: page})
	if err != nil {
		return g, err
	}
	h, err := inst.FPDF_GetPageHeightF(&requests.FPDF_GetPageHeightF{Page: page})
	if err != nil {
		return g, err
	}
	if r, err := inst.FPDFPage_GetRotation(&requests.FPDFPage_GetRotation{Page: page}); err == nil {
		g.rot = int(r.PageRotation) & 3
	}
	// FPDF_GetPageWidthF/HeightF give the displayed size (rotation applied); text and
	// object coordinates are in unrotated user space.
	g.width, g.height = float64(w.PageWidth), float64(h.PageHeight)
	g.uw, g.uh = g.width, g.height
	if g.rot&1 == 1 {
		g.uw, g.uh = g.uh, g.uw
	}
	return g, nil
}

// display turns a box of user space (x0 left, y0 bottom, y up) into display coordinates
// (origin at the top left, y down, the page's /Rotate applied).
func (g pgeom) display(x0, y0, x1, y1 float64) (float64, float64, float64, float64) {
	switch g.rot {
	case 1: // 90° clockwise: the bottom edge becomes the left edge
		return y0, x0, y1, x1
	case 2:
		return g.uw - x1, y0, g.uw - x0, y1
	case 3:
		return g.uh - y1, g.uw - x1, g.uh - y0, g.uw - x0
	}
	return x0, g.uh - y1, x1, g.uh - y0
}

// extractPage reads a page's characters; with rules, also its ruling lines when the page's
// own layout asks for them (cheaper than loading the page again later).
func extractPage(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, index int, rules bool) (ppage, error) {
	var p ppage
	lp, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: index})
	if err != nil {
		return p, fmt.Errorf("%w: %v", ErrPDF, err)
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: lp.Page})
	page := requests.Page{ByReference: &lp.Page}
	g, err := pageGeometry(inst, page)
	if err != nil {
		return p, err
	}
	p.width, p.height = g.width, g.height
	st, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{Page: page, Mode: requests.GetPageTextStructuredModeChars})
	if err != nil {
		return p, err
	}
	p.chars = make([]pchar, 0, len(st.Chars))
	for _, c := range st.Chars {
		if c.Text == "" {
			continue
		}
		r := []rune(c.Text)[0]
		if r <= ' ' || r == 0xFFFE || r == 0xFFFF || r == 0x3000 || r == 0xA0 {
			continue // spaces and generated line breaks: positions say it better
		}
		b := c.PointPosition
		x0, y0, x1, y1 := g.display(b.Left, b.Bottom, b.Right, b.Top)
		c2 := pchar{r, x0, y0, x1, y1}
		p.chars = append(p.chars, c2)
	}
	if rules && len(p.chars) > 0 {
		if wantsRules(p) {
			if r, err := pageRules(inst, page, g); err == nil {
				p.vrules, p.ruled = r, true
			}
		}
	}
	return p, nil
}
