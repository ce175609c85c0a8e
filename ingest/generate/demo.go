package generate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gongkai/config"
	"gongkai/ingest"
)

// The demo district (gongkai demo, and the browser tests that check what a clerk sees on it):
// its defaults, in one place.
const (
	DemoSeed        int64 = 2025 // the default random seed
	DemoAgencies          = 14   // the default number of organs
	DemoMinAgencies       = 12   // fewer organs cannot show every case (townships, departments, the government)
	DemoFrom              = 2021 // first statistics year
	DemoTo                = 2025 // last statistics year
)

// DemoInject are the errors the demo district carries on purpose (rule → probability a report
// breaks it), late and copied reports among them.
var DemoInject = map[string]float64{
	ingest.RuleBalance: 0.04, ingest.RuleRowTotal: 0.03, ingest.RuleBlockTotal: 0.02, ingest.RuleApplications: 0.03,
	ingest.RuleReviewLitigation: 0.02, ingest.RuleCarryOver: 0.03, ingest.RuleLate: 0.06, ingest.RuleCopiedProse: 0.04,
	ingest.RuleFeesUnit: 0.02,
}

// DemoOptions are the generator options of the demo district of seed and agencies organs (0:
// DemoSeed, DemoAgencies), written into out. Besides the injected errors, every demo district
// shows what a clerk must see handled right, whatever the seed:
//   - one missing report: the first department's report of the year before the last (DemoTo-1),
//     so the default 同比 (DemoTo against DemoTo-1) has an organ with one year only (未报送, left
//     out of the same-organs comparison), and that organ's charts have a gap;
//   - one report that states no count of publications (未说明): the first township's report of
//     DemoTo that carries no injected error.
func DemoOptions(seed int64, agencies int, out string) (Options, error) {
	if seed == 0 {
		seed = DemoSeed
	}
	if agencies == 0 {
		agencies = DemoAgencies
	}
	if agencies < DemoMinAgencies {
		return Options{}, fmt.Errorf("演示区至少需要 %d 个单位（给定 %d）", DemoMinAgencies, agencies)
	}
	// The organs are chosen by the first run and kept by name, so that a second Write with
	// these options makes the same choices (the generation is deterministic).
	var missing, unstated string
	edit := func(r *ingest.Report, g *Generated) {
		switch {
		case g.Year == DemoTo-1 && g.Level == ingest.LevelDepartment && (missing == "" || missing == g.Agency):
			missing, g.Missing = g.Agency, true
		case g.Year == DemoTo && g.Level == ingest.LevelTownship && len(g.Injected) == 0 && (unstated == "" || unstated == g.Agency):
			unstated = g.Agency
			dropPublications(r)
		}
	}
	return Options{Agencies: agencies, From: DemoFrom, To: DemoTo, Out: out, Seed: seed,
		Inject: DemoInject, Edit: edit}, nil
}

// WriteDemo generates the demo district (DemoOptions) into out, and returns the report files
// written and the run's manifest.
func WriteDemo(out string, seed int64, agencies int) ([]string, Manifest, error) {
	opts, err := DemoOptions(seed, agencies, out)
	if err != nil {
		return nil, Manifest{}, err
	}
	files, err := Write(opts)
	if err != nil {
		return files, Manifest{}, err
	}
	m, err := ReadManifest(out)
	return files, m, err
}

// ReadManifest reads the manifest.json of a run written into dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return m, fmt.Errorf("generate: manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("generate: manifest %s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return m, nil
}

// Registry is the district's organs as a registry (config.Organ, their short names as aliases),
// in generation order: every organ of the run, those with a missing report too, so that the
// missing report shows as missing.
func (m Manifest) Registry() []config.Organ {
	var out []config.Organ
	seen := map[string]bool{}
	for _, g := range m.Reports {
		if !seen[g.Agency] {
			seen[g.Agency] = true
			out = append(out, config.Organ{Name: g.Agency, Level: g.Level, District: m.District, Aliases: []string{g.Short}})
		}
	}
	return out
}

// dropPublications makes the report state no count of publications: the clauses are taken
// out of its prose (the sentence around them still reads) and the truth forgets them.
func dropPublications(r *ingest.Report) {
	if len(r.Publications) == 0 {
		return
	}
	quotes := make([]string, len(r.Publications))
	for i, p := range r.Publications {
		quotes[i] = p.Quote
	}
	r.Prose[1] = strings.Replace(r.Prose[1], strings.Join(quotes, "，")+"。", "", 1)
	r.Publications = nil
}
