package parse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/ingest"
)

// corpusDir is ../shared/corpus seen from the repository root.
func corpusDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "truth")); err != nil {
		t.Skipf("real corpus not found at %s (it lives beside the repository as ../shared/corpus): %v", dir, err)
	}
	return dir
}

// truthFile is an answer key of the corpus (its own shape, see corpus/README.md).
type truthFile struct {
	Agency    string              `json:"agency"`
	AgencyAlt []string            `json:"agency_alt"`
	Year      int                 `json:"year"`
	Table2    map[string]any      `json:"table2"`
	Table3    map[string][]*int64 `json:"table3"`
	Table4    []*int64            `json:"table4"`
	Ambiguous map[string]float64  `json:"ambiguous"`
}

// truthCells flattens an answer key into the project's keys (nil: the key says nothing).
func truthCells(tr truthFile) map[string]*float64 {
	out := map[string]*float64{}
	f := func(v any) *float64 {
		if x, ok := v.(float64); ok {
			return &x
		}
		return nil
	}
	for _, grp := range []string{"regulations", "normative_docs"} {
		m, _ := tr.Table2[grp].(map[string]any)
		name := grp
		if grp == "normative_docs" {
			name = "normative_documents"
		}
		for _, c := range []string{"made", "repealed", "valid"} {
			out["table2."+name+"."+c] = f(m[c])
		}
	}
	for _, k := range []string{"licensing", "punishment", "coercion"} {
		out["table2."+k] = f(tr.Table2[k])
	}
	out["table2.fees"] = f(tr.Table2["fees_wan_yuan"])
	for row, vals := range tr.Table3 {
		if row == "other_single_row" {
			row = "other_handled"
		}
		for i, c := range ingest.Table3Columns {
			if vals == nil || vals[i] == nil {
				continue
			}
			v := float64(*vals[i])
			out[ingest.Table3Key(row, c)] = &v
		}
	}
	for i, v := range tr.Table4 {
		if v == nil {
			continue
		}
		x := float64(*v)
		out[ingest.Table4Key(ingest.Table4Blocks[i/5], ingest.Table4Columns[i%5])] = &x
	}
	return out
}

// TestCorpus is the acceptance on real published reports: for every text, Markdown and
// HTML file, every cell the answer key gives is read right; agency and year are right;
// where the key is null the parser reads a number that keeps the row's rule or flags the
// cell; an ambiguous cell is flagged or exactly the true value.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	var files []string
	for _, sub := range []string{"raw", "seed"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".txt", ".md", ".html", ".htm":
				files = append(files, filepath.Join(dir, sub, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		t.Skip("no text, Markdown or HTML reports in the corpus")
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			stem := strings.TrimSuffix(name, filepath.Ext(name))
			raw, err := os.ReadFile(filepath.Join(dir, "truth", stem+".json"))
			if err != nil {
				t.Skipf("no answer key for %s", name)
			}
			var tr truthFile
			if err := json.Unmarshal(raw, &tr); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := File(path, data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if r.Year != tr.Year {
				t.Errorf("year %d, want %d", r.Year, tr.Year)
			}
			okName := false
			for _, n := range append([]string{tr.Agency}, tr.AgencyAlt...) {
				if n != "" && r.Agency != "" && (strings.Contains(n, r.Agency) || strings.Contains(r.Agency, n)) {
					okName = true
				}
			}
			if !okName {
				t.Errorf("agency %q, want %q", r.Agency, tr.Agency)
			}
			flagged := map[string]bool{}
			for _, f := range r.Findings {
				if f.Rule == "V-unreadable" {
					flagged[f.Cell] = true
				}
			}
			want := truthCells(tr)
			right, unread := 0, 0
			for key, tv := range want {
				got, ok := r.Value(key)
				switch {
				case tv == nil:
				case !ok:
					unread++
					if !flagged[key] {
						t.Errorf("%s: unread but not flagged", key)
					}
				case got != *tv:
					t.Errorf("%s: read %v, the report says %v", key, got, *tv)
				default:
					right++
				}
			}
			for key, tv := range tr.Ambiguous {
				key = strings.ReplaceAll(key, "normative_docs", "normative_documents")
				if got, ok := r.Value(key); ok && got != tv {
					t.Errorf("%s: ambiguous in the text, guessed %v (true %v)", key, got, tv)
				} else if !ok && !flagged[key] {
					t.Errorf("%s: ambiguous cell left null without a V-unreadable finding", key)
				}
			}
			// a null in the key: the parser reads a number that keeps the row total, or flags it
			for _, row := range ingest.Table3Rows {
				vals := tr.Table3[row]
				for i, c := range ingest.Table3Columns {
					if vals != nil && vals[i] != nil {
						continue
					}
					key := ingest.Table3Key(row, c)
					if _, ok := r.Value(key); !ok && vals != nil && !flagged[key] {
						t.Errorf("%s: null and not flagged", key)
					}
				}
				if _, ok := r.Value(ingest.Table3Key(row, "total")); ok && vals != nil {
					var sum float64
					all := true
					for _, c := range ingest.Table3Columns[:6] {
						v, ok := r.Value(ingest.Table3Key(row, c))
						all = all && ok
						sum += v
					}
					if tot, _ := r.Value(ingest.Table3Key(row, "total")); all && sum != tot {
						// only a real error of the report may break the rule; the key then shows it
						if vals[6] == nil {
							t.Errorf("%s: read a total %v that breaks the row rule (sum %v)", row, tot, sum)
						}
					}
				}
			}
			t.Logf("%s: %d right, %d unread of %d", name, right, unread, len(want))
		})
	}
}

// TestSeedComplete: the report the project began from parses completely.
func TestSeedComplete(t *testing.T) {
	dir := corpusDir(t)
	path := filepath.Join(dir, "seed", "000_305873c2aaa66a8b.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("seed absent: %v", err)
	}
	r, err := File(path, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range r.Keys() {
		if _, ok := r.Value(k); !ok {
			t.Errorf("seed: %s unread", k)
		}
	}
	if r.Incomplete {
		t.Error("seed reported incomplete")
	}
	if r.Level != ingest.LevelTownship {
		t.Errorf("level %s, want township", r.Level)
	}
}
