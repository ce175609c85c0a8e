package generate_test

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
)

// TestPagedRoundTrip: reports generated with known truth, written as Word (.docx) and as
// PDF (printed by chromium; skipped without it), in both formats, parse back to the same
// agency and year, and every number the same, every cell read (a PDF's tables whose empty
// cells print nothing are placed on their ruling lines); a PDF's cells say their page.
func TestPagedRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	agencies := generate.District(rng, "红寺堡区", 6)
	for _, layout := range generate.PagedLayouts {
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			t.Run(layout+"/"+format, func(t *testing.T) {
				n := len(agencies)
				if layout == "pdf" {
					n = 3 // a browser start per report: keep it short
				}
				cells, unread := 0, 0
				defer func() { t.Logf("%d cells, %d unread", cells, unread) }()
				for i, a := range agencies[:n] {
					year := 2023
					if format == ingest.Format2019 {
						year = 2020
					}
					truth := generate.Truth(rand.New(rand.NewSource(int64(i*17+3))), a, year, format, nil)
					data, err := generate.Render(truth, layout)
					if errors.Is(err, generate.ErrNoChromium) {
						t.Skipf("skipped: %v", err)
					}
					if err != nil {
						t.Fatal(err)
					}
					name := fmt.Sprintf("%s_%d%s", a.Short, year, generate.Ext(layout))
					got, err := parse.File(name, data)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if got.Agency != truth.Agency || got.Year != truth.Year {
						t.Errorf("%s: identity %q %d, want %q %d", name, got.Agency, got.Year, truth.Agency, truth.Year)
					}
					flagged := map[string]bool{}
					for _, f := range got.Findings {
						if f.Rule == "V-unreadable" {
							flagged[f.Cell] = true
						}
					}
					paged := false
					for _, key := range truth.Keys() {
						want, _ := truth.Value(key)
						v, ok := got.Value(key)
						switch {
						case ok && v != want:
							t.Errorf("%s: %s = %v, the report says %v", name, key, v, want)
						case !ok:
							unread++
							t.Errorf("%s: %s unread (flagged %v)", name, key, flagged[key])
						}
						cells++
						paged = paged || got.Cells.Of(key).Src.Page > 0
					}
					if layout == "pdf" && !paged {
						t.Errorf("%s: no cell says its page", name)
					}
				}
			})
		}
	}
}
