package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

var ingestCmd = &cobra.Command{
	Use:   "ingest [--db PATH] PATH...",
	Short: "把报告文件（或文件夹）解析、校验后存入 DuckDB",
	Long: `ingest walks the files and folders given, parses them on all cores and stores each report
in the database in one piece. The same bytes again change nothing; a different file for the same
agency and year replaces the current report and keeps the earlier one as a revision (更正版).
A file that fails is reported on stderr ("失败 PATH: reason") and skipped; the exit code is 1 if
any failed. The last line on stdout is "ingested: N new, M unchanged, R replaced, F failed".`,
	Args: cobra.MinimumNArgs(1),
	RunE: runIngest,
}

func init() {
	ingestCmd.Flags().String("server", "", "hand the files to a running gongkai serve at URL (it holds the database); the token is server.token")
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
	db, err := store.Open(cfg.DB)
	if err != nil {
		var locked *store.ErrLocked
		if errors.As(err, &locked) {
			return &exitError{1, locked.Error()}
		}
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
		fmt.Fprintf(os.Stderr, "新机关（不在登记表中）: %s\n", a)
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
