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
