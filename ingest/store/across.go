package store

import (
	"slices"
	"strings"

	"gongkai/ingest"
)

// Across is the cross-year rules (check.Years) as the store runs them while saving. A report
// compared with its organ's report of the year before gets its cross-year findings in its own
// transaction, with its cells flagged and its derived row counting them: nothing is owed. The
// store keeps the last reports it saved (only Keys and the prose: what the rules read) so that
// the year before is usually at hand, as when an organ's years lie side by side in a folder.
// Otherwise — the year before stored by an earlier run, or a later year already stored whose
// comparison this report changes — the pair is recorded in pending_cross_year for
// FinishPending, which loads what it needs from the database.
type Across struct {
	Rule func(prev, cur *ingest.Report) []ingest.Finding // the cross-year rules; findings of other rules are dropped
	Keys []string                                        // the cells Rule reads; nil: whole reports are kept
	// Sketch and RuleSketched, when both are set, stand for Rule: Sketch(agency, r) is what
	// the rules need of a report computed once (check.SketchOf: the prose's shingles, with
	// the names of agency, the canonical name, taken out), kept with the report among the
	// recent ones; RuleSketched compares two reports with their sketches. An Item may bring
	// its sketch computed beforehand (Item.Sketch), so that the writer does not compute it.
	Sketch       func(agency string, r *ingest.Report) any
	RuleSketched func(prev, cur *ingest.Report, ps, cs any) []ingest.Finding
}

// sketched tells whether the rules run with sketches.
func (a *Across) sketched() bool { return a.Sketch != nil && a.RuleSketched != nil }

// recentReport is a slim copy of a report saved, with its sketch (nil without Across.Sketch).
type recentReport struct {
	r      *ingest.Report
	sketch any
}

// recentSize bounds the reports kept for Across: a few batches' worth.
const recentSize = 1024

// recentReports keeps the slim copies of the last reports saved, by report id.
type recentReports struct {
	byID  map[int64]recentReport
	order []int64 // ring of ids in byID, oldest at next
	next  int
}

func (c *recentReports) get(id int64) (recentReport, bool) {
	r, ok := c.byID[id]
	return r, ok
}

func (c *recentReports) put(id int64, r recentReport) {
	if len(c.order) < recentSize {
		c.order = append(c.order, id)
	} else {
		delete(c.byID, c.order[c.next])
		c.order[c.next] = id
		c.next = (c.next + 1) % recentSize
	}
	c.byID[id] = r
}

// slimCopy is what LoadSlim gives for a stored report: its fields without text, publications
// and findings, the cells of keys only, the prose, the canonical agency name and the path.
func slimCopy(r *ingest.Report, agency, path string, keys []string) *ingest.Report {
	s := *r
	s.Agency, s.Source = agency, path
	if keys == nil { // the rules read whole reports
		return &s
	}
	s.Text, s.Publications, s.Findings = "", nil, nil
	// Strings are cloned: a parsed report's cells and prose are slices of its whole text,
	// which the copy must not keep alive.
	s.Cells = ingest.MakeCells(len(keys))
	for _, k := range keys {
		if c, ok := r.Cells.Get(k); ok {
			c.Src.Text = strings.Clone(c.Src.Text)
			s.Cells.Set(k, c)
		}
	}
	if r.Prose != nil {
		s.Prose = make(map[int]string, len(r.Prose))
		for n, t := range r.Prose {
			s.Prose[n] = strings.Clone(t)
		}
	}
	s.AgencySource, s.Published = strings.Clone(s.AgencySource), strings.Clone(s.Published)
	s.ApplicationsQuote, s.IncompleteReason = strings.Clone(s.ApplicationsQuote), strings.Clone(s.IncompleteReason)
	s.Format, s.Level = strings.Clone(s.Format), strings.Clone(s.Level)
	return &s
}

// acrossAtSave runs the cross-year rules on a report being saved as id when the current
// report of the year before is among the recent ones. It returns the report to store (a copy
// with the cross-year findings added when there are any, else r) and whether the comparison
// was made; a report with no year before has nothing to compare and counts as made. Called
// with d.mu held.
func (d *DB) acrossAtSave(a *Across, r *ingest.Report, p *Prepared, sketch any, path, agency string, agencyID, id int64) (*ingest.Report, bool, error) {
	if d.recent == nil {
		d.recent = &recentReports{byID: map[int64]recentReport{}}
	}
	var cur recentReport
	if p != nil && p.slim != nil && p.report == r && slices.Equal(p.slimKeys, a.Keys) {
		s := *p.slim // made beforehand on a parsing goroutine (Prepared.Slim)
		s.Agency, s.Source = agency, path
		cur.r = &s
	} else {
		cur.r = slimCopy(r, agency, path, a.Keys)
	}
	if a.sketched() {
		cur.sketch = sketch
		if cur.sketch == nil {
			cur.sketch = a.Sketch(agency, cur.r)
		}
	}
	prevID, hasPrev := d.idx.currentOf(agencyID, r.Year-1)
	var prev recentReport
	var found bool
	if hasPrev {
		prev, found = d.recent.get(prevID)
	}
	d.recent.put(id, cur)
	if !hasPrev {
		return r, true, nil
	}
	if !found {
		return r, false, nil
	}
	var fs []ingest.Finding
	if a.sketched() {
		fs = a.RuleSketched(prev.r, cur.r, prev.sketch, cur.sketch)
	} else {
		fs = a.Rule(prev.r, cur.r)
	}
	var keep []ingest.Finding
	for _, f := range fs {
		if CrossYearRule(f.Rule) {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return r, true, nil
	}
	out := *r
	out.Findings = append(slices.Clip(r.Findings), keep...)
	return &out, true, nil
}
