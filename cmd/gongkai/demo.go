package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gongkai/config"
	"gongkai/ingest"
	"gongkai/ingest/generate"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

var demoCmd = &cobra.Command{
	Use:   "demo [--addr 127.0.0.1:8080] [--dir DIR]",
	Short: "生成一个演示区（2021–2025 年，含错误与一份缺报），入库并启动看板",
	Long: `生成一个逼真的合成区（区政府、部门和乡镇街道；2021–2025 年；部分报告有错误，一份缺报，
部分迟报），导入一个新数据库并启动看板，打印访问地址。`,
	Args: noArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		cfg, _, err := settings(cmd)
		if err != nil {
			return err
		}
		if a, _ := cmd.Flags().GetString("addr"); a != "" {
			cfg.Server.Addr = a
		}
		return runDemoWith(cmd, cfg)
	},
}

func init() {
	demoCmd.Flags().String("addr", "", "监听地址（默认 127.0.0.1:8080）")
	demoCmd.Flags().String("dir", "gongkai-demo", "存放生成的报告和数据库 demo.duckdb 的文件夹（每次重新生成）")
	demoCmd.Flags().Int64("seed", 2025, "随机种子（相同种子生成相同的区）")
	demoCmd.Flags().Int("agencies", 14, "单位个数（至少 12）")
	rootCmd.AddCommand(demoCmd)
}

// demoInject are the errors the demo district carries on purpose.
var demoInject = map[string]float64{
	ingest.RuleBalance: 0.04, ingest.RuleRowTotal: 0.03, ingest.RuleBlockTotal: 0.02, ingest.RuleApplications: 0.03,
	ingest.RuleReviewLitigation: 0.02, ingest.RuleCarryOver: 0.03, ingest.RuleLate: 0.06, ingest.RuleCopiedProse: 0.04,
	ingest.RuleFeesUnit: 0.02,
}

func runDemoWith(cmd *cobra.Command, cfg *config.Config) error {
	dir, _ := cmd.Flags().GetString("dir")
	seed, _ := cmd.Flags().GetInt64("seed")
	n, _ := cmd.Flags().GetInt("agencies")
	if n == 0 {
		n = 14
	}
	if seed == 0 {
		seed = 2025
	}
	if n < 12 {
		return &exitError{2, "--agencies 至少为 12"}
	}
	if dir == "" {
		dir = "gongkai-demo"
	}
	out := cmd.OutOrStdout()
	db, registry, err := buildDemo(cmd.Context(), dir, seed, n, out)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.DB = db.Path()
	cfg.Registry = registry
	if cfg.District == "" {
		cfg.District = generate.DefaultDistrict
	}
	return serveDB(cmd.Context(), db, *cfg, out)
}

// buildDemo generates the district into dir/reports and ingests it into dir/demo.duckdb
// (removed first), with the generated organs as the registry so the missing report shows.
func buildDemo(ctx context.Context, dir string, seed int64, agencies int, out io.Writer) (*store.DB, []config.Organ, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	reports := filepath.Join(dir, "reports")
	os.RemoveAll(reports)
	files, err := generate.Write(generate.Options{Agencies: agencies, From: 2021, To: 2025, Out: reports,
		Seed: seed, Inject: demoInject, Missing: 1})
	if err != nil {
		return nil, nil, fmt.Errorf("生成演示报告失败：%w", err)
	}
	raw, err := os.ReadFile(filepath.Join(reports, "manifest.json"))
	if err != nil {
		return nil, nil, fmt.Errorf("演示报告清单无法读取：%w", err)
	}
	var man generate.Manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return nil, nil, fmt.Errorf("演示报告清单有误：%w", err)
	}
	var registry []config.Organ
	seen := map[string]bool{}
	for _, g := range man.Reports {
		if !seen[g.Agency] {
			seen[g.Agency] = true
			registry = append(registry, config.Organ{Name: g.Agency, Level: g.Level, District: man.District, Aliases: []string{g.Short}})
		}
	}
	path := filepath.Join(dir, "demo.duckdb")
	os.Remove(path)
	os.Remove(path + ".wal")
	db, err := openStore(path)
	if err != nil {
		return nil, nil, err
	}
	if err := db.SyncRegistry(registry); err != nil {
		db.Close()
		return nil, nil, err
	}
	res, err := pipeline.Run(ctx, db, []string{reports}, pipeline.Standard(serviceSettings(config.Config{})))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("演示报告入库失败：%w", err)
	}
	fmt.Fprintf(out, "演示区 %s：%d 个单位，%d 份报告文件（%s）；%s\n", man.District, len(registry), len(files), reports, res.Summary())
	for _, f := range res.Failures {
		fmt.Fprintf(out, "失败 %s: %s\n", f.Path, f.Reason)
	}
	return db, registry, nil
}
