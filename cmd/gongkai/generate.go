package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/ingest/generate"
)

var generateCmd = &cobra.Command{
	Use:   "generate --agencies N --years FROM-TO --out DIR",
	Short: "生成带真值的合成年度报告（一个区的各机关、各年度）",
	Long: "generate writes a synthetic district's annual reports with known truth: one report file per\n" +
		"organ and year in the chosen layouts, its truth as <name>.json beside it, and manifest.json.\n" +
		"--inject breaks rules on purpose (rule=probability,...); --missing leaves reports out.",
	Args: cobra.NoArgs,
	RunE: runGenerate,
}

func init() {
	f := generateCmd.Flags()
	f.Int("agencies", 10, "number of organs in the district")
	f.String("years", "2024", "statistics years, FROM-TO or one year")
	f.String("out", "", "output directory (required)")
	f.Int64("seed", 1, "random seed; the same seed gives the same files")
	f.String("layouts", "", "comma-separated layouts (default all: "+strings.Join(generate.Layouts, ",")+")")
	f.String("inject", "", "rule=probability,... e.g. T3-balance=0.1,S-late=0.05 (rules: "+strings.Join(generate.Rules, ",")+")")
	f.Int("missing", 0, "number of reports to leave out")
	f.String("district", generate.DefaultDistrict, "district name")
	rootCmd.AddCommand(generateCmd)
}

func runGenerate(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	opts := generate.Options{}
	opts.Agencies, _ = f.GetInt("agencies")
	opts.Out, _ = f.GetString("out")
	opts.Seed, _ = f.GetInt64("seed")
	opts.Missing, _ = f.GetInt("missing")
	opts.District, _ = f.GetString("district")
	if opts.Out == "" {
		return &exitError{2, "generate: --out is required"}
	}
	years, _ := f.GetString("years")
	from, to, err := parseYears(years)
	if err != nil {
		return &exitError{2, "generate: " + err.Error()}
	}
	opts.From, opts.To = from, to
	if s, _ := f.GetString("layouts"); s != "" {
		for _, l := range strings.Split(s, ",") {
			if l = strings.TrimSpace(l); l != "" {
				opts.Layouts = append(opts.Layouts, l)
			}
		}
	}
	if s, _ := f.GetString("inject"); s != "" {
		opts.Inject = map[string]float64{}
		for _, kv := range strings.Split(s, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			rule, p, ok := strings.Cut(kv, "=")
			if !ok {
				return &exitError{2, fmt.Sprintf("generate: --inject %q: want rule=probability", kv)}
			}
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return &exitError{2, fmt.Sprintf("generate: --inject %q: %v", kv, err)}
			}
			opts.Inject[strings.TrimSpace(rule)] = v
		}
	}
	files, err := generate.Write(opts)
	if err != nil {
		return &exitError{1, err.Error()}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "generated: %d reports in %s\n", len(files), opts.Out)
	return nil
}

// parseYears reads "2021-2025" or "2024".
func parseYears(s string) (int, int, error) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	from, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, fmt.Errorf("--years %q: want FROM-TO", s)
	}
	to := from
	if found {
		if to, err = strconv.Atoi(strings.TrimSpace(b)); err != nil {
			return 0, 0, fmt.Errorf("--years %q: want FROM-TO", s)
		}
	}
	if to < from {
		return 0, 0, fmt.Errorf("--years %q: end before start", s)
	}
	return from, to, nil
}
