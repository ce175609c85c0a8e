package decode

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// corpusDir returns the shared corpus (../shared/corpus from the repository root), or
// skips the test when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found; corpus tests skipped")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(corpus, "MANIFEST.tsv")); err != nil {
		t.Skipf("real corpus not found at %s (it is kept outside the repository); skipped", corpus)
	}
	return corpus
}

func readCorpus(t *testing.T, rel string) *Document {
	t.Helper()
	path := filepath.Join(corpusDir(t), rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s: %v", rel, err)
	}
	doc, err := Read(rel, data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var (
	tagRE    = regexp.MustCompile(`<[a-zA-Z/!]`)
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
)

// checkClean fails on lines that still carry markup or script text.
func checkClean(t *testing.T, doc *Document) {
	t.Helper()
	for i, l := range doc.Lines {
		if tagRE.MatchString(l) || strings.Contains(l, "function") || strings.Contains(l, "getElementById") ||
			strings.Contains(l, "var ") || strings.Contains(l, "{") {
			t.Errorf("line %d carries markup or script: %q", i, l)
		}
		if strings.ContainsAny(l, "\r\x00") {
			t.Errorf("line %d has CR or NUL: %q", i, l)
		}
		if l != Normalize(l) {
			t.Errorf("line %d not normalised: %q", i, l)
		}
		if l == "" && i > 0 && doc.Lines[i-1] == "" {
			t.Errorf("line %d: two empty lines in a row", i)
		}
	}
}

// table3Columns are the column labels of table 3 in the spec's order.
var table3Columns = []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}

func TestCorpusShuyangHTML(t *testing.T) {
	doc := readCorpus(t, "raw/jiangsu-suqian-shuyangxian_fazhanhegaigeju_2023.html")
	if doc.Kind != "html" || doc.Encoding != "utf-8" {
		t.Errorf("kind, encoding = %q, %q", doc.Kind, doc.Encoding)
	}
	checkClean(t, doc)
	if !strings.Contains(doc.Title, "年度报告") {
		t.Errorf("title %q", doc.Title)
	}
	for _, k := range []string{"标题", "来源", "发布机构", "公开日期"} {
		if doc.Meta[k] == "" {
			t.Errorf("Meta[%q] missing (meta %q)", k, doc.Meta)
		}
	}
	for _, chrome := range []string{"无障碍", "智能问答", "走进沭阳", "办事服务"} {
		for _, l := range doc.Lines {
			if strings.Contains(l, chrome) {
				t.Errorf("site chrome %q kept: %q", chrome, l)
			}
		}
	}

	// Table 3: the header row with the seven applicant columns, and the new-received row
	// whose label spans three grid columns, followed by seven cells (blank = "").
	var header, newReceived []string
	for _, l := range doc.Lines {
		cells := strings.Split(l, "\t")
		if len(cells) >= 7 && strings.Join(cells[len(cells)-7:], "|") == strings.Join(table3Columns, "|") {
			header = cells
		}
		if strings.Contains(l, "一、本年新收政府信息公开申请数量") {
			newReceived = cells
		}
	}
	if header == nil {
		t.Fatal("no table 3 header row with the seven column labels")
	}
	if newReceived == nil {
		t.Fatal(`no line with "一、本年新收政府信息公开申请数量"`)
	}
	if len(newReceived) != len(header) {
		t.Errorf("new-received row has %d cells, header %d: rows are not on one grid", len(newReceived), len(header))
	}
	// The header row puts the seven applicant columns at the right of the grid; everything
	// left of them in the new-received row is its label (text once, then colspan padding).
	first := len(header) - 7
	if first < 1 || len(newReceived) <= first {
		t.Fatalf("new-received row %q does not reach the applicant columns of %q", newReceived, header)
	}
	if !strings.Contains(newReceived[0], "本年新收") {
		t.Errorf("label not in the first cell: %q", newReceived)
	}
	for _, c := range newReceived[1:first] {
		if c != "" {
			t.Errorf("label columns hold %q, want the label's colspan padding: %q", c, newReceived)
		}
	}
	after := newReceived[first:]
	if len(after) != 7 {
		t.Fatalf("%d cells after the label, want 7: %q", len(after), newReceived)
	}
	blank := 0
	for _, c := range after {
		switch {
		case c == "":
			blank++
		case !digitsRE.MatchString(c):
			t.Errorf("cell %q is neither a number nor empty", c)
		}
	}
	if blank == 0 || after[0] == "" || after[6] == "" {
		t.Errorf("want numbers for 自然人 and 总计 and blank cells between: %q", after)
	}

	// The three report tables come out as rows, each table set off by empty lines.
	tables := 0
	rows := 0
	for i, l := range doc.Lines {
		if strings.Contains(l, "\t") {
			rows++
			if i > 0 && doc.Lines[i-1] == "" {
				tables++
			}
		}
	}
	if tables < 4 || rows < 40 {
		t.Errorf("%d tables with %d rows, want the metadata table and the three report tables", tables, rows)
	}
	// Table 4: one row of fifteen numbers.
	found := false
	for _, l := range doc.Lines {
		cells := strings.Split(l, "\t")
		if len(cells) == 15 && digitsRE.MatchString(strings.Join(cells, "")) {
			found = true
		}
	}
	if !found {
		t.Error("no table 4 row of fifteen numbers")
	}
}

func TestCorpusSeed(t *testing.T) {
	doc := readCorpus(t, "seed/000_305873c2aaa66a8b.txt")
	checkClean(t, doc)
	tabRows := 0
	var newReceived string
	for _, l := range doc.Lines {
		if strings.Contains(l, "\t") {
			tabRows++
		}
		if strings.HasPrefix(l, "一、本年新收政府信息公开申请数量\t") {
			newReceived = l
		}
		if strings.Contains(l, "**") || strings.HasPrefix(l, "#") {
			t.Errorf("markdown markers kept: %q", l)
		}
	}
	if tabRows < 30 {
		t.Errorf("only %d tab rows kept", tabRows)
	}
	if n := strings.Count(newReceived, "\t"); n < 8 {
		t.Errorf("new-received row lost cells (%d tabs): %q", n, newReceived)
	}
}

func TestCorpusText(t *testing.T) {
	for _, name := range []string{"fujian-pingtan_pingtanzongheshiyanqu_2021.txt",
		"fujian-pingtan_pingtanzongheshiyanqu_2022.txt", "fujian-pingtan_pingtanzongheshiyanqu_2024.txt"} {
		t.Run(name, func(t *testing.T) {
			doc := readCorpus(t, filepath.Join("raw", name))
			checkClean(t, doc)
			if doc.Kind != "text" {
				t.Errorf("kind %q", doc.Kind)
			}
			if doc.Meta["标题"] == "" || doc.Meta["发布时间"] == "" {
				t.Errorf("archiver header not in Meta: %q", doc.Meta)
			}
			if !strings.HasPrefix(doc.Lines[0], "标题:") {
				t.Errorf("header line not kept: %q", doc.Lines[0])
			}
		})
	}
}

func TestCorpusMarkdown(t *testing.T) {
	doc := readCorpus(t, "raw/shanghai_shikewei_2024.md")
	checkClean(t, doc)
	if doc.Kind != "markdown" {
		t.Errorf("kind %q", doc.Kind)
	}
	pipes := 0
	for _, l := range doc.Lines {
		if isTableSeparator(l) {
			t.Errorf("separator kept: %q", l)
		}
		if strings.HasPrefix(l, "|") {
			pipes++
		}
	}
	if pipes < 20 {
		t.Errorf("only %d pipe rows kept", pipes)
	}
}

func TestCorpusPDF(t *testing.T) {
	path := filepath.Join(corpusDir(t), "raw", "jiangsu-huaian_hongzequ-renminzhengfu_2024.pdf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip(err)
	}
	doc, err := Read(path, data)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, doc)
	if doc.Kind != "pdf" || len(doc.Pages) != len(doc.Lines) || doc.Pages[len(doc.Pages)-1] != 5 {
		t.Errorf("kind %q, %d pages for %d lines", doc.Kind, len(doc.Pages), len(doc.Lines))
	}
	// the row whose label wraps over two lines around its numbers is one line
	if !slices.ContainsFunc(doc.Lines, func(l string) bool {
		return strings.HasPrefix(l, "(二)部分公开") && strings.Contains(l, "不计其他情形)") && strings.HasSuffix(l, "\t9\t0\t0\t0\t0\t0\t9")
	}) {
		t.Error("the row (二)部分公开, its label wrapped around its numbers, is not one line")
	}
}
