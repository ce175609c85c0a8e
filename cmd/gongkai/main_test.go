package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bin is the gongkai binary built once for these end-to-end tests of the command line.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gongkai-cli")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "gongkai")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs gongkai in dir and returns stdout, stderr and the exit code.
func run(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// generated writes a small generated district into dir/reports and returns the folder.
func generated(t *testing.T, dir string, extra ...string) string {
	out := filepath.Join(dir, "reports")
	args := append([]string{"generate", "--agencies", "4", "--years", "2023-2024", "--out", out, "--seed", "3"}, extra...)
	stdout, stderr, code := run(t, dir, nil, args...)
	if code != 0 || !strings.HasPrefix(stdout, "已生成 8 份报告") {
		t.Fatalf("generate: %d %q %q", code, stdout, stderr)
	}
	return out
}

func reportFiles(t *testing.T, folder string) []string {
	var files []string
	ents, _ := os.ReadDir(folder)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			files = append(files, filepath.Join(folder, e.Name()))
		}
	}
	if len(files) == 0 {
		t.Fatal("no generated reports")
	}
	return files
}

func TestParseJSON(t *testing.T) {
	dir := t.TempDir()
	files := reportFiles(t, generated(t, dir))
	stdout, stderr, code := run(t, dir, nil, append([]string{"parse", "--json"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(files) {
		t.Fatalf("%d JSON lines for %d files", len(lines), len(files))
	}
	for i, l := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		for _, k := range []string{"source", "agency", "year", "format", "level", "table2", "table3", "table4", "publications", "findings"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("line %d: no %q", i, k)
			}
		}
		if obj["source"] != files[i] {
			t.Errorf("line %d: source %v, want %s", i, obj["source"], files[i])
		}
	}

	// not a report: exit 1, the message names the file and why
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("会议纪要\n今天讨论了绿化工作。\n"), 0o644)
	_, stderr, code = run(t, dir, nil, "parse", files[0], bad)
	if code != 1 || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "table 3") {
		t.Fatalf("non-report: exit %d, stderr %q", code, stderr)
	}
}

func TestIngestTwiceAndCheck(t *testing.T) {
	dir := t.TempDir()
	folder := generated(t, dir)
	db := filepath.Join(dir, "g.duckdb")
	stdout, stderr, code := run(t, dir, nil, "ingest", "--db", db, folder)
	if code != 0 || lastLine(stdout) != "入库完成：新增 8，未变 0，替换 0，失败 0" {
		t.Fatalf("first ingest: %d %q %q", code, stdout, stderr)
	}
	stdout, _, code = run(t, dir, nil, "ingest", "--db", db, folder)
	if code != 0 || lastLine(stdout) != "入库完成：新增 0，未变 8，替换 0，失败 0" {
		t.Fatalf("second ingest: %d %q", code, stdout)
	}
	// a file that fails: reported, skipped, exit 1
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("不是年报"), 0o644)
	stdout, stderr, code = run(t, dir, nil, "ingest", "--db", db, bad)
	if code != 1 || lastLine(stdout) != "入库完成：新增 0，未变 0，替换 0，失败 1" || !strings.Contains(stderr, bad) {
		t.Fatalf("bad file: %d %q %q", code, stdout, stderr)
	}

	// check: clean generated drafts exit 0
	files := reportFiles(t, folder)
	if _, stderr, code := run(t, dir, nil, append([]string{"check", "--json"}, files...)...); code != 0 {
		t.Fatalf("check clean: exit %d %s", code, stderr)
	}
	// not readable as a report: exit 2
	if _, _, code := run(t, dir, nil, "check", bad); code != 2 {
		t.Fatalf("check unreadable: exit %d, want 2", code)
	}
}

func TestCheckFindsInjectedError(t *testing.T) {
	dir := t.TempDir()
	folder := generated(t, dir, "--inject", "T3-balance=1")
	stdout, _, code := run(t, dir, nil, append([]string{"check", "--json"}, reportFiles(t, folder)...)...)
	if code != 1 {
		t.Fatalf("check: exit %d, want 1 (errors)", code)
	}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	found := 0
	for sc.Scan() {
		var obj struct {
			Findings []struct{ Rule, Severity, Message string }
		}
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatal(err)
		}
		for _, f := range obj.Findings {
			if f.Rule == "T3-balance" && f.Severity == "error" && f.Message != "" {
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("no T3-balance finding in reports generated with that error")
	}
}

// TestIngestViaServer: with gongkai serve holding the database, ingest --server hands the
// files to it; opening the database directly is refused with a plain message.
func TestIngestViaServer(t *testing.T) {
	dir := t.TempDir()
	folder := generated(t, dir)
	db := filepath.Join(dir, "s.duckdb")
	addr := startServe(t, dir, db)
	env := []string{"GONGKAI_SERVER_TOKEN=t0ken"}
	stdout, stderr, code := run(t, dir, env, "ingest", "--server", "http://"+addr, folder)
	if code != 0 || lastLine(stdout) != "入库完成：新增 8，未变 0，替换 0，失败 0" {
		t.Fatalf("ingest --server: %d %q %q", code, stdout, stderr)
	}
	_, stderr, code = run(t, dir, nil, "ingest", "--db", db, folder)
	if code == 0 || !strings.Contains(stderr, "gongkai ingest --server") || strings.Contains(stderr, "Could not set lock") {
		t.Fatalf("direct ingest while served: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = run(t, dir, []string{"GONGKAI_SERVER_TOKEN=wrong"}, "ingest", "--server", "http://"+addr, folder)
	if code == 0 {
		t.Fatalf("wrong token accepted: %q", stderr)
	}
}

// startServe runs gongkai serve on db (server.token t0ken) until the test ends and returns
// its address.
func startServe(t *testing.T, dir, db string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := exec.Command(bin, "serve", "--db", db, "--addr", addr)
	srv.Dir = dir
	srv.Env = append(os.Environ(), "GONGKAI_SERVER_TOKEN=t0ken")
	var srvErr bytes.Buffer
	srv.Stdout, srv.Stderr = &srvErr, &srvErr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/years")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", srvErr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Issue 10 item 1: check --db while serve holds the database cannot compare with the stored
// years: exit 2 with the reason, never 未发现问题; check --server compares through the
// running server and finds what check --db finds with the database free.
func TestCheckWhileServed(t *testing.T) {
	dir := t.TempDir()
	folder := generated(t, dir, "--inject", "X-carry-over=1")
	db := filepath.Join(dir, "c.duckdb")
	var y2023 []string
	draft := ""
	for _, f := range reportFiles(t, folder) {
		switch {
		case strings.Contains(f, "_2023."):
			y2023 = append(y2023, f)
		case strings.HasSuffix(f, "_2024.txt") && draft == "":
			draft = f
		}
	}
	if draft == "" || len(y2023) == 0 {
		t.Fatal("no 2024 text draft or 2023 reports generated")
	}
	if _, stderr, code := run(t, dir, nil, append([]string{"ingest", "--db", db}, y2023...)...); code != 0 {
		t.Fatalf("ingest 2023: %d %s", code, stderr)
	}
	free, _, code := run(t, dir, nil, "check", "--db", db, draft)
	if code != 1 || !strings.Contains(free, "X-carry-over") || !strings.Contains(free, "上年结转数与上年报告不符") {
		t.Fatalf("check --db, database free: exit %d\n%s", code, free)
	}

	addr := startServe(t, dir, db)
	stdout, stderr, code := run(t, dir, nil, "check", "--db", db, draft)
	if code != 2 || strings.Contains(stdout, "未发现问题") || !strings.Contains(stderr, "校验未完成") || !strings.Contains(stderr, "--server") {
		t.Fatalf("check --db while served: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = run(t, dir, nil, "check", "--server", "http://"+addr, draft)
	if code != 1 || stdout != free {
		t.Fatalf("check --server: exit %d, stderr %q\n%s\nwant the output of check --db:\n%s", code, stderr, stdout, free)
	}
	// a server that does not answer: the check did not run
	stdout, stderr, code = run(t, dir, nil, "check", "--server", "http://127.0.0.1:1", draft)
	if code != 2 || strings.Contains(stdout, "未发现问题") || !strings.Contains(stderr, "无法连接服务器") {
		t.Fatalf("check --server, no server: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// a database that does not exist is not created
	missing := filepath.Join(dir, "typo.duckdb")
	if _, stderr, code := run(t, dir, nil, "check", "--db", missing, draft); code != 2 || !strings.Contains(stderr, "不存在") {
		t.Fatalf("check --db missing: exit %d %q", code, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("check --db created a database")
	}
}

// summary: the consolidated tables of a generated district in every format; gongkai check on
// the Markdown summary of a clean district exits 0, and parse reads the HTML back.
func TestSummaryCommand(t *testing.T) {
	dir := t.TempDir()
	folder := generated(t, dir, "--layouts", "tabs,markdown,html")
	db := filepath.Join(dir, "s.duckdb")
	if _, stderr, code := run(t, dir, nil, "ingest", "--db", db, folder); code != 0 {
		t.Fatalf("ingest: %d %s", code, stderr)
	}
	for _, ext := range []string{"md", "html", "xlsx", "docx", "csv"} {
		out := filepath.Join(dir, "summary."+ext)
		stdout, stderr, code := run(t, dir, nil, "summary", "--db", db, "--year", "2024", "-o", out)
		if code != 0 || !strings.Contains(stdout, "2024年政府信息公开工作年度报告（汇总）") || !strings.Contains(stdout, "计入 4 个单位") {
			t.Fatalf("summary %s: %d %q %q", ext, code, stdout, stderr)
		}
		if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
			t.Fatalf("summary %s: no file", ext)
		}
	}
	if stdout, stderr, code := run(t, dir, nil, "check", filepath.Join(dir, "summary.md")); code != 0 {
		t.Errorf("check summary.md: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, code := run(t, dir, nil, "parse", "--json", filepath.Join(dir, "summary.md"), filepath.Join(dir, "summary.html"))
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("parse: %d %q", code, stdout)
	}
	var md, page map[string]any
	json.Unmarshal([]byte(lines[0]), &md)
	json.Unmarshal([]byte(lines[1]), &page)
	for _, k := range []string{"table2", "table3", "table4"} {
		a, _ := json.Marshal(md[k])
		b, _ := json.Marshal(page[k])
		if string(a) != string(b) || len(a) < 10 {
			t.Errorf("%s differs between the Markdown and the HTML summary:\n%s\n%s", k, a, b)
		}
	}
	if _, stderr, code := run(t, dir, nil, "summary", "--db", db, "--year", "2024", "--format", "pdf", "-o", filepath.Join(dir, "x.pdf")); code != 2 || stderr == "" {
		t.Errorf("unknown format: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, dir, nil, "summary", "--db", db, "--year", "2024", "--organs", "无此单位", "-o", filepath.Join(dir, "x.md")); code != 1 || !strings.Contains(stderr, "无此单位") {
		t.Errorf("unknown organ: %d %q", code, stderr)
	}
}

// hasHan tells whether s holds Chinese characters.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// Issue 10 item 10: what the command line says to a clerk is Chinese, cobra's and pflag's
// words included; technical detail may follow.
func TestMessagesInChinese(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"nosuchcommand"},
		{"check"},
		{"check", "--bogus", "x.txt"},
		{"export", "--year", "abc", "-o", "x.csv"},
		{"export", "--format", "pdf", "-o", "x.pdf"},
		{"export", "-o", "x.csv", "--db", filepath.Join(dir, "none.duckdb")},
		{"serve", "extra"},
		{"parse", filepath.Join(dir, "missing.txt")},
		{"generate"},
		{"ingest", "--server", "http://127.0.0.1:1", filepath.Join(dir, "missing.txt")},
	} {
		stdout, stderr, code := run(t, dir, nil, args...)
		if code == 0 {
			t.Errorf("%v: exit 0", args)
		}
		msg := stdout + stderr
		if !hasHan(msg) {
			t.Errorf("%v: no Chinese in %q", args, msg)
		}
		for _, en := range []string{"Usage:", "Error:", "unknown command", "unknown flag", "invalid argument", "must be", "is required", "Flags:"} {
			if strings.Contains(msg, en) {
				t.Errorf("%v: English %q in %q", args, en, msg)
			}
		}
	}
	for _, args := range [][]string{{"--help"}, {"check", "--help"}, {"export", "--help"}, {"help", "ingest"}} {
		stdout, _, code := run(t, dir, nil, args...)
		if code != 0 || !strings.Contains(stdout, "用法：") {
			t.Errorf("%v: exit %d %q", args, code, stdout)
		}
		for _, en := range []string{"Usage:", "Flags:", "help for", "Global Flags", "Available Commands"} {
			if strings.Contains(stdout, en) {
				t.Errorf("%v: English %q in help", args, en)
			}
		}
	}
}

// Issue 10 item 9: a mistyped configuration is refused with the key and the line; a mistyped
// --db is not silently a new database: ingest says 新建数据库, the empty dashboard names the file.
func TestTyposSaid(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gongkai.yaml"), []byte("db: g.duckdb\ndistrct: 红寺堡区\nregistry:\n  - name: 甲镇人民政府\n    level: towship\n"), 0o644)
	_, stderr, code := run(t, dir, nil, "check", "x.txt")
	for _, want := range []string{"第 2 行", "distrct", "district", "第 5 行", "towship", "township"} {
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("config typos: exit %d, %q lacks %q", code, stderr, want)
		}
	}
	os.Remove(filepath.Join(dir, "gongkai.yaml"))

	folder := generated(t, dir)
	_, stderr, code = run(t, dir, nil, "ingest", "--db", "gonkgai.duckdb", folder)
	if code != 0 || !strings.Contains(stderr, "新建数据库") || !strings.Contains(stderr, "gonkgai.duckdb") {
		t.Fatalf("ingest into a new file: exit %d %q", code, stderr)
	}
	_, stderr, _ = run(t, dir, nil, "ingest", "--db", "gonkgai.duckdb", folder)
	if strings.Contains(stderr, "新建数据库") {
		t.Fatalf("an existing database called new: %q", stderr)
	}
	empty := filepath.Join(dir, "typo.duckdb")
	addr := startServe(t, dir, empty)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(body.String(), "typo.duckdb") || !strings.Contains(body.String(), "还没有报告") {
		t.Fatalf("the empty dashboard does not name its file:\n%s", body.String())
	}
}

// Issue 10: gongkai demo always creates its own database (it has no --db), so it never prints
// the 新建数据库 hint that asks the clerk to check --db.
func TestDemoNoDBHint(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "demo", "--dir", filepath.Join(dir, "demo"), "--addr", addr)
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	served := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "看板地址") {
			served = true
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if !served {
		t.Fatalf("demo did not serve: %s", errb.String())
	}
	if strings.Contains(errb.String(), "新建数据库") || strings.Contains(errb.String(), "--db") {
		t.Fatalf("demo printed the --db hint: %q", errb.String())
	}
}
