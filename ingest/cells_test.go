package ingest

import (
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

// TestCellsAsMap: Cells behaves as the map[string]Cell it replaced under random sets,
// deletes and reads of keys of every format and of strings that are no key.
func TestCellsAsMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pool := append([]string{"table9.nonsense.total", "", "table3"}, allKeys...)
	for round := 0; round < 200; round++ {
		var c Cells
		if round%2 == 0 {
			c = MakeCells(rng.Intn(10))
		}
		m := map[string]Cell{}
		for op := 0; op < 400; op++ {
			k := pool[rng.Intn(len(pool))]
			switch rng.Intn(4) {
			case 0, 1:
				cell := Cell{Src: Source{Line: rng.Intn(100), Col: rng.Intn(9), Page: rng.Intn(3), PageLine: rng.Intn(40), Text: k}}
				if rng.Intn(10) == 0 { // numbers a slot cannot pack
					cell.Src.Line = 1<<31 + rng.Intn(5)
				}
				if rng.Intn(10) == 0 {
					cell.Src.Col = -1 << 40
				}
				if rng.Intn(3) > 0 {
					cell.Value = Num(float64(rng.Intn(50)))
				}
				c.Set(k, cell)
				m[k] = cell
			case 2:
				c.Delete(k)
				delete(m, k)
			case 3:
				got, ok := c.Get(k)
				want, wok := m[k]
				if ok != wok || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(c.Of(k), want) {
					t.Fatalf("Get(%q) = %+v, %v; want %+v, %v", k, got, ok, want, wok)
				}
			}
		}
		if c.Len() != len(m) {
			t.Fatalf("Len = %d, want %d", c.Len(), len(m))
		}
		var keys []string
		for k, v := range c.All() {
			keys = append(keys, k)
			if !reflect.DeepEqual(v, m[k]) {
				t.Fatalf("All yields %q = %+v, want %+v", k, v, m[k])
			}
		}
		if len(keys) != len(m) {
			t.Fatalf("All yields %d cells, want %d", len(keys), len(m))
		}
		// key-number order, then the other strings sorted
		known := 0
		for known < len(keys) {
			if _, ok := KeyNumber(keys[known]); !ok {
				break
			}
			known++
		}
		if !sort.SliceIsSorted(keys[:known], func(i, j int) bool {
			a, _ := KeyNumber(keys[i])
			b, _ := KeyNumber(keys[j])
			return a < b
		}) || !sort.StringsAreSorted(keys[known:]) {
			t.Fatalf("All's order: %q", keys)
		}
		for _, k := range keys[known:] {
			if _, ok := KeyNumber(k); ok {
				t.Fatalf("All yields key %q after the strings that are no key", k)
			}
		}
	}
}

// TestCellsShareAndClone: a copy of Cells shares its cells like a map; Clone shares nothing.
func TestCellsShareAndClone(t *testing.T) {
	key := Table3Key("new_received", "total")
	a := MakeCells(1)
	a.Set(key, Cell{Value: Num(1)})
	b := a
	b.Set(key, Cell{Value: Num(2)})
	b.Set("table4.review.total", Cell{Value: Num(3)})
	if v := *a.Of(key).Value; v != 2 || a.Len() != 2 {
		t.Fatalf("a copy does not share: %v, %d cells", v, a.Len())
	}
	c := a.Clone()
	*c.Of(key).Value = 9
	c.Set("table2.fees", Cell{})
	if v := *a.Of(key).Value; v != 2 || a.Len() != 2 || c.Len() != 3 {
		t.Fatalf("a clone shares: %v, %d and %d cells", v, a.Len(), c.Len())
	}
	for n := 0; n < NumKeys; n++ {
		if k, ok := KeyNumber(KeyOfNumber(n)); !ok || k != n {
			t.Fatalf("key number %d: %q numbered %d", n, KeyOfNumber(n), k)
		}
	}
	// a value is copied in: changing the variable it was given from leaves the cell
	v := 5.0
	a.Set(key, Cell{Value: &v})
	v = 6
	if got := *a.Of(key).Value; got != 5 {
		t.Fatalf("the cell follows the variable it was set from: %v", got)
	}
	var zero Cells
	if _, ok := zero.Get(key); ok || zero.Len() != 0 {
		t.Fatal("the zero Cells holds a cell")
	}
	for range zero.All() {
		t.Fatal("the zero Cells yields a cell")
	}
}
