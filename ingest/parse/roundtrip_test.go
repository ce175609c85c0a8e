package parse

import (
	"fmt"
	"math/rand"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// TestRoundTrip: reports generated with known truth, rendered in every layout and both
// formats, parse back to the same numbers, agency, year, level and (where stated) the
// publication date. In the runs layout the separators are lost, so a cell may stay unread
// when its digit run has several splits — but then it is flagged, and never a wrong number.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	agencies := generate.District(rng, "红寺堡区", 8)
	for _, layout := range generate.Layouts {
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			t.Run(layout+"/"+format, func(t *testing.T) {
				cells, unread := 0, 0
				for i, a := range agencies {
					year := 2023
					if format == ingest.Format2019 {
						year = 2020
					}
					truth := generate.Truth(rand.New(rand.NewSource(int64(i*31+len(layout)))), a, year, format, nil)
					data, err := generate.Render(truth, layout)
					if err != nil {
						t.Fatal(err)
					}
					name := fmt.Sprintf("%s_%d", a.Short, year)
					got, err := File(name, data)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if got.Agency != truth.Agency || got.Year != truth.Year {
						t.Errorf("%s: identity %q %d, want %q %d", name, got.Agency, got.Year, truth.Agency, truth.Year)
					}
					if got.Level != truth.Level {
						t.Errorf("%s: level %s, want %s", name, got.Level, truth.Level)
					}
					if got.Format != truth.Format || got.SingleOther != truth.SingleOther {
						t.Errorf("%s: format %s/%v, want %s/%v", name, got.Format, got.SingleOther, truth.Format, truth.SingleOther)
					}
					if truth.Published != "" && got.Published != truth.Published {
						t.Errorf("%s: published %q, want %q", name, got.Published, truth.Published)
					}
					flagged := map[string]bool{}
					for _, f := range got.Findings {
						flagged[f.Cell] = true
					}
					for _, k := range truth.Keys() {
						want, _ := truth.Value(k)
						v, ok := got.Value(k)
						cells++
						switch {
						case !ok && layout == "runs" && flagged[k]:
							unread++
						case !ok:
							t.Errorf("%s %s: unread (want %v)", name, k, want)
						case v != want:
							t.Errorf("%s %s: read %v, want %v", name, k, v, want)
						}
					}
					switch {
					case truth.ApplicationsStated == nil && got.ApplicationsStated != nil:
						t.Errorf("%s: applications stated %d read from %q; the prose states none", name, *got.ApplicationsStated, got.ApplicationsQuote)
					case truth.ApplicationsStated != nil && (got.ApplicationsStated == nil || *got.ApplicationsStated != *truth.ApplicationsStated):
						t.Errorf("%s: applications stated %v, want %d", name, got.ApplicationsStated, *truth.ApplicationsStated)
					}
					for _, p := range truth.Publications {
						found := false
						for _, q := range got.Publications {
							found = found || (q.Channel == p.Channel && q.Count == p.Count)
						}
						if !found {
							t.Errorf("%s: publication %s %d (%q) not read", name, p.Channel, p.Count, p.Quote)
						}
					}
					if got.Incomplete {
						t.Errorf("%s: reported incomplete", name)
					}
				}
				if layout == "runs" {
					t.Logf("runs: %d of %d cells left unread as ambiguous", unread, cells)
				}
			})
		}
	}
}
