// Package pipeline ingests many files: it walks paths, reads and parses files on several
// goroutines, saves through one writer (store.DB serialises writes; the writer groups reports
// into transactions), then recomputes the cross-year findings of every (agency, year) touched
// and of the year after it. The store records that work as owed in the reports' own
// transactions, so a run killed before it finishes leaves it for the next (FinishPending).
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongkai/ingest"
	"gongkai/ingest/store"
)

// ParseFunc reads one file's bytes into a report (parse.File); name is the path as given.
type ParseFunc func(name string, data []byte) (*ingest.Report, error)

// Options configure a run. Parse is required; the rest may be zero.
type Options struct {
	Workers       int                                             // parsing goroutines; 0: runtime.NumCPU()
	Parse         ParseFunc                                       // bytes to report
	Check         func(*ingest.Report)                            // single-report rules (check.Report), run after Parse
	CrossYear     func(prev, cur *ingest.Report) []ingest.Finding // rules across years (check.Years)
	CrossYearKeys []string                                        // the cells CrossYear reads (check.YearsKeys); nil: load whole reports
	// CrossYearSketch and CrossYearSketched, when both are set, are what the store runs at
	// save time instead of CrossYear (store.Across.Sketch and RuleSketched: check.SketchOf
	// and check.YearsSketchedAt, the same findings): the sketch of each report is computed
	// on the parsing goroutines, not by the one writer.
	CrossYearSketch   func(agency string, r *ingest.Report) any
	CrossYearSketched func(prev, cur *ingest.Report, ps, cs any) []ingest.Finding
	ParserVersion     string                // stored with every report
	Progress          func(done, total int) // called from the writer after each file
	Batch             int                   // reports per transaction; 0: 128, 1: one transaction per report
	// Linger is how long the writer waits for a batch to fill after its first report
	// before it saves what it has; 0: 100 ms (an upload is stored soon). gongkai ingest
	// takes batches of BulkBatch reports and BulkLinger.
	Linger time.Duration
	// Derive is the table of figures derived from each report (analytics.Derivation: the
	// per-report metrics), written in the report's transaction and refreshed with the
	// cross-year findings. The rows are computed on the parsing goroutines. nil: none.
	Derive *store.Derivation
	// CopiedSimilarity is the threshold of S-copied-prose between drafts (CheckDrafts);
	// CrossYear carries its own (Standard sets both from Settings).
	CopiedSimilarity float64
	Fetched          <-chan Fetched // reports from elsewhere than files (RunWeb), read after the files until closed
	// Saved is called from the writer for each file stored or found unchanged.
	Saved func(path string, s store.Saved)
}

// Fetched is a report's bytes that did not come from a file: a portal's page or attachment.
type Fetched struct {
	Name        string           // the URL of the bytes: the report's source, and the name failures are reported under
	Data        []byte           // the bytes
	Format      string           // html, pdf, docx … (reports.source_format)
	Web         *store.WebSource // page, attachment, fetch time, validators: stored with the report
	TextHash    bool             // the version's identity is its normalised text, not its bytes (pages carry changing site chrome)
	NotModified bool             // the server said the version stored is current: counted unchanged, nothing read
	Err         error            // it could not be fetched: counted as a failure of Name
}

// Failure is a file that was not stored, and why.
type Failure struct {
	Path   string
	Reason string
}

// Result counts what a run did.
type Result struct {
	New, Unchanged, Replaced, Failed int
	Failures                         []Failure // sorted by path
	NewAgencies                      []string  // agencies not in the registry, created by this run
}

// Summary is the last line of gongkai ingest: "入库完成：新增 N，未变 M，替换 R，失败 F".
func (r Result) Summary() string {
	return fmt.Sprintf("入库完成：%s %d，%s %d，%s %d，%s %d",
		ingest.OutcomeLabel(ingest.OutcomeNew), r.New, ingest.OutcomeLabel(ingest.OutcomeUnchanged), r.Unchanged,
		ingest.OutcomeLabel(ingest.OutcomeReplaced), r.Replaced, ingest.OutcomeLabel(ingest.OutcomeFailed), r.Failed)
}

// reportExts are the extensions a folder walk picks up; a file named explicitly is always read.
var reportExts = map[string]string{
	".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
	".html": "html", ".htm": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx", ".doc": "doc",
	".xlsx": "xlsx", ".xls": "xls",
}

// SourceFormat names the format of a file by its extension (html, markdown, text, pdf, docx).
func SourceFormat(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := reportExts[ext]; ok {
		return f
	}
	return strings.TrimPrefix(ext, ".")
}

// Walk lists the files under paths: files as given; in folders every file with a report's
// extension, skipping hidden files and folders, *.json (the generator's truth sidecars) and
// README files. A path that does not exist is a failure. A link to a folder given as a path
// is followed (links inside folders are not).
func Walk(paths []string) (files []string, failures []Failure) {
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			failures = append(failures, Failure{root, err.Error()})
			continue
		}
		if !info.IsDir() {
			add(root)
			continue
		}
		walk := root
		if l, err := os.Lstat(root); err == nil && l.Mode()&fs.ModeSymlink != 0 {
			// a link to a folder: its files (WalkDir does not follow the link it starts from)
			walk = root + string(filepath.Separator)
		}
		err = filepath.WalkDir(walk, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				failures = append(failures, Failure{p, err.Error()})
				return nil
			}
			name := e.Name()
			if p != walk && strings.HasPrefix(name, ".") {
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if e.IsDir() {
				return nil
			}
			lower := strings.ToLower(name)
			if strings.HasPrefix(lower, "readme") {
				return nil
			}
			if _, ok := reportExts[strings.ToLower(filepath.Ext(name))]; !ok {
				return nil
			}
			add(p)
			return nil
		})
		if err != nil {
			failures = append(failures, Failure{root, err.Error()})
		}
	}
	return files, failures
}

// input is a file to read or a report fetched.
type input struct {
	path    string
	fetched *Fetched
}

// job is one file on its way from a worker to the writer.
type job struct {
	path    string
	item    store.Item
	known   bool  // the bytes are stored already: not parsed
	id      int64 // known: the stored report
	derived []any // the row of Options.Derive
	err     error // read or parse failure
}

// Run ingests the files under paths into db. A file that fails (unreadable, not a report, a
// parser panic, a database error) is counted and listed with its reason, nothing of it is
// stored, and the run goes on. The error is for the run itself (cancelled, database broken).
func Run(ctx context.Context, db *store.DB, paths []string, opt Options) (Result, error) {
	var res Result
	if opt.Parse == nil {
		return res, fmt.Errorf("pipeline: no parse function")
	}
	files, walkFailures := Walk(paths)
	res.Failures = append(res.Failures, walkFailures...)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = 128
	}
	linger := opt.Linger
	if linger <= 0 {
		linger = 100 * time.Millisecond
	}

	inputs := make(chan input)
	// reports parsed while the writer saves a batch wait here (each holds its text and
	// cells: the buffer is bounded, whatever the batch)
	jobs := make(chan job, min(2*batch, 512))
	var total atomic.Int64
	total.Store(int64(len(files)))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range inputs {
				var j job
				if in.fetched != nil {
					j = readFetched(db, *in.fetched, opt)
				} else {
					j = read(db, in.path, opt)
				}
				select {
				case jobs <- j:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(inputs)
		for _, p := range files {
			select {
			case inputs <- input{path: p}:
			case <-ctx.Done():
				return
			}
		}
		if opt.Fetched == nil {
			return
		}
		for {
			select {
			case f, ok := <-opt.Fetched:
				if !ok {
					return
				}
				total.Add(1)
				select {
				case inputs <- input{fetched: &f}:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(jobs) }()

	var across *store.Across
	if opt.CrossYear != nil && crossYearAtSave {
		across = &store.Across{Rule: opt.CrossYear, Keys: opt.CrossYearKeys,
			Sketch: opt.CrossYearSketch, RuleSketched: opt.CrossYearSketched}
	}
	// The writer: this goroutine. It takes what has arrived, up to batch reports, and saves
	// them in one transaction.
	newAgencies := map[string]bool{}
	done := 0
	var pending []job
	flush := func() {
		if len(pending) == 0 {
			return
		}
		items := make([]store.Item, len(pending))
		var rows [][]any
		if opt.Derive != nil {
			rows = make([][]any, len(pending))
		}
		for i, j := range pending {
			items[i] = j.item
			if rows != nil {
				rows[i] = j.derived
			}
		}
		t0 := time.Now()
		saved := db.SaveWith(items, store.SaveOptions{Derive: opt.Derive, Rows: rows, Across: across})
		store.Phase("pipeline.save", t0)
		for i, s := range saved {
			p := pending[i].path
			switch {
			case s.Err != nil:
				res.Failures = append(res.Failures, Failure{p, s.Err.Error()})
			case s.Outcome == store.Unchanged:
				res.Unchanged++
				if opt.Saved != nil {
					opt.Saved(p, s)
				}
			default:
				if opt.Saved != nil {
					opt.Saved(p, s)
				}
				if s.Outcome == store.New {
					res.New++
				} else {
					res.Replaced++
				}
				if s.NewAgency {
					newAgencies[s.Agency] = true
				}
			}
			done++
			if opt.Progress != nil {
				opt.Progress(done, int(total.Load()))
			}
		}
		pending = pending[:0]
	}
	// Flush when the batch is full, when nothing more comes, or Linger after the first
	// pending report: a DuckDB commit costs milliseconds, so small batches are slow.
	var deadline <-chan time.Time
	for {
		var j job
		var ok bool
		t0 := time.Now()
		select {
		case j, ok = <-jobs:
		case <-deadline:
			store.Phase("pipeline.wait", t0)
			flush()
			deadline = nil
			continue
		}
		store.Phase("pipeline.wait", t0)
		if !ok {
			break
		}
		switch {
		case j.err != nil:
			res.Failures = append(res.Failures, Failure{j.path, j.err.Error()})
			done++
			if opt.Progress != nil {
				opt.Progress(done, int(total.Load()))
			}
		case j.known:
			res.Unchanged++
			if opt.Saved != nil {
				opt.Saved(j.path, store.Saved{Outcome: store.Unchanged, ReportID: j.id})
			}
			done++
			if opt.Progress != nil {
				opt.Progress(done, int(total.Load()))
			}
		default:
			pending = append(pending, j)
			if deadline == nil {
				deadline = time.After(linger)
			}
		}
		if len(pending) >= batch {
			flush()
			deadline = nil
		}
	}
	flush()
	if err := ctx.Err(); err != nil {
		return finish(res, newAgencies), err
	}
	if err := FinishPending(ctx, db, opt); err != nil {
		return finish(res, newAgencies), err
	}
	return finish(res, newAgencies), nil
}

// BulkBatch and BulkLinger are the batches of gongkai ingest, which stores many files and
// has no one waiting for the first: a transaction of ~1,000 reports (~200,000 cell rows)
// lets DuckDB write full row groups straight into the file, compressed once, instead of
// through the WAL and again at the checkpoint (about a fifth less CPU a report than batches
// of 128 at 10,000 reports; the reports of a batch wait in memory, ~50 MB more).
const (
	BulkBatch  = 1024
	BulkLinger = time.Second
)

// crossYearAtSave lets tests leave every cross-year comparison to FinishPending.
var crossYearAtSave = true

// owedPairs counts the (agency, year) pairs FinishPending took up, for tests.
var owedPairs atomic.Int64

var finishing sync.Mutex

// FinishPending recomputes the cross-year findings owed: those of every report stored since
// they were last computed (by this run, or by one killed before it got there), and of the
// year after each. gongkai ingest runs it after storing, gongkai serve when it opens the
// database. Without opt.CrossYear it does nothing and the work stays owed.
func FinishPending(ctx context.Context, db *store.DB, opt Options) error {
	if opt.CrossYear == nil {
		return nil
	}
	// One at a time in a process: serve finishes old work at start while uploads add new,
	// and two runs over the same reports could write findings from a stale load.
	finishing.Lock()
	defer finishing.Unlock()
	pending, mark, err := db.PendingCrossYear()
	if err != nil || len(pending) == 0 {
		return err
	}
	owedPairs.Add(int64(len(pending)))
	touched := map[[2]int64]bool{}
	for _, p := range pending {
		touched[p] = true
	}
	if err := crossYear(db, touched, opt.CrossYear, opt.CrossYearKeys, opt.Derive); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.DonePendingCrossYear(mark)
}

func finish(res Result, newAgencies map[string]bool) Result {
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].Path < res.Failures[j].Path })
	res.Failed = len(res.Failures)
	for a := range newAgencies {
		res.NewAgencies = append(res.NewAgencies, a)
	}
	sort.Strings(res.NewAgencies)
	return res
}

// read loads, hashes and parses one file; a panic of the parser or checker is a failure.
func read(db *store.DB, path string, opt Options) (j job) {
	j.path = path
	defer func() {
		if p := recover(); p != nil {
			j.err = fmt.Errorf("parser panic: %v", p)
		}
	}()
	data, err := readFile(path)
	if err != nil {
		j.err = err
		return j
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if id, ok := db.KnownID(sha); ok {
		j.known, j.id = true, id
		return j
	}
	r, err := parseReport(path, data, opt)
	if err != nil {
		j.err = err
		return j
	}
	return complete(j, r, store.FileMeta{Path: path, SHA256: sha, SourceFormat: SourceFormat(path)}, opt)
}

// parseReport reads one file's bytes into a report; no report is an error.
func parseReport(name string, data []byte, opt Options) (*ingest.Report, error) {
	r, err := opt.Parse(name, data)
	if err == nil && r == nil {
		err = fmt.Errorf("no report")
	}
	return r, err
}

// complete checks a parsed report and makes it the job's item, with its metric row: the
// work that read (files) and readFetched (portals) share once the bytes are parsed.
func complete(j job, r *ingest.Report, meta store.FileMeta, opt Options) job {
	if r.Source == "" {
		r.Source = meta.Path
	}
	if opt.Check != nil {
		opt.Check(r)
	}
	meta.ParserVersion, meta.Text = opt.ParserVersion, r.Text
	// compressed here, on the parsing goroutines, not by the one writer (nil on error: the
	// store compresses it again and says what went wrong)
	meta.TextZ, _ = store.CompressText(r.Text)
	j.item = store.Item{Report: r, Meta: meta}
	// the cells as the writer appends them, and the prose's places in the text: here too
	j.item.Prepared = store.Prepare(r, meta.Text)
	if opt.CrossYear != nil && crossYearAtSave {
		j.item.Prepared.Slim(opt.CrossYearKeys)
	}
	if opt.CrossYear != nil && opt.CrossYearSketch != nil && opt.CrossYearSketched != nil && crossYearAtSave {
		// the name the store will most likely give the organ (a registry may give another:
		// then the rules compute it again)
		j.item.Sketch = opt.CrossYearSketch(ingest.CleanOrganName(r.Agency), r)
	}
	if opt.Derive != nil {
		j.derived = opt.Derive.Row(r)
	}
	return j
}

// readFetched parses one fetched report; a panic of the parser or checker is a failure.
func readFetched(db *store.DB, f Fetched, opt Options) (j job) {
	j.path = f.Name
	defer func() {
		if p := recover(); p != nil {
			j.err = fmt.Errorf("parser panic: %v", p)
		}
	}()
	switch {
	case f.Err != nil:
		j.err = f.Err
		return j
	case f.NotModified:
		j.known = true
		return j
	}
	sha := ""
	if !f.TextHash {
		sum := sha256.Sum256(f.Data)
		sha = hex.EncodeToString(sum[:])
		if db.Known(sha) {
			j.known = true
			return j
		}
	}
	r, err := parseReport(f.Name, f.Data, opt)
	if err != nil {
		j.err = err
		return j
	}
	if f.TextHash {
		sum := sha256.Sum256([]byte(r.Text))
		sha = hex.EncodeToString(sum[:])
		if db.Known(sha) {
			j.known = true
			return j
		}
	}
	format := f.Format
	if format == "" {
		format = SourceFormat(f.Name)
	}
	return complete(j, r, store.FileMeta{Path: f.Name, SHA256: sha, SourceFormat: format, Web: f.Web}, opt)
}

// crossYear recomputes the cross-year findings of every touched (agency, year) and of the
// year after it, loading the reports in chunks.
func crossYear(db *store.DB, touched map[[2]int64]bool, rule func(prev, cur *ingest.Report) []ingest.Finding, keys []string, dv *store.Derivation) error {
	type pair struct{ prev, cur int64 } // report ids; prev 0: none
	seen := map[int64]bool{}
	var pairs []pair
	for k := range touched {
		agency, year := k[0], int(k[1])
		for _, y := range []int{year, year + 1} {
			cur, ok := db.Current(agency, y)
			if !ok || seen[cur] {
				continue
			}
			seen[cur] = true
			prev, _ := db.Current(agency, y-1)
			pairs = append(pairs, pair{prev, cur})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].cur < pairs[j].cur })
	// Chunks are loaded one ahead, on the reading connections, while the rule runs and the
	// writer replaces the findings of the chunk before: the load is most of the time here.
	const chunk = 256
	type load struct {
		part   []pair
		loaded map[int64]*store.Stored
		err    error
	}
	start := func(part []pair) <-chan load {
		ch := make(chan load, 1)
		go func() {
			var ids []int64
			for _, p := range part {
				ids = append(ids, p.cur)
				if p.prev != 0 {
					ids = append(ids, p.prev)
				}
			}
			t0 := time.Now()
			var loaded map[int64]*store.Stored
			var err error
			if keys != nil {
				loaded, err = db.LoadSlim(ids, keys)
			} else {
				loaded, err = db.LoadIDs(ids)
			}
			store.Phase("crossyear.load", t0)
			ch <- load{part, loaded, err}
		}()
		return ch
	}
	next := func() <-chan load {
		if len(pairs) == 0 {
			return nil
		}
		n := min(chunk, len(pairs))
		part := pairs[:n]
		pairs = pairs[n:]
		return start(part)
	}
	pending := next()
	var replaced map[int64][]ingest.Finding // the cross-year findings just written
	for pending != nil {
		t0 := time.Now()
		l := <-pending
		store.Phase("crossyear.wait", t0)
		if l.err != nil {
			return fmt.Errorf("cross-year: %w", l.err)
		}
		pending = next()
		// A report of this chunk whose findings the chunk before replaced was loaded before
		// that: give it what the database now holds.
		for id, s := range l.loaded {
			if fs, ok := replaced[id]; ok {
				var keep []ingest.Finding
				for _, f := range s.Report.Findings {
					if !store.CrossYearRule(f.Rule) {
						keep = append(keep, f)
					}
				}
				s.Report.Findings = append(keep, fs...)
			}
		}
		t0 = time.Now()
		out := map[int64][]ingest.Finding{}
		for _, p := range l.part {
			var fs []ingest.Finding
			if prev := l.loaded[p.prev]; prev != nil && l.loaded[p.cur] != nil {
				fs = rule(prev.Report, l.loaded[p.cur].Report)
			}
			var keep []ingest.Finding
			for _, f := range fs {
				if store.CrossYearRule(f.Rule) {
					keep = append(keep, f)
				}
			}
			out[p.cur] = keep
		}
		store.Phase("crossyear.rule", t0)
		t0 = time.Now()
		if err := db.ReplaceFindingsDerived(out, dv); err != nil {
			if pending != nil {
				<-pending
			}
			return fmt.Errorf("cross-year: %w", err)
		}
		store.Phase("crossyear.replace", t0)
		replaced = out
	}
	return nil
}
