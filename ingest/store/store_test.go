package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gongkai/config"
	"gongkai/ingest"
)

// TestMain lets the test binary act as a second process holding the database
// (GONGKAI_STORE_HOLD=path): it opens it, prints "ready" and waits for stdin to close.
func TestMain(m *testing.M) {
	if path := os.Getenv("GONGKAI_STORE_HOLD"); path != "" {
		db, err := Open(path)
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(2)
		}
		os.Stdout.WriteString("ready\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		db.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t testing.TB, db *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestMigrations(t *testing.T) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	want := 0 // the highest number
	for _, n := range names {
		k, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(n, "migrations/"), "_", 2)[0])
		want = max(want, k)
	}
	path := filepath.Join(t.TempDir(), "m.duckdb")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion()
	if err != nil || v != want {
		t.Fatalf("schema version %d, %v; want %d", v, err, want)
	}
	db.Close()
	db, err = Open(path) // again: nothing re-applied
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(t, db, `SELECT count(*) FROM schema_version`); n != len(names) {
		t.Fatalf("%d schema_version rows, want %d", n, len(names))
	}
}

func TestRoundTrip(t *testing.T) {
	db := open(t)
	for _, seed := range []int64{1, 3} { // three-row and single-row （六）
		r := synth("红寺堡区红寺堡镇人民政府", 2020+int(seed), seed)
		out, err := db.Save(r, meta("a.txt", r, ""))
		if err != nil || out != New {
			t.Fatalf("save: %v %v", out, err)
		}
		got, err := db.Load("红寺堡区红寺堡镇人民政府", r.Year)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cells.Len() != len(r.Keys()) {
			t.Fatalf("%d cells, want %d", got.Cells.Len(), len(r.Keys()))
		}
		for _, k := range r.Keys() {
			if !reflect.DeepEqual(got.Cells.Of(k), r.Cells.Of(k)) {
				t.Fatalf("cell %s: got %+v want %+v", k, got.Cells.Of(k), r.Cells.Of(k))
			}
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"publications", got.Publications, r.Publications},
			{"findings", got.Findings, r.Findings},
			{"prose", got.Prose, r.Prose},
			{"applications", *got.ApplicationsStated, *r.ApplicationsStated},
			{"quote", got.ApplicationsQuote, r.ApplicationsQuote},
			{"published", got.Published, r.Published},
			{"single_other", got.SingleOther, r.SingleOther},
			{"text", got.Text, r.Text},
			{"incomplete", got.Incomplete, r.Incomplete},
			{"incomplete_reason", got.IncompleteReason, r.IncompleteReason},
			{"agency_source", got.AgencySource, r.AgencySource},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: got %#v want %#v", c.name, c.got, c.want)
			}
		}
	}
	if n := count(t, db, `SELECT count(*) FROM cells WHERE flagged`); n != 2 {
		t.Errorf("%d flagged cells, want 2 (one finding names a cell in each report)", n)
	}
	settle(t, db)
	if p, err := db.Verify(); err != nil || len(p) > 0 {
		t.Fatalf("verify: %v %v", p, err)
	}
}

func TestIdempotent(t *testing.T) {
	db := open(t)
	r := synth("某镇人民政府", 2023, 5)
	m := meta("a.txt", r, "")
	if out, err := db.Save(r, m); err != nil || out != New {
		t.Fatalf("first: %v %v", out, err)
	}
	before := count(t, db, `SELECT count(*) FROM cells`) + count(t, db, `SELECT count(*) FROM reports`)*1000
	m.Path = "copy/of/a.txt"
	if out, err := db.Save(r, m); err != nil || out != Unchanged {
		t.Fatalf("second: %v %v", out, err)
	}
	after := count(t, db, `SELECT count(*) FROM cells`) + count(t, db, `SELECT count(*) FROM reports`)*1000
	if before != after {
		t.Fatalf("rows changed: %d → %d", before, after)
	}
	if !db.Known(m.SHA256) {
		t.Fatal("Known: false for a stored file")
	}
}

func TestReplaceKeepsRevision(t *testing.T) {
	db := open(t)
	r1 := synth("某镇人民政府", 2023, 5)
	r2 := synth("某镇人民政府", 2023, 6) // 更正版: other bytes, same agency and year
	if out, err := db.Save(r1, meta("v1.txt", r1, "")); err != nil || out != New {
		t.Fatalf("v1: %v %v", out, err)
	}
	if out, err := db.Save(r2, meta("v2.txt", r2, "")); err != nil || out != Replaced {
		t.Fatalf("v2: %v %v", out, err)
	}
	type row struct {
		path    string
		rev     int
		current bool
	}
	rows, err := db.SQL().Query(`SELECT source_path, revision, current FROM reports ORDER BY revision`)
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for rows.Next() {
		var x row
		rows.Scan(&x.path, &x.rev, &x.current)
		got = append(got, x)
	}
	rows.Close()
	want := []row{{"v1.txt", 1, false}, {"v2.txt", 2, true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %+v, want %+v", got, want)
	}
	if n := count(t, db, `SELECT count(*) FROM current_reports`); n != 1 {
		t.Fatalf("%d current reports, want 1", n)
	}
	// The earlier version's bytes again: nothing changes, the correction stays current.
	if out, err := db.Save(r1, meta("v1.txt", r1, "")); err != nil || out != Unchanged {
		t.Fatalf("v1 again: %v %v", out, err)
	}
	got2, _ := db.Load("某镇人民政府", 2023)
	if got2.Source != "v2.txt" {
		t.Fatalf("current is %s, want v2.txt", got2.Source)
	}
	// Replacements in one batch (group commit): the last one wins, all revisions kept.
	r3, r4 := synth("某镇人民政府", 2023, 7), synth("某镇人民政府", 2023, 8)
	res := db.SaveAll([]Item{{Report: r3, Meta: meta("v3.txt", r3, "")}, {Report: r4, Meta: meta("v4.txt", r4, "")}})
	if res[0].Outcome != Replaced || res[1].Outcome != Replaced {
		t.Fatalf("batch: %+v", res)
	}
	if n := count(t, db, `SELECT count(*) FROM reports WHERE current`); n != 1 {
		t.Fatalf("%d current, want 1", n)
	}
	if n := count(t, db, `SELECT max(revision) FROM reports WHERE current AND source_path = 'v4.txt'`); n != 4 {
		t.Fatalf("revision %d, want 4", n)
	}
	settle(t, db)
	if p, err := db.Verify(); err != nil || len(p) > 0 {
		t.Fatalf("verify: %v %v", p, err)
	}
}

func TestFailedStoresNothing(t *testing.T) {
	db := open(t)
	good := synth("甲镇人民政府", 2023, 1)
	bad := synth("乙镇人民政府", 2023, 2)
	bad.Cells.Set("table9.nonsense.total", ingest.Cell{Value: ingest.Num(1)}) // not a key of the format
	noAgency := synth("", 2023, 4)
	res := db.SaveAll([]Item{{Report: good, Meta: meta("g.txt", good, "")}, {Report: bad, Meta: meta("b.txt", bad, "")}, {Report: noAgency, Meta: meta("n.txt", noAgency, "")}})
	if res[0].Err != nil || res[0].Outcome != New {
		t.Fatalf("good: %+v", res[0])
	}
	if res[1].Err == nil || res[2].Err == nil {
		t.Fatalf("bad ones saved: %+v %+v", res[1], res[2])
	}
	if n := count(t, db, `SELECT count(*) FROM reports`); n != 1 {
		t.Fatalf("%d reports, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM cells`); n != len(good.Keys()) {
		t.Fatalf("%d cells, want %d", n, len(good.Keys()))
	}
	if n := count(t, db, `SELECT count(*) FROM agencies WHERE name = '乙镇人民政府'`); n != 0 {
		t.Fatal("agency of a failed report stored")
	}
	// A failure inside the transaction, after the report's rows were appended: the batch is
	// rolled back, the others are saved one by one, nothing of the failing one remains.
	failInTx = func(r *ingest.Report) error {
		if r.Agency == "丁镇人民政府" {
			return errors.New("injected")
		}
		return nil
	}
	defer func() { failInTx = func(*ingest.Report) error { return nil } }()
	p1, p2, p3 := synth("丙镇人民政府", 2023, 9), synth("丁镇人民政府", 2023, 10), synth("戊镇人民政府", 2023, 11)
	res = db.SaveAll([]Item{{Report: p1, Meta: meta("p1.txt", p1, "")}, {Report: p2, Meta: meta("p2.txt", p2, "")}, {Report: p3, Meta: meta("p3.txt", p3, "")}})
	if res[0].Err != nil || res[2].Err != nil || res[1].Err == nil {
		t.Fatalf("%+v", res)
	}
	if n := count(t, db, `SELECT count(*) FROM reports`); n != 3 {
		t.Fatalf("%d reports, want 3", n)
	}
	if n := count(t, db, `SELECT count(*) FROM agencies WHERE name = '丁镇人民政府'`); n != 0 {
		t.Fatal("agency of a failed report stored")
	}
	if db.Known(meta("p2.txt", p2, "").SHA256) {
		t.Fatal("index remembers a rolled-back report")
	}
	settle(t, db)
	if p, err := db.Verify(); err != nil || len(p) > 0 {
		t.Fatalf("verify: %v %v", p, err)
	}
}

func TestRegistry(t *testing.T) {
	organs := []config.Organ{
		{Name: "红寺堡区红寺堡镇人民政府", Level: ingest.LevelTownship, District: "红寺堡区", Aliases: []string{"红寺堡镇"}},
		{Name: "红寺堡区太阳山镇人民政府", Level: ingest.LevelTownship, District: "红寺堡区"},
		{Name: "红寺堡区人民政府", Level: ingest.LevelCounty, District: "红寺堡区"},
		{Name: "红寺堡区人民政府办公室", Level: ingest.LevelDepartment, District: "红寺堡区"},
		{Name: "红寺堡区发展和改革局", Level: ingest.LevelDepartment, District: "红寺堡区"},
	}
	g := NewRegistry(organs)
	for printed, want := range map[string]string{
		"红寺堡镇":             "红寺堡区红寺堡镇人民政府",
		"红寺堡区 红寺堡镇人民政府":    "红寺堡区红寺堡镇人民政府",
		"红寺堡镇人民政府":         "红寺堡区红寺堡镇人民政府",
		"太阳山镇":             "红寺堡区太阳山镇人民政府",
		"红寺堡区太阳山镇政府":       "红寺堡区太阳山镇人民政府",
		"红寺堡区人民政府":         "红寺堡区人民政府",
		"红寺堡区人民政府办公室":      "红寺堡区人民政府办公室",
		"发展和改革局":           "红寺堡区发展和改革局",
		"红寺堡区发展和改革局（全区汇总）": "红寺堡区发展和改革局",
	} {
		o, ok := g.Resolve(printed)
		if !ok || o.Name != want {
			t.Errorf("Resolve(%q) = %q %v, want %q", printed, o.Name, ok, want)
		}
	}
	if _, ok := g.Resolve("大河乡人民政府"); ok {
		t.Error("unknown organ resolved")
	}

	db := open(t)
	if err := db.SyncRegistry(organs); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM agencies WHERE expected`); n != len(organs) {
		t.Fatalf("%d expected agencies, want %d", n, len(organs))
	}
	if n := count(t, db, `SELECT len(aliases) FROM agencies WHERE name = '红寺堡区红寺堡镇人民政府'`); n != 1 {
		t.Fatalf("aliases %d, want 1", n)
	}
	r := synth("红寺堡镇", 2024, 1)
	res := db.SaveAll([]Item{{Report: r, Meta: meta("a.txt", r, "")}})
	if res[0].Agency != "红寺堡区红寺堡镇人民政府" || res[0].NewAgency {
		t.Fatalf("%+v", res[0])
	}
	r = synth("大河乡 人民政府", 2024, 2)
	res = db.SaveAll([]Item{{Report: r, Meta: meta("b.txt", r, "")}})
	if res[0].Agency != "大河乡人民政府" || !res[0].NewAgency {
		t.Fatalf("%+v", res[0])
	}
	r = synth("大河乡政府", 2023, 3) // normalised match of the new agency: not new again
	res = db.SaveAll([]Item{{Report: r, Meta: meta("c.txt", r, "")}})
	if res[0].Agency != "大河乡人民政府" || res[0].NewAgency {
		t.Fatalf("%+v", res[0])
	}
	if n := count(t, db, `SELECT count(*) FROM agencies WHERE NOT expected`); n != 1 {
		t.Fatalf("%d unexpected agencies, want 1", n)
	}
	// a name guessed from the file name (the text names no organ) is taken only when the
	// registry knows it; it never makes a new organ
	r = synth("红寺堡镇", 2022, 4)
	r.AgencySource = ingest.AgencyFromFileName
	res = db.SaveAll([]Item{{Report: r, Meta: meta("红寺堡镇2022年报.txt", r, "")}})
	if res[0].Err != nil || res[0].Agency != "红寺堡区红寺堡镇人民政府" {
		t.Fatalf("file name in the registry: %+v", res[0])
	}
	r = synth("小河村", 2022, 5)
	r.AgencySource = ingest.AgencyFromURL
	res = db.SaveAll([]Item{{Report: r, Meta: meta("http://x/小河村.html", r, "")}})
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "不在单位名册中") {
		t.Fatalf("a URL name not in the registry was stored: %+v", res[0])
	}
	if n := count(t, db, `SELECT count(*) FROM agencies WHERE NOT expected`); n != 1 {
		t.Fatalf("%d unexpected agencies, want 1", n)
	}
	if err := db.SyncRegistry(organs[:1]); err != nil { // again, smaller: the rest not expected
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM agencies WHERE expected`); n != 1 {
		t.Fatalf("%d expected, want 1", n)
	}
}

func TestReplaceFindings(t *testing.T) {
	db := open(t)
	r := synth("某镇人民政府", 2023, 5)
	db.Save(r, meta("a.txt", r, ""))
	aid, _ := db.AgencyID("某镇人民政府")
	id, ok := db.Current(aid, 2023)
	if !ok {
		t.Fatal("no current")
	}
	x := ingest.Finding{Rule: "X-carry-over", Severity: ingest.SeverityError, Cell: "table3.carried_over.total", Message: "结转不符"}
	for i := 0; i < 2; i++ { // twice: replaced, not added
		if err := db.ReplaceFindings(id, []ingest.Finding{x}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := db.Load("某镇人民政府", 2023)
	if len(got.Findings) != 2 || got.Findings[1].Rule != "X-carry-over" {
		t.Fatalf("findings %+v", got.Findings)
	}
	if n := count(t, db, `SELECT count(*) FROM cells WHERE flagged`); n != 2 {
		t.Fatalf("%d flagged, want 2", n)
	}
	if err := db.ReplaceFindings(id, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM findings`); n != 1 {
		t.Fatalf("%d findings, want 1", n)
	}
	if err := db.ReplaceFindings(id, []ingest.Finding{{Rule: "T3-balance"}}); err == nil {
		t.Fatal("a single-year rule accepted as cross-year")
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GONGKAI_STORE_HOLD="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("child: %q", line)
	}
	_, err := Open(path)
	var le *ErrLocked
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want ErrLocked", err)
	}
	if le.PID != cmd.Process.Pid {
		t.Errorf("PID %d, want %d", le.PID, cmd.Process.Pid)
	}
	msg := err.Error()
	for _, want := range []string{"数据库 " + path + " 正被另一进程（PID", "请停止 gongkai serve", "gongkai ingest --server URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "IO Error") {
		t.Errorf("raw DuckDB error in message: %q", msg)
	}
	t.Log(msg)
}

// settle marks the cross-year work of the reports saved as done: these tests store reports
// without the pipeline, which would run the cross-year rules.
func settle(t testing.TB, db *DB) {
	t.Helper()
	_, mark, err := db.PendingCrossYear()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DonePendingCrossYear(mark); err != nil {
		t.Fatal(err)
	}
}

// The index keys a version by its digest's bytes: the same digest is one key, two different
// identity strings (a digest in capitals, any other string) never share one.
func TestShaKey(t *testing.T) {
	const lower = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	if keyOf(lower) != keyOf(strings.Clone(lower)) {
		t.Fatal("the same digest gives two keys")
	}
	if k := keyOf(lower); k[0] != 0x9f || k[31] != 0x08 {
		t.Fatalf("a hex digest is not keyed by its bytes: %x", k)
	}
	keys := map[shaKey]string{}
	for _, s := range []string{lower, strings.ToUpper(lower), "", "x", lower[:63], lower + "0", "text:" + lower} {
		if o, ok := keys[keyOf(s)]; ok {
			t.Fatalf("%q and %q share a key", s, o)
		}
		keys[keyOf(s)] = s
	}
	// every digest is keyed by the bytes hex.DecodeString gives; a string one character off
	// the lowercase hex digits, anywhere, by its own SHA-256
	for i := range 200 {
		sum := sha256.Sum256([]byte{byte(i)})
		d := hex.EncodeToString(sum[:])
		if k := keyOf(d); !bytes.Equal(k[:], sum[:]) {
			t.Fatalf("%s keyed %x", d, k)
		}
		b := []byte(d)
		b[i%64] = "gG/:`@"[i%6]
		if k := keyOf(string(b)); k != sha256.Sum256([]byte("gongkai-identity\x00"+string(b))) {
			t.Fatalf("%s keyed as a digest: %x", b, k)
		}
	}
}
