package generate

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/ingest"
)

// PagedLayouts are the layouts written as Word and PDF files (not in Layouts, so that the
// text layouts' seeded choices stay as they were):
//   - docx: a Word document (zip + WordprocessingML written directly) with the html
//     layout's report: its paragraphs, and its tables with merged cells as w:gridSpan and
//     w:vMerge.
//   - pdf: the html layout's page printed to PDF by headless chromium, as a clerk's
//     browser "Save as PDF" does. Needs chromium (ErrNoChromium without it).
var PagedLayouts = []string{"docx", "pdf"}

// ErrNoChromium is returned by Render for the pdf layout when no chromium is installed.
var ErrNoChromium = errors.New("chromium not found (the pdf layout prints with headless chromium)")

// renderDOCX writes the report as a .docx: the html layout's article, paragraph by
// paragraph, with its tables on their grid.
func renderDOCX(r *ingest.Report, st *style) ([]byte, error) {
	page := renderHTML(r, st, "utf-8")
	root, err := xhtml.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	content := findID(root, "zoom")
	if content == nil {
		return nil, fmt.Errorf("render docx %s %d: no article content", r.Agency, r.Year)
	}
	var body strings.Builder
	for c := content.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != xhtml.ElementNode {
			continue
		}
		if c.DataAtom == atom.Table {
			docxTable(&body, c)
			continue
		}
		docxPara(&body, textOfNode(c))
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	parts := []struct{ name, content string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body.String() + `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
			`<dc:title>` + html.EscapeString(st.title) + `</dc:title></cp:coreProperties>`},
	}
	for _, p := range parts {
		w, err := z.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.content)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func findID(n *xhtml.Node, id string) *xhtml.Node {
	if n.Type == xhtml.ElementNode {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				return n
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// textOfNode is the text under n, with <br> and paragraph ends as line breaks.
func textOfNode(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch {
		case n.Type == xhtml.TextNode:
			b.WriteString(n.Data)
		case n.Type == xhtml.ElementNode && n.DataAtom == atom.Br:
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == xhtml.ElementNode && n.DataAtom == atom.P && n.NextSibling != nil {
			b.WriteString("\n")
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// docxPara writes a paragraph; line breaks in s become w:br.
func docxPara(b *strings.Builder, s string) {
	b.WriteString("<w:p>")
	for i, part := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString("<w:r><w:br/></w:r>")
		}
		if part = strings.TrimSpace(part); part != "" {
			b.WriteString(`<w:r><w:t xml:space="preserve">` + html.EscapeString(part) + `</w:t></w:r>`)
		}
	}
	b.WriteString("</w:p>")
}

// docxTable writes an HTML table as a Word table: colspan as w:gridSpan; rowspan as a
// w:vMerge restart cell and continuation cells in the rows below.
func docxTable(b *strings.Builder, t *xhtml.Node) {
	var rows []*xhtml.Node
	var collect func(*xhtml.Node)
	collect = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.ElementNode && c.DataAtom == atom.Tr {
				rows = append(rows, c)
			} else if c.Type == xhtml.ElementNode && c.DataAtom != atom.Table {
				collect(c)
			}
		}
	}
	collect(t)
	type pending struct{ left, span int }
	var occ []pending // by grid column: a rowspan reaching into the next rows
	b.WriteString("<w:tbl>")
	for _, tr := range rows {
		b.WriteString("<w:tr>")
		col := 0
		cont := func() { // continuation cells of rowspans at col
			for col < len(occ) && occ[col].left > 0 {
				p := occ[col]
				occ[col].left--
				b.WriteString("<w:tc><w:tcPr>")
				if p.span > 1 {
					fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, p.span)
				}
				b.WriteString("<w:vMerge/></w:tcPr><w:p/></w:tc>")
				col += p.span
			}
		}
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != xhtml.ElementNode || td.DataAtom != atom.Td && td.DataAtom != atom.Th {
				continue
			}
			cont()
			cs, rs := spanOf(td, "colspan"), spanOf(td, "rowspan")
			b.WriteString("<w:tc><w:tcPr>")
			if cs > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, cs)
			}
			if rs > 1 {
				b.WriteString(`<w:vMerge w:val="restart"/>`)
				for len(occ) < col+1 {
					occ = append(occ, pending{})
				}
				occ[col] = pending{rs - 1, cs}
			}
			b.WriteString("</w:tcPr>")
			docxPara(b, strings.ReplaceAll(textOfNode(td), "\u00a0", ""))
			b.WriteString("</w:tc>")
			col += cs
		}
		cont()
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
}

func spanOf(n *xhtml.Node, key string) int {
	for _, a := range n.Attr {
		if a.Key == key {
			v := 0
			fmt.Sscanf(a.Val, "%d", &v)
			if v > 1 && v < 100 {
				return v
			}
		}
	}
	return 1
}

// chromium finds the headless browser.
func chromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// PrintPDF prints an HTML page to PDF with headless chromium (offline: the page is a local
// file and the network is not used), as a browser's "Save as PDF" does.
func PrintPDF(page []byte) ([]byte, error) {
	bin, err := chromium()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gongkai-print-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "report.html")
	out := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, page, 0o644); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--disable-background-networking", "--no-pdf-header-footer", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--print-to-pdf="+out, "file://"+in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chromium print-to-pdf: %w: %s", err, bytes.TrimSpace(msg))
	}
	return os.ReadFile(out)
}
