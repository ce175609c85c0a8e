// Command loadtest times gongkai serve's routes for scripts/bench.sh national: each route
// alone (one user: the first request as a visitor makes it, the page computed with the cache
// bypassed, and the p50/p95 of repeated requests), then many clients at once for a while,
// optionally while report files are uploaded through POST /api/upload again and again. It
// prints a Markdown table, the load average, and the server's CPU time and peak RSS when
// given its pid. Loopback only.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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
	pid := flag.Int("pid", 0, "the server's process id: its CPU time and peak RSS are reported")
	uploadDir := flag.String("upload", "", "directory of report files to upload during the many-clients run (needs -token)")
	token := flag.String("token", os.Getenv("GONGKAI_SERVER_TOKEN"), "server.token for uploads")
	perUpload := flag.Int("upload-files", 5, "files in one upload request")
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
	fmt.Printf("load average before: %s; server CPU %s\n\n", loadavg(), cpu(*pid))
	fmt.Println("| route | first request | computed (cache bypassed) | p50 | p95 | bytes |")
	fmt.Println("|---|---|---|---|---|---|")
	for i, p := range paths {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		// What the first visitor gets: computed, or found already warmed by the server.
		first, code, size, err := get(*base + p)
		if err != nil || code != 200 {
			fmt.Printf("| `%s` | error %d %v | | | | |\n", p, code, err)
			continue
		}
		// An unknown parameter changes the cache key, not the answer: the page is computed
		// (over whatever the analytics keep for this data version).
		computed, _, _, _ := get(fmt.Sprintf("%s%s%sbench=%d%d", *base, p, sep, time.Now().UnixNano(), i))
		var ds []time.Duration
		for range *reps {
			d, _, _, _ := get(*base + p)
			ds = append(ds, d)
		}
		fmt.Printf("| `%s` | %s | %s | %s | %s | %d |\n", p, ms(first), ms(computed), ms(pct(ds, 50)), ms(pct(ds, 95)), size)
	}
	fmt.Printf("\nload average after one user: %s; server CPU %s\n", loadavg(), cpu(*pid))
	// Many clients, every route in turn.
	var mu sync.Mutex
	var all []time.Duration
	byRoute := map[string][]time.Duration{}
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
				mu.Lock()
				byRoute[paths[i%len(paths)]] = append(byRoute[paths[i%len(paths)]], d)
				mu.Unlock()
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
	// Uploads while the clients run: a few files at a time, again and again, each a write
	// that moves the data version (and so every cached page).
	var up upStats
	if *uploadDir != "" && *clients > 0 {
		files, err := reportFiles(*uploadDir)
		if err != nil || len(files) == 0 {
			fmt.Fprintf(os.Stderr, "upload: no report files in %s (%v)\n", *uploadDir, err)
			os.Exit(2)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i += *perUpload {
				batch := files[i%len(files) : min(i%len(files)+*perUpload, len(files))]
				up.run(hc, *base, *token, batch)
			}
		}()
	}
	cpu0 := cpuSeconds(*pid)
	t0 := time.Now()
	wg.Wait()
	el := time.Since(t0)
	fmt.Printf("\n%d clients for %s: %d requests (%.0f/s), %d errors, %d not 200; p50 %s, p95 %s, p99 %s, max %s\n",
		*clients, dur, len(all), float64(len(all))/el.Seconds(), errs.Load(), non200.Load(),
		ms(pct(all, 50)), ms(pct(all, 95)), ms(pct(all, 99)), ms(pct(all, 100)))
	slow := append([]string(nil), paths...)
	sort.Slice(slow, func(i, j int) bool { return pct(byRoute[slow[i]], 95) > pct(byRoute[slow[j]], 95) })
	fmt.Print("slowest routes meanwhile (p95):")
	for _, p := range slow[:min(6, len(slow))] {
		fmt.Printf(" `%s` %s;", p, ms(pct(byRoute[p], 95)))
	}
	fmt.Println()
	if *uploadDir != "" {
		fmt.Printf("uploads meanwhile: %d requests of up to %d files, %d files stored, %d failed requests; p50 %s, max %s\n",
			up.n, *perUpload, up.stored, up.failed, ms(pct(up.ds, 50)), ms(pct(up.ds, 100)))
	}
	if *pid > 0 {
		fmt.Printf("server: %.1f CPU s during the clients run; %s; peak RSS %s\n", cpuSeconds(*pid)-cpu0, cpu(*pid), peakRSS(*pid))
	}
	fmt.Printf("load average after the clients: %s\n", loadavg())
	if errs.Load() > 0 || up.failed > 0 {
		os.Exit(1)
	}
}

// upStats counts the uploads of the many-clients run.
type upStats struct {
	n, stored, failed int
	ds                []time.Duration
}

// run posts files to /api/upload with the token and counts what the answer says was stored.
func (u *upStats) run(hc *http.Client, base, token string, files []string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			u.failed++
			return
		}
		w, _ := mw.CreateFormFile("file", filepath.Base(f))
		w.Write(b)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Gongkai-Token", token)
	t0 := time.Now()
	resp, err := hc.Do(req)
	u.n++
	if err != nil {
		u.failed++
		return
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u.ds = append(u.ds, time.Since(t0))
	if resp.StatusCode != 200 {
		u.failed++
		fmt.Fprintf(os.Stderr, "upload: %d %s\n", resp.StatusCode, out)
		return
	}
	u.stored += strings.Count(string(out), `"outcome": "new"`) + strings.Count(string(out), `"outcome": "replaced"`)
}

// reportFiles lists the report files under dir (not the generator's JSON).
func reportFiles(dir string) ([]string, error) {
	var out []string
	// dir + "/": a link to a folder is followed (WalkDir does not follow the link it starts from)
	err := filepath.WalkDir(dir+string(filepath.Separator), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) != ".json" && !strings.HasPrefix(d.Name(), ".") {
			out = append(out, p)
		}
		return err
	})
	sort.Strings(out)
	return out, err
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// cpuSeconds is the user+system CPU time of a process (Linux /proc), 0 when unknown.
func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndex(s, ")")+2:]) // fields from the 3rd (state)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100 // clock ticks (USER_HZ = 100 on Linux)
}

func cpu(pid int) string {
	if pid <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f s user+sys so far", cpuSeconds(pid))
}

func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

var defaultRoutes = []string{
	"/", "/?level=township", "/agencies", "/agencies?q=镇", "/compare", "/compare?level=township", "/compare?all=1",
	"/compare?metric=disclosure_rate", "/quality", "/risks", "/agency?id=1", "/source?report=1",
	"/api/", "/api/years", "/api/metrics", "/api/tables/kpi", "/api/tables/trend", "/api/tables/agencies?limit=100",
	"/api/tables/compare_district", "/api/tables/compare_agencies?limit=100", "/api/tables/movers_up",
	"/api/tables/quality_rules", "/api/tables/quality_findings?limit=100", "/api/tables/quality_coverage?limit=100",
	"/api/tables/risks?limit=100", "/api/tables/agency_trend?id=1",
	"/api/tables/metrics?limit=100", "/api/tables/compare_all?limit=100", "/api/tables/heatmap?limit=100",
	"/api/tables/agency_list?limit=100", "/api/tables/quality_agencies?limit=100",
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
