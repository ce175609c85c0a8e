package pipeline

import (
	"context"
	"errors"
	"fmt"

	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/parse"
	"gongkai/ingest/store"
)

// The ingest service: one set of rules and thresholds for gongkai ingest, uploads through
// gongkai serve, gongkai check --db and check through a running server. Commands only turn
// flags and configuration into Settings.

// Settings are the configuration the service carries to the rules.
type Settings struct {
	Workers int // parsing goroutines; 0: one a core
	// CopiedSimilarity is the prose similarity at which S-copied-prose fires
	// (risk.copied_similarity); ≤ 0: check.DefaultSimilarity.
	CopiedSimilarity float64
	// Derive is the table of figures derived from each report, kept in the same transaction
	// (analytics.Derivation, handed in by cmd); nil: none.
	Derive *store.Derivation
}

// Standard returns the options of every ingest: the format's parser, every single-report
// rule, and the cross-year rules with the configured thresholds.
func Standard(s Settings) Options {
	return Options{Workers: s.Workers, Parse: parse.File, Check: check.Report,
		CrossYear: check.YearsAt(s.CopiedSimilarity), CrossYearKeys: check.YearsKeys,
		CrossYearSketch: sketchOf, CrossYearSketched: yearsSketched(s.CopiedSimilarity),
		ParserVersion: parse.Version, CopiedSimilarity: s.CopiedSimilarity, Derive: s.Derive}
}

// sketchOf is check.SketchOf for Options.CrossYearSketch.
func sketchOf(agency string, r *ingest.Report) any { return check.SketchOf(agency, r) }

// yearsSketched is check.YearsSketchedAt for Options.CrossYearSketched.
func yearsSketched(similarity float64) func(prev, cur *ingest.Report, ps, cs any) []ingest.Finding {
	rule := check.YearsSketchedAt(similarity)
	return func(prev, cur *ingest.Report, ps, cs any) []ingest.Finding {
		p, _ := ps.(*check.Sketch)
		c, _ := cs.(*check.Sketch)
		return rule(prev, cur, p, c)
	}
}

// ErrStoredYears is wrapped by CheckDrafts when the stored earlier years could not be read
// (the database is held by another process, missing or broken): the check did not run in
// full, and no caller may report "no problems".
var ErrStoredYears = errors.New("往年报告无法读取，校验未完成")

// CheckDrafts applies every rule to drafts already parsed (Options.Parse) and checked by the
// single-report rules (Options.Check): the cross-year rules against the organ's previous
// year, taken from the drafts themselves or else, when db is not nil, from the database; and
// S-copied-prose between the drafts of different organs of the same year. Findings are
// appended to each draft; nothing is stored. An error wrapping ErrStoredYears says which
// draft could not be compared and why.
func CheckDrafts(ctx context.Context, db *store.DB, drafts []*ingest.Report, opt Options) error {
	years := opt.CrossYear
	if years == nil {
		years = check.YearsAt(opt.CopiedSimilarity)
	}
	for _, r := range drafts {
		if err := ctx.Err(); err != nil {
			return err
		}
		prev := previousAmong(drafts, r)
		if prev == nil && db != nil && r.Agency != "" && r.Year > 0 {
			p, err := db.LoadContext(ctx, r.Agency, r.Year-1)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return fmt.Errorf("%s：%w（%s %d 年：%v）", r.Source, ErrStoredYears, r.Agency, r.Year-1, err)
			default:
				prev = p
			}
		}
		if prev != nil {
			appendNew(r, years(prev, r))
		}
		var same []*ingest.Report
		for _, o := range drafts {
			if o != r && o.Year == r.Year && o.Agency != r.Agency {
				same = append(same, o)
			}
		}
		appendNew(r, check.Copied(r, same, opt.CopiedSimilarity))
	}
	return nil
}

// previousAmong returns the draft of r's organ for the year before, if given.
func previousAmong(rs []*ingest.Report, r *ingest.Report) *ingest.Report {
	for _, o := range rs {
		if o != r && o.Agency == r.Agency && o.Agency != "" && o.Year == r.Year-1 {
			return o
		}
	}
	return nil
}

// appendNew appends the findings r does not hold yet (same rule, cell and related report).
func appendNew(r *ingest.Report, fs []ingest.Finding) {
	for _, f := range fs {
		dup := false
		for _, g := range r.Findings {
			if g.Rule == f.Rule && g.Cell == f.Cell && g.Related == f.Related {
				dup = true
				break
			}
		}
		if !dup {
			r.Findings = append(r.Findings, f)
		}
	}
}

// Draft reads one file's bytes as a report with opt.Parse and applies the single-report rules
// (opt.Check). A file that is not a report, or that makes the parser fail, is an error naming
// the file; nothing is stored.
func Draft(name string, data []byte, opt Options) (r *ingest.Report, err error) {
	if opt.Parse == nil {
		return nil, fmt.Errorf("pipeline: no parse function")
	}
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%s 无法解析：程序内部错误（%v）", name, p)
		}
	}()
	r, err = opt.Parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("%s 无法作为年度报告读取：%w", name, err)
	}
	if r == nil {
		return nil, fmt.Errorf("%s 无法作为年度报告读取：不是年度报告", name)
	}
	if r.Source == "" {
		r.Source = name
	}
	if opt.Check != nil {
		opt.Check(r)
	}
	return r, nil
}
