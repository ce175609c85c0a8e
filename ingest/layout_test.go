package ingest

import (
	"slices"
	"testing"
)

// Every layout covers its grid exactly once, and its number cells are the format's keys in
// printed order.
func TestLayoutsCoverGridAndKeys(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tables []Layout
		format string
		single bool
	}{
		{"2021", []Layout{Table2Layout(Format2021), Table3Layout(false), Table4Layout()}, Format2021, false},
		{"2021-single", []Layout{Table2Layout(Format2021), Table3Layout(true), Table4Layout()}, Format2021, true},
		{"2019", []Layout{Table2Layout(Format2019), Table3Layout(true), Table4Layout()}, Format2019, true},
	} {
		var keys []string
		for ti, l := range tc.tables {
			seen := make([][]int, l.Rows)
			for i := range seen {
				seen[i] = make([]int, l.Cols)
			}
			for _, c := range l.Cells {
				if (c.Key == "") == (c.Text == "") {
					t.Errorf("%s table %d: cell at %d,%d has both or neither label and key", tc.name, ti, c.Row, c.Col)
				}
				for r := c.Row; r < c.Row+c.RowSpan; r++ {
					for k := c.Col; k < c.Col+c.ColSpan; k++ {
						if r >= l.Rows || k >= l.Cols {
							t.Fatalf("%s table %d: cell %q spans outside the grid", tc.name, ti, c.Text+c.Key)
						}
						seen[r][k]++
					}
				}
				if c.Key != "" {
					keys = append(keys, c.Key)
				}
			}
			for r := range seen {
				for k := range seen[r] {
					if seen[r][k] != 1 {
						t.Errorf("%s table %d: grid position %d,%d covered %d times", tc.name, ti, r, k, seen[r][k])
					}
				}
			}
			if len(l.Widths) != l.Cols {
				t.Errorf("%s table %d: %d widths for %d columns", tc.name, ti, len(l.Widths), l.Cols)
			}
		}
		if want := CellKeys(tc.format, tc.single); !slices.Equal(keys, want) {
			t.Errorf("%s: layout keys\n%v\nwant\n%v", tc.name, keys, want)
		}
	}
}

// The printed rows of table 3 are the format's row keys in order.
func TestTable3LinesOrder(t *testing.T) {
	for _, single := range []bool{false, true} {
		var keys []string
		for _, l := range Table3Lines(single) {
			keys = append(keys, l.Key)
		}
		want := Table3Rows
		if single {
			want = Table3RowsSingleOther
		}
		if !slices.Equal(keys, want) {
			t.Errorf("single=%v: %v, want %v", single, keys, want)
		}
	}
	l, _ := Table3LineOf("withheld_three_security")
	if got := l.Label(); got != "（三）不予公开 3.危及“三安全一稳定”" {
		t.Errorf("label %q", got)
	}
	l, _ = Table3LineOf("disclosed")
	if got := l.Label(); got != "三、本年度办理结果（一）予以公开" {
		t.Errorf("label %q", got)
	}
}
