package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest/pipeline"
)

var ingestCmd = &cobra.Command{
	Use:   "ingest [--db PATH] [--server URL] PATH...",
	Short: "把报告文件（或文件夹）解析、校验后存入 DuckDB",
	Long: `读取所给的文件和文件夹，用全部 CPU 核解析，每份报告完整地存入数据库（要么全存，要么不存）。
同样的文件再导入不会改变任何东西；同一单位同一年度的另一个文件会替换现行报告，旧的保留为更正前的版本。
失败的文件在标准错误输出中列出（“失败 路径: 原因”）并跳过，有失败时退出码为 1。
标准输出最后一行为“入库完成：新增 N，未变 M，替换 R，失败 F”。
数据库正被 gongkai serve 占用时，用 --server URL 把文件交给正在运行的服务（需要 server.token）。`,
	Args: filesArgs,
	RunE: runIngest,
}

func init() {
	ingestCmd.Flags().String("server", "", "把文件交给正在运行的 gongkai serve（地址如 http://127.0.0.1:8080；它占用数据库），令牌为配置项 server.token")
	rootCmd.AddCommand(ingestCmd)
}

func runIngest(cmd *cobra.Command, args []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return err
	}
	if url, _ := cmd.Flags().GetString("server"); url != "" {
		files, walkFailures := pipeline.Walk(args)
		for _, f := range walkFailures {
			fmt.Fprintf(cmd.ErrOrStderr(), "失败 %s: %s\n", f.Path, f.Reason)
		}
		failed, err := postToServer(cmd.Context(), url, cfg.Server.Token, files, cmd.OutOrStdout(), cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		if failed+len(walkFailures) > 0 {
			return &exitError{code: 1}
		}
		return nil
	}
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SyncRegistry(cfg.Registry); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var bar *progressbar.ProgressBar
	opt := pipeline.Standard(serviceSettings(*cfg))
	opt.Progress = func(done, total int) {
		if total <= 50 {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription("入库"), progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100e6), progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
	res, err := pipeline.Run(ctx, db, args, opt)
	if bar != nil {
		bar.Finish()
	}
	for _, f := range res.Failures {
		fmt.Fprintf(os.Stderr, "失败 %s: %s\n", f.Path, f.Reason)
	}
	for _, a := range res.NewAgencies {
		fmt.Fprintf(os.Stderr, "新单位（不在单位名录中）：%s\n", a)
	}
	fmt.Fprintln(os.Stdout, res.Summary())
	if err != nil {
		return err
	}
	if res.Failed > 0 {
		return &exitError{1, ""}
	}
	return nil
}

// serviceSettings turns the configuration into the ingest service's settings: the same for
// gongkai ingest, check and uploads, with the figures analytics derives from each report.
func serviceSettings(cfg config.Config) pipeline.Settings {
	return pipeline.Settings{Workers: cfg.Workers, CopiedSimilarity: cfg.Risk.CopiedSimilarity,
		Derive: analytics.Derivation()}
}
