package analytics_test

import (
	"context"
	"testing"

	"gongkai/analytics"
	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// concludedKeys are the table-4 cells of concluded cases (维持, 纠正, 其他 of every block):
// the denominator of 纠错率 as the format defines it.
func concludedKeys() []string {
	var keys []string
	for _, b := range ingest.Table4Blocks {
		for _, col := range []string{"maintained", "corrected", "other"} {
			keys = append(keys, "table4."+b+"."+col)
		}
	}
	return keys
}

// concluded is a report's concluded cases from its truth, and whether every cell is read.
func concluded(r *ingest.Report) (float64, bool) {
	sum := 0.0
	for _, k := range concludedKeys() {
		v, ok := r.Value(k)
		if !ok {
			return 0, false
		}
		sum += v
	}
	return sum, true
}

// Issue 10: a ratio whose reports state a denominator of 0 (纠错率 with no concluded case)
// has no value for a reason of its own, ZeroDenominator — not 未说明 (not stated or unread)
// and not 未报送 (no report). Every organ's later report states no concluded case but one,
// whose report leaves a concluded cell unread; the reasons expected come from the truth.
func TestZeroDenominatorIsNotUnstated(t *testing.T) {
	pos := map[string]int{}
	a, organs, stored := genDistrict(t, 8, func(ag generate.Agency, year int, r *ingest.Report) *ingest.Report {
		if _, ok := pos[ag.Name]; !ok {
			pos[ag.Name] = len(pos)
		}
		if year != toYear {
			return r
		}
		for _, b := range ingest.Table4Blocks {
			for _, col := range ingest.Table4Columns {
				k := "table4." + b + "." + col
				c := r.Cells.Of(k)
				switch col {
				case "maintained", "corrected", "other":
					c.Value = ingest.Num(0)
				case "total":
					c.Value = r.Cells.Of("table4." + b + ".pending").Value
				}
				r.Cells.Set(k, c)
			}
		}
		if pos[ag.Name] == 2 {
			c := r.Cells.Of(concludedKeys()[0])
			c.Value = nil
			r.Cells.Set(concludedKeys()[0], c)
		}
		return r
	})
	// why expected of a set of reports: ZeroDenominator when those stating the
	// denominator state 0 in sum, NotStated when none states both parts, else known.
	want := func(rs []*ingest.Report) string {
		stated, den, paired := false, 0.0, 0.0
		for _, r := range rs {
			c, ok := concluded(r)
			if !ok {
				continue
			}
			stated, den = true, den+c
			if _, ok := r.Value("table4.review.corrected"); ok {
				paired += c
			}
		}
		switch {
		case stated && den == 0:
			return analytics.ZeroDenominator
		case paired == 0:
			return analytics.NotStated
		}
		return ""
	}
	ctx := context.Background()
	seen := map[string]int{}
	for _, both := range []bool{false, true} {
		deltas, err := a.Compare(ctx, fromYear, toYear, analytics.Filter{InAllYears: both})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range deltas {
			if d.Metric != "correction_rate" {
				continue
			}
			var from, to []*ingest.Report
			for _, o := range organs {
				if d.AgencyID == 0 || o.Name == d.Agency {
					if r := stored[o.Name][fromYear]; r != nil {
						from = append(from, r)
					}
					if r := stored[o.Name][toYear]; r != nil {
						to = append(to, r)
					}
				}
			}
			if w := want(from); d.FromWhy != w || (w == "") != (d.From != nil) {
				t.Errorf("%s %d: value %s why %q, want why %q", d.Agency, fromYear, show(d.From), d.FromWhy, w)
			}
			if w := want(to); d.ToWhy != w || (w == "") != (d.To != nil) {
				t.Errorf("%s %d: value %s why %q, want why %q", d.Agency, toYear, show(d.To), d.ToWhy, w)
			}
			seen[d.ToWhy]++
		}
	}
	// an organ-by-organ table of the ratio alone still knows why
	rows, err := a.Values(ctx, analytics.Filter{Years: []int{toYear}, Metrics: []string{"correction_rate"}}, analytics.ByAgencyYear)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if w := want([]*ingest.Report{stored[r.Agency][toYear]}); r.Why("correction_rate") != w {
			t.Errorf("Values(correction_rate) %s: why %q, want %q", r.Agency, r.Why("correction_rate"), w)
		}
	}
	// the organ-by-organ comparison (paged in SQL) says the same
	for _, all := range []bool{false, true} {
		c, err := a.CompareAgencies(ctx, fromYear, toYear, "correction_rate", analytics.Filter{}, all, analytics.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range c.Rows {
			if w := want([]*ingest.Report{stored[d.Agency][toYear]}); d.ToWhy != w {
				t.Errorf("CompareAgencies(all=%v) %s: why %q, want %q", all, d.Agency, d.ToWhy, w)
			}
			if w := want([]*ingest.Report{stored[d.Agency][fromYear]}); d.FromWhy != w {
				t.Errorf("CompareAgencies(all=%v) %s %d: why %q, want %q", all, d.Agency, fromYear, d.FromWhy, w)
			}
		}
	}
	if seen[analytics.ZeroDenominator] == 0 || seen[analytics.NotStated] == 0 {
		t.Errorf("reasons seen %v: the case proves less than it says", seen)
	}
}
