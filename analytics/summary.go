package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/check"
)

// SummaryOptions selects the reports of a consolidated table (汇总表) and says how to add them.
type SummaryOptions struct {
	Year       int      // statistics year
	Levels     []string // township, department, county, city; empty: every level
	Organs     []string // names of the organs to add (canonical or as printed); empty: every organ
	SkipUnread bool     // add the cells that were read and say so, instead of leaving a sum with an unread part empty
	District   string   // the district's name for the title; empty: taken from the organs
	// Covers marks aggregate reports from the registry: an organ's name → the organs its report
	// already adds up (registry key covers:). Such a report is not added to the organs it covers.
	Covers map[string][]string
}

// SummaryOrgan is one organ the summary speaks of: added, missing, or left out as an aggregate.
type SummaryOrgan struct {
	AgencyID int      `json:"agency_id"`
	Name     string   `json:"name"`
	Level    string   `json:"level"`
	ReportID int64    `json:"report_id,omitempty"`
	Format   string   `json:"format,omitempty"`
	Errors   []string `json:"errors,omitempty"` // rules its own report breaks (error findings), each once
	Unread   int      `json:"unread,omitempty"` // cells of its report that could not be read
	Covers   []string `json:"covers,omitempty"` // for an aggregate: the organs it adds up
	Note     string   `json:"note,omitempty"`   // why it is listed (an aggregate: why not added)
}

// SummaryCell is one cell of the consolidated tables.
type SummaryCell struct {
	Key   string   `json:"key"`
	Value *float64 `json:"value"` // nil: at least one added report has no value here (unless SkipUnread)
	// Unread names the organs whose report has no value for this cell.
	Unread []string `json:"unread,omitempty"`
	// Excluded names the organs whose value is left out as impossible (ingest.ExcludesCell);
	// they are among Unread too.
	Excluded []string `json:"excluded,omitempty"`
}

// SummaryFinding is a rule the sum breaks, with the organs whose own reports cause it.
type SummaryFinding struct {
	ingest.Finding
	Organs []string `json:"organs"`
}

// Summary is the consolidated tables 2, 3 and 4 of a district's year in the official layout:
// the sum of the organs' own reports, what it stands on, and the rules it breaks.
type Summary struct {
	Title       string                 `json:"title"`
	District    string                 `json:"district"`
	Year        int                    `json:"year"`
	Format      string                 `json:"format"`       // the layout of the sum (the format most added reports use)
	SingleOther bool                   `json:"single_other"` // （六）其他处理 as one row: some added report prints it so
	SkipUnread  bool                   `json:"skip_unread"`
	Scope       string                 `json:"scope"` // which levels and organs were asked for, in Chinese
	Cells       map[string]SummaryCell `json:"cells"`
	Included    []SummaryOrgan         `json:"included"`
	Missing     []SummaryOrgan         `json:"missing"`    // expected (registry) but no report this year
	Aggregates  []SummaryOrgan         `json:"aggregates"` // aggregate reports not added
	Flawed      []SummaryOrgan         `json:"flawed"`     // added organs whose own report has errors or unread cells
	Rule        string                 `json:"rule"`       // the rule against double counting that was applied
	Notes       []string               `json:"notes"`
	Findings    []SummaryFinding       `json:"findings"` // rules the sum breaks (V-unreadable left out: see Cells)
}

// Keys returns the summary's cell keys in printed order.
func (s *Summary) Keys() []string { return ingest.CellKeys(s.Format, s.SingleOther) }

// Value returns a cell of the sum, nil when it is empty.
func (s *Summary) Value(key string) *float64 { return s.Cells[key].Value }

// Report returns the sum as an ingest.Report (agency: the district, level county), so that
// the format's checks and writers apply to it.
func (s *Summary) Report() *ingest.Report {
	r := &ingest.Report{Source: s.Title, Agency: s.District, Year: s.Year, Format: s.Format,
		Level: ingest.LevelCounty, SingleOther: s.SingleOther}
	keys := s.Keys()
	r.Cells = ingest.MakeCells(len(keys))
	for _, k := range keys {
		r.Cells.Set(k, ingest.Cell{Value: s.Cells[k].Value})
	}
	return r
}

// SummaryTitle is the title of the consolidated report of a district and year.
func SummaryTitle(district string, year int, skipUnread bool) string {
	t := fmt.Sprintf("%s%d年政府信息公开工作年度报告（汇总）", district, year)
	if skipUnread {
		t += "（未能读取的单元格未计入）"
	}
	return t
}

// The rule against double counting, in the words the summary prints.
const (
	ruleAggregates = "不重复计算：汇总报告（标题或单位名称含“汇总”的全区／全县汇总报告，或单位名录中以 covers 标明覆盖其他单位的政府报告）不与其覆盖的单位相加，只加各单位自己的报告。"
	validDocsNote  = "表二“现行有效件数”为各单位现行有效件数直接相加，同一文件由多个单位分别计数时会重复，仅供参考。"
)

// summaryReport is one current report of the year as the summary reads it.
type summaryReport struct {
	SummaryOrgan
	printed     string
	head        string // the beginning of its text, where a title says 汇总
	single      bool
	expected    bool
	district    string
	cells       map[string]*float64
	findings    []ingest.Finding
	excluded    map[string]bool // cells whose value an error finding says cannot be true
	aggregateOf []string        // organs it covers; nil when it is not an aggregate
	wholeArea   bool            // a 全区汇总 report: it covers every other organ
}

// Summary adds up the current reports of a year into the consolidated tables 2, 3 and 4.
// Missing is never 0: a cell unread in any added report leaves the sum's cell empty (with the
// organs named) unless o.SkipUnread.
func (a *Analytics) Summary(ctx context.Context, o SummaryOptions) (*Summary, error) {
	if o.Year == 0 {
		return nil, fmt.Errorf("汇总：没有指定年度")
	}
	reps, err := a.summaryReports(ctx, o.Year)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range o.Organs {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	found := map[string]bool{}
	selected := func(name, printed, level string) bool {
		if len(o.Levels) > 0 && !slices.Contains(o.Levels, level) {
			return false
		}
		if len(want) == 0 {
			return true
		}
		for _, n := range []string{name, printed} {
			if want[n] {
				found[n] = true
				return true
			}
		}
		return false
	}
	var sel []*summaryReport
	for _, r := range reps {
		if selected(r.Name, r.printed, r.Level) {
			sel = append(sel, r)
		}
	}
	if len(sel) > summaryLimit {
		return nil, fmt.Errorf("%w：%d 年选中 %d 份报告，汇总表最多相加 %d 份（一个区县、一个市的单位）；请选择级别或列出要汇总的单位",
			ErrSummaryTooLarge, o.Year, len(sel), summaryLimit)
	}
	if err := a.summaryDetails(ctx, o.Year, sel); err != nil {
		return nil, err
	}
	expected, err := a.expectedOrgans(ctx)
	if err != nil {
		return nil, err
	}
	reported := map[string]bool{}
	for _, r := range reps {
		reported[r.Name] = true
	}
	s := &Summary{Year: o.Year, SkipUnread: o.SkipUnread, Cells: map[string]SummaryCell{}}
	for _, e := range expected {
		if !reported[e.Name] && selected(e.Name, "", e.Level) {
			e.Note = "应报未报"
			s.Missing = append(s.Missing, e)
		}
	}
	for n := range want {
		if !found[n] && !slices.ContainsFunc(s.Missing, func(m SummaryOrgan) bool { return m.Name == n }) {
			return nil, fmt.Errorf("汇总：%d 年没有单位“%s”的报告，名录中也没有这个单位", o.Year, n)
		}
	}

	// No double counting: an aggregate is left out when an organ it covers is added.
	for _, r := range sel {
		if c, ok := o.Covers[r.Name]; ok && len(c) > 0 {
			r.aggregateOf = c
		} else if isAreaSummary(r.printed, r.head) {
			r.wholeArea = true
		}
	}
	var parts []*summaryReport
	for _, r := range sel {
		if r.aggregateOf == nil && !r.wholeArea {
			parts = append(parts, r)
		}
	}
	for _, r := range sel {
		if r.aggregateOf == nil && !r.wholeArea {
			continue
		}
		var overlap []string
		for _, p := range parts {
			if r.wholeArea || slices.Contains(r.aggregateOf, p.Name) {
				overlap = append(overlap, p.Name)
			}
		}
		if len(overlap) == 0 {
			r.Note = "汇总报告，但其覆盖的单位都不在本次汇总中，按一个单位计入"
			parts = append(parts, r)
			continue
		}
		g := r.SummaryOrgan
		g.Covers = overlap
		if r.wholeArea {
			g.Note = fmt.Sprintf("全区（全县）汇总报告，未计入：已计入其覆盖的 %d 个单位", len(overlap))
		} else {
			g.Note = fmt.Sprintf("名录标明其覆盖 %d 个单位（covers），未计入：已计入其中 %d 个单位", len(r.aggregateOf), len(overlap))
		}
		s.Aggregates = append(s.Aggregates, g)
	}
	sort.SliceStable(parts, func(i, j int) bool { return levelRank(parts[i].Level) < levelRank(parts[j].Level) })
	s.Rule = ruleAggregates
	if len(s.Aggregates) == 0 {
		s.Rule += "本次未发现汇总报告，各单位报告直接相加。"
	} else {
		s.Rule += fmt.Sprintf("本次有 %d 份汇总报告未计入（见“未计入的汇总报告”）。", len(s.Aggregates))
	}

	// The sum's shape: the format most added reports use; （六） as one row when any report prints it so.
	n2019 := 0
	for _, p := range parts {
		if p.Format == ingest.Format2019 {
			n2019++
		}
	}
	s.Format = ingest.Format2021
	if n2019*2 > len(parts) {
		s.Format = ingest.Format2019
	}
	s.SingleOther = s.Format == ingest.Format2019
	for _, p := range parts {
		if p.single {
			s.SingleOther = true
		}
	}
	for _, k := range s.Keys() {
		s.Cells[k] = sumCell(k, parts, s.SingleOther, o.SkipUnread)
	}
	for _, p := range parts {
		s.Included = append(s.Included, p.SummaryOrgan)
		if len(p.Errors) > 0 || p.Unread > 0 {
			s.Flawed = append(s.Flawed, p.SummaryOrgan)
		}
	}

	s.District = o.District
	if s.District == "" {
		s.District = districtOf(parts, reps)
	}
	s.Title = SummaryTitle(s.District, s.Year, s.SkipUnread)
	s.Scope = scopeOf(o)
	s.Notes = summaryNotes(s, parts)
	s.Findings = sumFindings(s, parts)
	return s, nil
}

// isAreaSummary tells whether a report is a whole area's 汇总 report, by its name or title.
func isAreaSummary(printed, head string) bool {
	if strings.Contains(printed, "汇总") {
		return true
	}
	for _, w := range []string{"（汇总）", "(汇总)", "全区汇总", "全县汇总", "全市汇总", "全旗汇总", "汇总报告"} {
		if strings.Contains(head, w) {
			return true
		}
	}
	return false
}

func levelRank(l string) int {
	for i, x := range ingest.Levels {
		if x[0] == l {
			return i
		}
	}
	return len(ingest.Levels)
}

// valueOf is a report's value for a cell of the sum's shape: a three-row report gives
// other_handled as its three other_* rows added; a cell of another format's table 2 is absent.
func (r *summaryReport) valueOf(key string, single bool) (*float64, bool) {
	if single && !r.single && strings.HasPrefix(key, "table3.other_handled.") {
		col := key[len("table3.other_handled."):]
		total := 0.0
		for _, row := range []string{"other_no_supplement", "other_no_fee", "other_other"} {
			v := r.cells[ingest.Table3Key(row, col)]
			if v == nil {
				return nil, false
			}
			total += *v
		}
		return &total, true
	}
	v, ok := r.cells[key]
	return v, ok && v != nil
}

// sumCell adds one cell over the parts: nil when any part lacks it (unless skip).
func sumCell(key string, parts []*summaryReport, single, skip bool) SummaryCell {
	c := SummaryCell{Key: key}
	if len(parts) == 0 {
		return c
	}
	total := 0.0
	for _, p := range parts {
		v, ok := p.valueOf(key, single)
		if !ok {
			c.Unread = append(c.Unread, p.Name)
			if p.excluded[key] {
				c.Excluded = append(c.Excluded, p.Name)
			}
			continue
		}
		total += *v
	}
	if len(c.Unread) > 0 && (!skip || len(c.Unread) == len(parts)) {
		return c
	}
	if ingest.IsDecimalKey(key) {
		total = math.Round(total*1e6) / 1e6 // fees keep their decimals, without binary noise
	}
	c.Value = &total
	return c
}

// sumFindings checks the sum with the format's single-report rules and names, for each
// rule it breaks, the added organs whose own reports break it (or lack a cell it reads).
func sumFindings(s *Summary, parts []*summaryReport) []SummaryFinding {
	r := s.Report()
	check.Report(r)
	var out []SummaryFinding
	for _, f := range r.Findings {
		if f.Rule == ingest.RuleUnreadable || f.Rule == ingest.RuleFeesUnit {
			continue // unread cells are named in the table; the fee bound is for one organ
		}
		sf := SummaryFinding{Finding: f}
		for _, p := range parts {
			if slices.ContainsFunc(p.findings, func(g ingest.Finding) bool { return g.Rule == f.Rule && g.Cell == f.Cell }) {
				sf.Organs = append(sf.Organs, p.Name)
			}
		}
		if len(sf.Organs) == 0 {
			for _, p := range parts {
				if slices.ContainsFunc(p.findings, func(g ingest.Finding) bool { return g.Rule == f.Rule }) {
					sf.Organs = append(sf.Organs, p.Name)
				}
			}
		}
		if len(sf.Organs) == 0 && s.SkipUnread {
			for _, p := range parts {
				if p.Unread > 0 {
					sf.Organs = append(sf.Organs, p.Name)
				}
			}
		}
		out = append(out, sf)
	}
	return out
}

func summaryNotes(s *Summary, parts []*summaryReport) []string {
	notes := []string{validDocsNote}
	if len(parts) == 0 {
		notes = append(notes, "没有可汇总的报告，表中各栏均为空。")
	}
	other := 0
	for _, p := range parts {
		if p.Format != s.Format {
			other++
		}
	}
	if other > 0 {
		notes = append(notes, fmt.Sprintf("有 %d 个单位使用另一版格式，其表二各栏与本表不同，未能计入表二。", other))
	}
	if s.SingleOther {
		for _, p := range parts {
			if !p.single {
				notes = append(notes, "（六）其他处理按一行汇总：分三行填报的单位，三行相加后计入。")
				break
			}
		}
	}
	if s.SkipUnread {
		notes = append(notes, "按要求跳过了未能读取的单元格：相关栏目只加了能读取的单位，合计不完整。")
	}
	return notes
}

func scopeOf(o SummaryOptions) string {
	var parts []string
	if len(o.Levels) > 0 {
		var ls []string
		for _, l := range o.Levels {
			ls = append(ls, ingest.LevelLabel(l))
		}
		parts = append(parts, "级别："+strings.Join(ls, "、"))
	}
	if len(o.Organs) > 0 {
		parts = append(parts, "指定单位："+strings.Join(o.Organs, "、"))
	}
	if len(parts) == 0 {
		return "全部单位"
	}
	return strings.Join(parts, "；")
}

// districtOf is the district most added organs belong to (the name stored from the registry).
func districtOf(parts, all []*summaryReport) string {
	count := map[string]int{}
	best := ""
	for _, set := range [][]*summaryReport{parts, all} {
		for _, p := range set {
			if p.district == "" {
				continue
			}
			count[p.district]++
			if best == "" || count[p.district] > count[best] {
				best = p.district
			}
		}
		if best != "" {
			return best
		}
	}
	// No registry district: the prefix of the organs' names up to 区, 县 or 旗 (红寺堡区教育局).
	for _, p := range parts {
		for i, r := range p.Name {
			if r == '区' || r == '县' || r == '旗' {
				d := p.Name[:i+len(string(r))]
				count[d]++
				if best == "" || count[d] > count[best] {
					best = d
				}
				break
			}
		}
	}
	if best != "" && count[best]*2 > len(parts) {
		return best
	}
	return "全区"
}

// MaxSummaryReports is the most reports a consolidated table adds up: a district's or a
// city's organs (dozens to a few thousand). A country's year (150,000 reports) held as the
// summary holds them took serve past 7 GB; a larger selection is refused (ErrSummaryTooLarge)
// with a word on how to narrow it.
const MaxSummaryReports = 2000

// summaryLimit is MaxSummaryReports, lowered by tests.
var summaryLimit = MaxSummaryReports

// ErrSummaryTooLarge is the error of a summary over more than MaxSummaryReports reports.
var ErrSummaryTooLarge = errors.New("汇总范围过大")

// summaryReports lists the current reports of a year by organ name, without their cells:
// which organs reported, their levels and districts, for choosing what to add.
func (a *Analytics) summaryReports(ctx context.Context, year int) ([]*summaryReport, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT id, agency_id, agency, coalesce(agency_printed, ''), level, format,
  single_other, coalesce(district, ''), expected
  FROM current_reports WHERE year = ? ORDER BY agency`, year)
	if err != nil {
		return nil, fmt.Errorf("汇总 %d：%w", year, err)
	}
	defer rows.Close()
	var reps []*summaryReport
	for rows.Next() {
		r := &summaryReport{}
		if err := rows.Scan(&r.ReportID, &r.AgencyID, &r.Name, &r.printed, &r.Level, &r.Format, &r.single,
			&r.district, &r.expected); err != nil {
			return nil, fmt.Errorf("汇总 %d：%w", year, err)
		}
		reps = append(reps, r)
	}
	return reps, rows.Err()
}

// summaryDetails reads what the summary adds of the reports reps (at most
// MaxSummaryReports): the beginning of each text (where a title says 汇总), the cells, the
// error findings, the cells left out as impossible and the count of unread cells.
func (a *Analytics) summaryDetails(ctx context.Context, year int, reps []*summaryReport) error {
	if len(reps) == 0 {
		return nil
	}
	byID := map[int64]*summaryReport{}
	ids := make([]string, len(reps))
	for i, r := range reps {
		r.cells = map[string]*float64{}
		byID[r.ReportID] = r
		ids[i] = strconv.FormatInt(r.ReportID, 10)
	}
	in := "(" + strings.Join(ids, ",") + ")"
	rows, err := a.db.QueryContext(ctx, `SELECT id, left(coalesce(text, ''), 400) FROM current_reports WHERE id IN `+in)
	if err != nil {
		return fmt.Errorf("汇总 %d：%w", year, err)
	}
	for rows.Next() {
		var id int64
		var head string
		if err := rows.Scan(&id, &head); err != nil {
			rows.Close()
			return fmt.Errorf("汇总 %d：%w", year, err)
		}
		byID[id].head = head
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = a.db.QueryContext(ctx, `SELECT c.report_id, c.key, c.value FROM cells c WHERE c.report_id IN `+in)
	if err != nil {
		return fmt.Errorf("汇总 %d 单元格：%w", year, err)
	}
	for rows.Next() {
		var id int64
		var key string
		var v sql.NullFloat64
		if err := rows.Scan(&id, &key, &v); err != nil {
			rows.Close()
			return err
		}
		r := byID[id]
		if v.Valid {
			x := v.Float64
			r.cells[key] = &x
		} else {
			r.cells[key] = nil
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = a.db.QueryContext(ctx, `SELECT f.report_id, f.rule, f.severity, coalesce(f.cell, '') FROM findings f
  WHERE f.report_id IN `+in+` AND f.severity = 'error' ORDER BY f.rule`)
	if err != nil {
		return fmt.Errorf("汇总 %d 校验发现：%w", year, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var f ingest.Finding
		if err := rows.Scan(&id, &f.Rule, &f.Severity, &f.Cell); err != nil {
			return err
		}
		r := byID[id]
		r.findings = append(r.findings, f)
		if !slices.Contains(r.Errors, f.Rule) {
			r.Errors = append(r.Errors, f.Rule)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range reps {
		for _, k := range ingest.ExcludedCells(r.findings) {
			if r.excluded == nil {
				r.excluded = map[string]bool{}
			}
			r.excluded[k] = true
			r.cells[k] = nil
		}
		for _, k := range ingest.CellKeys(r.Format, r.single) {
			if r.cells[k] == nil {
				r.Unread++
			}
		}
	}
	return nil
}

// expectedOrgans lists the organs of the registry.
func (a *Analytics) expectedOrgans(ctx context.Context) ([]SummaryOrgan, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT id, name, level FROM agencies WHERE expected ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("汇总：单位名录：%w", err)
	}
	defer rows.Close()
	var out []SummaryOrgan
	for rows.Next() {
		var g SummaryOrgan
		if err := rows.Scan(&g.AgencyID, &g.Name, &g.Level); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// CoversOf reads the registry's covers: entries (an organ → the organs its report adds up).
func CoversOf(registry []config.Organ) map[string][]string {
	m := map[string][]string{}
	for _, o := range registry {
		if len(o.Covers) > 0 {
			m[o.Name] = o.Covers
		}
	}
	return m
}
