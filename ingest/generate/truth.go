package generate

import (
	"fmt"
	"math"
	"math/rand"

	"gongkai/ingest"
)

// applicant columns of table 3 without the total.
var applicantCols = ingest.Table3Columns[:6]

// outcomeWeights are how often each outcome row of table 3 is the answer to an application.
var outcomeWeights = map[string]float64{
	"disclosed": 0.45, "partly_disclosed": 0.08,
	"withheld_state_secret": 0.003, "withheld_law_forbidden": 0.01, "withheld_three_security": 0.005,
	"withheld_third_party": 0.02, "withheld_internal_affairs": 0.02, "withheld_process_info": 0.03,
	"withheld_enforcement_file": 0.01, "withheld_query_item": 0.015,
	"unable_not_held": 0.2, "unable_need_create": 0.03, "unable_unclear": 0.03,
	"refused_petition": 0.03, "refused_repeated": 0.02, "refused_publication": 0.005,
	"refused_mass_repeated": 0.005, "refused_confirm_info": 0.01,
	"other_no_supplement": 0.03, "other_no_fee": 0.002, "other_other": 0.03,
	"other_handled": 0.062,
}

// outcomeRows returns the outcome rows of a report's shape, whose sum is total_handled.
func outcomeRows(single bool) []string { return ingest.Table3OutcomeRowsOf(single) }

// table3Rows returns the table-3 rows of a report's shape in printed order.
func table3Rows(single bool) []string {
	if single {
		return ingest.Table3RowsSingleOther
	}
	return ingest.Table3Rows
}

// picker draws indexes with fixed weights.
type picker struct{ cum []float64 }

func newPicker(w []float64) picker {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return picker{c}
}

func (p picker) pick(rng *rand.Rand) int {
	x := rng.Float64() * p.cum[len(p.cum)-1]
	for i, c := range p.cum {
		if x < c {
			return i
		}
	}
	return len(p.cum) - 1
}

// scale is how busy an agency is compared with an average department.
func scale(a Agency) float64 {
	switch a.Level {
	case ingest.LevelTownship:
		return 0.15
	case ingest.LevelCounty:
		return 5
	case ingest.LevelCity:
		return 15
	}
	if d, ok := deptOf(a.Name); ok {
		return d.scale
	}
	return 1
}

// lognormal draws a whole number around mean with the given spread (log scale).
func lognormal(rng *rand.Rand, mean, spread float64) int64 {
	if mean <= 0 {
		return 0
	}
	v := math.Exp(math.Log(mean) + rng.NormFloat64()*spread)
	return int64(math.Round(v))
}

// maybe returns 0 with probability pZero, otherwise a lognormal count around mean (at least 1).
func maybe(rng *rand.Rand, pZero, mean, spread float64) int64 {
	if rng.Float64() < pZero {
		return 0
	}
	v := lognormal(rng, mean, spread)
	if v < 1 {
		v = 1
	}
	return v
}

// prevValue reads a whole number from the previous year's report (0 when absent).
func prevValue(prev *ingest.Report, key string) int64 {
	if prev == nil {
		return 0
	}
	v, ok := prev.Value(key)
	if !ok {
		return 0
	}
	return int64(v)
}

func setInt(r *ingest.Report, key string, v int64) { r.Set(key, float64(v), ingest.Source{}) }

func getInt(r *ingest.Report, key string) int64 {
	v, _ := r.Value(key)
	return int64(v)
}

// Truth builds a consistent report of agency a for year in format (ingest.Format2021 or
// Format2019): every 勾稽 rule of the spec holds, townships report no 规章, fees are a 万元
// amount with at most two decimals, and magnitudes follow the level (townships mostly zeros,
// departments and the district government tens to hundreds). prev, when not nil, is the same
// agency's previous-year truth: this year's carried_over equals its carried_forward and table
// 2's valid counts continue from it. The prose (Report.Prose 1, 5 and 6) states the
// publications and, for most reports, the applications received.
func Truth(rng *rand.Rand, a Agency, year int, format string, prev *ingest.Report) *ingest.Report {
	if format != ingest.Format2019 {
		format = ingest.Format2021
	}
	if a.District == "" {
		a.District = DefaultDistrict
	}
	if a.Short == "" {
		a.Short = shortOf(a.Name)
	}
	if a.Level == "" {
		a.Level = ingest.LevelDepartment
	}
	r := &ingest.Report{
		Agency: a.Name, Year: year, Format: format, Level: a.Level,
		Cells: ingest.MakeCells(len(ingest.Table2Keys2019) + len(ingest.Table3Rows)*len(ingest.Table3Columns) + 15), Prose: map[int]string{},
	}
	r.SingleOther = format == ingest.Format2019 || rng.Float64() < 0.12
	if format == ingest.Format2019 {
		table2of2019(rng, r, a, prev)
	} else {
		table2of2021(rng, r, a, prev)
	}
	table3(rng, r, a, prev)
	table4(rng, r, a)
	writeProse(rng, r, a)
	if rng.Float64() < 0.85 {
		r.Published = publishedDate(rng, a.Level, year, false)
	}
	return r
}

// publishedDate draws a publication date in year+1, on time or late.
func publishedDate(rng *rand.Rand, level string, year int, late bool) string {
	dl := ingest.Deadline(level, year)
	m, d := int(dl.Month()), dl.Day()
	if late {
		m = m + 1 + rng.Intn(2)
		return fmt.Sprintf("%04d-%02d-%02d", year+1, m, 1+rng.Intn(28))
	}
	if m == 1 {
		return fmt.Sprintf("%04d-01-%02d", year+1, 5+rng.Intn(d-4))
	}
	m = 1 + rng.Intn(3)
	return fmt.Sprintf("%04d-%02d-%02d", year+1, m, 1+rng.Intn(28))
}

func table2of2021(rng *rand.Rand, r *ingest.Report, a Agency, prev *ingest.Report) {
	s := scale(a)
	cont := prev != nil && prev.Format == ingest.Format2021
	docs := func(kind string, pMade, meanMade, meanValid float64) {
		var prevValid int64
		if cont {
			prevValid = prevValue(prev, "table2."+kind+".valid")
		} else if meanValid > 0 {
			prevValid = maybe(rng, 0.3, meanValid, 0.6)
		}
		made := maybe(rng, 1-pMade, meanMade, 0.7)
		var repealed int64
		if prevValid+made > 0 && rng.Float64() < 0.35 {
			repealed = 1 + rng.Int63n(1+(prevValid+made)/4)
		}
		setInt(r, "table2."+kind+".made", made)
		setInt(r, "table2."+kind+".repealed", repealed)
		setInt(r, "table2."+kind+".valid", prevValid+made-repealed)
	}
	switch a.Level {
	case ingest.LevelTownship:
		for _, k := range []string{"made", "repealed", "valid"} {
			setInt(r, "table2.regulations."+k, 0)
		}
		docs("normative_documents", 0.3, 1.2, 3)
	case ingest.LevelCity:
		docs("regulations", 0.6, 3, 60)
		docs("normative_documents", 0.9, 15, 150)
	default:
		if a.Level == ingest.LevelCounty || (cont && prevValue(prev, "table2.regulations.valid") > 0) {
			docs("regulations", 0.03, 1, 0)
		} else {
			for _, k := range []string{"made", "repealed", "valid"} {
				setInt(r, "table2.regulations."+k, 0)
			}
		}
		docs("normative_documents", 0.55+0.1*math.Min(s, 3), 2*math.Max(s, 1), 8*math.Max(s, 1))
	}
	setInt(r, "table2.licensing", maybe(rng, 0.45, 150*s, 1.0))
	setInt(r, "table2.punishment", maybe(rng, 0.5, 40*s, 1.0))
	setInt(r, "table2.coercion", maybe(rng, 0.8, 5*s, 0.8))
	r.Set("table2.fees", fees(rng, a), ingest.Source{})
}

// fees draws a 行政事业性收费 amount in 万元 with at most two decimals (mostly 0).
func fees(rng *rand.Rand, a Agency) float64 {
	pZero := 0.75
	switch a.Level {
	case ingest.LevelTownship:
		pZero = 0.93
	case ingest.LevelCounty, ingest.LevelCity:
		pZero = 0.5
	}
	if rng.Float64() < pZero {
		return 0
	}
	cents := lognormal(rng, 3000*scale(a), 1.2)
	switch rng.Intn(3) {
	case 0:
		cents = cents / 100 * 100
	case 1:
		cents = cents / 10 * 10
	}
	if cents < 1 {
		cents = 1
	}
	if cents > 500000 { // at most 5000 万元: more looks like 元 (Q-fees-unit)
		cents = 500000 - cents%100000
	}
	return float64(cents) / 100
}

func table2of2019(rng *rand.Rand, r *ingest.Report, a Agency, prev *ingest.Report) {
	s := scale(a)
	cont := prev != nil && prev.Format == ingest.Format2019
	pub := func(kind string, pMade, meanMade, meanTotal float64) {
		made, newPub := int64(0), int64(0)
		if !(a.Level == ingest.LevelTownship && kind == "regulations") && !(kind == "regulations" && a.Level != ingest.LevelCity) {
			made = maybe(rng, 1-pMade, meanMade, 0.7)
			newPub = made
			if made > 0 && rng.Float64() < 0.2 {
				newPub = made - 1
			}
		}
		var base int64
		if cont {
			base = prevValue(prev, "table2_2019."+kind+".total_published")
		} else if kind != "regulations" || a.Level == ingest.LevelCity {
			base = maybe(rng, 0.3, meanTotal, 0.6)
		}
		setInt(r, "table2_2019."+kind+".new_made", made)
		setInt(r, "table2_2019."+kind+".new_published", newPub)
		setInt(r, "table2_2019."+kind+".total_published", base+newPub)
	}
	pub("regulations", 0.5, 2, 40)
	pub("normative_documents", 0.6, 2*math.Max(s, 1), 8*math.Max(s, 1))
	items := func(kind string, pZero, meanItems, meanDecisions float64, decisions bool) {
		var last int64
		if cont {
			last = prevValue(prev, "table2_2019."+kind+".last_year") + prevValue(prev, "table2_2019."+kind+".change")
		} else {
			last = maybe(rng, pZero, meanItems, 0.6)
		}
		change := int64(0)
		if rng.Float64() < 0.3 {
			change = int64(rng.Intn(7) - 3)
			if last+change < 0 {
				change = -last
			}
		}
		setInt(r, "table2_2019."+kind+".last_year", last)
		setInt(r, "table2_2019."+kind+".change", change)
		if decisions {
			d := int64(0)
			if last+change > 0 {
				d = maybe(rng, 0.3, meanDecisions, 1)
			}
			setInt(r, "table2_2019."+kind+".decisions", d)
		}
	}
	items("licensing", 0.4, 20*s, 150*s, true)
	items("other_services", 0.6, 10*s, 60*s, true)
	items("punishment", 0.5, 30*s, 40*s, true)
	items("coercion", 0.7, 5*s, 5*s, true)
	items("fees", 0.7, 3*s, 0, false)
	procItems := maybe(rng, 0.6, 4*s, 0.8)
	setInt(r, "table2_2019.procurement.items", procItems)
	amount := 0.0
	if procItems > 0 {
		amount = float64(lognormal(rng, 2000*s*float64(procItems), 1)+1) / 100
	}
	r.Set("table2_2019.procurement.amount", amount, ingest.Source{})
}

// colWeights is how applicants split over the six applicant columns.
var colWeights = newPicker([]float64{0.82, 0.1, 0.005, 0.01, 0.045, 0.02})

func table3(rng *rand.Rand, r *ingest.Report, a Agency, prev *ingest.Report) {
	s := scale(a)
	var total int64
	switch a.Level {
	case ingest.LevelTownship:
		total = maybe(rng, 0.65, 1.5, 0.6)
	case ingest.LevelCounty, ingest.LevelCity:
		total = maybe(rng, 0.05, 8*s, 0.8)
	default:
		total = maybe(rng, 0.3, 8*s, 0.9)
	}
	// an organ's workload carries over from year to year: draw around last year's, so the
	// demo's year-over-year views show movement, not noise
	if p := prevValue(prev, ingest.Table3Key("new_received", "total")); p > 0 && a.Level != ingest.LevelTownship && rng.Float64() < 0.85 {
		total = lognormal(rng, float64(p)*1.04, 0.3)
	}
	if total > 3000 {
		total = 3000
	}
	newRecv := make([]int64, 6)
	for i := int64(0); i < total; i++ {
		newRecv[colWeights.pick(rng)]++
	}
	co := make([]int64, 6)
	if prev != nil {
		for i, c := range applicantCols {
			co[i] = prevValue(prev, ingest.Table3Key("carried_forward", c))
		}
	} else if total > 0 && rng.Float64() < 0.2 {
		co[0] = 1 + rng.Int63n(1+total/10)
	}
	stay := 0.03
	if a.Level != ingest.LevelTownship {
		stay = 0.05
	}
	lateYear := rng.Float64() < 0.4 // most years every application is answered in time
	cf := make([]int64, 6)
	for i := range applicantCols {
		if !lateYear {
			continue
		}
		for k := int64(0); k < newRecv[i]; k++ {
			if rng.Float64() < stay {
				cf[i]++
			}
		}
	}
	rows := outcomeRows(r.SingleOther)
	w := make([]float64, len(rows))
	for i, row := range rows {
		w[i] = outcomeWeights[row]
	}
	p := newPicker(w)
	cells := map[string][]int64{}
	for _, row := range rows {
		cells[row] = make([]int64, 6)
	}
	handled := make([]int64, 6)
	for i := range applicantCols {
		handled[i] = newRecv[i] + co[i] - cf[i]
		for k := int64(0); k < handled[i]; k++ {
			cells[rows[p.pick(rng)]][i]++
		}
	}
	cells["new_received"], cells["carried_over"] = newRecv, co
	cells["total_handled"], cells["carried_forward"] = handled, cf
	for _, row := range table3Rows(r.SingleOther) {
		var sum int64
		for i, c := range applicantCols {
			setInt(r, ingest.Table3Key(row, c), cells[row][i])
			sum += cells[row][i]
		}
		setInt(r, ingest.Table3Key(row, "total"), sum)
	}
}

func table4(rng *rand.Rand, r *ingest.Report, a Agency) {
	pAny := 0.15
	switch a.Level {
	case ingest.LevelTownship:
		pAny = 0.04
	case ingest.LevelCounty, ingest.LevelCity:
		pAny = 0.45
	}
	counts := map[string][]int64{}
	for _, b := range ingest.Table4Blocks {
		counts[b] = make([]int64, 4)
	}
	if rng.Float64() < pAny {
		pBlock := map[string]float64{"review": 0.7, "litigation_direct": 0.5, "litigation_after_review": 0.3}
		split := newPicker([]float64{0.55, 0.1, 0.15, 0.2})
		any := false
		for !any {
			for _, b := range ingest.Table4Blocks {
				if rng.Float64() >= pBlock[b] {
					continue
				}
				n := 1 + rng.Intn(2)
				if a.Level != ingest.LevelTownship {
					n += rng.Intn(int(2 + scale(a)))
				}
				for k := 0; k < n; k++ {
					counts[b][split.pick(rng)]++
				}
				any = true
			}
		}
	}
	for _, b := range ingest.Table4Blocks {
		var sum int64
		for i, c := range ingest.Table4Columns[:4] {
			setInt(r, ingest.Table4Key(b, c), counts[b][i])
			sum += counts[b][i]
		}
		setInt(r, ingest.Table4Key(b, "total"), sum)
	}
}

// table4Zero tells whether every table-4 total is 0.
func table4Zero(r *ingest.Report) bool {
	for _, b := range ingest.Table4Blocks {
		for _, c := range ingest.Table4Columns {
			if v, _ := r.Value(ingest.Table4Key(b, c)); v != 0 {
				return false
			}
		}
	}
	return true
}
