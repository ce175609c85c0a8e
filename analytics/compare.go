package analytics

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"gongkai/config"
	"gongkai/ingest"
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
	district, err := a.Values(ctx, f, ByYear)
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
	pair := func(rows []Row, key func(Row) int) {
		type fromTo struct{ from, to *Row }
		m := map[int]*fromTo{}
		var order []int
		for i := range rows {
			k := key(rows[i])
			if m[k] == nil {
				m[k] = &fromTo{}
				order = append(order, k)
			}
			if rows[i].Year == from {
				m[k].from = &rows[i]
			}
			if rows[i].Year == to {
				m[k].to = &rows[i]
			}
		}
		for _, k := range order {
			p := m[k]
			ref := p.to
			if ref == nil {
				ref = p.from
			}
			for _, mt := range Metrics {
				d := Delta{AgencyID: ref.AgencyID, Agency: ref.Agency, Level: ref.Level, Metric: mt.Name}
				if p.from != nil {
					d.From, d.FromReported = p.from.Values[mt.Name], true
				}
				if p.to != nil {
					d.To, d.ToReported = p.to.Values[mt.Name], true
				}
				if d.From != nil && d.To != nil {
					c := *d.To - *d.From
					d.Change = &c
				}
				out = append(out, d)
			}
		}
	}
	pair(district, func(Row) int { return 0 })
	pair(agencies, func(r Row) int { return r.AgencyID })
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

// Risk kinds.
const (
	RiskCorrectionRate = "correction_rate" // 纠错率 jumped
	RiskLitigation     = "litigation"      // lawsuits jumped
	RiskDisclosureRate = "disclosure_rate" // 实质公开率 fell
	RiskPublications   = "publications"    // items published collapsed
	RiskCopiedProse    = "copied_prose"    // S-copied-prose finding
)

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

// Risks is the 风险提示 of one year against the previous one.
type Risks struct {
	Year       int         `json:"year"`
	Previous   int         `json:"previous"`
	Thresholds config.Risk `json:"thresholds"`
	Cards      []RiskCard  `json:"cards"`
	// Excluded names the organs left out of the ratio cards for a small sample, with why.
	Excluded []string `json:"excluded"`
}

// Risks compares year with year−1 for every agency and returns the cards whose thresholds
// are crossed. Ratio cards need at least MinApplications in the denominator in both years.
func (a *Analytics) Risks(ctx context.Context, year int, th config.Risk) (*Risks, error) {
	out := &Risks{Year: year, Previous: year - 1, Thresholds: th, Cards: []RiskCard{}, Excluded: []string{}}
	// Organs present in both years only: an organ that did not report is 未报送, not a fall.
	deltas, err := a.Compare(ctx, year-1, year, Filter{InAllYears: true})
	if err != nil {
		return nil, err
	}
	by := map[int]map[string]Delta{}
	var order []int
	for _, d := range deltas {
		if d.AgencyID == 0 {
			continue
		}
		if by[d.AgencyID] == nil {
			by[d.AgencyID] = map[string]Delta{}
			order = append(order, d.AgencyID)
		}
		by[d.AgencyID][d.Metric] = d
	}
	min := float64(th.MinApplications)
	small := func(d Delta) bool { return d.From == nil || d.To == nil || *d.From < min || *d.To < min }
	for _, id := range order {
		m := by[id]
		name := m["applications"].Agency
		// 实质公开率 fell.
		if dr := m["disclosure_rate"]; dr.Change != nil {
			if small(m["handled"]) {
				out.Excluded = append(out.Excluded, fmt.Sprintf("%s：办结 %s→%s 件，少于 %d 件，不计实质公开率", name, fmtN(m["handled"].From), fmtN(m["handled"].To), th.MinApplications))
			} else if -*dr.Change*100 >= th.DisclosureRateDrop {
				out.Cards = append(out.Cards, RiskCard{Kind: RiskDisclosureRate, Title: "实质公开率下降", AgencyID: id, Agency: name,
					Metric: "disclosure_rate", From: dr.From, To: dr.To,
					Detail: fmt.Sprintf("%.1f%% → %.1f%%，下降 %.1f 个百分点", *dr.From*100, *dr.To*100, -*dr.Change*100)})
			}
		}
		// 纠错率 jumped.
		if cr := m["correction_rate"]; cr.Change != nil {
			if small(m["cases_concluded"]) {
				out.Excluded = append(out.Excluded, fmt.Sprintf("%s：审结复议诉讼 %s→%s 件，少于 %d 件，不计纠错率", name, fmtN(m["cases_concluded"].From), fmtN(m["cases_concluded"].To), th.MinApplications))
			} else if *cr.Change*100 >= th.CorrectionRateJump {
				out.Cards = append(out.Cards, RiskCard{Kind: RiskCorrectionRate, Title: "纠错率上升", AgencyID: id, Agency: name,
					Metric: "correction_rate", From: cr.From, To: cr.To,
					Detail: fmt.Sprintf("%.1f%% → %.1f%%，上升 %.1f 个百分点", *cr.From*100, *cr.To*100, *cr.Change*100)})
			}
		}
		// Lawsuits jumped (a count: no sample rule).
		if lt := m["litigation"]; lt.Change != nil && *lt.Change >= float64(th.LitigationJump) && th.LitigationJump > 0 {
			out.Cards = append(out.Cards, RiskCard{Kind: RiskLitigation, Title: "行政诉讼增加", AgencyID: id, Agency: name,
				Metric: "litigation", From: lt.From, To: lt.To,
				Detail: fmt.Sprintf("%s → %s 件，增加 %s 件", fmtN(lt.From), fmtN(lt.To), fmtN(lt.Change))})
		}
		// Publications collapsed: both years must state the count (missing is not 0).
		if pb := m["publications"]; pb.From != nil && *pb.From > 0 && pb.To != nil {
			to := *pb.To
			if *pb.From < min {
				// too few to speak of a collapse
			} else if to <= *pb.From*(1-th.PublicationsDrop) {
				out.Cards = append(out.Cards, RiskCard{Kind: RiskPublications, Title: "主动公开信息锐减", AgencyID: id, Agency: name,
					Metric: "publications", From: pb.From, To: pb.To,
					Detail: fmt.Sprintf("%s → %s 条，下降 %.0f%%", fmtN(pb.From), fmtN(pb.To), (1 - to / *pb.From)*100)})
			}
		}
	}
	copied, err := a.Findings(ctx, Filter{Years: []int{year}}, ingest.RuleCopiedProse)
	if err != nil {
		return nil, err
	}
	for _, f := range copied {
		detail := f.Message
		if f.Related != "" {
			detail += "（对照文件：" + filepath.Base(f.Related) + "）"
		}
		out.Cards = append(out.Cards, RiskCard{Kind: RiskCopiedProse, Title: "正文疑似照抄", AgencyID: f.AgencyID, Agency: f.Agency, Detail: detail})
	}
	return out, nil
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
