package generate

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"gongkai/ingest"
)

// countOfItems is a count of items published (…信息 71 条; a GBK page's 条 is \xcc\xf5).
var countOfItems = regexp.MustCompile(`[0-9](\s|&nbsp;)*(条|\xcc\xf5)`)

// The demo district shows its cases for any seed: one missing department report of the year
// before the last, one township report of the last year that states no publications, and
// nothing else missing; the same options written twice give the same files.
func TestDemo(t *testing.T) {
	for _, seed := range []int64{0, 7, 20260101} {
		dir := t.TempDir()
		opts, err := DemoOptions(seed, 0, dir)
		if err != nil {
			t.Fatal(err)
		}
		files, err := Write(opts)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Registry()) != DemoAgencies || m.From != DemoFrom || m.To != DemoTo || len(files) != len(m.Reports)-1 {
			t.Errorf("seed %d: %d organs, %d–%d, %d files of %d reports", seed, len(m.Registry()), m.From, m.To, len(files), len(m.Reports))
		}
		var missing []Generated
		unstated := 0
		for _, g := range m.Reports {
			if g.Missing {
				missing = append(missing, g)
				if _, err := os.Stat(filepath.Join(dir, g.File)); err == nil {
					t.Errorf("seed %d: missing report %s written", seed, g.File)
				}
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dir, g.Truth))
			if err != nil {
				t.Fatal(err)
			}
			var r ingest.Report
			if err := r.UnmarshalJSON(raw); err != nil {
				t.Fatal(err)
			}
			if g.Year == DemoTo && g.Level == ingest.LevelTownship && len(r.Publications) == 0 {
				unstated++
				page, err := os.ReadFile(filepath.Join(dir, g.File))
				if err != nil {
					t.Fatal(err)
				}
				if m := countOfItems.Find(page); m != nil {
					t.Errorf("seed %d: %s states no publications, but its text counts some: %s", seed, g.File, m)
				}
			}
		}
		if len(missing) != 1 || missing[0].Year != DemoTo-1 || missing[0].Level != ingest.LevelDepartment {
			t.Errorf("seed %d: missing reports %+v, want one department's of %d", seed, missing, DemoTo-1)
		}
		if unstated == 0 {
			t.Errorf("seed %d: no township report of %d without publications", seed, DemoTo)
		}
		if seed != 0 {
			continue
		}
		// the same options again: the same district, byte for byte
		again := t.TempDir()
		opts.Out = again
		if _, err := Write(opts); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			a, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			b, err := os.ReadFile(filepath.Join(again, e.Name()))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s differs when the demo's options are written again (%v)", e.Name(), err)
			}
		}
	}
	if _, err := DemoOptions(1, DemoMinAgencies-1, t.TempDir()); err == nil {
		t.Errorf("a demo of %d organs is accepted", DemoMinAgencies-1)
	}
}
