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
	Use:   "ingest [--db PATH] [--registry-sources] PATH|URL...",
	Short: "把报告文件（或文件夹）解析、校验后存入 DuckDB",
	Long: `ingest walks the files and folders given, parses them on all cores and stores each report
in the database in one piece. The same bytes again change nothing; a different file for the same
agency and year replaces the current report and keeps the earlier one as a revision (更正版).
A file that fails is reported on stderr ("失败 PATH: reason") and skipped; the exit code is 1 if
any failed. The last line on stdout is "ingested: N new, M unchanged, R replaced, F failed".

A URL (http:// or https://) is a report page, a report document or a portal's 年报 column
whose report links are followed; --registry-sources reads every organ's sources: of the
registry. Portals are read politely (robots.txt, web.delay between requests to a host); each
report link that cannot be fetched or read is one failure.`,
	Args: cobra.ArbitraryArgs,
	RunE: runIngest,
}

func init() {
	ingestCmd.Flags().String("server", "", "hand the files to a running gongkai serve at URL (it holds the database); the token is server.token")
	ingestCmd.Flags().Bool("registry-sources", false, "also read the sources: (report pages, 年报 columns) of every organ in the registry")
	rootCmd.AddCommand(ingestCmd)
}

func runIngest(cmd *cobra.Command, args []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return err
	}
	urls, paths := splitArgs(args)
	if all, _ := cmd.Flags().GetBool("registry-sources"); all {
		urls = append(urls, registrySources(cfg)...)
	}
	if len(urls)+len(paths) == 0 {
		return &exitError{1, "没有要入库的文件或网址（或登记表中没有 sources:）"}
	}
	if url, _ := cmd.Flags().GetString("server"); url != "" {
		if len(urls) > 0 {
			return &exitError{1, "--server 不抓取网址：请在服务器的上传报告页面填写网址，或不用 --server 直接入库"}
		}
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
	if err := db.SetLimits(cfg.DuckDB.MemoryLimit, cfg.DuckDB.Threads); err != nil {
		return err
	}
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
	var res pipeline.Result
	if len(urls) > 0 {
		progress, finish := crawlBar(os.Stderr)
		opt.Progress = nil // the crawl's bar counts the links instead
		res, err = pipeline.RunWeb(ctx, db, webClient(cfg), urls, paths, opt, progress)
		finish()
	} else {
		res, err = pipeline.Run(ctx, db, paths, opt)
	}
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
