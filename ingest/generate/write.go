package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"gongkai/ingest"
)

// Options says what Write generates.
type Options struct {
	Agencies int                // organs in the district (at least 1)
	From, To int                // statistics years, inclusive
	Out      string             // directory to write into (created)
	Seed     int64              // everything is deterministic for a seed
	Layouts  []string           // layouts to draw from; empty means all of Layouts
	District string             // district name; empty means DefaultDistrict
	Inject   map[string]float64 // rule → probability a report gets that error; empty = clean
	Missing  int                // reports generated (so the chains stay whole) but not written
	// Edit, when not nil, is called for every report after its error (if any) is injected and
	// before it is written: it may change the report (its truth file follows; the next year's
	// report still continues the clean one) or set the Generated's Missing. It draws nothing
	// from the run's random numbers, so the rest of the district is the same with or without it.
	Edit func(r *ingest.Report, g *Generated)
}

// Generated describes one report of a run, as listed in manifest.json and in the "generator"
// field of its truth file.
type Generated struct {
	File     string   `json:"file"`               // report file, relative to Out
	Truth    string   `json:"truth"`              // truth file, relative to Out
	Agency   string   `json:"agency"`             // full name
	Short    string   `json:"short"`              // short name
	Level    string   `json:"level"`              // township, department, county
	Year     int      `json:"year"`               // statistics year
	Format   string   `json:"format"`             // 2021 or 2019
	Layout   string   `json:"layout"`             // one of Layouts
	Injected []string `json:"injected,omitempty"` // rules broken on purpose (see the truth's findings)
	Missing  bool     `json:"missing,omitempty"`  // generated but left out of the directory
}

// Manifest is manifest.json of a run.
type Manifest struct {
	Seed     int64              `json:"seed"`
	District string             `json:"district"`
	From     int                `json:"from"`
	To       int                `json:"to"`
	Inject   map[string]float64 `json:"inject,omitempty"`
	Reports  []Generated        `json:"reports"`
}

// FormatFor is the format an organ used for a statistics year: 2019 for 2019–2020, 2021 after.
func FormatFor(year int) string {
	if year <= 2020 {
		return ingest.Format2019
	}
	return ingest.Format2021
}

// Write generates the district's reports for every agency and year into opts.Out: one report
// file each, named <short>_<year><ext> (ext by layout: .txt, .md, .html), its truth beside it
// as <short>_<year>.json (the Report JSON of ingest.Report, with the injected errors as
// findings, plus a "generator" field giving layout and injected rules), and manifest.json
// listing every report of the run. It returns the report files written (not the truth files
// or the manifest), in generation order.
func Write(opts Options) ([]string, error) {
	if opts.Agencies < 1 {
		return nil, fmt.Errorf("generate: need at least 1 agency, got %d", opts.Agencies)
	}
	if opts.To < opts.From {
		return nil, fmt.Errorf("generate: years %d-%d: end before start", opts.From, opts.To)
	}
	if opts.Out == "" {
		return nil, fmt.Errorf("generate: no output directory")
	}
	layouts := opts.Layouts
	if len(layouts) == 0 {
		layouts = Layouts
	}
	for _, l := range layouts {
		if !known(l) {
			return nil, fmt.Errorf("generate: unknown layout %q (known: %s)", l, strings.Join(append(append([]string{}, Layouts...), PagedLayouts...), ", "))
		}
	}
	rules := make([]string, 0, len(opts.Inject))
	total := 0.0
	for rule, p := range opts.Inject {
		if !slices.Contains(Rules, rule) {
			return nil, fmt.Errorf("generate: unknown rule %q (known: %s)", rule, strings.Join(Rules, ", "))
		}
		if p < 0 || p > 1 {
			return nil, fmt.Errorf("generate: rule %s: probability %v not in [0,1]", rule, p)
		}
		rules = append(rules, rule)
		total += p
	}
	if total > 1 {
		return nil, fmt.Errorf("generate: injection probabilities add up to %v, more than 1", total)
	}
	sort.Strings(rules)
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	district := opts.District
	if district == "" {
		district = DefaultDistrict
	}

	rng := rand.New(rand.NewSource(opts.Seed))
	agencies := District(rng, district, opts.Agencies)
	nReports := len(agencies) * (opts.To - opts.From + 1)
	missing := map[int]bool{}
	if opts.Missing > 0 {
		for k, i := range rng.Perm(nReports) {
			if k >= opts.Missing {
				break
			}
			missing[i] = true
		}
	}

	// Reports are generated in order (the chains need it) and rendered and written by workers
	// as they come: rendering depends only on the report.
	type job struct {
		i   int
		r   *ingest.Report
		gen Generated
	}
	gens := make([]Generated, 0, nReports)
	errs := make([]error, nReports)
	var wg sync.WaitGroup
	next := make(chan job, 64)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				errs[j.i] = writeOne(opts.Out, j.r, j.gen)
			}
		}()
	}
	var sameYear []*ingest.Report // clean reports of the current year, for copied prose
	prevOf := make([]*ingest.Report, len(agencies))
	for year := opts.From; year <= opts.To; year++ {
		sameYear = sameYear[:0]
		for i, a := range agencies {
			clean := Truth(rng, a, year, FormatFor(year), prevOf[i])
			r := clean
			name := fmt.Sprintf("%s_%d", a.Short, year)
			gen := Generated{Agency: a.Name, Short: a.Short, Level: a.Level, Year: year, Format: clean.Format,
				Layout: layouts[rng.Intn(len(layouts))], Truth: name + ".json", Missing: missing[len(gens)]}
			gen.File = name + Ext(gen.Layout)
			if rule := drawRule(rng, rules, opts.Inject); rule != "" {
				r = clone(clean)
				var err error
				switch {
				case rule == ingest.RuleCopiedProse && prevOf[i] != nil:
					InjectCopiedProse(r, prevOf[i])
				case rule == ingest.RuleCopiedProse && len(sameYear) > 0:
					InjectCopiedProse(r, sameYear[rng.Intn(len(sameYear))])
				case (rule == ingest.RuleCarryOver || rule == ingest.RuleValidDocs) && prevOf[i] == nil:
					err = ErrNotApplicable
				default:
					err = Inject(r, rule, rng)
				}
				if err == nil {
					gen.Injected = []string{rule}
				}
			}
			if opts.Edit != nil {
				if r == clean {
					r = clone(clean)
				}
				opts.Edit(r, &gen)
			}
			r.Source = gen.File
			prevOf[i] = clean
			sameYear = append(sameYear, clean)
			if !gen.Missing {
				next <- job{len(gens), r, gen}
			}
			gens = append(gens, gen)
		}
	}
	close(next)
	wg.Wait()
	m := Manifest{Seed: opts.Seed, District: district, From: opts.From, To: opts.To, Inject: opts.Inject}
	m.Reports = gens
	var files []string
	for i, g := range gens {
		if errs[i] != nil {
			return files, errs[i]
		}
		if !g.Missing {
			files = append(files, filepath.Join(opts.Out, g.File))
		}
	}
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return files, err
	}
	if err := os.WriteFile(filepath.Join(opts.Out, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return files, fmt.Errorf("generate: %w", err)
	}
	return files, nil
}

func known(layout string) bool {
	for _, l := range append(append([]string{}, Layouts...), PagedLayouts...) {
		if l == layout {
			return true
		}
	}
	return false
}

// drawRule picks at most one rule for a report, each with its probability.
func drawRule(rng *rand.Rand, rules []string, p map[string]float64) string {
	if len(rules) == 0 {
		return ""
	}
	x := rng.Float64()
	for _, r := range rules {
		if x < p[r] {
			return r
		}
		x -= p[r]
	}
	return ""
}

// clone copies a report deeply enough to change the copy only (ingest.Report.Clone).
func clone(r *ingest.Report) *ingest.Report { return r.Clone() }

// TruthJSON is the truth file of a report: its Report JSON with a "generator" field added.
func TruthJSON(r *ingest.Report, gen Generated) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	g, err := json.Marshal(gen)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("}"))
	b = append(b, `,"generator":`...)
	b = append(b, g...)
	return append(b, "}\n"...), nil
}

func writeOne(dir string, r *ingest.Report, gen Generated) error {
	page, err := Render(r, gen.Layout)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, gen.File), page, 0o644); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	tj, err := TruthJSON(r, gen)
	if err != nil {
		return fmt.Errorf("generate: truth of %s: %w", gen.File, err)
	}
	if err := os.WriteFile(filepath.Join(dir, gen.Truth), tj, 0o644); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	return nil
}
