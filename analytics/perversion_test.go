package analytics

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestPerVersionOnce: callers asking at once for the same version share one computation
// (every request reads Years and the district sums: a write must not set off one query
// per waiting request), an older version asked later is answered but not kept, and a newer
// one replaces the kept value.
func TestPerVersionOnce(t *testing.T) {
	var p perVersion[int]
	var calls atomic.Int32
	compute := func(v int) func() (*int, error) {
		return func() (*int, error) { calls.Add(1); return &v, nil }
	}
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := p.get(7, compute(7)); err != nil || *v != 7 {
				t.Errorf("get(7) = %v, %v", v, err)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("64 concurrent callers of one version computed %d times, want 1", n)
	}
	if v, _ := p.get(6, compute(6)); *v != 6 {
		t.Fatalf("older version answered %d, want 6", *v)
	}
	if v, _ := p.get(7, compute(-1)); *v != 7 {
		t.Fatalf("version 7 after an older one: %d, want the kept 7", *v)
	}
	if v, _ := p.get(8, compute(8)); *v != 8 {
		t.Fatalf("newer version answered %d, want 8", *v)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("computed %d times, want 3 (7 once, 6, 8)", n)
	}
}
