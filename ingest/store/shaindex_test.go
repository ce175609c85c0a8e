package store

import (
	"math/rand/v2"
	"testing"
)

// TestSHAIndexAgreesWithMap puts random keys (some twice, with a new id) through several
// merges and checks every key, and keys never put, against a plain map.
func TestSHAIndexAgreesWithMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() shaKey {
		var k shaKey
		for i := range k {
			k[i] = byte(rng.IntN(256))
		}
		return k
	}
	x := newSHAIndex()
	want := map[shaKey]int64{}
	var keys []shaKey
	for i := range 3*shaMerge + 123 {
		k := key()
		if i%7 == 0 && len(keys) > 0 {
			k = keys[rng.IntN(len(keys))] // a key again: its id changes
		} else {
			keys = append(keys, k)
		}
		x.put(k, int64(i+1))
		want[k] = int64(i + 1)
	}
	if x.len() != len(want) {
		t.Fatalf("len %d, want %d", x.len(), len(want))
	}
	if len(x.sorted) == 0 {
		t.Fatal("nothing was merged into the sorted array")
	}
	for i := 1; i < len(x.sorted); i++ {
		if string(x.sorted[i-1].key[:]) >= string(x.sorted[i].key[:]) {
			t.Fatalf("sorted array out of order at %d", i)
		}
	}
	for k, id := range want {
		if got, ok := x.get(k); !ok || got != id {
			t.Fatalf("get: %d %v, want %d", got, ok, id)
		}
	}
	for range 1000 {
		k := key()
		if _, in := want[k]; in {
			continue
		}
		if got, ok := x.get(k); ok {
			t.Fatalf("a key never put gives %d", got)
		}
	}
}

// TestSHAIndexOfAgreesWithPuts: the index built in one sort holds what putting each entry
// not yet present gives — the first entry of a key kept — and nothing else.
func TestSHAIndexOfAgreesWithPuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var es []shaEntry
	put := newSHAIndex()
	for i := range 2*shaMerge + 77 {
		var k shaKey
		if i%5 == 0 && len(es) > 0 {
			k = es[rng.IntN(len(es))].key // a file stored again: the first report stays
		} else {
			for j := range k {
				k[j] = byte(rng.IntN(256))
			}
		}
		id := int64(i + 1)
		es = append(es, shaEntry{k, id})
		if _, ok := put.get(k); !ok {
			put.put(k, id)
		}
	}
	entries := append([]shaEntry(nil), es...)
	built := shaIndexOf(es)
	if built.len() != put.len() {
		t.Fatalf("len %d, want %d", built.len(), put.len())
	}
	for i := 1; i < len(built.sorted); i++ {
		if string(built.sorted[i-1].key[:]) >= string(built.sorted[i].key[:]) {
			t.Fatalf("sorted array out of order at %d", i)
		}
	}
	for _, e := range entries {
		want, _ := put.get(e.key)
		if got, ok := built.get(e.key); !ok || got != want {
			t.Fatalf("get: %d %v, want %d", got, ok, want)
		}
	}
}
