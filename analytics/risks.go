package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	"gongkai/config"
	"gongkai/ingest"
)

// Risk kinds, in the order the cards are listed.
const (
	RiskDisclosureRate = "disclosure_rate" // 实质公开率 fell
	RiskCorrectionRate = "correction_rate" // 纠错率 jumped
	RiskLitigation     = "litigation"      // lawsuits jumped
	RiskPublications   = "publications"    // items published collapsed
	RiskCopiedProse    = "copied_prose"    // S-copied-prose finding
)

// RiskKinds are the kinds of risk cards in the order they are listed, with their titles.
var RiskKinds = [][2]string{
	{RiskDisclosureRate, "实质公开率下降"},
	{RiskCorrectionRate, "纠错率上升"},
	{RiskLitigation, "行政诉讼增加"},
	{RiskPublications, "主动公开信息锐减"},
	{RiskCopiedProse, "正文疑似照抄"},
}

// RiskCard is one warning for a leader: an organ, what moved, from what to what.
type RiskCard struct {
	Kind     string   `json:"kind"`
	Title    string   `json:"title"`
	AgencyID int      `json:"agency_id"`
	Agency   string   `json:"agency"`
	Metric   string   `json:"metric,omitempty"`
	From     *float64 `json:"from,omitempty"`
	To       *float64 `json:"to,omitempty"`
	Detail   string   `json:"detail"`
}

// RiskQuery asks for the 风险提示 of one year against the year before.
type RiskQuery struct {
	Year       int
	Thresholds config.Risk
	// Filter selects the organs (level, search); its years are ignored.
	Filter Filter
	// Page is the window of the cards in their order (kind, then the size of the move,
	// largest first); a zero Page gives every card.
	Page Page
	// PerKind, when > 0, gives instead the first PerKind cards of each kind; with a Page
	// too, the page's cards are in Risks.Page (one query for both).
	PerKind int
	// Excluded is the most names of organs left out of ratio cards that are returned (their
	// count is always given).
	Excluded int
}

// Risks is the 风险提示 of one year against the previous one.
type Risks struct {
	Year       int         `json:"year"`
	Previous   int         `json:"previous"`
	Thresholds config.Risk `json:"thresholds"`
	// Cards are the cards asked for (a page, or the first of each kind).
	Cards []RiskCard `json:"cards"`
	// Page is the page of cards when both PerKind and Page were asked for.
	Page []RiskCard `json:"page,omitempty"`
	// Total counts every card; Counts, the cards of each kind.
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
	// Excluded names organs left out of the ratio cards for a small sample, with why (at
	// most RiskQuery.Excluded of them); ExcludedTotal counts them all.
	Excluded      []string `json:"excluded"`
	ExcludedTotal int      `json:"excluded_total"`
}

// Risks compares q.Year with the year before for every organ q.Filter selects that has a
// report in both years (an organ that did not report is 未报送, not a fall; a value not
// stated is no change), and returns the cards whose thresholds are crossed, ordered and paged
// in the database over report_metrics. Ratio cards need at least MinApplications in the
// denominator in both years; the organs left out are listed. Copied prose (S-copied-prose
// findings of the year) comes last.
func (a *Analytics) Risks(ctx context.Context, q RiskQuery) (*Risks, error) {
	query, args := risksSQL(q)
	rows, err := a.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("risks %d: %w", q.Year, err)
	}
	defer rows.Close()
	th := q.Thresholds
	out := &Risks{Year: q.Year, Previous: q.Year - 1, Thresholds: th, Cards: []RiskCard{}, Counts: map[string]int{}, Excluded: []string{}}
	titles := map[string]string{}
	for _, k := range RiskKinds {
		titles[k[0]] = k[1]
	}
	for rows.Next() {
		var grp, kind, agency string
		var id, nKind, nGrp int
		var inPage, inWin bool
		var from, to sql.NullFloat64
		var msg, related sql.NullString
		if err := rows.Scan(&grp, &kind, &id, &agency, &from, &to, &msg, &related, &nKind, &nGrp, &inPage, &inWin); err != nil {
			return nil, fmt.Errorf("risks %d: %w", q.Year, err)
		}
		f, t := ptr(from), ptr(to)
		if grp == "excluded" {
			out.ExcludedTotal = nGrp
			if !inPage {
				continue
			}
			below := belowIn(f, t, out.Previous, q.Year, th.MinApplications)
			if kind == RiskDisclosureRate {
				out.Excluded = append(out.Excluded, fmt.Sprintf("%s：办结 %s→%s 件，%s少于 %d 件，不计实质公开率", agency, fmtN(f), fmtN(t), below, th.MinApplications))
			} else {
				out.Excluded = append(out.Excluded, fmt.Sprintf("%s：审结复议诉讼 %s→%s 件，%s少于 %d 件，不计纠错率", agency, fmtN(f), fmtN(t), below, th.MinApplications))
			}
			continue
		}
		out.Total, out.Counts[kind] = nGrp, nKind
		if !inPage && !inWin {
			continue
		}
		c := RiskCard{Kind: kind, Title: titles[kind], AgencyID: id, Agency: agency}
		if kind != RiskCopiedProse {
			c.Metric, c.From, c.To = kind, f, t
		}
		switch kind {
		case RiskDisclosureRate:
			c.Detail = fmt.Sprintf("%.1f%% → %.1f%%，下降 %.1f 个百分点", *f*100, *t*100, -(*t-*f)*100)
		case RiskCorrectionRate:
			c.Detail = fmt.Sprintf("%.1f%% → %.1f%%，上升 %.1f 个百分点", *f*100, *t*100, (*t-*f)*100)
		case RiskLitigation:
			d := *t - *f
			c.Detail = fmt.Sprintf("%s → %s 件，增加 %s 件", fmtN(f), fmtN(t), fmtN(&d))
		case RiskPublications:
			c.Detail = fmt.Sprintf("%s → %s 条，下降 %.0f%%", fmtN(f), fmtN(t), (1 - *t / *f)*100)
		case RiskCopiedProse:
			c.Detail = msg.String
			if related.String != "" {
				c.Detail += "（对照文件：" + filepath.Base(related.String) + "）"
			}
		}
		if inPage {
			out.Cards = append(out.Cards, c)
		}
		if inWin {
			out.Page = append(out.Page, c)
		}
	}
	return out, rows.Err()
}

// belowIn names the year (or both) whose sample from (of year prev) or to (of year) is under
// min, for the note on an organ left out of a ratio card: "2024年", "2025年" or "两年均".
func belowIn(from, to *float64, prev, year, min int) string {
	lo := func(v *float64) bool { return v == nil || *v < float64(min) }
	switch {
	case lo(from) && lo(to):
		return "两年均"
	case lo(from):
		return fmt.Sprintf("%d年", prev)
	default:
		return fmt.Sprintf("%d年", year)
	}
}

// risksSQL is the one query of Risks: every card and every organ left out, with their
// counts, and which rows the query asked for (in_page).
func risksSQL(q RiskQuery) (string, []any) {
	f := q.Filter
	f.Years, f.InAllYears, f.AgencyID, f.AgencyIDs = nil, false, 0, nil
	cond, condArgs := f.where("r")
	th := q.Thresholds
	prev, year := q.Year-1, q.Year
	var args []any
	// The per-organ values are those of Values(ByAgencyYear), so that a card here is a card
	// of the metrics an organ's page shows: one report an organ a year (oneSQL), the organs
	// with a report in both years the join of one year's rows with the other's.
	dr, _ := MetricByName("disclosure_rate")
	cr, _ := MetricByName("correction_rate")
	rate := func(m Metric, side string) string { return oneSQL(m, side+".") }
	count := func(col, side string) string { return side + "." + col }
	var b strings.Builder
	b.WriteString(`WITH p AS (SELECT r.agency_id, r.agency, r.year, m.disclosed_any, m.handled, m.cases_corrected, m.cases_concluded, m.litigation, m.publications
  FROM current_reports r JOIN ` + MetricsTable + ` m ON m.report_id = r.id
  WHERE r.year IN (?, ?) AND ` + cond + `),
`)
	args = append(args, prev, year)
	args = append(args, condArgs...)
	fmt.Fprintf(&b, `b AS (SELECT y.agency_id, y.agency,
  (%s)::DOUBLE AS dr0, (%s)::DOUBLE AS dr1, (%s)::DOUBLE AS h0, (%s)::DOUBLE AS h1,
  (%s)::DOUBLE AS cr0, (%s)::DOUBLE AS cr1, (%s)::DOUBLE AS cc0, (%s)::DOUBLE AS cc1,
  (%s)::DOUBLE AS lit0, (%s)::DOUBLE AS lit1, (%s)::DOUBLE AS pb0, (%s)::DOUBLE AS pb1
  FROM p x JOIN p y ON y.agency_id = x.agency_id AND x.year = ? AND y.year = ?),
`, rate(dr, "x"), rate(dr, "y"), count(dr.Den, "x"), count(dr.Den, "y"),
		rate(cr, "x"), rate(cr, "y"), count(cr.Den, "x"), count(cr.Den, "y"),
		count("litigation", "x"), count("litigation", "y"), count("publications", "x"), count("publications", "y"))
	args = append(args, prev, year)
	minN := float64(th.MinApplications)
	// small: a ratio's denominator under the minimum (or not stated) in either year.
	small := func(d string) string {
		args = append(args, minN, minN)
		return fmt.Sprintf("(%[1]s0 IS NULL OR %[1]s1 IS NULL OR %[1]s0 < ? OR %[1]s1 < ?)", d)
	}
	b.WriteString("c AS (")
	// 实质公开率 fell: both rates known, samples large enough, the fall at the threshold.
	fmt.Fprintf(&b, `SELECT 'card' AS grp, 1 AS rank, '%s' AS kind, agency_id, agency, dr0 AS v_from, dr1 AS v_to, -(dr1 - dr0) AS sev, NULL AS message, NULL AS related
  FROM b WHERE dr1 - dr0 IS NOT NULL AND NOT %s AND -(dr1 - dr0)*100 >= ?
`, RiskDisclosureRate, small("h"))
	args = append(args, th.DisclosureRateDrop)
	fmt.Fprintf(&b, `UNION ALL SELECT 'excluded', 1, '%s', agency_id, agency, h0, h1, NULL, NULL, NULL FROM b WHERE dr1 - dr0 IS NOT NULL AND %s
`, RiskDisclosureRate, small("h"))
	// 纠错率 jumped.
	fmt.Fprintf(&b, `UNION ALL SELECT 'card', 2, '%s', agency_id, agency, cr0, cr1, cr1 - cr0, NULL, NULL
  FROM b WHERE cr1 - cr0 IS NOT NULL AND NOT %s AND (cr1 - cr0)*100 >= ?
`, RiskCorrectionRate, small("cc"))
	args = append(args, th.CorrectionRateJump)
	fmt.Fprintf(&b, `UNION ALL SELECT 'excluded', 2, '%s', agency_id, agency, cc0, cc1, NULL, NULL, NULL FROM b WHERE cr1 - cr0 IS NOT NULL AND %s
`, RiskCorrectionRate, small("cc"))
	// Lawsuits jumped (a count: no sample rule); a threshold of 0 turns the card off.
	fmt.Fprintf(&b, `UNION ALL SELECT 'card', 3, '%s', agency_id, agency, lit0, lit1, lit1 - lit0, NULL, NULL
  FROM b WHERE lit1 - lit0 IS NOT NULL AND ? AND lit1 - lit0 >= ?
`, RiskLitigation)
	args = append(args, th.LitigationJump > 0, float64(th.LitigationJump))
	// Publications collapsed: both years state the count (missing is not 0), enough of them.
	fmt.Fprintf(&b, `UNION ALL SELECT 'card', 4, '%s', agency_id, agency, pb0, pb1, 1 - pb1/pb0, NULL, NULL
  FROM b WHERE pb0 > 0 AND pb1 IS NOT NULL AND pb0 >= ? AND pb1 <= pb0 * ?
`, RiskPublications)
	args = append(args, minN, 1-th.PublicationsDrop)
	// Copied prose: the findings of the year, for every organ selected.
	fmt.Fprintf(&b, `UNION ALL SELECT 'card', 5, '%s', r.agency_id, r.agency, NULL, NULL, NULL, f.message, f.related
  FROM findings f JOIN current_reports r ON r.id = f.report_id WHERE r.year = ? AND f.rule = ? AND %s)
`, RiskCopiedProse, cond)
	args = append(args, year, ingest.RuleCopiedProse)
	args = append(args, condArgs...)
	inPage := "true"
	switch {
	case q.PerKind > 0:
		inPage = fmt.Sprintf("rn_kind <= %d", q.PerKind)
	case q.Page.Limit > 0:
		inPage = fmt.Sprintf("rn > %d AND rn <= %d", max(q.Page.Offset, 0), max(q.Page.Offset, 0)+q.Page.Limit)
	}
	inWin := "false"
	if q.PerKind > 0 && q.Page.Limit > 0 {
		inWin = fmt.Sprintf("rn > %d AND rn <= %d", max(q.Page.Offset, 0), max(q.Page.Offset, 0)+q.Page.Limit)
	}
	fmt.Fprintf(&b, `SELECT grp, kind, agency_id, agency, v_from, v_to, message, related, n_kind, n_grp,
  CASE WHEN grp = 'card' THEN %s ELSE rn <= %d END AS in_page, grp = 'card' AND %s AS in_win
FROM (SELECT *, count(*) OVER (PARTITION BY grp, kind) AS n_kind, count(*) OVER (PARTITION BY grp) AS n_grp,
    row_number() OVER (PARTITION BY grp ORDER BY CASE WHEN grp = 'card' THEN rank ELSE 0 END, sev DESC NULLS LAST, agency, agency_id, rank, message, related) AS rn,
    row_number() OVER (PARTITION BY grp, kind ORDER BY sev DESC NULLS LAST, agency, agency_id, message, related) AS rn_kind
  FROM c)
WHERE rn_kind = 1 OR (CASE WHEN grp = 'card' THEN %s ELSE rn <= %d END) OR (grp = 'card' AND %s)
ORDER BY grp, rn`, inPage, max(q.Excluded, 0), inWin, inPage, max(q.Excluded, 0), inWin)
	return b.String(), args
}
