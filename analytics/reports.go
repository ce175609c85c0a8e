package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gongkai/ingest"
	"gongkai/ingest/store"
)

// CellInfo is one stored cell with where it was read.
type CellInfo struct {
	Key     string   `json:"key"`
	Value   *float64 `json:"value"`
	Flagged bool     `json:"flagged"`          // a finding names this cell
	Line    int      `json:"line,omitempty"`   // line of the report's text
	Source  string   `json:"source,omitempty"` // the characters read
}

// Report is one current report with its cells.
type Report struct {
	ID          int64  `json:"id"`
	AgencyID    int    `json:"agency_id"`
	Agency      string `json:"agency"`
	Printed     string `json:"agency_printed"`
	Year        int    `json:"year"`
	Format      string `json:"format"`
	Level       string `json:"level"`
	Published   string `json:"published,omitempty"`
	SourcePath  string `json:"source_path"`
	Revision    int    `json:"revision"`
	SingleOther bool   `json:"single_other"`
	// Incomplete is set when the report lacks tables or rows (a cut-off page);
	// IncompleteReason says what, in Chinese (表三在第12行中断；未找到表四).
	Incomplete       bool   `json:"incomplete"`
	IncompleteReason string `json:"incomplete_reason,omitempty"`
	// AgencySource says where the organ's name was read (ingest.AgencyFrom*).
	AgencySource string              `json:"agency_source,omitempty"`
	Cells        map[string]CellInfo `json:"cells"`
}

// Report returns the current report of an agency for a year, sql.ErrNoRows when none.
func (a *Analytics) Report(ctx context.Context, agencyID, year int) (*Report, error) {
	var r Report
	var pub sql.NullTime
	err := a.db.QueryRowContext(ctx, `SELECT id, agency_id, agency, agency_printed, year, format,
  level, published, source_path, revision, single_other, incomplete,
  coalesce(incomplete_reason, ''), coalesce(agency_source, '')
  FROM current_reports WHERE agency_id = ? AND year = ?`, agencyID, year).Scan(
		&r.ID, &r.AgencyID, &r.Agency, &r.Printed, &r.Year, &r.Format, &r.Level, &pub,
		&r.SourcePath, &r.Revision, &r.SingleOther, &r.Incomplete, &r.IncompleteReason, &r.AgencySource)
	if err != nil {
		return nil, fmt.Errorf("report of agency %d for %d: %w", agencyID, year, err)
	}
	if pub.Valid {
		r.Published = pub.Time.Format(time.DateOnly)
	}
	rows, err := a.db.QueryContext(ctx, `SELECT key, value, flagged, line, src_text FROM cells WHERE report_id = ?`, r.ID)
	if err != nil {
		return nil, fmt.Errorf("cells of report %d: %w", r.ID, err)
	}
	defer rows.Close()
	r.Cells = map[string]CellInfo{}
	for rows.Next() {
		var c CellInfo
		var v sql.NullFloat64
		var line sql.NullInt64
		var src sql.NullString
		if err := rows.Scan(&c.Key, &v, &c.Flagged, &line, &src); err != nil {
			return nil, err
		}
		if v.Valid {
			f := v.Float64
			c.Value = &f
		}
		c.Line, c.Source = int(line.Int64), src.String
		r.Cells[c.Key] = c
	}
	return &r, rows.Err()
}

// ReportText returns the stored normalised text of a report (any version) and whose it is.
func (a *Analytics) ReportText(ctx context.Context, reportID int64) (agency string, year int, text string, err error) {
	var z []byte
	err = a.db.QueryRowContext(ctx, `SELECT a.name, r.year, r.text, r.text_z FROM reports r JOIN agencies a ON a.id = r.agency_id
  WHERE r.id = ?`, reportID).Scan(&agency, &year, &text, &z)
	if err == nil {
		text, err = store.ReportText(text, z)
	}
	if err != nil {
		err = fmt.Errorf("text of report %d: %w", reportID, err)
	}
	return
}

// Finding is one stored finding of a current report.
type Finding struct {
	ReportID int64    `json:"report_id"`
	AgencyID int      `json:"agency_id"`
	Agency   string   `json:"agency"`
	Year     int      `json:"year"`
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Cell     string   `json:"cell,omitempty"`
	Expected *float64 `json:"expected,omitempty"`
	Actual   *float64 `json:"actual,omitempty"`
	Message  string   `json:"message"`
	Line     int      `json:"line,omitempty"`
	Related  string   `json:"related,omitempty"`
}

// Findings returns the findings of current reports matching f (and rule, when not empty),
// by agency, year and rule.
func (a *Analytics) Findings(ctx context.Context, f Filter, rule string) ([]Finding, error) {
	_, out, err := a.FindingsPage(ctx, f, rule, Page{})
	return out, err
}

// FindingsPage is one page of Findings in their order (pg.Limit, pg.Offset; pg.Sort is not
// read) and how many there are in all: a year of a national database holds tens of
// thousands, which a page must not read whole. A zero Page gives them all.
func (a *Analytics) FindingsPage(ctx context.Context, f Filter, rule string, pg Page) (int, []Finding, error) {
	cond, args := f.where("r")
	if rule != "" {
		cond += " AND f.rule = ?"
		args = append(args, rule)
	}
	q := `SELECT f.report_id, r.agency_id, r.agency, r.year, f.rule, f.severity,
  f.cell, f.expected, f.actual, f.message, f.line, f.related, count(*) OVER () AS total
  FROM findings f JOIN current_reports r ON r.id = f.report_id
  WHERE ` + cond + ` ORDER BY r.agency, r.year, f.rule, f.cell, f.line, f.message, f.related`
	if pg.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", pg.Limit, max(pg.Offset, 0))
	}
	rows, err := a.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, nil, fmt.Errorf("findings: %w", err)
	}
	defer rows.Close()
	var out []Finding
	total := 0
	for rows.Next() {
		var x Finding
		var exp, act sql.NullFloat64
		var line sql.NullInt64
		if err := rows.Scan(&x.ReportID, &x.AgencyID, &x.Agency, &x.Year, &x.Rule, &x.Severity,
			&x.Cell, &exp, &act, &x.Message, &line, &x.Related, &total); err != nil {
			return 0, nil, err
		}
		if exp.Valid {
			x.Expected = &exp.Float64
		}
		if act.Valid {
			x.Actual = &act.Float64
		}
		x.Line = int(line.Int64)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	if len(out) == 0 && pg.Offset > 0 {
		// past the end: say how many there are
		total, _, err = a.FindingsPage(ctx, f, rule, Page{Limit: 1})
	}
	return total, out, err
}

// RuleCount is how often a rule fired.
type RuleCount struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Findings int    `json:"findings"`
	Agencies int    `json:"agencies"` // distinct agencies concerned
}

// FindingsByRule counts the findings of current reports matching f per rule.
func (a *Analytics) FindingsByRule(ctx context.Context, f Filter) ([]RuleCount, error) {
	cond, args := f.where("r")
	rows, err := a.db.QueryContext(ctx, `SELECT f.rule, max(f.severity), count(*)::BIGINT, count(DISTINCT r.agency_id)::BIGINT
  FROM findings f JOIN current_reports r ON r.id = f.report_id
  WHERE `+cond+` GROUP BY f.rule ORDER BY count(*) DESC, f.rule`, args...)
	if err != nil {
		return nil, fmt.Errorf("findings by rule: %w", err)
	}
	defer rows.Close()
	var out []RuleCount
	for rows.Next() {
		var x RuleCount
		if err := rows.Scan(&x.Rule, &x.Severity, &x.Findings, &x.Agencies); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Coverage is whether one organ reported for a year.
type Coverage struct {
	AgencyID  int    `json:"agency_id"`
	Agency    string `json:"agency"`
	Level     string `json:"level"`
	Expected  bool   `json:"expected"` // in the registry
	Reported  bool   `json:"reported"`
	ReportID  int64  `json:"report_id,omitempty"`
	Published string `json:"published,omitempty"`
	Late      bool   `json:"late"` // published after the deadline of its level and year (ingest.Deadline, as S-late)
	Revisions int    `json:"revisions,omitempty"`
	// Incomplete: the report lacks tables or rows; IncompleteReason says what, in Chinese.
	Incomplete       bool   `json:"incomplete"`
	IncompleteReason string `json:"incomplete_reason,omitempty"`
}

// Coverage lists, for a year, every expected organ and every organ that reported: who has
// not reported and who reported late.
func (a *Analytics) Coverage(ctx context.Context, year int) ([]Coverage, error) {
	return a.coverage(ctx, year, "", Page{}, nil)
}

// CoverageIssues is one page (Limit 0: all) of Coverage without the organs of the registry
// that reported in time and completely: the ones a list of what is missing shows, in
// Coverage's order, selected and paged in the database (a country's 150,000 organs are not
// read to find them), and how many there are.
func (a *Analytics) CoverageIssues(ctx context.Context, year int, pg Page) (int, []Coverage, error) {
	late, err := a.lateOrgans(ctx, year)
	if err != nil {
		return 0, nil, err
	}
	lateList := "false"
	if len(late) > 0 {
		ids := make([]string, len(late))
		for i, id := range late {
			ids[i] = strconv.Itoa(id)
		}
		lateList = "a.id IN (" + strings.Join(ids, ",") + ")"
	}
	total := 0
	out, err := a.coverage(ctx, year, " AND (r.id IS NULL OR NOT a.expected OR r.incomplete OR "+lateList+")", pg, &total)
	if err == nil && len(out) == 0 && pg.Offset > 0 {
		total, _, err = a.CoverageIssues(ctx, year, Page{Limit: 1})
	}
	return total, out, err
}

// coverage is Coverage of the organs cond selects, the page pg of them; total (when not nil)
// is set to how many cond selects.
func (a *Analytics) coverage(ctx context.Context, year int, cond string, pg Page, total *int) ([]Coverage, error) {
	page := ""
	if pg.Limit > 0 {
		page = fmt.Sprintf(" LIMIT %d OFFSET %d", pg.Limit, max(pg.Offset, 0))
	}
	rows, err := a.db.QueryContext(ctx, `SELECT a.id, a.name, a.level, a.expected, r.id IS NOT NULL, coalesce(r.id, 0),
	r.published, coalesce(r.revision, 0), coalesce(r.incomplete, false), coalesce(r.incomplete_reason, ''), count(*) OVER ()
  FROM agencies a LEFT JOIN current_reports r ON r.agency_id = a.id AND r.year = ?
  WHERE (a.expected OR r.id IS NOT NULL)`+cond+`
  ORDER BY r.id IS NOT NULL, a.name`+page, year)
	if err != nil {
		return nil, fmt.Errorf("coverage %d: %w", year, err)
	}
	defer rows.Close()
	var out []Coverage
	for rows.Next() {
		var c Coverage
		var pub sql.NullTime
		var n int
		if err := rows.Scan(&c.AgencyID, &c.Agency, &c.Level, &c.Expected, &c.Reported, &c.ReportID, &pub, &c.Revisions, &c.Incomplete, &c.IncompleteReason, &n); err != nil {
			return nil, err
		}
		if pub.Valid {
			c.Published = pub.Time.Format(time.DateOnly)
			c.Late = ingest.IsLate(ingest.LevelOf(c.Agency, c.Level), year, c.Published)
		}
		if total != nil {
			*total = n
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
