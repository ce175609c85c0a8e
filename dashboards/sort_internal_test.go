package dashboards

import (
	"slices"
	"testing"

	"gongkai/analytics"
)

// TestSortTableNumbers: whole numbers (report counts, years: analytics.Int) sort as numbers
// like measured values, not by their text ("10" after "9"), missing last either way.
func TestSortTableNumbers(t *testing.T) {
	for _, desc := range []bool{false, true} {
		tab := &analytics.Table{Columns: []analytics.Column{{Key: "n"}}}
		for _, i := range []int64{9, 10, 2, 100} {
			tab.Rows = append(tab.Rows, []analytics.Cell{analytics.Int(i)})
		}
		tab.Rows = append(tab.Rows, []analytics.Cell{{V: nil, Text: analytics.NotReported}})
		sortTable(tab, "n", desc)
		var got []string
		for _, r := range tab.Rows {
			got = append(got, r[0].Text)
		}
		want := []string{"2", "9", "10", "100", analytics.NotReported}
		if desc {
			want = []string{"100", "10", "9", "2", analytics.NotReported}
		}
		if !slices.Equal(got, want) {
			t.Errorf("desc=%v: %q, want %q", desc, got, want)
		}
	}
}
