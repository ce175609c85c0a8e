package check

import (
	"fmt"
	"math/rand"

	"gongkai/ingest"
)

// build returns a clean report: random non-negative numbers that satisfy every rule, with
// prose that agrees with the tables. format is ingest.Format2021 or Format2019; single
// chooses the one-row （六）其他处理 (always for 2019).
func build(rng *rand.Rand, agency, level string, year int, format string, single bool) *ingest.Report {
	if format == ingest.Format2019 {
		single = true
	}
	r := &ingest.Report{
		Source: fmt.Sprintf("%s_%d.txt", agency, year), Agency: agency, Year: year, Format: format,
		Level: level, SingleOther: single, Cells: ingest.MakeCells(0),
		Published: fmt.Sprintf("%d-01-%02d", year+1, 10+rng.Intn(20)),
	}
	set := func(k string, v float64) { r.Set(k, v, ingest.Source{Line: 1 + rng.Intn(200)}) }
	n := func(max int) float64 { return float64(rng.Intn(max + 1)) }

	// table 2
	if format == ingest.Format2019 {
		for _, k := range ingest.Table2Keys2019 {
			switch {
			case ingest.MayBeNegative(k):
				set(k, float64(rng.Intn(7)-3)) // 本年增/减 may be negative
			case k == "table2_2019.procurement.amount":
				set(k, float64(rng.Intn(100000))/100)
			case k == "table2_2019.regulations.new_made" && levelOf(&ingest.Report{Level: level, Agency: agency}) == ingest.LevelTownship:
				set(k, 0)
			default:
				set(k, n(30))
			}
		}
	} else {
		if levelOf(&ingest.Report{Level: level, Agency: agency}) == ingest.LevelTownship {
			set("table2.regulations.made", 0)
			set("table2.regulations.repealed", 0)
			set("table2.regulations.valid", 0)
		} else {
			made, rep := n(3), n(2)
			set("table2.regulations.made", made)
			set("table2.regulations.repealed", rep)
			set("table2.regulations.valid", made+n(20))
		}
		made, rep := n(10), n(5)
		set("table2.normative_documents.made", made)
		set("table2.normative_documents.repealed", rep)
		set("table2.normative_documents.valid", made+n(50))
		set("table2.licensing", n(500))
		set("table2.punishment", n(200))
		set("table2.coercion", n(20))
		switch levelOf(&ingest.Report{Level: level, Agency: agency}) {
		case ingest.LevelTownship:
			set("table2.fees", float64(rng.Intn(5000))/100) // up to 50 万元
		case ingest.LevelDepartment:
			set("table2.fees", float64(rng.Intn(500000))/100)
		default:
			set("table2.fees", float64(rng.Intn(3000000))/100) // up to 30000 万元
		}
	}

	// table 3, column by column: 一 + 二 = （七） + 四, （七） = the outcome rows.
	rows := outcomeRows(r)
	cols := ingest.Table3Columns[:6]
	totals := map[string]float64{}
	for ci, col := range cols {
		newN := n(12)
		if ci == 0 {
			newN += 3 // natural persons always apply
		}
		carried := n(2)
		forward := float64(rng.Intn(int(min(newN+carried, 2)) + 1))
		if ci == 0 && forward == 0 {
			forward = 1
		}
		handled := newN + carried - forward
		set(ingest.Table3Key("new_received", col), newN)
		set(ingest.Table3Key("carried_over", col), carried)
		set(ingest.Table3Key("total_handled", col), handled)
		set(ingest.Table3Key("carried_forward", col), forward)
		totals["new_received"] += newN
		totals["carried_over"] += carried
		totals["total_handled"] += handled
		totals["carried_forward"] += forward
		split := map[string]float64{}
		for i := 0; i < int(handled); i++ {
			// mostly 予以公开 and 无法提供, as in real reports
			var row string
			switch x := rng.Intn(10); {
			case x < 5:
				row = "disclosed"
			case x < 7:
				row = "unable_not_held"
			default:
				row = rows[rng.Intn(len(rows))]
			}
			split[row]++
		}
		for _, row := range rows {
			set(ingest.Table3Key(row, col), split[row])
			totals[row] += split[row]
		}
	}
	for row, v := range totals {
		set(ingest.Table3Key(row, "total"), v)
	}

	// table 4: mostly zeros, sometimes a case
	for _, b := range ingest.Table4Blocks {
		var t float64
		for _, c := range ingest.Table4Columns[:4] {
			v := 0.0
			if rng.Intn(4) == 0 {
				v = n(2)
			}
			set(ingest.Table4Key(b, c), v)
			t += v
		}
		set(ingest.Table4Key(b, "total"), t)
	}

	// prose that agrees with the tables
	short := agency
	stated := int64(totals["new_received"])
	r.ApplicationsStated = &stated
	r.ApplicationsQuote = fmt.Sprintf("%d年，本机关共收到政府信息公开申请%d件", year, stated)
	p1 := fmt.Sprintf("%d年，%s认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"+
		"在门户网站发布信息%d条，通过政务新媒体发布信息%d条。%s。全年举办政务公开培训%d次。",
		year, short, 20+rng.Intn(300), rng.Intn(400), r.ApplicationsQuote, 1+rng.Intn(4))
	if table4Zero(r) {
		p1 += "全年无因政府信息公开申请引起的行政复议、行政诉讼案件。"
	} else {
		p1 += fmt.Sprintf("本年度因政府信息公开申请引起的行政复议和行政诉讼共%d件，均依法应诉。",
			int(get(r, "table4.review.total")+get(r, "table4.litigation_direct.total")+get(r, "table4.litigation_after_review.total")))
	}
	r.Prose = map[int]string{
		1: p1,
		5: "存在的主要问题：一是政策解读形式较为单一，图解、视频等解读方式运用不多；二是基层政务公开标准化规范化建设有待加强。" +
			"改进措施：一是丰富解读形式；二是加强业务培训，提升工作人员能力水平。",
		6: "本年度未收取信息处理费。",
	}
	return r
}

// table4Zero tells whether every table-4 total of r is 0.
func table4Zero(r *ingest.Report) bool {
	for _, b := range ingest.Table4Blocks {
		if v, _ := r.Value(ingest.Table4Key(b, "total")); v != 0 {
			return false
		}
	}
	return true
}

// clone copies a report deeply enough to change the copy only (ingest.Report.Clone).
func clone(r *ingest.Report) *ingest.Report { return r.Clone() }

// get reads a cell the builder set.
func get(r *ingest.Report, key string) float64 {
	v, ok := r.Value(key)
	if !ok {
		panic("unset cell " + key)
	}
	return v
}

// add changes a cell by d.
func add(r *ingest.Report, key string, d float64) { r.Set(key, get(r, key)+d, r.Cells.Of(key).Src) }
