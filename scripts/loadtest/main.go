// Command loadtest times gongkai serve's routes for scripts/bench.sh national: each route
// alone (one user: the first, uncached request and the p50/p95 of repeated ones), then many
// clients at once for a while. It prints a Markdown table. Loopback only.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server URL")
	routes := flag.String("routes", "", "comma-separated paths (default: every page and API route)")
	reps := flag.Int("n", 20, "repeated requests per route for one user")
	clients := flag.Int("clients", 200, "concurrent clients")
	dur := flag.Duration("duration", 30*time.Second, "how long the clients run")
	timeout := flag.Duration("timeout", 30*time.Second, "per-request timeout")
	flag.Parse()
	paths := defaultRoutes
	if *routes != "" {
		paths = strings.Split(*routes, ",")
	}
	hc := &http.Client{Timeout: *timeout, Transport: &http.Transport{MaxIdleConnsPerHost: *clients + 8}}
	get := func(u string) (time.Duration, int, int, error) {
		t0 := time.Now()
		resp, err := hc.Get(u)
		if err != nil {
			return time.Since(t0), 0, 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(t0), resp.StatusCode, int(n), err
	}
	fmt.Println("| route | first (uncached) | p50 | p95 | bytes |")
	fmt.Println("|---|---|---|---|---|")
	for i, p := range paths {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		// An unknown parameter changes the cache key, not the answer: the first request
		// computes the page.
		first, code, size, err := get(fmt.Sprintf("%s%s%sbench=%d%d", *base, p, sep, time.Now().UnixNano(), i))
		if err != nil || code != 200 {
			fmt.Printf("| `%s` | error %d %v | | | |\n", p, code, err)
			continue
		}
		var ds []time.Duration
		for range *reps {
			d, _, _, _ := get(*base + p)
			ds = append(ds, d)
		}
		fmt.Printf("| `%s` | %s | %s | %s | %d |\n", p, ms(first), ms(pct(ds, 50)), ms(pct(ds, 95)), size)
	}
	// Many clients, every route in turn.
	var mu sync.Mutex
	var all []time.Duration
	var errs, non200 atomic.Int64
	stop := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := c; time.Now().Before(stop); i++ {
				d, code, _, err := get(*base + paths[i%len(paths)])
				switch {
				case err != nil:
					errs.Add(1)
				case code != 200:
					non200.Add(1)
				}
				mine = append(mine, d)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	t0 := time.Now()
	wg.Wait()
	el := time.Since(t0)
	fmt.Printf("\n%d clients for %s: %d requests (%.0f/s), %d errors, %d not 200; p50 %s, p95 %s, p99 %s, max %s\n",
		*clients, dur, len(all), float64(len(all))/el.Seconds(), errs.Load(), non200.Load(),
		ms(pct(all, 50)), ms(pct(all, 95)), ms(pct(all, 99)), ms(pct(all, 100)))
	if errs.Load() > 0 {
		os.Exit(1)
	}
}

var defaultRoutes = []string{
	"/", "/?level=township", "/agencies", "/agencies?q=镇", "/compare", "/compare?level=township", "/compare?all=1",
	"/compare?metric=disclosure_rate", "/quality", "/risks", "/agency?id=1", "/source?report=1",
	"/api/", "/api/years", "/api/metrics", "/api/tables/kpi", "/api/tables/trend", "/api/tables/agencies?limit=100",
	"/api/tables/compare_district", "/api/tables/compare_agencies?limit=100", "/api/tables/movers_up",
	"/api/tables/quality_rules", "/api/tables/quality_findings?limit=100", "/api/tables/quality_coverage?limit=100",
	"/api/tables/risks?limit=100", "/api/tables/agency_trend?id=1",
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
