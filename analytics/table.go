package analytics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Column is one column of a Table.
type Column struct {
	Key     string `json:"key"`           // machine name, the spec's key where there is one
	Label   string `json:"label"`         // Chinese header
	Tip     string `json:"tip,omitempty"` // one-line definition, shown as a tooltip
	Numeric bool   `json:"numeric,omitempty"`
}

// Cell is one value of a Table: V is the value for machines (a number, a string or nil),
// Text what people see (the same number, formatted), Link where it leads (optional), and
// Class a hint for styling (error, warning, missing).
type Cell struct {
	V     any    `json:"v"`
	Text  string `json:"-"`
	Link  string `json:"-"`
	Class string `json:"-"`
	ID    string `json:"-"` // anchor on the page (a report cell's key), so findings can link to it
}

// Table is a titled table as shown on a page, in the API, and downloaded.
type Table struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Note    string   `json:"note,omitempty"`
	Columns []Column `json:"columns"`
	Rows    [][]Cell `json:"-"`
}

// Records returns the rows as objects keyed by column key, for JSON.
func (t *Table) Records() []map[string]any {
	out := make([]map[string]any, 0, len(t.Rows))
	for _, r := range t.Rows {
		m := make(map[string]any, len(r))
		for i, c := range r {
			if i < len(t.Columns) {
				m[t.Columns[i].Key] = c.V
			}
		}
		out = append(out, m)
	}
	return out
}

// Str is a text cell.
func Str(s string) Cell { return Cell{V: s, Text: s} }

// Num is a number cell formatted as the metric formats it (ratios: V in percent, one decimal,
// so downloads carry the numbers the page shows).
func Num(m Metric, v *float64) Cell {
	if v == nil {
		return Cell{V: nil, Text: m.Format(nil)}
	}
	x := *v
	if m.Kind == Ratio {
		x, _ = strconv.ParseFloat(fmt.Sprintf("%.1f", x*100), 64)
	}
	return Cell{V: x, Text: m.Format(v)}
}

// Int is a whole-number cell.
func Int(n int64) Cell { return Cell{V: n, Text: strconv.FormatInt(n, 10)} }

// text returns what a download writes for a cell.
func (c Cell) text() string {
	if c.Text != "" || c.V == nil {
		return c.Text
	}
	return fmt.Sprint(c.V)
}

// WriteCSV writes the table as CSV in UTF-8 with a byte-order mark, so that Excel and WPS
// open the Chinese correctly; a ratio column carries the percent as shown (12.5%).
func WriteCSV(w io.Writer, t *Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Label
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = c.text()
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the table as one worksheet named after its title; numbers stay numbers
// (ratios in percent).
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(t.Title)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, c := range t.Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue(sheet, cell, c.Label); err != nil {
			return err
		}
	}
	for ri, r := range t.Rows {
		for ci, c := range r {
			cell, _ := excelize.CoordinatesToCellName(ci+1, ri+2)
			var v any
			switch x := c.V.(type) {
			case nil:
				v = c.Text
				if v == "—" {
					v = nil
				}
			case float64, int, int64:
				v = x
			default:
				v = c.text()
			}
			if v == nil {
				continue
			}
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// sheetName makes a valid worksheet name (at most 31 characters, none of []:*?/\).
func sheetName(s string) string {
	var out []rune
	for _, r := range s {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '_'
		}
		out = append(out, r)
		if len(out) == 31 {
			break
		}
	}
	if len(out) == 0 {
		return "Sheet1"
	}
	return string(out)
}
