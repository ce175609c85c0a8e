package pipeline

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/generate"
	"gongkai/ingest/store"
)

// serviceCase is one organ's 2023 and 2024 reports, the 2024 prose half copied from 2023.
func serviceCase(t *testing.T) (prev, cur *ingest.Report, sim float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(7))
	agencies := generate.District(rng, "测试区", 3)
	prev = generate.Truth(rng, agencies[0], 2023, ingest.Format2021, nil)
	cur = generate.Truth(rng, agencies[0], 2024, ingest.Format2021, prev)
	other := generate.Truth(rng, agencies[1], 2024, ingest.Format2021, nil)
	for _, n := range []int{1, 5} {
		cur.Prose[n] = prev.Prose[n] + other.Prose[n] + other.Prose[n]
	}
	fs := check.Copied(cur, []*ingest.Report{prev}, 0.01)
	if len(fs) == 0 || fs[0].Actual == nil {
		t.Fatal("the half-copied prose is not similar at all")
	}
	sim = *fs[0].Actual
	if sim < 0.2 || sim > 0.9 {
		t.Fatalf("similarity %.3f: the case needs one between the thresholds tried", sim)
	}
	return prev, cur, sim
}

// standIn returns Standard's options with a parser that hands out the given reports by file
// name, and writes those files into dir.
func standIn(t *testing.T, dir string, s Settings, reports map[string]*ingest.Report) Options {
	t.Helper()
	for name := range reports {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opt := Standard(s)
	opt.Parse = func(name string, _ []byte) (*ingest.Report, error) {
		r := *reports[filepath.Base(name)]
		r.Findings = nil
		return &r, nil
	}
	return opt
}

func copiedFindings(fs []ingest.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Rule == ingest.RuleCopiedProse {
			n++
		}
	}
	return n
}

// Issue 10 item 6: risk.copied_similarity reaches the cross-year rules of every ingest (CLI and
// uploads go through Standard), not only gongkai check.
func TestStandardCarriesCopiedSimilarity(t *testing.T) {
	prev, cur, sim := serviceCase(t)
	for _, tt := range []struct {
		threshold float64
		want      bool
	}{{sim - 0.05, true}, {sim + 0.05, false}} {
		dir := t.TempDir()
		db, err := store.Open(filepath.Join(dir, "t.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		opt := standIn(t, dir, Settings{CopiedSimilarity: tt.threshold}, map[string]*ingest.Report{"a2023.txt": prev, "a2024.txt": cur})
		if _, err := Run(context.Background(), db, []string{filepath.Join(dir, "a2023.txt"), filepath.Join(dir, "a2024.txt")}, opt); err != nil {
			t.Fatal(err)
		}
		got, err := db.Load(cur.Agency, 2024)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n := copiedFindings(got.Findings); (n > 0) != tt.want {
			t.Errorf("similarity %.3f, threshold %.3f: %d S-copied-prose findings stored, want any: %v", sim, tt.threshold, n, tt.want)
		}
	}
}

// Issue 10 items 1 and 6: a draft is checked against the stored previous year with the
// configured threshold; when the stored years cannot be read the check says so (an error
// wrapping ErrStoredYears, tested end to end in cmd/gongkai), never a clean result.
func TestCheckDrafts(t *testing.T) {
	prev, cur, sim := serviceCase(t)
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	opt := standIn(t, dir, Settings{CopiedSimilarity: sim - 0.05}, map[string]*ingest.Report{"a2023.txt": prev})
	if _, err := Run(context.Background(), db, []string{filepath.Join(dir, "a2023.txt")}, opt); err != nil {
		t.Fatal(err)
	}
	draft := *cur
	draft.Cells = ingest.MakeCells(0)
	for k, c := range cur.Cells.All() {
		draft.Cells.Set(k, c)
	}
	if err := generate.Inject(&draft, ingest.RuleCarryOver, rand.New(rand.NewSource(1))); err != nil {
		t.Fatal(err)
	}
	draft.Findings = nil
	check.Report(&draft)
	if draft.HasErrors() {
		t.Fatalf("the draft alone has errors: %+v", draft.Findings)
	}
	if err := CheckDrafts(context.Background(), db, []*ingest.Report{&draft}, opt); err != nil {
		t.Fatal(err)
	}
	carry := 0
	for _, f := range draft.Findings {
		if f.Rule == ingest.RuleCarryOver && f.Severity == ingest.SeverityError {
			carry++
		}
	}
	if carry == 0 || copiedFindings(draft.Findings) == 0 {
		t.Fatalf("against the stored 2023: %+v", draft.Findings)
	}

	// a higher threshold from the configuration: no S-copied-prose
	high := draft
	high.Findings = nil
	opt.CopiedSimilarity, opt.CrossYear = sim+0.05, check.YearsAt(sim+0.05)
	if err := CheckDrafts(context.Background(), db, []*ingest.Report{&high}, opt); err != nil || copiedFindings(high.Findings) != 0 {
		t.Fatalf("threshold %.3f: %v %+v", sim+0.05, err, high.Findings)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := CheckDrafts(ctx, db, []*ingest.Report{&high}, opt); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	db.Close()
}

func TestDraft(t *testing.T) {
	opt := Standard(Settings{})
	if _, err := Draft("notes.txt", []byte("会议纪要"), opt); err == nil {
		t.Fatal("not a report accepted")
	}
	opt.Parse = func(string, []byte) (*ingest.Report, error) { panic("boom") }
	if _, err := Draft("x.txt", nil, opt); err == nil {
		t.Fatal("a parser panic is the file's error")
	}
}
