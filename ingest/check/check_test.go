package check

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"gongkai/ingest"
)

// shapes are the report shapes every table test runs on.
var shapes = []struct {
	name   string
	format string
	single bool
}{
	{"2021", ingest.Format2021, false},
	{"2021-single-other", ingest.Format2021, true},
	{"2019", ingest.Format2019, true},
}

var levels = []string{ingest.LevelTownship, ingest.LevelDepartment, ingest.LevelCounty, ingest.LevelCity, ingest.LevelUnknown}

const seeds = 25

// rulesOf returns rule → severities of fs (sorted, distinct).
func rulesOf(fs []ingest.Finding) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		if s, ok := out[f.Rule]; ok && s != f.Severity {
			out[f.Rule] = "mixed"
			continue
		}
		out[f.Rule] = f.Severity
	}
	return out
}

func describe(fs []ingest.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %s %s: %s", f.Severity, f.Rule, f.Cell, f.Message)
	}
	return b.String()
}

// checkMessages asserts every finding has a message naming its expected and actual numbers.
func checkMessages(t *testing.T, fs []ingest.Finding) {
	t.Helper()
	for _, f := range fs {
		if f.Message == "" || f.Rule == "" || f.Severity == "" {
			t.Errorf("incomplete finding %+v", f)
		}
		if f.Rule == ingest.RuleCopiedProse || f.Rule == ingest.RuleLate {
			continue
		}
		for _, v := range []*float64{f.Expected, f.Actual} {
			if v != nil && !strings.Contains(f.Message, num(*v)) {
				t.Errorf("%s: message %q lacks the number %s", f.Rule, f.Message, num(*v))
			}
		}
	}
}

func TestCleanReportsGiveNoFinding(t *testing.T) {
	for _, sh := range shapes {
		for _, level := range levels {
			for seed := int64(0); seed < seeds; seed++ {
				rng := rand.New(rand.NewSource(seed))
				r := build(rng, "红寺堡区红寺堡镇人民政府", level, 2024, sh.format, sh.single)
				if err := r.Validate(); err != nil {
					t.Fatal(err)
				}
				Report(r)
				if len(r.Findings) > 0 {
					t.Fatalf("%s/%s/seed %d: clean report gives findings:%s", sh.name, level, seed, describe(r.Findings))
				}
			}
		}
	}
}

// A mutation breaks a clean report in one way; want is the exact set of rules that must fire
// (rule → severity of all its findings).
type mutation struct {
	name    string
	level   string   // default department
	formats []string // default both
	mutate  func(r *ingest.Report)
	want    map[string]string
	// verify, when set, checks the findings further.
	verify func(t *testing.T, r *ingest.Report, fs []ingest.Finding)
}

const (
	E = ingest.SeverityError
	W = ingest.SeverityWarning
)

// findingOn returns the finding of rule about cell.
func findingOn(fs []ingest.Finding, rule, cell string) (ingest.Finding, bool) {
	for _, f := range fs {
		if f.Rule == rule && f.Cell == cell {
			return f, true
		}
	}
	return ingest.Finding{}, false
}

// expectNums checks the finding of rule on cell has these expected and actual values.
func expectNums(rule, cell string, exp, act *float64) func(*testing.T, *ingest.Report, []ingest.Finding) {
	return func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
		t.Helper()
		f, ok := findingOn(fs, rule, cell)
		if !ok {
			t.Fatalf("no %s finding on %s:%s", rule, cell, describe(fs))
		}
		if f.Expected == nil || f.Actual == nil || *f.Expected != *exp || *f.Actual != *act {
			t.Fatalf("%s on %s: expected/actual %v/%v, want %v/%v", rule, cell, ptr(f.Expected), ptr(f.Actual), *exp, *act)
		}
	}
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// withProse sets section 一 and drops the stated applications (so only the sentence matters).
func withProse(p1 string) func(r *ingest.Report) {
	return func(r *ingest.Report) {
		r.Prose[1] = p1
		r.ApplicationsStated = nil
		r.ApplicationsQuote = ""
	}
}

// setTable4 sets every table-4 cell: 15 numbers, block by block.
func setTable4(r *ingest.Report, v ...float64) {
	i := 0
	for _, b := range ingest.Table4Blocks {
		for _, c := range ingest.Table4Columns {
			r.Set(ingest.Table4Key(b, c), v[i], ingest.Source{})
			i++
		}
	}
}

// statedOff states a count off the table's 新收 总计 by at least 3, and different from
// 新收 + 上年结转 and from 第（七）项总计 (which are handled counts, judged apart).
func statedOff(quote string) func(r *ingest.Report) {
	return func(r *ingest.Report) {
		n := get(r, "table3.new_received.total")
		c := get(r, "table3.carried_over.total")
		h := get(r, "table3.total_handled.total")
		k := n + 3
		for k == n+c || k == h {
			k++
		}
		statedApps(k, quote)(r)
	}
}

func statedApps(n float64, quote string) func(r *ingest.Report) {
	return func(r *ingest.Report) {
		s := int64(n)
		r.ApplicationsStated = &s
		r.ApplicationsQuote = fmt.Sprintf(quote, s)
	}
}

func TestEachRuleFiresOnItsError(t *testing.T) {
	only2021 := []string{ingest.Format2021}
	var carriedNP, newTotal float64 // captured by the mutations for verify
	tests := []mutation{
		{name: "balance: 结转下年度 one too many", mutate: func(r *ingest.Report) {
			carriedNP = get(r, "table3.carried_forward.natural_person")
			add(r, "table3.carried_forward.natural_person", 1)
			add(r, "table3.carried_forward.total", 1)
		}, want: map[string]string{ingest.RuleBalance: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			expectNums(ingest.RuleBalance, "table3.carried_forward.natural_person", ingest.Num(carriedNP), ingest.Num(carriedNP+1))(t, r, fs)
		}},
		{name: "balance: 本年新收 raised in one column with its total", mutate: func(r *ingest.Report) {
			add(r, "table3.new_received.commercial", 2)
			add(r, "table3.new_received.total", 2)
			statedApps(get(r, "table3.new_received.total"), "2024年，本机关共收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleBalance: E}},
		{name: "row total: 新收 总计 wrong", mutate: func(r *ingest.Report) {
			newTotal = get(r, "table3.new_received.total")
			add(r, "table3.new_received.total", 2)
			add(r, "table3.carried_forward.total", 2)
			statedApps(get(r, "table3.new_received.total"), "2024年，本机关共收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleRowTotal: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			expectNums(ingest.RuleRowTotal, "table3.new_received.total", ingest.Num(newTotal), ingest.Num(newTotal+2))(t, r, fs)
		}},
		{name: "row total: one application moved between outcome rows, totals kept", mutate: func(r *ingest.Report) {
			rows := outcomeRows(r)
			for i, row := range rows {
				if get(r, ingest.Table3Key(row, "natural_person")) >= 1 {
					add(r, ingest.Table3Key(row, "natural_person"), -1)
					add(r, ingest.Table3Key(rows[(i+1)%len(rows)], "natural_person"), 1)
					return
				}
			}
			panic("no natural-person outcome")
		}, want: map[string]string{ingest.RuleRowTotal: E}},
		{name: "outcome sum: 予以公开 raised with its row total", mutate: func(r *ingest.Report) {
			add(r, "table3.disclosed.natural_person", 1)
			add(r, "table3.disclosed.total", 1)
		}, want: map[string]string{ingest.RuleOutcomeSum: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			h := get(r, "table3.total_handled.natural_person")
			expectNums(ingest.RuleOutcomeSum, "table3.total_handled.natural_person", ingest.Num(h+1), ingest.Num(h))(t, r, fs)
			if f, _ := findingOn(fs, ingest.RuleOutcomeSum, "table3.total_handled.total"); !strings.Contains(f.Message, "第（七）项总计") {
				t.Errorf("message does not name 第（七）项总计: %s", f.Message)
			}
		}},
		{name: "block total: 行政复议 结果维持 raised", mutate: func(r *ingest.Report) {
			add(r, "table4.review.maintained", 1)
		}, want: map[string]string{ingest.RuleBlockTotal: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			tot := get(r, "table4.review.total")
			expectNums(ingest.RuleBlockTotal, "table4.review.total", ingest.Num(tot+1), ingest.Num(tot))(t, r, fs)
		}},
		{name: "negative count", formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.licensing", -3, ingest.Source{})
		}, want: map[string]string{ingest.RuleNegative: E}},
		{name: "negative 本年增/减 is allowed (2019)", formats: []string{ingest.Format2019}, mutate: func(r *ingest.Report) {
			r.Set("table2_2019.licensing.change", -5, ingest.Source{})
		}, want: map[string]string{}},
		{name: "not an integer", formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.punishment", 2.5, ingest.Source{})
		}, want: map[string]string{ingest.RuleNotInteger: E}},
		{name: "decimal fees are fine", formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 3.75, ingest.Source{})
		}, want: map[string]string{}},
		{name: "unread cell: no arithmetic on it", mutate: func(r *ingest.Report) {
			r.Cells.Set("table3.new_received.natural_person", ingest.Cell{})
		}, want: map[string]string{ingest.RuleUnreadable: E}},
		{name: "unread cell already reported by the parser", mutate: func(r *ingest.Report) {
			r.Cells.Set("table3.new_received.natural_person", ingest.Cell{})
			r.AddFinding(ingest.Finding{Rule: ingest.RuleUnreadable, Severity: E, Cell: "table3.new_received.natural_person", Message: "x"})
		}, want: map[string]string{ingest.RuleUnreadable: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			if len(fs) != 1 {
				t.Fatalf("duplicated V-unreadable:%s", describe(fs))
			}
		}},
		{name: "a whole unread row is one finding", mutate: func(r *ingest.Report) {
			for _, c := range ingest.Table3Columns {
				r.Cells.Set(ingest.Table3Key("carried_forward", c), ingest.Cell{})
			}
		}, want: map[string]string{ingest.RuleUnreadable: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			if len(fs) != 1 || fs[0].Cell != "table3.carried_forward" || !strings.Contains(fs[0].Message, "四、结转下年度继续办理") {
				t.Fatalf("want one row finding:%s", describe(fs))
			}
		}},
		{name: "township with 规章", level: ingest.LevelTownship, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.regulations.made", 1, ingest.Source{})
			r.Set("table2.regulations.valid", 1, ingest.Source{})
		}, want: map[string]string{ingest.RuleRegulationsTownship: W}},
		{name: "township with 规章 (2019)", level: ingest.LevelTownship, formats: []string{ingest.Format2019}, mutate: func(r *ingest.Report) {
			r.Set("table2_2019.regulations.new_made", 2, ingest.Source{})
		}, want: map[string]string{ingest.RuleRegulationsTownship: W}},
		{name: "township recognised by its name", level: ingest.LevelUnknown, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.regulations.made", 1, ingest.Source{})
		}, want: map[string]string{ingest.RuleRegulationsTownship: W}},
		{name: "department may have 规章", level: ingest.LevelCounty, formats: only2021, mutate: func(r *ingest.Report) {
			r.Agency = "红寺堡区人民政府"
			r.Set("table2.regulations.made", 1, ingest.Source{})
			r.Set("table2.regulations.valid", 9, ingest.Source{})
		}, want: map[string]string{}},
		{name: "township fees in 元", level: ingest.LevelTownship, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 35000, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: W}, verify: expectNums(ingest.RuleFeesUnit, "table2.fees", ingest.Num(3.5), ingest.Num(35000))},
		{name: "township whole-number fees ≥ 1000", level: ingest.LevelTownship, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 1200, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: W}},
		{name: "township decimal fees 1200.5 万元 pass", level: ingest.LevelTownship, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 1200.5, ingest.Source{})
		}, want: map[string]string{}},
		{name: "department fees ≥ 1 亿", level: ingest.LevelDepartment, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 12000, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: W}},
		{name: "county fees 18651.06 万元 pass", level: ingest.LevelCounty, formats: only2021, mutate: func(r *ingest.Report) {
			r.Agency = "平潭综合实验区"
			r.Set("table2.fees", 18651.06, ingest.Source{})
		}, want: map[string]string{}},
		{name: "unknown level fees pass", level: ingest.LevelUnknown, formats: only2021, mutate: func(r *ingest.Report) {
			r.Agency = "某某委员会"
			r.Set("table2.fees", 50000, ingest.Source{})
		}, want: map[string]string{}},
		{name: "county government fees 1,770,000 万元 are impossible (issue 10 item 5)", level: ingest.LevelCounty, formats: only2021, mutate: func(r *ingest.Report) {
			r.Agency = "某区人民政府"
			r.Set("table2.fees", 1770000, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: E}, verify: expectNums(ingest.RuleFeesUnit, "table2.fees", ingest.Num(177), ingest.Num(1770000))},
		{name: "county government fees of 30 亿元 look like 元", level: ingest.LevelCounty, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 300000, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: W}},
		{name: "township fees of 20 亿元 are impossible", level: ingest.LevelTownship, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 200000, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: E}},
		{name: "city fees of 2000 亿元 are impossible", level: ingest.LevelCity, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 20000000, ingest.Source{})
		}, want: map[string]string{ingest.RuleFeesUnit: E}},
		{name: "city fees pass", level: ingest.LevelCity, formats: only2021, mutate: func(r *ingest.Report) {
			r.Set("table2.fees", 99999, ingest.Source{})
		}, want: map[string]string{}},

		// N-applications
		{name: "applications: organ's own count differs", mutate: func(r *ingest.Report) {
			statedOff("2024年，本机关共收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: E}, verify: func(t *testing.T, r *ingest.Report, fs []ingest.Finding) {
			n := get(r, "table3.new_received.total")
			expectNums(ingest.RuleApplications, "table3.new_received.total", ingest.Num(n), ingest.Num(float64(*r.ApplicationsStated)))(t, r, fs)
		}},
		{name: "applications: 我局全年共收到 differs", mutate: func(r *ingest.Report) {
			statedOff("我局全年共收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: E}},
		{name: "applications: one office's count is a warning (区政府办公室收到申请17件)", mutate: func(r *ingest.Report) {
			r.Set("table3.new_received.natural_person", get(r, "table3.new_received.natural_person")+100, ingest.Source{})
			add(r, "table3.new_received.total", 100)
			add(r, "table3.carried_forward.natural_person", 100)
			add(r, "table3.carried_forward.total", 100)
			statedApps(17, "区政府办公室收到申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: W}},
		{name: "applications: 收到申请75件 counting 74 new + 1 carried is no error", mutate: func(r *ingest.Report) {
			add(r, "table3.carried_over.natural_person", 1)
			add(r, "table3.carried_over.total", 1)
			add(r, "table3.carried_forward.natural_person", 1)
			add(r, "table3.carried_forward.total", 1)
			statedApps(get(r, "table3.new_received.total")+get(r, "table3.carried_over.total"), "2024年，全区收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: W}},
		{name: "applications: 共办理 new + carried is fine", mutate: func(r *ingest.Report) {
			add(r, "table3.carried_over.natural_person", 1)
			add(r, "table3.carried_over.total", 1)
			add(r, "table3.carried_forward.natural_person", 1)
			add(r, "table3.carried_forward.total", 1)
			statedApps(get(r, "table3.new_received.total")+get(r, "table3.carried_over.total"), "本年度共办理政府信息公开申请%d件")(r)
		}, want: map[string]string{}},
		{name: "applications: the subject comes from the sentence before", mutate: func(r *ingest.Report) {
			statedOff("共收到依申请公开政府信息申请%d件")(r)
			r.Prose[1] = "2024年，我局认真贯彻落实政府信息公开条例，规范办理依申请公开。" + r.ApplicationsQuote + "，均按期答复。"
		}, want: map[string]string{ingest.RuleApplications: E}},
		{name: "applications: a sub-office before carries over", mutate: func(r *ingest.Report) {
			statedOff("共收到依申请公开政府信息申请%d件")(r)
			r.Prose[1] = "2024年，局办公室负责依申请公开登记。" + r.ApplicationsQuote + "。"
		}, want: map[string]string{ingest.RuleApplications: W}},
		{name: "applications: unclear scope is a warning", mutate: func(r *ingest.Report) {
			statedOff("收到申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: W}},
		{name: "applications: another year's count is a warning", mutate: func(r *ingest.Report) {
			statedOff("本机关2023年收到申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: W}},
		{name: "applications: the organ named by its own name", level: ingest.LevelTownship, mutate: func(r *ingest.Report) {
			statedOff("2024年，红寺堡镇共收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: E}},
		{name: "applications: the parent district named is not the organ", level: ingest.LevelTownship, mutate: func(r *ingest.Report) {
			statedOff("红寺堡区收到政府信息公开申请%d件")(r)
		}, want: map[string]string{ingest.RuleApplications: W}},

		// N-review-litigation
		{name: "review/litigation: the seed's sentence, 2 direct lawsuits", level: ingest.LevelTownship, mutate: func(r *ingest.Report) {
			setTable4(r, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0)
			withProse("2024年我镇未收到群众主动要求公开政府信息的申请，无因政府信息公开申请引起的行政复议、行政诉讼案件。")(r)
		}, want: map[string]string{ingest.RuleReviewLitigation: E}, verify: expectNums(ingest.RuleReviewLitigation, "table4.litigation_direct.total", ingest.Num(0), ingest.Num(2))},
		{name: "review/litigation: 我局未发生, review 1", mutate: func(r *ingest.Report) {
			setTable4(r, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			withProse("2024年，我局未发生因政府信息公开引起的行政复议、行政诉讼。")(r)
		}, want: map[string]string{ingest.RuleReviewLitigation: E}, verify: expectNums(ingest.RuleReviewLitigation, "table4.review.total", ingest.Num(0), ingest.Num(1))},
		{name: "review/litigation: 0件 without scope is a warning", mutate: func(r *ingest.Report) {
			setTable4(r, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1)
			withProse("政府信息公开行政复议和行政诉讼0件。")(r)
		}, want: map[string]string{ingest.RuleReviewLitigation: W}, verify: expectNums(ingest.RuleReviewLitigation, "table4.litigation_after_review.total", ingest.Num(0), ingest.Num(1))},
		{name: "review/litigation: one office's none is a warning", mutate: func(r *ingest.Report) {
			setTable4(r, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			withProse("2024年，区政府办公室无因政府信息公开申请引起的行政复议、行政诉讼案件。")(r)
		}, want: map[string]string{ingest.RuleReviewLitigation: W}},
		{name: "review/litigation: 行政复议1件，无行政诉讼 agrees", mutate: func(r *ingest.Report) {
			setTable4(r, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			withProse("2024年，我局发生政府信息公开行政复议1件，无行政诉讼。")(r)
		}, want: map[string]string{}},
		{name: "review/litigation: 行政复议2件、行政诉讼0件 with a lawsuit", mutate: func(r *ingest.Report) {
			setTable4(r, 2, 0, 0, 0, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0)
			withProse("2024年，本机关政府信息公开行政复议2件、行政诉讼0件。")(r)
		}, want: map[string]string{ingest.RuleReviewLitigation: E}, verify: expectNums(ingest.RuleReviewLitigation, "table4.litigation_direct.total", ingest.Num(0), ingest.Num(1))},
		{name: "review/litigation: 未被纠错 is about outcomes", mutate: func(r *ingest.Report) {
			setTable4(r, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			withProse("2024 年市科委有 1 件涉及政府信息公开工作的行政复\n议，该行政复议件未被复议审查机关纠错。涉及的行政诉讼数为\n0 件。")(r)
		}, want: map[string]string{}},
		{name: "review/litigation: last year's none is not this year's", mutate: func(r *ingest.Report) {
			setTable4(r, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			withProse("2023年我局无行政复议、行政诉讼案件，2024年发生行政复议1件。与上年相比有所增加。")(r)
		}, want: map[string]string{}},
		{name: "review/litigation: 无一被纠错 is no denial", mutate: func(r *ingest.Report) {
			setTable4(r, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			withProse("2024年，我局行政复议案件无一被纠错。")(r)
		}, want: map[string]string{}},

		// S-late
		{name: "late: township after 1月31日", level: ingest.LevelTownship, mutate: func(r *ingest.Report) {
			r.Published = "2025-02-15"
		}, want: map[string]string{ingest.RuleLate: W}},
		{name: "late: department on 1月31日 is on time", mutate: func(r *ingest.Report) {
			r.Published = "2025-01-31"
		}, want: map[string]string{}},
		{name: "late: county in February is on time", level: ingest.LevelCounty, mutate: func(r *ingest.Report) {
			r.Agency = "红寺堡区人民政府"
			r.Published = "2025-02-15"
		}, want: map[string]string{}},
		{name: "late: county after 3月31日", level: ingest.LevelCounty, mutate: func(r *ingest.Report) {
			r.Agency = "红寺堡区人民政府"
			r.Published = "2025-04-02"
		}, want: map[string]string{ingest.RuleLate: W}},
		{name: "late: unknown level gets the later deadline", level: ingest.LevelUnknown, mutate: func(r *ingest.Report) {
			r.Agency = "某某委员会"
			r.Published = "2025-02-15"
		}, want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			level := tt.level
			if level == "" {
				level = ingest.LevelDepartment
			}
			formats := tt.formats
			if formats == nil {
				formats = []string{ingest.Format2021, ingest.Format2019}
			}
			agency := "红寺堡区民政局"
			if level == ingest.LevelTownship || level == ingest.LevelUnknown {
				agency = "红寺堡区红寺堡镇人民政府"
			}
			for _, format := range formats {
				for _, single := range []bool{false, true} {
					for seed := int64(0); seed < seeds; seed++ {
						rng := rand.New(rand.NewSource(seed))
						r := build(rng, agency, level, 2024, format, single)
						tt.mutate(r)
						want := tt.want
						Report(r)
						got := rulesOf(r.Findings)
						if !sameRules(got, want) {
							t.Fatalf("%s single=%v seed %d: got %v, want %v:%s", format, single, seed, got, want, describe(r.Findings))
						}
						checkMessages(t, r.Findings)
						if tt.verify != nil {
							tt.verify(t, r, r.Findings)
						}
						// idempotent: a second run adds nothing
						n := len(r.Findings)
						Report(r)
						if len(r.Findings) != n {
							t.Fatalf("second Report added findings:%s", describe(r.Findings[n:]))
						}
					}
				}
			}
		})
	}
}

func sameRules(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func TestYears(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	prev := build(rng, "红寺堡区民政局", ingest.LevelDepartment, 2023, ingest.Format2021, false)
	cur := build(rng, "红寺堡区民政局", ingest.LevelDepartment, 2024, ingest.Format2021, false)
	prev.Prose = map[int]string{1: otherTownship, 5: pingtanProblems}
	// carry-over and valid documents consistent with prev
	for _, c := range ingest.Table3Columns {
		cur.Set(ingest.Table3Key("carried_over", c), get(prev, ingest.Table3Key("carried_forward", c)), ingest.Source{})
	}
	for _, item := range []string{"regulations", "normative_documents"} {
		cur.Set("table2."+item+".valid", get(prev, "table2."+item+".valid")+get(cur, "table2."+item+".made")-get(cur, "table2."+item+".repealed"), ingest.Source{})
	}
	if fs := Years(prev, cur); len(fs) != 0 {
		t.Fatalf("consistent years give findings:%s", describe(fs))
	}

	tests := []struct {
		name   string
		mutate func(prev, cur *ingest.Report)
		want   map[string]string
		cell   string
	}{
		{"carry-over differs", func(prev, cur *ingest.Report) {
			add(cur, "table3.carried_over.natural_person", 1)
		}, map[string]string{ingest.RuleCarryOver: E}, "table3.carried_over.natural_person"},
		{"valid documents drift", func(prev, cur *ingest.Report) {
			add(cur, "table2.normative_documents.valid", 4)
		}, map[string]string{ingest.RuleValidDocs: W}, "table2.normative_documents.valid"},
		{"section 五 copied from last year", func(prev, cur *ingest.Report) {
			prev.Prose[5] = cur.Prose[5]
		}, map[string]string{ingest.RuleCopiedProse: W}, "prose.5"},
		{"not consecutive years: only prose compared", func(prev, cur *ingest.Report) {
			prev.Year = 2021
			add(cur, "table3.carried_over.natural_person", 1)
		}, map[string]string{}, ""},
		{"unread carry-over is skipped", func(prev, cur *ingest.Report) {
			add(cur, "table3.carried_over.natural_person", 1)
			prev.Cells.Set("table3.carried_forward.natural_person", ingest.Cell{})
		}, map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := clone(prev), clone(cur)
			tt.mutate(p, c)
			fs := Years(p, c)
			if got := rulesOf(fs); !sameRules(got, tt.want) {
				t.Fatalf("got %v, want %v:%s", got, tt.want, describe(fs))
			}
			checkMessages(t, fs)
			if tt.cell != "" {
				found := false
				for _, f := range fs {
					found = found || f.Cell == tt.cell
					if f.Related == "" {
						t.Errorf("%s: no related report", f.Rule)
					}
				}
				if !found {
					t.Fatalf("no finding on %s:%s", tt.cell, describe(fs))
				}
			}
		})
	}
}

func TestLateByLevel(t *testing.T) {
	tests := []struct {
		level, agency, published string
		late                     bool
	}{
		{ingest.LevelTownship, "红寺堡区红寺堡镇人民政府", "2025-01-31", false},
		{ingest.LevelTownship, "红寺堡区红寺堡镇人民政府", "2025-02-01", true},
		{ingest.LevelDepartment, "红寺堡区民政局", "2025-02-01", true},
		{ingest.LevelCounty, "红寺堡区人民政府", "2025-03-31", false},
		{ingest.LevelCounty, "红寺堡区人民政府", "2025-04-01", true},
		{ingest.LevelCity, "吴忠市人民政府", "2025-03-15", false},
		{ingest.LevelUnknown, "红寺堡区大河乡人民政府", "2025-02-10", true}, // a township by its name
		{ingest.LevelUnknown, "某某中心", "2025-02-10", false},
		{ingest.LevelTownship, "红寺堡区红寺堡镇人民政府", "", false},
		{ingest.LevelTownship, "红寺堡区红寺堡镇人民政府", "2025年2月", false}, // not a date: no guess
	}
	for _, tt := range tests {
		r := &ingest.Report{Agency: tt.agency, Level: tt.level, Year: 2024, Published: tt.published}
		f := Late(r)
		if (f != nil) != tt.late {
			t.Errorf("%s %s %s: late=%v, want %v", tt.level, tt.agency, tt.published, f != nil, tt.late)
		}
		if f != nil && (f.Severity != W || f.Rule != ingest.RuleLate || !strings.Contains(f.Message, tt.published)) {
			t.Errorf("bad finding %+v", f)
		}
	}
}

func TestNameVariants(t *testing.T) {
	got := nameVariants("红寺堡区红寺堡镇人民政府")
	sort.Strings(got)
	want := []string{"红寺堡", "红寺堡区", "红寺堡区红寺堡镇", "红寺堡区红寺堡镇人民政府", "红寺堡镇"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}
	own := ownNames("红寺堡区红寺堡镇人民政府")
	for _, n := range own {
		if n == "红寺堡区" {
			t.Fatalf("the parent district is not the organ: %v", own)
		}
	}
}
