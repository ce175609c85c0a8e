package ingest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestOrganNameVariantsBounded: the memo of OrganNameVariants holds at most maxVariantCache
// organs however many are asked for (a national ingest names 150,000), answers the same as
// computing afresh, also for an organ asked again after the memo started over, and is safe
// for the parsing goroutines at once.
func TestOrganNameVariantsBounded(t *testing.T) {
	name := func(i int) string { return fmt.Sprintf("第%d县第%d镇人民政府", i/100, i) }
	first := OrganNameVariants(name(0))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 3*maxVariantCache; i += 4 {
				if got, want := OrganNameVariants(name(i)), computeNameVariants(name(i)); !slices.Equal(got, want) {
					t.Errorf("OrganNameVariants(%q) = %q, want %q", name(i), got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	variantCache.RLock()
	n := len(variantCache.m)
	variantCache.RUnlock()
	if n == 0 || n > maxVariantCache {
		t.Fatalf("memo holds %d organs after %d asked, want 1..%d", n, 3*maxVariantCache, maxVariantCache)
	}
	if again := OrganNameVariants(name(0)); !slices.Equal(again, first) || len(first) == 0 {
		t.Fatalf("asked again after the memo started over: %q, first %q", again, first)
	}
}
