package analytics

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Column is one column of a Table.
type Column struct {
	Key     string `json:"key"`           // machine name, the spec's key where there is one
	Label   string `json:"label"`         // Chinese header
	Tip     string `json:"tip,omitempty"` // one-line definition, shown as a tooltip
	Numeric bool   `json:"numeric,omitempty"`
	// Percent: the column's numbers are ratios (fractions), shown as percent.
	Percent bool `json:"percent,omitempty"`
	// Codes turns a code of the column (township, error) into words for the Chinese headers
	// of a download; nil: written as stored.
	Codes func(string) string `json:"-"`
	// KeysOnly: a column for programs alone (a path on the server), written only with
	// KeyHeaders and left out of the files people open.
	KeysOnly bool `json:"-"`
}

// Cell is one value of a Table: V is the value for machines (a number, a string, a bool or
// nil for missing), Text what people see (the same number, formatted), Link where it leads
// (optional), and Class a hint for styling (error, warning, missing). A ratio's V is the
// fraction, marked Percent.
type Cell struct {
	V       any    `json:"v"`
	Percent bool   `json:"-"` // V is a ratio (0.654), shown as 65.4%
	Text    string `json:"-"`
	Link    string `json:"-"`
	Class   string `json:"-"`
	ID      string `json:"-"` // anchor on the page (a report cell's key), so findings can link to it
}

// Table is a titled table as shown on a page, in the API, and downloaded.
type Table struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Note    string   `json:"note,omitempty"`
	Columns []Column `json:"columns"`
	Rows    [][]Cell `json:"-"`
	// KeyHeaders: downloads head the columns with their keys and write codes as stored (for
	// machines), instead of the Chinese labels and words.
	KeyHeaders bool `json:"-"`
	// Windowed: Rows are the rows Offset… of a table of Total rows, ordered and paged in the
	// database (a long list: the page asked for alone is held), instead of the whole table.
	Windowed      bool `json:"-"`
	Offset, Total int  `json:"-"`
}

// Records returns the rows as objects keyed by column key, for JSON; a ratio is in percent
// with one decimal, as the page shows it.
func (t *Table) Records() []map[string]any {
	out := make([]map[string]any, 0, len(t.Rows))
	for _, r := range t.Rows {
		m := make(map[string]any, len(r))
		for i, c := range r {
			if i < len(t.Columns) {
				v := c.V
				if x, ok := v.(float64); ok && c.Percent {
					v = math.Round(x*1000) / 10
				}
				m[t.Columns[i].Key] = v
			}
		}
		out = append(out, m)
	}
	return out
}

// Str is a text cell.
func Str(s string) Cell { return Cell{V: s, Text: s} }

// Num is a number cell of the metric m: V the exact value (a ratio's fraction, marked
// Percent), Text as the metric formats it; nil is missing.
func Num(m Metric, v *float64) Cell {
	if v == nil {
		return Cell{V: nil, Text: m.Format(nil)}
	}
	return Cell{V: *v, Text: m.Format(v), Percent: m.Kind == Ratio}
}

// Number is the cell's value as a number (a measured value or a whole number), false when
// it holds none: missing, text or a flag.
func (c Cell) Number() (float64, bool) {
	switch x := c.V.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// Int is a whole-number cell.
func Int(n int64) Cell { return Cell{V: n, Text: strconv.FormatInt(n, 10)} }

// header returns the header of column c in a download.
func (t *Table) header(c Column) string {
	if t.KeyHeaders || c.Label == "" {
		return c.Key
	}
	return c.Label
}

// value returns what a download writes for a cell of column col: a number as a number, a
// missing value as "" (never 0, never a dash); a text as people see it (Text, or the column's
// Codes in words), or with KeyHeaders the value as stored.
func (t *Table) value(c Cell, col Column) any {
	switch x := c.V.(type) {
	case nil:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case bool:
		if t.KeyHeaders || c.Text == "" {
			return strconv.FormatBool(x)
		}
		return c.Text
	case string:
		switch {
		case t.KeyHeaders:
		case col.Codes != nil:
			return col.Codes(x)
		case c.Text != "":
			return c.Text // a code shown in words (错误 for error)
		}
		return x
	}
	return fmt.Sprint(c.V)
}

// written is the indexes of the columns a download writes: every one with KeyHeaders, else
// all but the KeysOnly ones (a path on the server is not for the files people open).
func (t *Table) written() []int {
	var keep []int
	for i, col := range t.Columns {
		if t.KeyHeaders || !col.KeysOnly {
			keep = append(keep, i)
		}
	}
	return keep
}

func (t *Table) column(i int) Column {
	if i < len(t.Columns) {
		return t.Columns[i]
	}
	return Column{}
}

// WriteCSV writes the table as CSV in UTF-8 with a byte-order mark, so that Excel and WPS
// open the Chinese correctly: Chinese headers (or the keys, KeyHeaders), numbers as numbers (a
// ratio as its fraction, 0.654), missing values empty.
func WriteCSV(w io.Writer, t *Table) error {
	cw, err := NewCSVWriter(w, t)
	if err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// CSVWriter writes the rows of a table as WriteCSV does, one row at a time: a download of a
// long table streams its rows from the database as they come.
type CSVWriter struct {
	t    *Table
	keep []int // the columns written (KeysOnly ones are left out unless KeyHeaders)
	cw   *csv.Writer
}

// NewCSVWriter writes the byte-order mark and the header of t (its Rows are not written)
// and returns the writer of its rows.
func NewCSVWriter(w io.Writer, t *Table) (*CSVWriter, error) {
	c := &CSVWriter{t: t, keep: t.written(), cw: csv.NewWriter(w)}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	head := make([]string, len(c.keep))
	for i, ci := range c.keep {
		head[i] = t.header(t.Columns[ci])
	}
	return c, c.cw.Write(head)
}

// Write writes one row of the table.
func (c *CSVWriter) Write(r []Cell) error {
	rec := make([]string, len(c.keep))
	for i, ci := range c.keep {
		if ci >= len(r) {
			continue
		}
		switch v := c.t.value(r[ci], c.t.column(ci)).(type) {
		case nil:
		case float64:
			rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case string:
			rec[i] = v
		}
	}
	return c.cw.Write(rec)
}

// Flush writes what is buffered and returns the first error of writing.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	return c.cw.Error()
}

// WriteXLSX writes the table as one worksheet named after its title: the same headers and
// values as WriteCSV, numbers as numbers, a ratio as its fraction with a percent number format
// (0.0%), missing values as empty cells.
func WriteXLSX(w io.Writer, t *Table) error {
	x, err := NewXLSXWriter(t)
	if err != nil {
		return err
	}
	defer x.Close()
	for _, r := range t.Rows {
		if err := x.Write(r); err != nil {
			return err
		}
	}
	return x.Finish(w)
}

// XLSXWriter writes the rows of a table as WriteXLSX does, one row at a time, through
// excelize's stream writer: the rows go to a temporary file as they come (a download of a
// long table holds a chunk of rows, not the sheet), and the workbook is written out at the
// end, so a table too long for a worksheet fails before anything is sent.
type XLSXWriter struct {
	t    *Table
	keep []int // the columns written (KeysOnly ones are left out unless KeyHeaders)
	f    *excelize.File
	sw   *excelize.StreamWriter
	pct  int // the style of a ratio
	row  int // the last row written (1: the header)
	vals []any
}

// MaxXLSXRows is the most rows a worksheet holds, the header included (Excel's limit).
const MaxXLSXRows = excelize.TotalRows

// NewXLSXWriter starts a workbook of t's header (its Rows are not written).
func NewXLSXWriter(t *Table) (*XLSXWriter, error) {
	x := &XLSXWriter{t: t, keep: t.written(), f: excelize.NewFile()}
	sheet := sheetName(t.Title)
	err := x.f.SetSheetName("Sheet1", sheet)
	if err == nil {
		pctFmt := "0.0%"
		x.pct, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &pctFmt})
	}
	if err == nil {
		x.sw, err = x.f.NewStreamWriter(sheet)
	}
	if err != nil {
		x.f.Close()
		return nil, err
	}
	head := make([]any, len(x.keep))
	for i, ci := range x.keep {
		head[i] = t.header(t.Columns[ci])
	}
	x.vals = make([]any, len(x.keep))
	if err := x.setRow(head); err != nil {
		x.f.Close()
		return nil, err
	}
	return x, nil
}

// ErrXLSXRows is the error of a table longer than a worksheet holds.
var ErrXLSXRows = fmt.Errorf("表格超过 Excel 工作表的 %d 行上限，请下载 CSV 或缩小范围（年度、级别、单位名称）", MaxXLSXRows)

func (x *XLSXWriter) setRow(vals []any) error {
	if x.row >= MaxXLSXRows {
		return ErrXLSXRows
	}
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, vals)
}

// Write writes one row of the table.
func (x *XLSXWriter) Write(r []Cell) error {
	for i, ci := range x.keep {
		x.vals[i] = nil
		if ci >= len(r) {
			continue
		}
		v := x.t.value(r[ci], x.t.column(ci))
		if _, isNum := v.(float64); isNum && r[ci].Percent {
			v = excelize.Cell{StyleID: x.pct, Value: v}
		}
		x.vals[i] = v
	}
	return x.setRow(x.vals)
}

// Finish ends the sheet and writes the workbook to w.
func (x *XLSXWriter) Finish(w io.Writer) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(w)
	return err
}

// Close removes the writer's temporary files.
func (x *XLSXWriter) Close() error { return x.f.Close() }

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
