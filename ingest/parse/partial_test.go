package parse

import (
	"errors"
	"math/rand"
	"testing"
	"unicode/utf8"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// TestPartial: generated reports cut at random points (mid-section, mid-table, mid-number)
// give either a clear error or a report that is marked incomplete when cells are missing,
// and every number read is the report's own: nothing is invented.
func TestPartial(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	agencies := generate.District(rng, "红寺堡区", 6)
	layouts := []string{"tabs", "markdown", "cells", "labels-above", "runs", "html"}
	cuts, reports, errs := 0, 0, 0
	for i, a := range agencies {
		truth := generate.Truth(rand.New(rand.NewSource(int64(i))), a, 2024, ingest.Format2021, nil)
		for _, layout := range layouts {
			data, err := generate.Render(truth, layout)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := File("whole.txt", data)
			if err != nil {
				t.Fatal(err)
			}
			for k := 0; k < 25; k++ {
				at := rng.Intn(len(data))
				for at > 0 && !utf8.RuneStart(data[at]) {
					at--
				}
				cuts++
				r, err := File("cut.txt", data[:at])
				if err != nil {
					if !errors.Is(err, ErrNotReport) {
						t.Errorf("%s cut at %d: unexpected error %v", layout, at, err)
					}
					errs++
					continue
				}
				reports++
				missing := false
				for _, key := range truth.Keys() {
					want, _ := truth.Value(key)
					got, ok := r.Value(key)
					if !ok {
						if _, inWhole := whole.Value(key); inWhole {
							missing = true // read in the whole text, lost by the cut
						}
						continue
					}
					if got != want {
						t.Errorf("%s cut at %d/%d: %s read %v, the report says %v", layout, at, len(data), key, got, want)
					}
				}
				if missing && !r.Incomplete {
					t.Errorf("%s cut at %d/%d: cells missing but not marked incomplete", layout, at, len(data))
				}
			}
		}
	}
	t.Logf("%d cuts: %d partial reports read, %d refused as not a report", cuts, reports, errs)
}
