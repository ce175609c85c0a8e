package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gongkai/ingest/web/webtest"
)

// webEnv makes the test runs fast: no pause between requests, a short timeout, one retry.
var webEnv = []string{"GONGKAI_WEB_DELAY=0s", "GONGKAI_WEB_TIMEOUT=1s", "GONGKAI_WEB_RETRIES=1"}

// gongkai ingest with a column URL mixed with a file, then again through --registry-sources:
// every report once, each bad link one failure on stderr in Chinese, the second run unchanged.
func TestIngestURL(t *testing.T) {
	p := webtest.New(t, 4)
	dir := t.TempDir()
	var file string // a 2024 report: the portal's are of 2023
	for _, f := range reportFiles(t, generated(t, dir)) {
		if strings.Contains(filepath.Base(f), "_2024") {
			file = f
		}
	}
	out, errOut, code := run(t, dir, webEnv, "ingest", "--db", "w.duckdb", p.Column(), p.Frames, file)
	want := len(p.Reports) + 2 // the column's reports, the framed one, the file
	if code != 1 || lastLine(out) != summaryLine(want, 0, len(p.Failing)) {
		t.Fatalf("first run: %d %q\n%s", code, lastLine(out), errOut)
	}
	for u, why := range p.Failing {
		if !strings.Contains(errOut, "失败 "+u+": ") || !strings.Contains(errOut, why) {
			t.Errorf("stderr lacks the failure of %s (%s):\n%s", u, why, errOut)
		}
	}
	yaml := "registry:\n  - name: 红寺堡区人民政府\n    sources: [\"" + p.Column() + "\", \"" + p.Frames + "\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "gongkai.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = run(t, dir, webEnv, "ingest", "--db", "w.duckdb", "--registry-sources", file)
	if code != 1 || lastLine(out) != summaryLine(0, want, len(p.Failing)) {
		t.Fatalf("second run: %d %q\n%s", code, lastLine(out), errOut)
	}
}

func summaryLine(n, unchanged, failed int) string {
	return "入库完成：新增 " + itoa(n) + "，未变 " + itoa(unchanged) + "，替换 0，失败 " + itoa(failed)
}

func itoa(n int) string { return strconv.Itoa(n) }

// parse and check read URLs: a report page and a column.
func TestParseCheckURL(t *testing.T) {
	p := webtest.New(t, 5)
	dir := t.TempDir()
	var page string
	for u := range p.Reports {
		page = u
		break
	}
	out, errOut, code := run(t, dir, webEnv, "parse", "--json", page)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, p.Reports[page].Agency) {
		t.Fatalf("parse %s: %d %q %q", page, code, out, errOut)
	}
	out, errOut, code = run(t, dir, webEnv, "check", "--json", p.Column())
	if code != 2 || strings.Count(out, "\n") != len(p.Reports)+len(p.Failing) {
		t.Fatalf("check column: %d\n%s\n%s", code, out, errOut)
	}
	for u := range p.Reports {
		if !strings.Contains(out, `"source":"`+u) && !strings.Contains(out, p.Reports[u].Agency) {
			t.Errorf("check output lacks %s", u)
		}
	}
}
