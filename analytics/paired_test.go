package analytics_test

import (
	"context"
	"fmt"
	"testing"

	"gongkai/analytics"
	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// Issue 10: by default a district change compares the same organs metric by metric: an
// organ that reported both years but states a value in one year only is left out of that
// metric's sums in both years (and counted), so the change is the same organs' change. The
// expected sums come from the generator's truth.
func TestSameOrgansPerMetric(t *testing.T) {
	unset := func(r *ingest.Report, key string) {
		c := r.Cells.Of(key)
		c.Value = nil
		r.Cells.Set(key, c)
	}
	apps, disclosed, handled := ingest.Table3Key("new_received", "total"), ingest.Table3Key("disclosed", "total"), ingest.Table3Key("total_handled", "total")
	partly := ingest.Table3Key("partly_disclosed", "total")
	pos := map[string]int{}
	a, organs, stored := genDistrict(t, 12, func(ag generate.Agency, year int, r *ingest.Report) *ingest.Report {
		if _, ok := pos[ag.Name]; !ok {
			pos[ag.Name] = len(pos)
		}
		switch p := pos[ag.Name]; {
		case p == 1 && year == toYear, p == 2 && year == fromYear:
			unset(r, apps) // stated one year only
		case p == 3 && year == toYear:
			unset(r, disclosed) // a ratio's numerator one year only
		case p == 4 && year == toYear:
			return nil // no report: out of every metric
		}
		return r
	})
	// known: the value of a cell sum in one report, as the district takes it
	known := func(r *ingest.Report, keys ...string) (float64, bool) {
		sum := 0.0
		for _, k := range keys {
			v, ok := r.Value(k)
			if !ok || excluded(r, k) {
				return 0, false
			}
			sum += v
		}
		return sum, true
	}
	ctx := context.Background()
	ids := []int{}
	ags, err := a.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ags {
		ids = append(ids, g.ID)
	}
	level := map[string]string{}
	for _, o := range organs {
		level[o.Name] = o.Level
	}
	for _, f := range []analytics.Filter{{}, {Level: ingest.LevelTownship}, {Level: ingest.LevelDepartment}, {AgencyIDs: ids}} {
		f.InAllYears = true
		ds, err := a.CompareDistrict(ctx, fromYear, toYear, f)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]analytics.Delta{}
		for _, d := range ds {
			got[d.Metric] = d
		}
		// parts: the metric's parts (one for a count; numerator keys then denominator keys)
		for _, c := range []struct {
			metric   string
			num, den []string
		}{{"applications", []string{apps}, nil}, {"handled", []string{handled}, nil}, {"disclosure_rate", []string{disclosed, partly}, []string{handled}}} {
			var sum, den [2]float64
			unpaired := 0
			for name, ys := range stored {
				if f.Level != "" && level[name] != f.Level || ys[fromYear] == nil || ys[toYear] == nil {
					continue
				}
				var v, w [2]float64
				ok := true
				for i, y := range []int{fromYear, toYear} {
					var k1, k2 bool
					v[i], k1 = known(ys[y], c.num...)
					w[i], k2 = 0, true
					if c.den != nil {
						w[i], k2 = known(ys[y], c.den...)
					}
					ok = ok && k1 && k2
				}
				if !ok {
					unpaired++
					continue
				}
				for i := range 2 {
					sum[i] += v[i]
					den[i] += w[i]
				}
			}
			want := sum
			if c.den != nil {
				want = [2]float64{sum[0] / den[0], sum[1] / den[1]}
			}
			d := got[c.metric]
			what := fmt.Sprintf("%s filter %+v", c.metric, f)
			if c.den != nil && (den[0] == 0 || den[1] == 0) {
				if (den[0] == 0) != (d.FromWhy == analytics.ZeroDenominator) || (den[1] == 0) != (d.ToWhy == analytics.ZeroDenominator) || d.Change != nil {
					t.Errorf("%s: %s → %s (why %q, %q), want the zero denominator of %v → %v said", what, show(d.From), show(d.To), d.FromWhy, d.ToWhy, den[0], den[1])
				}
			} else if d.From == nil || d.To == nil || d.Change == nil || !near(*d.From, want[0]) || !near(*d.To, want[1]) || !near(*d.Change, want[1]-want[0]) {
				t.Errorf("%s: %s → %s (change %s), want %v → %v over the same organs", what, show(d.From), show(d.To), show(d.Change), want[0], want[1])
			}
			if d.Unpaired != unpaired {
				t.Errorf("%s: %d organs left out, want %d", what, d.Unpaired, unpaired)
			}
			if f.Level == "" && c.metric != "handled" && unpaired == 0 {
				t.Errorf("%s: no organ left out: the case proves nothing", what)
			}
		}
	}
}
