package parse

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"gongkai/ingest"
	"gongkai/ingest/decode"
	"gongkai/ingest/generate"
)

// rowOf is the row a cell belongs to: table3.new_received, table4.review, table2.regulations,
// or the key itself for a one-cell row (table2.licensing).
func rowOf(key string) string {
	if strings.Count(key, ".") < 2 {
		return key
	}
	return key[:strings.LastIndexByte(key, '.')]
}

// cutPoints are where a rendering is cut: at every line break (a section or row boundary),
// just before and after it, and at random bytes (mid-row, mid-number, mid-label).
func cutPoints(rng *rand.Rand, data []byte, random int, gbk bool) []int {
	ok := func(at int) bool {
		if at <= 0 || at >= len(data) {
			return false
		}
		if gbk {
			return data[at] < 0x80 && data[at-1] < 0x80
		}
		return utf8.RuneStart(data[at])
	}
	var out []int
	for i, b := range data {
		if b == '\n' {
			for _, at := range []int{i, i + 1, i - 1} {
				if ok(at) {
					out = append(out, at)
				}
			}
		}
	}
	for k := 0; k < random; k++ {
		at := rng.Intn(len(data))
		for at > 0 && !ok(at) {
			at--
		}
		if at > 0 {
			out = append(out, at)
		}
	}
	return out
}

// cutCase is one rendering and what the whole of it reads as.
type cutCase struct {
	name   string
	layout string
	truth  *ingest.Report
	data   []byte
	whole  *ingest.Report
	lines  []string // the whole rendering's decoded lines
	title  int      // bytes of data needed for the title to survive
	rowEnd map[string]int
}

func newCutCase(t *testing.T, name, layout string, truth *ingest.Report) cutCase {
	t.Helper()
	data, err := generate.Render(truth, layout)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decode.Read(name, data)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Document(name, doc)
	if err != nil {
		t.Fatalf("%s: whole report: %v", name, err)
	}
	c := cutCase{name: name, layout: layout, truth: truth, data: data, whole: whole, lines: doc.Lines, rowEnd: map[string]int{}}
	// the title survives once the raw bytes hold the year and the 年度报告 after it
	title := fmt.Sprintf("%d", truth.Year)
	raw := data
	if layout == "html-gbk" {
		if raw, err = generate.DecodeGBK(data); err != nil {
			t.Fatal(err)
		}
	}
	c.title = -1
	if i := bytes.Index(raw, []byte(title)); i >= 0 {
		if j := bytes.Index(raw[i:], []byte("报告")); j >= 0 {
			c.title = i + j + len("报告")
			if layout == "html-gbk" {
				c.title = len(data) // offsets differ in GBK: only the whole file is sure to hold it
			}
		}
	}
	for key, cell := range whole.Cells.All() {
		if cell.Value == nil {
			continue
		}
		row := rowOf(key)
		c.rowEnd[row] = max(c.rowEnd[row], cell.Src.Line)
	}
	return c
}

// checkCut parses data[:at] and checks it against the whole: no number differs from the
// truth; every row of the whole that lies wholly before the cut's last line is read (or
// flagged as an ambiguous digit run); a report that lost cells says so, with a reason; a
// surviving title gives the agency and year.
func checkCut(t *testing.T, c cutCase, at int) (read, lost int, refused bool) {
	t.Helper()
	cut := c.data[:at]
	doc, err := decode.Read(c.name, cut)
	if err != nil {
		return 0, 0, true
	}
	r, err := Document(c.name, doc)
	where := fmt.Sprintf("%s %s cut at %d/%d", c.name, c.layout, at, len(c.data))
	if err != nil {
		if c.title >= 0 && at >= c.title && at < len(c.data) {
			t.Errorf("%s: the title survived but the report was refused: %v", where, err)
		}
		return 0, 0, true
	}
	if c.title >= 0 && at >= c.title {
		if r.Agency != c.truth.Agency || r.Year != c.truth.Year {
			t.Errorf("%s: identity %q %d, want %q %d", where, r.Agency, r.Year, c.truth.Agency, c.truth.Year)
		}
	}
	// the last line of the cut may itself be cut; lines before it are whole
	n := len(doc.Lines)
	for n > 0 && strings.TrimSpace(doc.Lines[n-1]) == "" {
		n--
	}
	same := 0
	for same < n-1 && same < len(c.lines) && doc.Lines[same] == c.lines[same] {
		same++
	}
	reasons := map[string]string{}
	for _, f := range r.Findings {
		if f.Rule == "V-unreadable" {
			reasons[f.Cell] = f.Message
		}
	}
	missing := false
	for key, cell := range r.Cells.All() {
		want, inTruth := c.truth.Value(key)
		if cell.Value != nil {
			read++
			if inTruth && *cell.Value != want {
				t.Errorf("%s: %s read %v, the report says %v (line %d %q)", where, key, *cell.Value, want, cell.Src.Line, cell.Src.Text)
			}
			continue
		}
		if _, ok := c.whole.Value(key); !ok {
			continue
		}
		missing = true
		lost++
		end := c.rowEnd[rowOf(key)]
		if end < same && !strings.Contains(reasons[key], "多种拆分") {
			t.Errorf("%s: %s lies wholly before the cut (row ends on line %d, cut text has %d whole lines) but is unread: %s",
				where, key, end, same, reasons[key])
		}
		if !strings.HasPrefix(key, "table") {
			continue
		}
		switch {
		case reasons[key] == "" && !hasSectionFinding(r, key):
			t.Errorf("%s: %s is null without a finding", where, key)
		case reasons[key] != "" && !strings.Contains(reasons[key], "行"):
			t.Errorf("%s: %s: the finding names no line: %s", where, key, reasons[key])
		}
	}
	if missing && (!r.Incomplete || r.IncompleteReason == "") {
		t.Errorf("%s: cells lost to the cut but incomplete=%v reason=%q", where, r.Incomplete, r.IncompleteReason)
	}
	return read, lost, false
}

func hasSectionFinding(r *ingest.Report, key string) bool {
	for _, f := range r.Findings {
		if f.Rule == "V-missing-section" && strings.HasPrefix(key, f.Cell) {
			return true
		}
	}
	return false
}

// TestCutReports: generated reports in every layout and both formats, cut at every line
// boundary and at random points: every complete row is read right, nothing is invented, a
// report that lost cells is incomplete with a reason, and the agency and year are right
// whenever the title survived.
func TestCutReports(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	agencies := generate.District(rng, "红寺堡区", 3)
	random := 40
	if testing.Short() {
		random = 10
	}
	for _, layout := range generate.Layouts {
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			t.Run(layout+"/"+format, func(t *testing.T) {
				cuts, refused, read, lost := 0, 0, 0, 0
				for i, a := range agencies {
					if testing.Short() && i > 0 {
						break
					}
					year := 2024
					if format == ingest.Format2019 {
						year = 2020
					}
					truth := generate.Truth(rand.New(rand.NewSource(int64(i*7+len(layout)))), a, year, format, nil)
					c := newCutCase(t, fmt.Sprintf("%s_%d", a.Short, year), layout, truth)
					for _, at := range cutPoints(rng, c.data, random, layout == "html-gbk") {
						cuts++
						rd, ls, ref := checkCut(t, c, at)
						read, lost = read+rd, lost+ls
						if ref {
							refused++
						}
					}
				}
				t.Logf("%d cuts, %d refused; %d cells read, %d lost to cuts", cuts, refused, read, lost)
			})
		}
	}
}
