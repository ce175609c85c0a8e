package dashboards_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/dashboards"
	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/parse"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
	"gongkai/ingest/web"
	"gongkai/ingest/web/webtest"
)

// The upload form's links go through the real service (UploadIngestURLs, what gongkai serve
// wires): the test portal's column read into the store, a row per failed link naming it and
// the reason, then the summary counting the reports stored; a second run stores nothing.
func TestUploadIngestURLs(t *testing.T) {
	p := webtest.New(t, 2)
	db, err := store.Open(filepath.Join(t.TempDir(), "urls.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opt := pipeline.Options{Parse: parse.File, Check: check.Report, CrossYear: check.Years, ParserVersion: "test"}
	client := web.New(web.Options{Version: "test", Timeout: time.Second, Retries: 1})
	run := dashboards.UploadIngestURLs(db, client, opt)

	res := run(context.Background(), []string{p.Column()})
	if len(res) == 0 {
		t.Fatal("no result rows")
	}
	sum := res[len(res)-1]
	if sum.Name != p.Column() || sum.Error != "" {
		t.Fatalf("summary row %+v", sum)
	}
	failed := map[string]string{}
	for _, r := range res[:len(res)-1] {
		if r.Outcome != ingest.OutcomeFailed || r.Error == "" {
			t.Errorf("row %+v: want a failure with its reason", r)
		}
		failed[r.Name] = r.Error
	}
	for u, why := range p.Failing {
		if !strings.Contains(failed[u], why) {
			t.Errorf("failure of %s: %q, want %q", u, failed[u], why)
		}
	}
	stored := 0
	for _, truth := range p.Reports {
		if _, err := db.Load(truth.Agency, truth.Year); err == nil {
			stored++
		}
	}
	if want := fmt.Sprintf("%s %d，", ingest.OutcomeLabel(ingest.OutcomeNew), len(p.Reports)); stored != len(p.Reports) || !strings.Contains(sum.Outcome, want) {
		t.Fatalf("stored %d reports; summary %q", stored, sum.Outcome)
	}
	again := run(context.Background(), []string{p.Column()})
	if s := again[len(again)-1].Outcome; !strings.Contains(s, ingest.OutcomeLabel(ingest.OutcomeNew)+" 0，") {
		t.Errorf("second run stored again: %q", s)
	}
}
