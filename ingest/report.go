// Package ingest holds the domain of gongkai: one published 政府信息公开工作年度报告 as plain
// data (agency, year, the cells of tables 2, 3 and 4 with where each was read, the publication
// counts stated in the prose, and the findings of the checks). Its subpackages are the steps a
// file walks through: decode (bytes to normalised text), parse (text to Report), check (rules),
// store (DuckDB), generate (synthetic reports with known truth) and pipeline (many files).
package ingest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Report formats: the table layouts fixed by 国办公开办函〔2021〕30号 and 〔2019〕60号.
const (
	Format2021 = "2021"
	Format2019 = "2019"
)

// Agency levels.
const (
	LevelTownship   = "township"   // 镇、乡、街道
	LevelDepartment = "department" // 县级及以上政府的工作部门、管委会等
	LevelCounty     = "county"     // 县、区、县级市人民政府
	LevelCity       = "city"       // 设区的市、自治州、省级人民政府
	LevelUnknown    = "unknown"
)

// Where a report's agency name was found (Report.AgencySource).
const (
	AgencyFromTitle     = "title"      // the report's title or heading
	AgencyFromHTMLTitle = "html_title" // the page's <title> or <meta name="ArticleTitle">
	AgencyFromCompiler  = "compiler"   // 本报告由…编制 / 根据…要求，XX特编制
	AgencyFromSignature = "signature"  // the signature or 联系方式 block at the end
	AgencyFromMeta      = "meta"       // the page's metadata (发布机构)
	AgencyFromFileName  = "file_name"  // the file name, matched against the registry
	AgencyFromURL       = "url"        // the URL's path, matched against the registry
)

// AgencySourceNames are the Chinese names of the AgencyFrom* constants, for people.
var AgencySourceNames = map[string]string{
	AgencyFromTitle:     "标题",
	AgencyFromHTMLTitle: "网页标题",
	AgencyFromCompiler:  "编制说明",
	AgencyFromSignature: "落款",
	AgencyFromMeta:      "网页元数据",
	AgencyFromFileName:  "文件名",
	AgencyFromURL:       "网址",
}

// Severities of findings.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Source says where a value was read: the line of the normalised text (1-based, as stored
// for audit) and the exact text that was read; Page and PageLine are for formats with pages
// (PDF: 第3页 第12行, see Where), Col for rows of cells.
type Source struct {
	Line     int    `json:"line,omitempty"`      // 1-based line of Report.Text
	Page     int    `json:"page,omitempty"`      // 1-based page (PDF), 0 when not paged
	PageLine int    `json:"page_line,omitempty"` // 1-based line within Page (PDF), 0 when not paged
	Col      int    `json:"col,omitempty"`       // 1-based cell position within the row, 0 when unknown
	Text     string `json:"text,omitempty"`      // the characters the value was read from
}

// Where says in Chinese where the value was read: "第3页 第12行" for a PDF, "第12行"
// otherwise, "" when unknown.
func (s Source) Where() string {
	switch {
	case s.Page > 0 && s.PageLine > 0:
		return fmt.Sprintf("第%d页 第%d行", s.Page, s.PageLine)
	case s.Line > 0:
		return fmt.Sprintf("第%d行", s.Line)
	}
	return ""
}

// Cell is one number of a table. A nil Value is a cell that could not be read; such a cell
// always has a V-unreadable finding, never a silent 0.
type Cell struct {
	Value *float64 `json:"value"`
	Src   Source   `json:"src"`
}

// Int returns the value as a whole number and whether it is set.
func (c Cell) Int() (int64, bool) {
	if c.Value == nil {
		return 0, false
	}
	return int64(*c.Value), true
}

// Num returns a pointer to v, for building cells.
func Num(v float64) *float64 { return &v }

// Publication is a count of items published on one channel, as stated in 一、总体情况.
type Publication struct {
	Channel string `json:"channel"` // portal, wechat, weibo, short_video, notice_board, total, other
	Count   int64  `json:"count"`
	// Approx is true when the prose gives the count as a round figure (7700余条, 300多篇):
	// the real count is at least Count.
	Approx bool   `json:"approx,omitempty"`
	Quote  string `json:"quote"` // the sentence (or clause) it came from
	Line   int    `json:"line,omitempty"`
}

// Finding is one problem found in a report: a rule of the spec broken, or a cell unread.
type Finding struct {
	Rule     string   `json:"rule"`               // e.g. T3-balance, V-unreadable
	Severity string   `json:"severity"`           // error or warning
	Cell     string   `json:"cell,omitempty"`     // the cell it is about, table3.total_handled.total style
	Expected *float64 `json:"expected,omitempty"` // what the rule expects, where it is a number
	Actual   *float64 `json:"actual,omitempty"`   // what the report says
	Message  string   `json:"message"`            // Chinese, for a clerk
	Line     int      `json:"line,omitempty"`     // where in Report.Text, when known
	Related  string   `json:"related,omitempty"`  // another report it concerns (S-copied-prose)
}

// Report is one annual report as read. It is plain data passed from step to step.
type Report struct {
	Source string `json:"source"` // path as given
	Agency string `json:"agency"` // name of the organ, as the report gives it
	// AgencySource says where Agency was found (one of the AgencyFrom* constants); a name
	// taken from the file name or URL rather than the text says so here.
	AgencySource string `json:"agency_source,omitempty"`
	Year         int    `json:"year"`                // the statistics year (not the publication year)
	Format       string `json:"format"`              // Format2021 or Format2019
	Level        string `json:"level"`               // township, department, county, city, unknown
	Published    string `json:"published,omitempty"` // publication date YYYY-MM-DD where the page states one

	// SingleOther is true when （六）其他处理 is printed as one row (other_handled).
	SingleOther bool `json:"-"`
	// Cells holds every cell by its canonical key (table3.new_received.total). Every key of
	// CellKeys(Format, SingleOther) is present after parsing; unread ones have a nil Value.
	Cells Cells `json:"-"`

	Publications       []Publication `json:"publications"`
	ApplicationsStated *int64        `json:"applications_stated"` // received, as the prose says; nil when it says nothing
	ApplicationsQuote  string        `json:"applications_quote,omitempty"`

	// Prose holds the text of the prose sections by number (1: 总体情况, 5: 问题及改进, 6: 其他).
	Prose map[int]string `json:"-"`
	// Text is the normalised text the report was read from; Source.Line points into it.
	Text string `json:"-"`
	// Incomplete is true when sections or tables are missing (a cut-off page).
	Incomplete bool `json:"incomplete,omitempty"`
	// IncompleteReason says, in Chinese for a clerk, what is missing and where the text
	// stops (表三在第N行中断；未找到表四); "" when the report is complete.
	IncompleteReason string `json:"incomplete_reason,omitempty"`

	Findings []Finding `json:"findings"`
}

// Value returns the cell's value and whether it was read.
func (r *Report) Value(key string) (float64, bool) {
	c, ok := r.Cells.Get(key)
	if !ok || c.Value == nil {
		return 0, false
	}
	return *c.Value, true
}

// Set stores a read value with its source.
func (r *Report) Set(key string, v float64, src Source) {
	r.Cells.Set(key, Cell{Value: Num(v), Src: src})
}

// Keys returns the report's cell keys in printed order.
func (r *Report) Keys() []string { return CellKeys(r.Format, r.SingleOther) }

// AddFinding appends a finding.
func (r *Report) AddFinding(f Finding) { r.Findings = append(r.Findings, f) }

// HasErrors tells whether any finding is an error.
func (r *Report) HasErrors() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Nested returns the cells as the nested JSON objects of the spec: table2 (or table2_2019),
// table3 and table4, with null for unread cells. Every table-3 row key of the format is
// present (other_handled and the three other_* rows both, the absent shape all null).
func (r *Report) Nested() map[string]any {
	out := map[string]any{}
	put := func(key string, v any) {
		parts := strings.Split(key, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	keys := r.Keys()
	// Both shapes of （六）: the one not printed stays null.
	other := CellKeys(r.Format, !r.SingleOther)
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	for _, k := range other {
		if !seen[k] {
			put(k, nil)
		}
	}
	for _, k := range keys {
		c, ok := r.Cells.Get(k)
		if !ok || c.Value == nil {
			put(k, nil)
			continue
		}
		put(k, jsonNumber(*c.Value))
	}
	return out
}

// jsonNumber renders whole numbers without a decimal point and decimals exactly as read.
func jsonNumber(v float64) any {
	if v == float64(int64(v)) {
		return int64(v)
	}
	return v
}

// FormatValue renders a cell value for people: whole numbers plain, decimals as read.
func FormatValue(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Validate reports a programming error: a cell key that is not one of the format's keys.
func (r *Report) Validate() error {
	known := keySet(r.Format, r.SingleOther)
	var bad []string
	for k := range r.Cells.All() {
		if !known[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("report %s: unknown cell keys %v", r.Source, bad)
	}
	return nil
}

// keySets holds the set of cell keys of each report shape, made once.
var keySets = func() map[[2]string]map[string]bool {
	m := map[[2]string]map[string]bool{}
	for _, f := range []string{Format2021, Format2019} {
		for _, single := range []bool{false, true} {
			set := map[string]bool{}
			for _, k := range CellKeys(f, single) {
				set[k] = true
			}
			m[[2]string{f, strconv.FormatBool(single)}] = set
		}
	}
	return m
}()

func keySet(format string, single bool) map[string]bool {
	if s, ok := keySets[[2]string{format, strconv.FormatBool(single)}]; ok {
		return s
	}
	set := map[string]bool{}
	for _, k := range CellKeys(format, single) {
		set[k] = true
	}
	return set
}

// Clone returns a copy of r deep enough that changing the copy's cells, prose, publications,
// findings or stated count leaves r as it was (for rules and generators that mutate).
func (r *Report) Clone() *Report {
	c := *r
	c.Cells = r.Cells.Clone()
	c.Prose = make(map[int]string, len(r.Prose))
	for k, v := range r.Prose {
		c.Prose[k] = v
	}
	c.Publications = append([]Publication(nil), r.Publications...)
	c.Findings = append([]Finding(nil), r.Findings...)
	if r.ApplicationsStated != nil {
		n := *r.ApplicationsStated
		c.ApplicationsStated = &n
	}
	return &c
}
