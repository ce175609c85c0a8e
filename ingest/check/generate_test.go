package check

import (
	"errors"
	"math/rand"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// The generator's truths are clean (no finding at all, prose included), and each kind of
// error the generator can inject is found by the rule of the same identifier.

func TestGeneratedTruthsAreClean(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	agencies := generate.District(rng, "", 40)
	for _, format := range []string{ingest.Format2021, ingest.Format2019} {
		for _, a := range agencies {
			prev := generate.Truth(rng, a, 2023, format, nil)
			cur := generate.Truth(rng, a, 2024, format, prev)
			Report(cur)
			fs := append(cur.Findings, Years(prev, cur)...)
			if len(fs) > 0 {
				t.Errorf("%s %s %s: clean truth gives findings:%s\nprose: %s\nquote: %q", format, a.Level, a.Name, describe(fs), cur.Prose[1], cur.ApplicationsQuote)
			}
		}
	}
}

func TestGeneratedInjectionsAreFound(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	agencies := generate.District(rng, "", 30)
	for _, rule := range generate.Rules {
		t.Run(rule, func(t *testing.T) {
			tried, found := 0, 0
			severities := map[string]int{}
			for _, format := range []string{ingest.Format2021, ingest.Format2019} {
				for i, a := range agencies {
					prev := generate.Truth(rng, a, 2023, format, nil)
					cur := generate.Truth(rng, a, 2024, format, prev)
					var others []*ingest.Report
					if rule == ingest.RuleCopiedProse {
						other := agencies[(i+1)%len(agencies)]
						from := generate.Truth(rng, other, 2024, format, nil)
						generate.InjectCopiedProse(cur, from)
						others = append(others, from)
					} else if err := generate.Inject(cur, rule, rng); err != nil {
						if errors.Is(err, generate.ErrNotApplicable) {
							continue
						}
						t.Fatal(err)
					}
					injected := cur.Findings
					cur.Findings = nil
					Report(cur)
					fs := append(cur.Findings, Years(prev, cur)...)
					fs = append(fs, Copied(cur, others, DefaultSimilarity)...)
					tried++
					hit := false
					for _, f := range fs {
						if f.Rule == rule {
							hit = true
							severities[f.Severity]++
						}
					}
					if hit {
						found++
						continue
					}
					if rule == ingest.RuleApplications && handledCount(cur) {
						continue // 新收 + 上年结转 (or 第（七）项总计) said with 办理/共: accepted on purpose
					}
					if rule == ingest.RuleFeesUnit && !feesDetectable(cur) {
						continue // a small amount in 元 looks like a plausible 万元 amount: not flagged on purpose
					}
					t.Errorf("%s %s %s: injected %s not found; injected %s; got:%s", format, a.Level, a.Name, rule, describe(injected), describe(fs))
				}
			}
			t.Logf("%s: found %d of %d injections, severities %v", rule, found, tried, severities)
			if tried == 0 {
				t.Fatalf("%s: never injected", rule)
			}
		})
	}
}

// feesDetectable tells whether Q-fees-unit is meant to flag this report's fees, from the
// bounds of every level in ingest.FeesBounds.
func feesDetectable(r *ingest.Report) bool {
	v, _ := r.Value("table2.fees")
	return ingest.PlausibleFees(levelOf(r), v) != ""
}

// handledCount tells whether the stated count equals 新收 + 上年结转 or 第（七）项总计, which
// N-applications accepts as a count of applications handled.
func handledCount(r *ingest.Report) bool {
	if r.ApplicationsStated == nil {
		return false
	}
	s := float64(*r.ApplicationsStated)
	n, _ := r.Value("table3.new_received.total")
	c, _ := r.Value("table3.carried_over.total")
	h, _ := r.Value("table3.total_handled.total")
	return (c > 0 && s == n+c) || s == h
}
