package ingest

import (
	"iter"
	"sort"
)

// allKeys numbers every cell key of every format and （六） shape: table 2 (2021, then
// 2019), table 3 row by row (the three-row （六） and other_handled both), table 4.
var allKeys, keyNumbers = func() ([]string, map[string]int) {
	var keys []string
	num := map[string]int{}
	add := func(ks []string) {
		for _, k := range ks {
			if _, ok := num[k]; !ok {
				num[k] = len(keys)
				keys = append(keys, k)
			}
		}
	}
	for _, f := range []string{Format2021, Format2019} {
		for _, single := range []bool{false, true} {
			add(CellKeys(f, single))
		}
	}
	return keys, num
}()

// NumKeys is the count of cell keys of all formats and shapes: key numbers run from 0 to
// NumKeys-1.
var NumKeys = len(allKeys)

// KeyNumber returns a cell key's number (0 ≤ n < NumKeys) and false for a string that is
// the key of no format.
func KeyNumber(key string) (int, bool) {
	n, ok := keyNumbers[key]
	return n, ok
}

// KeyOfNumber returns the cell key numbered n.
func KeyOfNumber(n int) string { return allKeys[n] }

// Cells holds a report's cells by key. A cell is found by its key's number (KeyNumber)
// in a table of positions, and the cells a report holds lie side by side in one slice,
// each with its value and its source's numbers packed (48 bytes where a Cell and its value
// take 64): a parsed report holds a cell of nearly every key, which a map stores at several
// times the cost, and a report loaded for a few cells keeps only those. A cell's Value, as
// Get returns it, points into the Cells: Set copies the value it is given. Like a map, a
// copy of Cells shares its cells with the original once the original holds any; the zero
// value is empty and ready to use.
type Cells struct{ s *cellStore }

type cellStore struct {
	pos   [256]uint8 // by key number: 1 + the cell's index in cells, 0 when absent
	cells []cellSlot
	// big holds, by key number, the cells whose source numbers do not fit a slot's int32s.
	big map[int]Cell
	// other holds cells set under strings that are no cell key: a programming error that
	// Report.Validate names.
	other map[string]Cell
}

// cellSlot is one cell, packed.
type cellSlot struct {
	v                         float64
	line, page, pageLine, col int32
	text                      string
	read                      bool // Value is set (v holds it)
	big                       bool // the cell is in cellStore.big
}

func init() {
	if NumKeys > 255 {
		panic("ingest: more cell keys than Cells has room for")
	}
}

// MakeCells returns an empty Cells with room for n cells before it grows.
func MakeCells(n int) Cells {
	return Cells{&cellStore{cells: make([]cellSlot, 0, n)}}
}

// Get returns the cell of key and whether the report holds one.
func (c Cells) Get(key string) (Cell, bool) {
	if n, ok := keyNumbers[key]; ok {
		return c.At(n)
	}
	if c.s == nil {
		return Cell{}, false
	}
	cell, ok := c.s.other[key]
	return cell, ok
}

// Of returns the cell of key, the zero Cell (unread, no source) when the report holds none.
func (c Cells) Of(key string) Cell {
	cell, _ := c.Get(key)
	return cell
}

// At returns the cell of key number n and whether the report holds one.
func (c Cells) At(n int) (Cell, bool) {
	if c.s == nil || c.s.pos[n] == 0 {
		return Cell{}, false
	}
	sl := &c.s.cells[c.s.pos[n]-1]
	if sl.big {
		return c.s.big[n], true
	}
	cell := Cell{Src: Source{Line: int(sl.line), Page: int(sl.page), PageLine: int(sl.pageLine), Col: int(sl.col), Text: sl.text}}
	if sl.read {
		cell.Value = &sl.v
	}
	return cell, true
}

// Set stores the cell of key (its value copied).
func (c *Cells) Set(key string, cell Cell) {
	if n, ok := keyNumbers[key]; ok {
		c.SetAt(n, cell)
		return
	}
	if c.s == nil {
		c.s = &cellStore{}
	}
	if c.s.other == nil {
		c.s.other = map[string]Cell{}
	}
	c.s.other[key] = cell
}

// SetAt stores the cell of key number n (its value copied).
func (c *Cells) SetAt(n int, cell Cell) {
	var v float64
	if cell.Value != nil {
		v = *cell.Value
	}
	c.put(n, v, cell.Value != nil, cell.Src)
}

// SetValue stores a read value with its source as the cell of key number n.
func (c *Cells) SetValue(n int, v float64, src Source) { c.put(n, v, true, src) }

// put stores the cell of key number n: its value v when read.
func (c *Cells) put(n int, v float64, read bool, src Source) {
	sl := c.slot(n)
	if !fits32(src.Line) || !fits32(src.Page) || !fits32(src.PageLine) || !fits32(src.Col) {
		big := Cell{Src: src}
		if read {
			big.Value = Num(v)
		}
		if c.s.big == nil {
			c.s.big = map[int]Cell{}
		}
		c.s.big[n] = big
		*sl = cellSlot{big: true}
		return
	}
	*sl = cellSlot{v: v, read: read, line: int32(src.Line), page: int32(src.Page), pageLine: int32(src.PageLine), col: int32(src.Col), text: src.Text}
}

// slot is the slot of key number n, added when absent.
func (c *Cells) slot(n int) *cellSlot {
	if c.s == nil {
		c.s = &cellStore{}
	}
	s := c.s
	if p := s.pos[n]; p > 0 {
		return &s.cells[p-1]
	}
	s.cells = append(s.cells, cellSlot{})
	s.pos[n] = uint8(len(s.cells))
	return &s.cells[len(s.cells)-1]
}

func fits32(x int) bool { return x == int(int32(x)) }

// Delete removes the cell of key.
func (c *Cells) Delete(key string) {
	if c.s == nil {
		return
	}
	if n, ok := keyNumbers[key]; ok {
		if p := c.s.pos[n]; p > 0 {
			c.s.cells[p-1] = cellSlot{}
			c.s.pos[n] = 0
			delete(c.s.big, n)
		}
		return
	}
	delete(c.s.other, key)
}

// Len is the count of cells held.
func (c Cells) Len() int {
	if c.s == nil {
		return 0
	}
	n := len(c.s.other)
	for _, p := range c.s.pos[:NumKeys] {
		if p > 0 {
			n++
		}
	}
	return n
}

// All yields every cell held with its key: in key-number order, then the cells of strings
// that are no key in the strings' order.
func (c Cells) All() iter.Seq2[string, Cell] {
	return func(yield func(string, Cell) bool) {
		if c.s == nil {
			return
		}
		for n, p := range c.s.pos[:NumKeys] {
			if p == 0 {
				continue
			}
			if cell, _ := c.At(n); !yield(allKeys[n], cell) {
				return
			}
		}
		if len(c.s.other) == 0 {
			return
		}
		keys := make([]string, 0, len(c.s.other))
		for k := range c.s.other {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !yield(k, c.s.other[k]) {
				return
			}
		}
	}
}

// Clone returns a copy that shares nothing with c: values are copied too.
func (c Cells) Clone() Cells {
	out := MakeCells(c.Len())
	for k, v := range c.All() {
		if v.Value != nil {
			v.Value = Num(*v.Value)
		}
		out.Set(k, v)
	}
	return out
}
