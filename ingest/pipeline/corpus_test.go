package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gongkai/ingest/check"
	"gongkai/ingest/parse"
)

// TestCorpusTwice ingests ../shared/corpus twice with the real parser and checker: the second
// run stores nothing new and reports every stored file unchanged.
func TestCorpusTwice(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus %s absent: skipped (it is read from ../shared/corpus, never copied)", corpus)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "c.duckdb"))
	defer db.Close()
	opt := Options{Parse: parse.File, Check: check.Report, CrossYear: check.Years, CrossYearKeys: check.YearsKeys, ParserVersion: parse.Version}
	first, err := Run(context.Background(), db, []string{corpus}, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(first.Summary(), first.Failures)
	if first.New == 0 {
		t.Fatalf("first run stored nothing: %s %+v", first.Summary(), first.Failures)
	}
	second, err := Run(context.Background(), db, []string{corpus}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("入库完成：新增 0，未变 %d，替换 0，失败 %d", first.New+first.Replaced, first.Failed)
	if second.Summary() != want {
		t.Fatalf("second run: %s, want %s", second.Summary(), want)
	}
	if p, err := db.Verify(); err != nil || len(p) > 0 {
		t.Fatalf("verify: %v %v", p, err)
	}
}
