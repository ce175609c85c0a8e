package store

import (
	"bytes"
	"cmp"
	"slices"
)

// shaIndex maps a version's file (the SHA-256 of its bytes) to its report: 750,000 entries
// in a national database. A Go map of them cost ~55 bytes an entry and doubled as it grew;
// here the entries lie in one sorted array of 40 bytes each, and those added since the last
// merge in a small map, merged in when it reaches shaMerge entries.
type shaIndex struct {
	sorted []shaEntry // by key, no key twice
	recent map[shaKey]int64
}

type shaEntry struct {
	key shaKey
	id  int64
}

// shaMerge is how many entries the map holds before they are merged into the sorted array
// (a merge moves the array once: at 750,000 entries ~30 MB, every 65,536 reports).
const shaMerge = 1 << 16

func newSHAIndex() *shaIndex { return &shaIndex{recent: map[shaKey]int64{}} }

// shaIndexOf builds the index of entries in one sort (Open's reload: 742,500 versions at
// 750,000 reports, where putting them one at a time cost ~2.7 s of binary searches and
// merges). A key found twice keeps its first report (the lowest id: ids only grow), as
// putting only keys not yet present in the order they were stored does. The sort is not a
// stable one (a stable sort of 742,500 cost ~0.9 s more CPU: it merges in place); the ids
// order the entries of one key. es is reordered and kept.
func shaIndexOf(es []shaEntry) *shaIndex {
	slices.SortFunc(es, func(a, b shaEntry) int {
		if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	out := es[:0]
	for _, e := range es {
		if len(out) > 0 && out[len(out)-1].key == e.key {
			continue
		}
		out = append(out, e)
	}
	return &shaIndex{sorted: out, recent: map[shaKey]int64{}}
}

// get returns the report of a key.
func (x *shaIndex) get(k shaKey) (int64, bool) {
	if id, ok := x.recent[k]; ok {
		return id, true
	}
	i, ok := slices.BinarySearchFunc(x.sorted, k, func(e shaEntry, k shaKey) int { return bytes.Compare(e.key[:], k[:]) })
	if !ok {
		return 0, false
	}
	return x.sorted[i].id, true
}

// put sets the report of a key.
func (x *shaIndex) put(k shaKey, id int64) {
	if i, ok := slices.BinarySearchFunc(x.sorted, k, func(e shaEntry, k shaKey) int { return bytes.Compare(e.key[:], k[:]) }); ok {
		x.sorted[i].id = id
		return
	}
	x.recent[k] = id
	if len(x.recent) >= shaMerge {
		x.merge()
	}
}

// len is the number of keys.
func (x *shaIndex) len() int { return len(x.sorted) + len(x.recent) }

// merge moves the map's entries into the sorted array: sorted, then merged from the back
// in place (the array grows once, no second copy of it is made).
func (x *shaIndex) merge() {
	if len(x.recent) == 0 {
		return
	}
	add := make([]shaEntry, 0, len(x.recent))
	for k, id := range x.recent {
		add = append(add, shaEntry{k, id})
	}
	slices.SortFunc(add, func(a, b shaEntry) int { return bytes.Compare(a.key[:], b.key[:]) })
	n := len(x.sorted)
	x.sorted = slices.Grow(x.sorted, len(add))[:n+len(add)]
	i, j := n-1, len(add)-1
	for w := len(x.sorted) - 1; j >= 0; w-- {
		if i >= 0 && bytes.Compare(x.sorted[i].key[:], add[j].key[:]) > 0 {
			x.sorted[w] = x.sorted[i]
			i--
		} else {
			x.sorted[w] = add[j]
			j--
		}
	}
	x.recent = map[shaKey]int64{}
}
