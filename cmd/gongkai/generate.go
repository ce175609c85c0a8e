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
	Long: "生成一个合成区的年度报告及其真值：每个单位每年一个报告文件（所选版式），旁边是真值 <名称>.json，\n" +
		"另有 manifest.json。--inject 按概率故意违反规则（规则=概率,...）；--missing 故意缺少若干报告。",
	Args: noArgs,
	RunE: runGenerate,
}

func init() {
	f := generateCmd.Flags()
	f.Int("agencies", 10, "区内单位个数")
	f.String("years", "2024", "统计年度：起-止，或一个年份")
	f.String("out", "", "输出文件夹（必填）")
	f.Int64("seed", 1, "随机种子；相同种子生成相同的文件")
	f.String("layouts", "", "版式，逗号分隔（默认全部："+strings.Join(generate.Layouts, ",")+")")
	f.String("inject", "", "规则=概率,…，如 T3-balance=0.1,S-late=0.05（规则："+strings.Join(generate.Rules, ",")+")")
	f.Int("missing", 0, "故意缺少的报告个数")
	f.String("district", generate.DefaultDistrict, "区名")
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
		return &exitError{2, "请用 --out 指定输出文件夹"}
	}
	years, _ := f.GetString("years")
	from, to, err := parseYears(years)
	if err != nil {
		return &exitError{2, err.Error()}
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
				return &exitError{2, fmt.Sprintf("--inject %q 有误：应为 规则=概率", kv)}
			}
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return &exitError{2, fmt.Sprintf("--inject %q 有误（%v）", kv, err)}
			}
			opts.Inject[strings.TrimSpace(rule)] = v
		}
	}
	files, err := generate.Write(opts)
	if err != nil {
		return &exitError{1, "生成失败（" + err.Error() + "）"}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "已生成 %d 份报告，在 %s\n", len(files), opts.Out)
	return nil
}

// parseYears reads "2021-2025" or "2024".
func parseYears(s string) (int, int, error) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	from, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, fmt.Errorf("--years %q 有误：应为 起-止，如 2021-2025", s)
	}
	to := from
	if found {
		if to, err = strconv.Atoi(strings.TrimSpace(b)); err != nil {
			return 0, 0, fmt.Errorf("--years %q 有误：应为 起-止，如 2021-2025", s)
		}
	}
	if to < from {
		return 0, 0, fmt.Errorf("--years %q 有误：结束年份早于开始年份", s)
	}
	return from, to, nil
}
