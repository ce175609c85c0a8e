package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gongkai/config"
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
	demoCmd.Flags().Int64("seed", generate.DemoSeed, "随机种子（相同种子生成相同的区）")
	demoCmd.Flags().Int("agencies", generate.DemoAgencies, fmt.Sprintf("单位个数（至少 %d）", generate.DemoMinAgencies))
	rootCmd.AddCommand(demoCmd)
}

func runDemoWith(cmd *cobra.Command, cfg *config.Config) error {
	dir, _ := cmd.Flags().GetString("dir")
	seed, _ := cmd.Flags().GetInt64("seed")
	n, _ := cmd.Flags().GetInt("agencies")
	if n != 0 && n < generate.DemoMinAgencies {
		return &exitError{2, fmt.Sprintf("--agencies 至少为 %d", generate.DemoMinAgencies)}
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

// buildDemo generates the demo district (generate.WriteDemo) into dir/reports and ingests it
// into dir/demo.duckdb (removed first), with the generated organs as the registry so the
// missing report shows.
func buildDemo(ctx context.Context, dir string, seed int64, agencies int, out io.Writer) (*store.DB, []config.Organ, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	reports := filepath.Join(dir, "reports")
	os.RemoveAll(reports)
	files, man, err := generate.WriteDemo(reports, seed, agencies)
	if err != nil {
		return nil, nil, fmt.Errorf("生成演示报告失败：%w", err)
	}
	registry := man.Registry()
	path := filepath.Join(dir, "demo.duckdb")
	os.Remove(path)
	os.Remove(path + ".wal")
	db, err := openNewStore(path) // always a new file: no 新建数据库 hint about a --db demo has not got
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
