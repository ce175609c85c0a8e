package check

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/parse"
)

// The real corpus (../shared/corpus, skipped when absent): each report is parsed for its
// prose, identity and level, and its cells are then set to the hand-read truth, so the
// checker is tested on real prose and true tables whatever the parser's progress. A report
// whose truth lists no inconsistency must give no error; the seed must give
// N-review-litigation (its prose says no 行政复议、行政诉讼, table 4 shows 2 direct lawsuits).

const corpusDir = "../../../shared/corpus"

// truthFile is the answer-key format of corpus/truth/*.json (see corpus/README.md).
type truthFile struct {
	Agency string `json:"agency"`
	Year   int    `json:"year"`
	Table2 struct {
		Regulations   map[string]*float64 `json:"regulations"`
		NormativeDocs map[string]*float64 `json:"normative_docs"`
		Licensing     *float64            `json:"licensing"`
		Punishment    *float64            `json:"punishment"`
		Coercion      *float64            `json:"coercion"`
		Fees          *float64            `json:"fees_wan_yuan"`
	} `json:"table2"`
	Table3           map[string][]*float64 `json:"table3"`
	Table4           []*float64            `json:"table4"`
	Ambiguous        map[string]float64    `json:"ambiguous"`
	ConsistencyCheck []string              `json:"consistency_check"`
	Narrative        map[string]any        `json:"narrative"`
}

// applyTruth sets r's cells to the truth's numbers and drops the parser's V-unreadable
// findings on cells the truth fills.
func applyTruth(r *ingest.Report, tr truthFile) {
	set := func(k string, v *float64) {
		if v != nil {
			r.Set(k, *v, r.Cells.Of(k).Src)
		}
	}
	for _, c := range []string{"made", "repealed", "valid"} {
		set("table2.regulations."+c, tr.Table2.Regulations[c])
		set("table2.normative_documents."+c, tr.Table2.NormativeDocs[c])
	}
	set("table2.licensing", tr.Table2.Licensing)
	set("table2.punishment", tr.Table2.Punishment)
	set("table2.coercion", tr.Table2.Coercion)
	set("table2.fees", tr.Table2.Fees)
	for k, v := range tr.Ambiguous {
		set(k, &v)
	}
	if v, ok := tr.Table3["other_single_row"]; ok && v != nil {
		r.SingleOther = true
		tr.Table3["other_handled"] = v
	}
	for row, vs := range tr.Table3 {
		if vs == nil || row == "other_single_row" {
			continue
		}
		for i, c := range ingest.Table3Columns {
			set(ingest.Table3Key(row, c), vs[i])
		}
	}
	i := 0
	for _, b := range ingest.Table4Blocks {
		for _, c := range ingest.Table4Columns {
			set(ingest.Table4Key(b, c), tr.Table4[i])
			i++
		}
	}
	var keep []ingest.Finding
	for _, f := range r.Findings {
		if f.Rule == ingest.RuleUnreadable {
			if _, ok := r.Value(f.Cell); ok {
				continue
			}
		}
		keep = append(keep, f)
	}
	r.Findings = keep
}

func readTruth(t *testing.T, name string) (truthFile, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "truth", name+".json"))
	if err != nil {
		return truthFile{}, false
	}
	var tr truthFile
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatalf("truth %s: %v", name, err)
	}
	return tr, true
}

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "raw", "*"))
	seed, _ := filepath.Glob(filepath.Join(corpusDir, "seed", "*"))
	files = append(files, seed...)
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	byAgency := map[string][]*ingest.Report{}
	for _, path := range files {
		base := filepath.Base(path)
		name := strings.TrimSuffix(base, filepath.Ext(base))
		tr, ok := readTruth(t, name)
		if !ok {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := parse.File(path, data)
		if err != nil {
			t.Logf("%s: not parsed (%v); checked from the truth alone", base, err)
			r = &ingest.Report{Source: path, Agency: tr.Agency, Year: tr.Year, Format: ingest.Format2021, Cells: ingest.MakeCells(0)}
			if _, single := tr.Table3["other_single_row"]; single {
				r.SingleOther = true
			}
			for _, k := range ingest.CellKeys(r.Format, r.SingleOther) {
				r.Cells.Set(k, ingest.Cell{})
			}
		}
		applyTruth(r, tr)
		t.Run(name, func(t *testing.T) {
			Report(r)
			var errs []ingest.Finding
			for _, f := range r.Findings {
				if f.Severity == ingest.SeverityError && f.Rule != ingest.RuleUnreadable && f.Rule != ingest.RuleMissingSection {
					errs = append(errs, f)
				}
			}
			t.Logf("level %s, stated %v %q, findings:%s", r.Level, ptrI(r.ApplicationsStated), r.ApplicationsQuote, describe(r.Findings))
			want := map[string]bool{}
			for _, rule := range tr.ConsistencyCheck {
				want[rule] = true
			}
			for _, f := range errs {
				if !want[f.Rule] {
					t.Errorf("error the truth does not list: %s %s: %s", f.Rule, f.Cell, f.Message)
				}
			}
			for rule := range want {
				found := false
				for _, f := range errs {
					found = found || f.Rule == rule
				}
				if !found {
					t.Errorf("the truth lists %s, the checker does not find it", rule)
				}
			}
			if name == "000_305873c2aaa66a8b" {
				if f, ok := findingOn(r.Findings, ingest.RuleReviewLitigation, "table4.litigation_direct.total"); !ok || *f.Actual != 2 || f.Severity != E {
					t.Errorf("seed: want N-review-litigation error on table4.litigation_direct.total = 2:%s", describe(r.Findings))
				}
			}
		})
		byAgency[r.Agency] = append(byAgency[r.Agency], r)
	}
	// year against year where the corpus has consecutive years (平潭 2021 → 2022)
	for agency, rs := range byAgency {
		for _, cur := range rs {
			for _, prev := range rs {
				if prev.Year != cur.Year-1 {
					continue
				}
				fs := Years(prev, cur)
				t.Logf("%s %d→%d:%s", agency, prev.Year, cur.Year, describe(fs))
				if len(fs) > 0 {
					t.Errorf("%s %d→%d: consistent years give findings:%s", agency, prev.Year, cur.Year, describe(fs))
				}
			}
		}
	}
}

func ptrI(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestHongzeOfficeCount: 淮安市洪泽区 2024 says 区政府办 received 17 applications while table 3
// shows 95 new (the table covers a wider scope); the truth lists no inconsistency, so at
// most a warning.
func TestHongzeOfficeCount(t *testing.T) {
	tr, ok := readTruth(t, "jiangsu-huaian_hongzequ-renminzhengfu_2024")
	if !ok {
		t.Skip("no corpus")
	}
	r := &ingest.Report{Source: "hongze.pdf", Agency: tr.Agency, Year: tr.Year, Format: ingest.Format2021,
		Level: ingest.LevelCounty, SingleOther: true, Cells: ingest.MakeCells(0)}
	for _, k := range r.Keys() {
		r.Cells.Set(k, ingest.Cell{})
	}
	applyTruth(r, tr)
	n := int64(17)
	r.ApplicationsStated = &n
	r.ApplicationsQuote = "2024年，区政府办公室共收到政府信息公开申请17件"
	r.Prose = map[int]string{1: "2024年，洪泽区政府认真贯彻落实政府信息公开条例。" + r.ApplicationsQuote + "，均按时答复。"}
	Report(r)
	if r.HasErrors() {
		t.Fatalf("errors:%s", describe(r.Findings))
	}
	if f, ok := findingOn(r.Findings, ingest.RuleApplications, "table3.new_received.total"); !ok || f.Severity != W {
		t.Fatalf("want an N-applications warning:%s", describe(r.Findings))
	}
	t.Logf("%s", describe(r.Findings))
}
