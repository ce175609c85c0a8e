package analytics

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// Delta is the change of one metric for one agency (or the district) between two years.
type Delta struct {
	AgencyID int      `json:"agency_id,omitempty"`
	Agency   string   `json:"agency"`
	Level    string   `json:"level,omitempty"`
	Metric   string   `json:"metric"`
	From     *float64 `json:"from"`
	To       *float64 `json:"to"`
	Change   *float64 `json:"change"` // To − From; for ratios a difference of fractions (×100: percentage points)
	// FromReported, ToReported: a report is stored for the year. A nil value of a year
	// reported is 未说明 (not stated or unread); of a year not reported, 未报送. Never 0.
	FromReported bool `json:"from_reported"`
	ToReported   bool `json:"to_reported"`
	// FromWhy, ToWhy: why From, To is nil (NotReported, NotStated, ZeroDenominator; see
	// Row.Why), "" when known.
	FromWhy string `json:"from_why,omitempty"`
	ToWhy   string `json:"to_why,omitempty"`
	// Unpaired (district rows over the same organs, Filter.InAllYears): the organs with
	// reports in both years left out of this metric's From and To because its value is not
	// known in both (see PairedDistrict).
	Unpaired int `json:"unpaired,omitempty"`
}

// Compare returns, for every metric, the district's and every agency's change from one year
// to another, for the agencies f selects (f.Years is ignored). District rows come first.
func (a *Analytics) Compare(ctx context.Context, from, to int, f Filter) ([]Delta, error) {
	return a.compare(ctx, from, to, f, true)
}

// CompareDistrict is Compare's district rows alone (one per metric). With f.InAllYears the
// district of both years is the same set of organs: those with a report in both.
func (a *Analytics) CompareDistrict(ctx context.Context, from, to int, f Filter) ([]Delta, error) {
	return a.compare(ctx, from, to, f, false)
}

func (a *Analytics) compare(ctx context.Context, from, to int, f Filter, withAgencies bool) ([]Delta, error) {
	f.Years = []int{from, to}
	var district []Row
	var err error
	if f.InAllYears && from != to {
		district, err = a.PairedDistrict(ctx, from, to, f) // the same organs, metric by metric
	} else {
		district, err = a.Values(ctx, f, ByYear)
	}
	if err != nil {
		return nil, err
	}
	var agencies []Row
	if withAgencies {
		agencies, err = a.Values(ctx, f, ByAgencyYear)
		if err != nil {
			return nil, err
		}
	}
	var out []Delta
	collect := func(d Delta) error {
		out = append(out, d)
		return nil
	}
	_ = pairRows(district, from, to, true, f.InAllYears, collect)
	_ = pairRows(agencies, from, to, false, f.InAllYears, collect)
	return out, nil
}

// Movers returns the agency deltas of one metric with a change, largest rise first, and the
// largest falls first; at most n of each.
func Movers(deltas []Delta, metric string, n int) (up, down []Delta) {
	var ds []Delta
	for _, d := range deltas {
		if d.Metric == metric && d.AgencyID != 0 && d.Change != nil && *d.Change != 0 {
			ds = append(ds, d)
		}
	}
	sort.SliceStable(ds, func(i, j int) bool { return *ds[i].Change > *ds[j].Change })
	for _, d := range ds {
		if *d.Change > 0 && len(up) < n {
			up = append(up, d)
		}
	}
	for i := len(ds) - 1; i >= 0; i-- {
		if *ds[i].Change < 0 && len(down) < n {
			down = append(down, ds[i])
		}
	}
	return up, down
}

func fmtN(v *float64) string {
	if v == nil {
		return "—"
	}
	if *v == math.Trunc(*v) {
		return fmt.Sprintf("%.0f", *v)
	}
	return fmt.Sprintf("%.2f", *v)
}
