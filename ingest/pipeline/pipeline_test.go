package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/parse"
	"gongkai/ingest/store"
)

// TestMain lets the test binary be the child of TestKill9: GONGKAI_PIPELINE_CHILD=db,dir
// ingests dir into db one report per transaction, printing "progress N" as it goes;
// GONGKAI_PIPELINE_CHILD=db,dir,hang stores everything, then prints "crossyear" when the
// cross-year rules start and waits there to be killed.
func TestMain(m *testing.M) {
	if v := os.Getenv("GONGKAI_PIPELINE_CHILD"); v != "" {
		parts := strings.Split(v, ",")
		dbPath, dir := parts[0], parts[1]
		db, err := store.Open(dbPath)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		w := bufio.NewWriter(os.Stdout)
		// the cross-year rules run at save time (TestKill9 kills in the middle of that)
		opt := Options{Parse: jsonParse, Batch: 8, CrossYear: check.Years, CrossYearKeys: check.YearsKeys,
			Progress: func(done, total int) { fmt.Fprintln(w, "progress", done); w.Flush() }}
		if len(parts) > 2 && parts[2] == "hang" {
			// every comparison left to the step after the run, which hangs there
			crossYearAtSave = false
			opt.Batch = 0
			opt.CrossYearKeys = check.YearsKeys
			opt.CrossYear = func(prev, cur *ingest.Report) []ingest.Finding {
				fmt.Fprintln(w, "crossyear")
				w.Flush()
				select {}
			}
		}
		_, err = Run(context.Background(), db, []string{dir}, opt)
		db.Close()
		if err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// jsonParse is the stand-in parser: the test files hold a report's JSON.
func jsonParse(name string, data []byte) (*ingest.Report, error) {
	if strings.Contains(string(data), "NOT A REPORT") {
		return nil, errors.New("no table 3")
	}
	var r ingest.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	r.Prose = map[int]string{1: "总体情况 " + r.Agency}
	return &r, nil
}

// synth builds a report with every cell set from rng.
func synth(rng *rand.Rand, agency string, year int) *ingest.Report {
	r := &ingest.Report{Agency: agency, Year: year, Format: ingest.Format2021, Level: ingest.LevelTownship}
	if rng.Intn(3) == 0 {
		r.SingleOther = true
	}
	for i, k := range r.Keys() {
		v := float64(rng.Intn(30))
		r.Set(k, v, ingest.Source{Line: i + 10, Text: strconv.Itoa(int(v))})
	}
	r.Publications = []ingest.Publication{{Channel: "portal", Count: int64(rng.Intn(300)), Quote: "门户网站发布信息"}}
	return r
}

// writeCorpus writes n report files (agencies × years) into dir, with truth-style *.json
// sidecars and a hidden file that the walk must skip.
func writeCorpus(t testing.TB, dir string, n, agencies int, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < n; i++ {
		r := synth(rng, fmt.Sprintf("第%d镇人民政府", i%agencies), 2000+i/agencies)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%10))
		os.MkdirAll(sub, 0o755)
		name := filepath.Join(sub, fmt.Sprintf("r%05d.txt", i))
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			os.WriteFile(strings.TrimSuffix(name, ".txt")+".json", b, 0o644)
		}
	}
	os.WriteFile(filepath.Join(dir, ".hidden.txt"), []byte("NOT A REPORT"), 0o644)
}

func openDB(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRunTwiceAndFailures(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, 60, 20, 1)
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("NOT A REPORT"), 0o644)
	panics := filepath.Join(dir, "panic.md")
	os.WriteFile(panics, []byte("{}"), 0o644)
	db := openDB(t, filepath.Join(t.TempDir(), "p.duckdb"))
	defer db.Close()
	parse := func(name string, data []byte) (*ingest.Report, error) {
		if strings.HasSuffix(name, "panic.md") {
			panic("boom")
		}
		return jsonParse(name, data)
	}
	var calls int
	opt := Options{Parse: parse, Workers: 3, Progress: func(done, total int) { calls++ }}
	res, err := Run(context.Background(), db, []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 60 || res.Failed != 2 || res.Unchanged != 0 || res.Replaced != 0 {
		t.Fatalf("first run: %s %+v", res.Summary(), res.Failures)
	}
	if res.Failures[0].Path != bad || !strings.Contains(res.Failures[0].Reason, "no table 3") ||
		res.Failures[1].Path != panics || !strings.Contains(res.Failures[1].Reason, "panic") {
		t.Fatalf("failures %+v", res.Failures)
	}
	if calls != 62 {
		t.Fatalf("progress called %d times, want 62", calls)
	}
	if len(res.NewAgencies) != 20 {
		t.Fatalf("%d new agencies, want 20", len(res.NewAgencies))
	}
	res, err = Run(context.Background(), db, []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Summary(); got != "入库完成：新增 0，未变 60，替换 0，失败 2" {
		t.Fatalf("second run: %s", got)
	}
	var n int
	db.SQL().QueryRow(`SELECT count(*) FROM reports`).Scan(&n)
	if n != 60 {
		t.Fatalf("%d reports, want 60", n)
	}
}

func TestReplaceAndCrossYear(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(2))
	write := func(name string, r *ingest.Report) {
		b, _ := json.Marshal(r)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	r22, r23 := synth(rng, "甲镇人民政府", 2022), synth(rng, "甲镇人民政府", 2023)
	write("2022.txt", r22)
	write("2023.txt", r23)
	// The rule: X-carry-over when this year's carried_over differs from last year's carried_forward.
	rule := func(prev, cur *ingest.Report) []ingest.Finding {
		a, _ := prev.Value(ingest.Table3Key("carried_forward", "total"))
		b, _ := cur.Value(ingest.Table3Key("carried_over", "total"))
		if a != b {
			return []ingest.Finding{{Rule: "X-carry-over", Severity: ingest.SeverityError,
				Cell: ingest.Table3Key("carried_over", "total"), Message: "结转不符"}}
		}
		return nil
	}
	db := openDB(t, filepath.Join(t.TempDir(), "x.duckdb"))
	defer db.Close()
	opt := Options{Parse: jsonParse, CrossYear: rule}
	if _, err := Run(context.Background(), db, []string{dir}, opt); err != nil {
		t.Fatal(err)
	}
	xcount := func() int {
		var n int
		db.SQL().QueryRow(`SELECT count(*) FROM findings f JOIN current_reports r ON r.id = f.report_id WHERE f.rule = 'X-carry-over' AND r.year = 2023`).Scan(&n)
		return n
	}
	if a, b := r22.Cells.Of(ingest.Table3Key("carried_forward", "total")), r23.Cells.Of(ingest.Table3Key("carried_over", "total")); *a.Value == *b.Value {
		t.Skip("synthetic data happens to agree")
	}
	if xcount() != 1 {
		t.Fatalf("%d X-carry-over findings, want 1", xcount())
	}
	// A corrected 2022 report (更正版) fixes the carry-over: 2023's finding goes away.
	fixed := *r22
	fixed.Cells = ingest.MakeCells(0)
	for k, v := range r22.Cells.All() {
		fixed.Cells.Set(k, v)
	}
	fixed.Cells.Set(ingest.Table3Key("carried_forward", "total"), r23.Cells.Of(ingest.Table3Key("carried_over", "total")))
	write("2022-更正版.txt", &fixed)
	res, err := Run(context.Background(), db, []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary() != "入库完成：新增 0，未变 2，替换 1，失败 0" {
		t.Fatalf("%s", res.Summary())
	}
	if xcount() != 0 {
		t.Fatalf("%d X-carry-over findings after the correction, want 0", xcount())
	}
	var revs int
	db.SQL().QueryRow(`SELECT count(*) FROM reports r JOIN agencies a ON a.id = r.agency_id WHERE a.name = '甲镇人民政府' AND r.year = 2022`).Scan(&revs)
	if revs != 2 {
		t.Fatalf("%d versions of 2022, want 2 (the revision is kept)", revs)
	}
}

// TestKill9 kills a child process in the middle of an ingest and checks that the database
// holds only whole reports, no (agency, year) twice, and that ingesting again completes.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process; skipped with -short")
	}
	const n = 1500
	dir := t.TempDir()
	writeCorpus(t, dir, n, 100, 3)
	dbPath := filepath.Join(t.TempDir(), "k.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GONGKAI_PIPELINE_CHILD="+dbPath+","+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killedAt := -1
	for sc.Scan() {
		var done int
		if _, err := fmt.Sscanf(sc.Text(), "progress %d", &done); err == nil && done >= n/3 {
			killedAt = done
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	err := cmd.Wait()
	if killedAt < 0 {
		t.Fatalf("child ended before it was killed: %v", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child not killed: %v", cmd.ProcessState)
	}
	db := openDB(t, dbPath)
	var stored int
	db.SQL().QueryRow(`SELECT count(*) FROM reports`).Scan(&stored)
	t.Logf("killed after %d files; %d reports stored", killedAt, stored)
	if stored == 0 || stored >= n {
		t.Errorf("%d reports stored: the kill did not land midway", stored)
	}
	problems, err := db.Verify()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems { // the cross-year work the child had not done is owed
		if !strings.Contains(p, "cross-year findings are still owed") {
			t.Fatalf("after kill: %v", problems)
		}
	}
	res, err := Run(context.Background(), db, []string{dir}, crossYearOptions)
	if err != nil {
		t.Fatal(err)
	}
	if res.New+res.Unchanged != n || res.Failed != 0 || res.Replaced != 0 || res.Unchanged != stored {
		t.Fatalf("again: %s (stored before: %d)", res.Summary(), stored)
	}
	problems, err = db.Verify()
	if err != nil || len(problems) > 0 {
		t.Fatalf("after ingesting again: %v %v", problems, err)
	}
	db.Close()
}

// crossYearOptions ingest the JSON stand-ins with the real cross-year rules.
var crossYearOptions = Options{Parse: jsonParse, CrossYear: check.Years, CrossYearKeys: check.YearsKeys}

// TestKill9CrossYear kills a child after it stored every report but before the cross-year
// rules finished (the work is owed, recorded with the reports), then ingests the same files
// again: every finding of a clean run is there, none more.
func TestKill9CrossYear(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process; skipped with -short")
	}
	const n = 600
	dir := t.TempDir()
	writeCorpus(t, dir, n, 60, 5)
	dbPath := filepath.Join(t.TempDir(), "k.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GONGKAI_PIPELINE_CHILD="+dbPath+","+dir+",hang")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		if sc.Text() == "crossyear" {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("child ended before the cross-year rules")
	}
	db := openDB(t, dbPath)
	defer db.Close()
	var stored int
	db.SQL().QueryRow(`SELECT count(*) FROM reports`).Scan(&stored)
	pending, _, err := db.PendingCrossYear()
	if err != nil || stored != n || len(pending) == 0 {
		t.Fatalf("after the kill: %d reports stored, %d pairs owed, %v", stored, len(pending), err)
	}
	if p, _ := db.Verify(); len(p) == 0 {
		t.Error("Verify does not notice the owed cross-year findings")
	}
	res, err := Run(context.Background(), db, []string{dir}, crossYearOptions)
	if err != nil || res.Unchanged != n {
		t.Fatalf("again: %s %v", res.Summary(), err)
	}
	if p, err := db.Verify(); err != nil || len(p) > 0 {
		t.Fatalf("after the re-run: %v %v", p, err)
	}

	clean := openDB(t, filepath.Join(t.TempDir(), "clean.duckdb"))
	defer clean.Close()
	if _, err := Run(context.Background(), clean, []string{dir}, crossYearOptions); err != nil {
		t.Fatal(err)
	}
	got, want := findingSet(t, db), findingSet(t, clean)
	if len(want) == 0 {
		t.Fatal("the clean run has no findings: the test proves nothing")
	}
	cross := 0
	for k := range want {
		if store.CrossYearRule(strings.SplitN(k, "|", 4)[2]) {
			cross++
		}
	}
	if cross == 0 {
		t.Fatal("the clean run has no cross-year findings: the test proves nothing")
	}
	for k, c := range want {
		if got[k] != c {
			t.Errorf("finding %s: %d after kill and re-run, %d in a clean run", k, got[k], c)
		}
	}
	for k, c := range got {
		if want[k] != c {
			t.Errorf("finding %s: %d after kill and re-run, %d in a clean run", k, c, want[k])
		}
	}
	t.Logf("%d distinct findings (%d of them cross-year) as in a clean run", len(want), cross)
}

// findingSet counts the findings of current reports by agency|year|rule|cell|message.
func findingSet(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT r.agency || '|' || r.year || '|' || f.rule || '|' || f.cell || '|' || f.message
		FROM findings f JOIN current_reports r ON r.id = f.report_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		m[k]++
	}
	return m
}

// BenchmarkPipeline ingests 10,000 generated reports end to end (walk, read, JSON parse,
// store) into a fresh database per iteration; run with -benchtime=1x. reports/s counts Run,
// with-close/s Run and Close (the checkpoint of the WAL). The database is in
// GONGKAI_BENCH_DIR when set (e.g. /dev/shm for tmpfs), else in the test's temp dir.
func BenchmarkPipeline(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	writeCorpus(b, dir, n, 500, 4)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, n, Options{Parse: jsonParse, Batch: benchBatch()})
	}
}

// BenchmarkIngestGenerated is what gongkai ingest does with the generator's reports: 500
// organs × 20 years (2005–2024, formats 2019 and 2021, every layout) written by
// generate.Write, then read by parse.File, checked by check.Report and check.Years, stored.
// Run: go test -run '^$' -bench IngestGenerated -benchtime=1x ./ingest/pipeline
// (GONGKAI_BENCH_CORPUS=dir keeps the generated files in dir for the next run.)
func BenchmarkIngestGenerated(b *testing.B) {
	const agencies, from, to = 500, 2005, 2024
	dir := os.Getenv("GONGKAI_BENCH_CORPUS") // kept between runs when set, so that /usr/bin/time sees the ingest
	if dir == "" {
		dir = b.TempDir()
	}
	files, _ := Walk([]string{dir})
	if len(files) != agencies*(to-from+1) {
		var err error
		if files, err = generate.Write(generate.Options{Agencies: agencies, From: from, To: to, Out: dir, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchRun(b, dir, len(files), Options{Parse: parse.File, Check: check.Report, CrossYear: check.Years, CrossYearKeys: check.YearsKeys,
			ParserVersion: parse.Version, Batch: benchBatch()})
	}
}

func benchRun(b *testing.B, corpus string, n int, opt Options) {
	dbDir := b.TempDir()
	if d := os.Getenv("GONGKAI_BENCH_DIR"); d != "" {
		var err error
		if dbDir, err = os.MkdirTemp(d, "gongkai-bench"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dbDir)
	}
	db := openDB(b, filepath.Join(dbDir, "b.duckdb"))
	start := time.Now()
	res, err := Run(context.Background(), db, []string{corpus}, opt)
	if err != nil || res.New+res.Failed != n || res.New == 0 {
		b.Fatalf("%s %v", res.Summary(), err)
	}
	el := time.Since(start)
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	all := time.Since(start)
	b.ReportMetric(float64(res.New)/el.Seconds(), "reports/s")
	b.ReportMetric(float64(res.New)/all.Seconds(), "with-close/s")
	if res.Failed > 0 {
		b.Logf("%s; first failure: %+v", res.Summary(), res.Failures[0])
	}
}

func benchBatch() int {
	n, _ := strconv.Atoi(os.Getenv("GONGKAI_BENCH_BATCH"))
	return n
}
