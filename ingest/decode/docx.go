package decode

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DOCX reads Word 2007+ documents (and WPS .docx): the body of word/document.xml in order,
// a paragraph a line and each table row as one line of "\t"-separated cells laid out on the
// table's grid, as the HTML reader does (w:gridSpan: the text followed by empty cells;
// w:vMerge: the text of the merge's first cell repeated in the rows it reaches). Content
// controls (w:sdt), text boxes (w:txbxContent; only the modern branch of a
// mc:AlternateContent, so a box is read once) and fields' results are read; deleted text,
// field codes and footnote references are not. Title comes from docProps/core.xml.
//
// Memory is bounded: a part whose uncompressed size is over maxDOCXPart (declared or
// actual) is refused, so a ZIP bomb is an error, not an exhausted machine.
type DOCX struct{}

// ErrArchive is wrapped by the DOCX reader for a broken or hostile archive (not a ZIP, no
// word/document.xml, a part too large when uncompressed, broken XML).
var ErrArchive = errors.New("broken archive")

const (
	// maxDOCXPart is the largest uncompressed part read from a .docx: real reports'
	// document.xml are well under 1 MiB.
	maxDOCXPart = 32 << 20
	// maxDOCXCells bounds the cells of one table (a grid blown up by gridSpan values).
	maxDOCXCells = 1 << 16
)

// Kind returns "docx".
func (DOCX) Kind() string { return "docx" }

// Sniff accepts any ZIP archive (PK\x03\x04): one without word/document.xml (an .xlsx, a
// renamed .zip) is refused by Read with a message saying it is not a Word document.
func (DOCX) Sniff(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// Read reads the document's text.
func (DOCX) Read(name string, data []byte) (*Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errorf(name, "docx: %w: %v（文件已损坏，不是完整的 .docx）", ErrArchive, err)
	}
	var body, core *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			body = f
		case "docProps/core.xml":
			core = f
		}
	}
	if body == nil {
		return nil, errorf(name, "docx: %w: no word/document.xml（压缩包中没有正文，不是 Word 文档）", ErrArchive)
	}
	xmlData, err := readPart(body)
	if err != nil {
		return nil, errorf(name, "docx: %w", err)
	}
	w := &docxWalker{}
	if err := w.walk(xmlData); err != nil {
		return nil, errorf(name, "docx: word/document.xml: %w: %v", ErrArchive, err)
	}
	doc := &Document{Kind: "docx", Encoding: "utf-8", Meta: map[string]string{}}
	if core != nil {
		if c, err := readPart(core); err == nil {
			doc.Title = Normalize(collapseSpace(coreTitle(c)))
		}
	}
	ls := newLineSet(len(xmlData)/4, len(w.lines))
	for _, l := range w.lines {
		ls.add(l)
	}
	lines := ls.lines()
	out := lines[:0]
	for _, l := range lines {
		if !isPageChrome(l) {
			out = append(out, l)
		}
	}
	doc.Lines = collapseBlank(out)
	headerMeta(doc.Lines, doc.Meta)
	return doc, nil
}

// readPart reads one part of the archive, refusing more than maxDOCXPart bytes whatever
// the archive declares.
func readPart(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxDOCXPart {
		return nil, fmt.Errorf("%w: %s is %d bytes uncompressed (limit %d; ZIP bomb?)", ErrArchive, f.Name, f.UncompressedSize64, maxDOCXPart)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrArchive, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxDOCXPart+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrArchive, f.Name, err)
	}
	if len(b) > maxDOCXPart {
		return nil, fmt.Errorf("%w: %s inflates past %d bytes (ZIP bomb?)", ErrArchive, f.Name, maxDOCXPart)
	}
	return b, nil
}

// coreTitle returns dc:title of docProps/core.xml, or "".
func coreTitle(data []byte) string {
	d := xml.NewDecoder(bytes.NewReader(data))
	in := false
	var b strings.Builder
	for {
		t, err := d.RawToken()
		if err != nil {
			return b.String()
		}
		switch t := t.(type) {
		case xml.StartElement:
			in = t.Name.Local == "title"
		case xml.EndElement:
			if in {
				return b.String()
			}
		case xml.CharData:
			if in {
				b.Write(t)
			}
		}
	}
}

// docxCell is one w:tc: its text, its grid span and its vertical merge state.
type docxCell struct {
	text   string
	span   int
	vmerge int // 0 none, 1 restart, 2 continue
}

// docxTable is a table being read.
type docxTable struct {
	rows  [][]docxCell
	cell  *docxCell
	paras []string // the finished paragraphs of the open cell
	cells int
}

// docxWalker reads word/document.xml into raw lines.
type docxWalker struct {
	lines  []string
	para   strings.Builder // the open paragraph (outside tables: a line; inside: part of a cell)
	tables []*docxTable    // open tables, innermost last
	// boxes are text-box paragraphs met inside the open paragraph: they follow it.
	boxes []string
	box   int // depth inside w:txbxContent
	skip  int // depth inside content that is not read (deleted text, field codes, mc:Fallback)
	run   int // depth inside w:r (a w:tab outside a run is a tab stop definition)
	inT   bool
	// runStart is where the open run's text starts in para; runProps is true once the run
	// has properties (w:rPr). A run of one space without properties is how converters
	// (pandoc) write the line breaks of the text they converted: it ends a line.
	runStart int
	runProps bool
}

// walk reads the XML. Only local names are looked at: WPS and Word agree on them.
func (w *docxWalker) walk(data []byte) error {
	sc := xmlScanner{data: data}
	var boxParas []strings.Builder // paragraphs being built inside text boxes (nested)
	for {
		t, err := sc.next()
		if err != nil {
			return err
		}
		if t.kind == xmlEOF {
			break
		}
		switch t.kind {
		case xmlStart:
			if w.skip > 0 {
				w.skip++
				continue
			}
			switch t.name {
			case "Fallback", "delText", "instrText", "del", "footnoteReference", "endnoteReference", "commentReference":
				w.skip = 1
			case "txbxContent":
				w.box++
				boxParas = append(boxParas, strings.Builder{})
			case "r":
				w.run++
				if w.run == 1 {
					w.runStart, w.runProps = w.para.Len(), false
				}
			case "rPr":
				w.runProps = true
			case "t":
				w.inT = true
			case "tab":
				if w.run == 0 {
					continue
				}
				if w.tableDepth() > 0 || w.box > 0 {
					w.write(&boxParas, " ")
				} else {
					w.write(&boxParas, "\t")
				}
			case "br", "cr":
				if w.run > 0 {
					w.write(&boxParas, " ")
				}
			case "tbl":
				if w.box > 0 {
					continue
				}
				w.endPara(&boxParas) // text before a table in the same paragraph (rare)
				w.tables = append(w.tables, &docxTable{})
			case "tr":
				if tb := w.table(); tb != nil {
					tb.rows = append(tb.rows, nil)
				}
			case "tc":
				if tb := w.table(); tb != nil {
					tb.cell = &docxCell{span: 1}
					tb.paras = tb.paras[:0]
				}
			case "gridSpan":
				if tb := w.table(); tb != nil && tb.cell != nil {
					if n, err := strconv.Atoi(t.attr("val")); err == nil && n > 1 {
						tb.cell.span = min(n, maxColumns)
					}
				}
			case "vMerge":
				if tb := w.table(); tb != nil && tb.cell != nil {
					if t.attr("val") == "restart" {
						tb.cell.vmerge = 1
					} else {
						tb.cell.vmerge = 2
					}
				}
			}
		case xmlEnd:
			if w.skip > 0 {
				w.skip--
				continue
			}
			switch t.name {
			case "r":
				w.run = max(0, w.run-1)
				if w.run == 0 && !w.runProps && w.box == 0 && w.table() == nil &&
					w.para.Len() == w.runStart+1 && w.runStart > 0 && strings.HasSuffix(w.para.String(), " ") {
					s := w.para.String()
					w.para.Reset()
					w.para.WriteString(s[:len(s)-1])
					w.para.WriteByte('\n')
				}
			case "t":
				w.inT = false
			case "p":
				w.endPara(&boxParas)
			case "txbxContent":
				if w.box > 0 {
					w.box--
					boxParas = boxParas[:len(boxParas)-1]
				}
			case "tc":
				if tb := w.table(); tb != nil && tb.cell != nil && len(tb.rows) > 0 {
					tb.cell.text = strings.Join(tb.paras, " ")
					r := len(tb.rows) - 1
					if tb.cells < maxDOCXCells {
						tb.rows[r] = append(tb.rows[r], *tb.cell)
						tb.cells += tb.cell.span
					}
					tb.cell = nil
				}
			case "tbl":
				if w.box > 0 || len(w.tables) == 0 {
					continue
				}
				tb := w.tables[len(w.tables)-1]
				w.tables = w.tables[:len(w.tables)-1]
				if outer := w.table(); outer != nil {
					// a table in a cell: its rows become text of the cell
					for _, row := range layoutDOCX(tb.rows) {
						outer.paras = append(outer.paras, strings.Join(row, " "))
					}
					continue
				}
				w.lines = append(w.lines, "")
				for _, row := range layoutDOCX(tb.rows) {
					w.lines = append(w.lines, strings.Join(row, "\t"))
				}
				w.lines = append(w.lines, "")
			}
		case xmlText:
			if w.skip == 0 && w.inT {
				w.write(&boxParas, t.text)
			}
		}
	}
	w.endPara(&boxParas)
	for len(w.tables) > 0 { // unclosed tables (a truncated file): keep what was read
		tb := w.tables[0]
		w.tables = w.tables[1:]
		for _, row := range layoutDOCX(tb.rows) {
			w.lines = append(w.lines, strings.Join(row, "\t"))
		}
	}
	return nil
}

func (w *docxWalker) tableDepth() int { return len(w.tables) }

func (w *docxWalker) table() *docxTable {
	if len(w.tables) == 0 || w.box > 0 {
		return nil
	}
	return w.tables[len(w.tables)-1]
}

// write appends text to the open paragraph (of the innermost text box, if in one).
func (w *docxWalker) write(boxParas *[]strings.Builder, s string) {
	if w.box > 0 && len(*boxParas) > 0 {
		(*boxParas)[len(*boxParas)-1].WriteString(s)
		return
	}
	if w.para.Len() < 1<<20 {
		w.para.WriteString(s)
	}
}

// endPara closes the open paragraph: a line, or a paragraph of the open table cell. A
// paragraph ending inside a text box is kept for after the paragraph that holds the box.
func (w *docxWalker) endPara(boxParas *[]strings.Builder) {
	if w.box > 0 && len(*boxParas) > 0 {
		b := &(*boxParas)[len(*boxParas)-1]
		if s := strings.TrimSpace(b.String()); s != "" {
			w.boxes = append(w.boxes, s)
		}
		b.Reset()
		return
	}
	s := w.para.String()
	w.para.Reset()
	if tb := w.table(); tb != nil {
		if s = strings.TrimSpace(s); s != "" {
			tb.paras = append(tb.paras, s)
		}
		tb.paras = append(tb.paras, w.boxes...)
		w.boxes = w.boxes[:0]
		return
	}
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, s[:i])
		s = s[i+1:]
	}
	w.lines = append(w.lines, s)
	w.lines = append(w.lines, w.boxes...)
	w.boxes = w.boxes[:0]
}

// layoutDOCX places the cells on the table's grid: a spanned cell's text is followed by
// empty cells; a vertically merged cell repeats the text of the merge's first cell.
func layoutDOCX(rows [][]docxCell) [][]string {
	out := make([][]string, 0, len(rows))
	var above []string // the grid of the previous row
	for _, row := range rows {
		var g []string
		for _, c := range row {
			col := len(g)
			text := c.text
			if c.vmerge == 2 && col < len(above) {
				text = above[col]
			}
			g = append(g, text)
			for k := 1; k < c.span && len(g) < maxColumns; k++ {
				g = append(g, "")
			}
		}
		empty := true
		for _, c := range g {
			if strings.TrimSpace(c) != "" {
				empty = false
				break
			}
		}
		above = g
		if !empty {
			out = append(out, g)
		}
	}
	return out
}
