package analytics

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongkai/config"
	"gongkai/ingest"
)

// risksReference is 风险提示 computed the slow way, in Go over Compare (every metric of every
// organ): the reference the SQL of Risks must equal. Cards come in Compare's order (by organ),
// copied prose last.
func risksReference(ctx context.Context, a *Analytics, year int, th config.Risk, f Filter) (cards []RiskCard, excluded []string, err error) {
	f.InAllYears = true // organs present in both years only: an organ that did not report is 未报送, not a fall
	deltas, err := a.Compare(ctx, year-1, year, f)
	if err != nil {
		return nil, nil, err
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
	// which: the year(s) whose sample is under the minimum, as the note must name them (a
	// note on 5→26 must not suggest that 26 is under 10).
	which := func(d Delta) string {
		lo0, lo1 := d.From == nil || *d.From < min, d.To == nil || *d.To < min
		if lo0 && lo1 {
			return "两年均"
		}
		if lo0 {
			return fmt.Sprint(year-1) + "年"
		}
		return fmt.Sprint(year) + "年"
	}
	for _, id := range order {
		m := by[id]
		name := m["applications"].Agency
		if dr := m["disclosure_rate"]; dr.Change != nil {
			if small(m["handled"]) {
				excluded = append(excluded, fmt.Sprintf("%s：办结 %s→%s 件，%s少于 %d 件，不计实质公开率", name, fmtN(m["handled"].From), fmtN(m["handled"].To), which(m["handled"]), th.MinApplications))
			} else if -*dr.Change*100 >= th.DisclosureRateDrop {
				cards = append(cards, RiskCard{Kind: RiskDisclosureRate, Title: "实质公开率下降", AgencyID: id, Agency: name,
					Metric: "disclosure_rate", From: dr.From, To: dr.To,
					Detail: fmt.Sprintf("%.1f%% → %.1f%%，下降 %.1f 个百分点", *dr.From*100, *dr.To*100, -*dr.Change*100)})
			}
		}
		if cr := m["correction_rate"]; cr.Change != nil {
			if small(m["cases_concluded"]) {
				excluded = append(excluded, fmt.Sprintf("%s：审结复议诉讼 %s→%s 件，%s少于 %d 件，不计纠错率", name, fmtN(m["cases_concluded"].From), fmtN(m["cases_concluded"].To), which(m["cases_concluded"]), th.MinApplications))
			} else if *cr.Change*100 >= th.CorrectionRateJump {
				cards = append(cards, RiskCard{Kind: RiskCorrectionRate, Title: "纠错率上升", AgencyID: id, Agency: name,
					Metric: "correction_rate", From: cr.From, To: cr.To,
					Detail: fmt.Sprintf("%.1f%% → %.1f%%，上升 %.1f 个百分点", *cr.From*100, *cr.To*100, *cr.Change*100)})
			}
		}
		if lt := m["litigation"]; lt.Change != nil && *lt.Change >= float64(th.LitigationJump) && th.LitigationJump > 0 {
			cards = append(cards, RiskCard{Kind: RiskLitigation, Title: "行政诉讼增加", AgencyID: id, Agency: name,
				Metric: "litigation", From: lt.From, To: lt.To,
				Detail: fmt.Sprintf("%s → %s 件，增加 %s 件", fmtN(lt.From), fmtN(lt.To), fmtN(lt.Change))})
		}
		if pb := m["publications"]; pb.From != nil && *pb.From > 0 && pb.To != nil && *pb.From >= min {
			if to := *pb.To; to <= *pb.From*(1-th.PublicationsDrop) {
				cards = append(cards, RiskCard{Kind: RiskPublications, Title: "主动公开信息锐减", AgencyID: id, Agency: name,
					Metric: "publications", From: pb.From, To: pb.To,
					Detail: fmt.Sprintf("%s → %s 条，下降 %.0f%%", fmtN(pb.From), fmtN(pb.To), (1 - to / *pb.From)*100)})
			}
		}
	}
	f.Years, f.InAllYears = []int{year}, false
	copied, err := a.Findings(ctx, f, ingest.RuleCopiedProse)
	if err != nil {
		return nil, nil, err
	}
	for _, x := range copied {
		detail := x.Message
		if x.Related != "" {
			detail += "（对照文件：" + filepath.Base(x.Related) + "）"
		}
		cards = append(cards, RiskCard{Kind: RiskCopiedProse, Title: "正文疑似照抄", AgencyID: x.AgencyID, Agency: x.Agency, Detail: detail})
	}
	return cards, excluded, nil
}

// cardKey is a card in words, for comparing sets of cards.
func cardKey(c RiskCard) string {
	return fmt.Sprintf("%s|%d|%s|%s|%s|%s|%s|%s", c.Kind, c.AgencyID, c.Agency, c.Title, c.Metric, fmtN(c.From), fmtN(c.To), c.Detail)
}

func keys(cards []RiskCard) []string {
	out := make([]string, len(cards))
	for i, c := range cards {
		out[i] = cardKey(c)
	}
	slices.Sort(out)
	return out
}

// TestRisksSQLEqualsGo: the cards and the organs left out that Risks computes in SQL are
// those of the Go reference over Compare, on a generated district with missing reports,
// unread cells and statements left out, for every level filter and several thresholds; the
// order, the pages and the first cards of each kind are those the order promises.
func TestRisksSQLEqualsGo(t *testing.T) {
	_, a := district(t, 40, 2021, 2024, 12)
	ctx := context.Background()
	filters := []Filter{{}, {Search: "镇"}}
	for _, l := range ingest.Levels {
		filters = append(filters, Filter{Level: l[0]})
	}
	ths := []config.Risk{
		{MinApplications: 10, CorrectionRateJump: 10, LitigationJump: 2, DisclosureRateDrop: 15, PublicationsDrop: 0.5}, // the defaults
		{MinApplications: 1, CorrectionRateJump: 1, LitigationJump: 1, DisclosureRateDrop: 1, PublicationsDrop: 0.05},
		{MinApplications: 40, CorrectionRateJump: 0, LitigationJump: 0, DisclosureRateDrop: 0, PublicationsDrop: 0},
	}
	seen := map[string]int{}
	excludedSeen, oneYearSeen := 0, 0
	for _, year := range []int{2022, 2023, 2024} {
		for ti, th := range ths {
			for _, f := range filters {
				what := fmt.Sprintf("%d thresholds %d filter %+v", year, ti, f)
				wantCards, wantExcl, err := risksReference(ctx, a, year, th, f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := a.Risks(ctx, RiskQuery{Year: year, Thresholds: th, Filter: f, Excluded: 1 << 30})
				if err != nil {
					t.Fatal(err)
				}
				if g, w := keys(got.Cards), keys(wantCards); !slices.Equal(g, w) {
					t.Errorf("%s: cards differ\nSQL: %s\nGo:  %s", what, strings.Join(g, "\n     "), strings.Join(w, "\n     "))
				}
				if got.Total != len(wantCards) {
					t.Errorf("%s: total %d, want %d", what, got.Total, len(wantCards))
				}
				counts := map[string]int{}
				for _, c := range wantCards {
					counts[c.Kind]++
					seen[c.Kind]++
				}
				if fmt.Sprint(counts) != fmt.Sprint(got.Counts) {
					t.Errorf("%s: counts %v, want %v", what, got.Counts, counts)
				}
				ge, we := slices.Sorted(slices.Values(got.Excluded)), slices.Sorted(slices.Values(wantExcl))
				if !slices.Equal(ge, we) || got.ExcludedTotal != len(wantExcl) {
					t.Errorf("%s: excluded (%d) %v\nwant (%d) %v", what, got.ExcludedTotal, ge, len(wantExcl), we)
				}
				excludedSeen += len(wantExcl)
				for _, e := range wantExcl {
					if !strings.Contains(e, "两年均") {
						oneYearSeen++
					}
				}
				checkRiskOrder(t, what, got.Cards)
				checkRiskPages(t, ctx, a, what, RiskQuery{Year: year, Thresholds: th, Filter: f}, got)
			}
		}
	}
	for _, k := range RiskKinds {
		if seen[k[0]] == 0 {
			t.Errorf("no %s card in any case: the test proves less than it says", k[0])
		}
	}
	if excludedSeen == 0 || oneYearSeen == 0 {
		t.Errorf("organs left out for a small sample: %d, of them under the minimum in one year only: %d; the test proves less than it says", excludedSeen, oneYearSeen)
	}
}

// checkRiskOrder: kinds in RiskKinds' order; within a kind the largest move first.
func checkRiskOrder(t *testing.T, what string, cards []RiskCard) {
	t.Helper()
	rank := map[string]int{}
	for i, k := range RiskKinds {
		rank[k[0]] = i
	}
	sev := func(c RiskCard) float64 {
		switch c.Kind {
		case RiskDisclosureRate:
			return *c.From - *c.To
		case RiskPublications:
			return 1 - *c.To / *c.From
		case RiskCopiedProse:
			return 0
		}
		return *c.To - *c.From
	}
	for i := 1; i < len(cards); i++ {
		p, c := cards[i-1], cards[i]
		if rank[p.Kind] > rank[c.Kind] || (p.Kind == c.Kind && sev(p) < sev(c)-1e-12) {
			t.Errorf("%s: card %d (%s %s) before card %d (%s %s)", what, i-1, p.Kind, p.Detail, i, c.Kind, c.Detail)
			return
		}
	}
}

// checkRiskPages: pages (about six) put together are the whole list; PerKind gives the head of each
// kind; Excluded bounds the names, not the count.
func checkRiskPages(t *testing.T, ctx context.Context, a *Analytics, what string, q RiskQuery, all *Risks) {
	t.Helper()
	var paged []RiskCard
	size := all.Total/6 + 1
	for off := 0; off < all.Total+size; off += size {
		q.Page = Page{Limit: size, Offset: off}
		r, err := a.Risks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != all.Total || fmt.Sprint(r.Counts) != fmt.Sprint(all.Counts) {
			t.Fatalf("%s offset %d: total %d counts %v, want %d %v", what, off, r.Total, r.Counts, all.Total, all.Counts)
		}
		paged = append(paged, r.Cards...)
	}
	if len(paged) != len(all.Cards) {
		t.Fatalf("%s: pages hold %d cards, the list %d", what, len(paged), len(all.Cards))
	}
	for i := range paged {
		if cardKey(paged[i]) != cardKey(all.Cards[i]) {
			t.Fatalf("%s: page card %d %s, list %s", what, i, cardKey(paged[i]), cardKey(all.Cards[i]))
		}
	}
	q.Page, q.PerKind, q.Excluded = Page{}, 2, 1
	r, err := a.Risks(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var want []RiskCard
	n := map[string]int{}
	for _, c := range all.Cards {
		if n[c.Kind] < 2 {
			want = append(want, c)
		}
		n[c.Kind]++
	}
	if g, w := fmt.Sprint(keysInOrder(r.Cards)), fmt.Sprint(keysInOrder(want)); g != w {
		t.Errorf("%s: first 2 of each kind\n%s\nwant\n%s", what, g, w)
	}
	if r.ExcludedTotal != all.ExcludedTotal || len(r.Excluded) != min(1, all.ExcludedTotal) {
		t.Errorf("%s: excluded %d names of %d, want %d of %d", what, len(r.Excluded), r.ExcludedTotal, min(1, all.ExcludedTotal), all.ExcludedTotal)
	}
	// PerKind with a Page: the same heads, and the page in Page (one query for both)
	for off := 0; off < all.Total+size; off += size {
		q.Page = Page{Limit: size, Offset: off}
		both, err := a.Risks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := min(off, len(all.Cards)), min(off+size, len(all.Cards))
		if g, w := fmt.Sprint(keysInOrder(both.Cards)), fmt.Sprint(keysInOrder(want)); g != w {
			t.Errorf("%s offset %d: heads with a page\n%s\nwant\n%s", what, off, g, w)
		}
		if g, w := fmt.Sprint(keysInOrder(both.Page)), fmt.Sprint(keysInOrder(all.Cards[lo:hi])); g != w || both.Total != all.Total {
			t.Errorf("%s offset %d: page beside the heads (total %d)\n%s\nwant\n%s", what, off, both.Total, g, w)
		}
	}
}

func keysInOrder(cards []RiskCard) []string {
	out := make([]string, len(cards))
	for i, c := range cards {
		out[i] = cardKey(c)
	}
	return out
}
