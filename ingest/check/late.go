package check

import (
	"fmt"

	"gongkai/ingest"
)

// S-late: a report published after its deadline. Who must publish by when is decided in one
// place, ingest.Deadline (per level and statistics year); an organ whose level the parser left
// unknown is recognised as a township from its name, nothing else is guessed.

// Late returns the S-late finding of r, if any, from r.Published, r.Year and r.Level; nil
// when the report was on time or its publication date or year is unknown.
func Late(r *ingest.Report) *ingest.Finding {
	if r == nil {
		return nil
	}
	level := levelOf(r)
	days, late, _ := ingest.LateDays(level, r.Year, r.Published)
	if !late {
		return nil
	}
	deadline := ingest.Deadline(level, r.Year)
	msg := fmt.Sprintf("报告发布于 %s，晚于公布期限 %d年%d月%d日（%s），逾期 %d 天",
		r.Published, deadline.Year(), deadline.Month(), deadline.Day(), ingest.DeadlineRule(level, r.Year), days)
	f := finding(ingest.RuleLate, "published", ingest.Num(0), ingest.Num(float64(days)), msg)
	return &f
}

// late adapts Late to the list of single-report rules.
func late(r *ingest.Report) []ingest.Finding {
	if f := Late(r); f != nil {
		return []ingest.Finding{*f}
	}
	return nil
}
