package check

import (
	"fmt"
	"time"

	"gongkai/ingest"
)

// S-late: a report published after its deadline. 条例 第四十九、五十条 and the 2021 notice:
// departments (and townships) publish by 1月31日, county-level governments and above by
// 3月31日 of the following year. An organ of unknown level gets the later deadline, so the
// rule never fires on a guess.

// Late returns the S-late finding of r, if any, from r.Published, r.Year and r.Level; nil
// when the report was on time or its publication date or year is unknown.
func Late(r *ingest.Report) *ingest.Finding {
	if r == nil || r.Published == "" || r.Year == 0 {
		return nil
	}
	pub, err := time.Parse("2006-01-02", r.Published)
	if err != nil {
		return nil
	}
	level := levelOf(r)
	deadline := time.Date(r.Year+1, time.March, 31, 0, 0, 0, 0, time.UTC)
	who := "县级及以上人民政府"
	if level == ingest.LevelTownship || level == ingest.LevelDepartment {
		deadline = time.Date(r.Year+1, time.January, 31, 0, 0, 0, 0, time.UTC)
		who = "政府工作部门和乡镇（街道）"
	}
	if !pub.After(deadline) {
		return nil
	}
	days := pub.Sub(deadline).Hours() / 24
	msg := fmt.Sprintf("报告发布于 %s，晚于公布期限 %d年%d月%d日（%s应于次年%d月%d日前公布），逾期 %s 天",
		r.Published, deadline.Year(), deadline.Month(), deadline.Day(), who, deadline.Month(), deadline.Day(), num(days))
	f := finding(RuleLate, "published", ingest.Num(0), ingest.Num(days), msg)
	return &f
}

// late adapts Late to the list of single-report rules.
func late(r *ingest.Report) []ingest.Finding {
	if f := Late(r); f != nil {
		return []ingest.Finding{*f}
	}
	return nil
}
