package decode_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/parse"
)

// TestPagedCorpus: every PDF of the real corpus (raw/) and every PDF and Word file derived
// from it (derived/, with its own answer keys) parses with no wrong number, every unread
// cell flagged, the year right and the agency right or not claimed.
func TestPagedCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	var files [][2]string // file, its answer key
	for _, sub := range []string{"raw", filepath.Join("derived", "raw")} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if ext != ".pdf" && ext != ".docx" {
				continue
			}
			truth := filepath.Join(dir, "truth", strings.TrimSuffix(e.Name(), ext)+".json")
			if sub != "raw" {
				truth = filepath.Join(dir, "derived", "truth", strings.TrimSuffix(e.Name(), ext)+".json")
			}
			files = append(files, [2]string{filepath.Join(dir, sub, e.Name()), truth})
		}
	}
	if len(files) == 0 {
		t.Skipf("no PDF or Word reports in the corpus at %s (it lives beside the repository)", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f[0]), func(t *testing.T) {
			raw, err := os.ReadFile(f[1])
			if err != nil {
				t.Skipf("no answer key: %v", err)
			}
			var key struct {
				Agency    string              `json:"agency"`
				AgencyAlt []string            `json:"agency_alt"`
				Year      int                 `json:"year"`
				Table3    map[string][]*int64 `json:"table3"`
				Table4    []*int64            `json:"table4"`
			}
			if err := json.Unmarshal(raw, &key); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(f[0])
			if err != nil {
				t.Fatal(err)
			}
			r, err := parse.File(f[0], data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if r.Year != key.Year {
				t.Errorf("year %d, want %d", r.Year, key.Year)
			}
			if r.Agency != "" {
				ok := false
				for _, n := range append([]string{key.Agency}, key.AgencyAlt...) {
					ok = ok || n != "" && (strings.Contains(n, r.Agency) || strings.Contains(r.Agency, n))
				}
				if !ok {
					t.Errorf("agency %q, want %q", r.Agency, key.Agency)
				}
			} else {
				t.Logf("agency not found (want %q)", key.Agency)
			}
			flagged := map[string]bool{}
			for _, fd := range r.Findings {
				if fd.Rule == "V-unreadable" {
					flagged[fd.Cell] = true
				}
			}
			want := map[string]float64{}
			for row, vals := range key.Table3 {
				if row == "other_single_row" {
					row = "other_handled"
				}
				for i, c := range ingest.Table3Columns {
					if vals != nil && vals[i] != nil {
						want[ingest.Table3Key(row, c)] = float64(*vals[i])
					}
				}
			}
			for i, v := range key.Table4 {
				if v != nil {
					want[ingest.Table4Key(ingest.Table4Blocks[i/5], ingest.Table4Columns[i%5])] = float64(*v)
				}
			}
			right, unread, shape := 0, 0, 0
			for k, v := range want {
				got, ok := r.Value(k)
				_, inShape := r.Cells.Get(k)
				switch {
				case !inShape: // read as the other shape of （六）: the row is not there
					shape++
				case !ok && !flagged[k]:
					t.Errorf("%s unread and not flagged", k)
				case !ok:
					unread++
				case got != v:
					t.Errorf("%s: read %v, the report says %v", k, got, v)
				default:
					right++
				}
			}
			t.Logf("tables 3 and 4: %d right, %d unread (flagged), %d in rows of the other shape of （六） of %d", right, unread, shape, len(want))
		})
	}
}
