package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/ingest/pipeline"
)

var ingestCmd = &cobra.Command{
	Use:   "ingest [--db PATH] [--server URL] [--registry-sources] PATH|URL...",
	Short: "把报告文件（或文件夹、网址）解析、校验后存入 DuckDB",
	Long: `读取所给的文件、文件夹和网址，用全部 CPU 核解析，每份报告完整地存入数据库（要么全存，要么不存）。
同样的文件再导入不会改变任何东西；同一单位同一年度的另一个文件会替换现行报告，旧的保留为更正前的版本。
失败的文件在标准错误输出中列出（“失败 路径: 原因”）并跳过，有失败时退出码为 1。
标准输出最后一行为“入库完成：新增 N，未变 M，替换 R，失败 F”。

网址（http:// 或 https://）可以是报告页面、报告文件或门户网站的年报栏目（栏目中的报告链接会逐一读取）；
--registry-sources 读取登记表中每个单位的 sources:。读取网站遵守 robots.txt，对同一网站的请求间隔 web.delay；
每个无法获取或读取的报告链接计为一次失败。
数据库正被 gongkai serve 占用时，用 --server URL 把文件交给正在运行的服务（需要 server.token）。`,
	Args: cobra.ArbitraryArgs,
	RunE: runIngest,
}

func init() {
	ingestCmd.Flags().String("server", "", "把文件交给正在运行的 gongkai serve（地址如 http://127.0.0.1:8080；它占用数据库），令牌为配置项 server.token")
	ingestCmd.Flags().Bool("registry-sources", false, "同时读取登记表中每个单位的 sources:（报告页面、年报栏目）")
	ingestCmd.Flags().String("cpuprofile", "", "write a CPU profile of the ingest to this file (for developers)")
	_ = ingestCmd.Flags().MarkHidden("cpuprofile")
	ingestCmd.Flags().String("memprofile", "", "write a heap profile at the end of the ingest, before the database is closed, to this file (for developers)")
	_ = ingestCmd.Flags().MarkHidden("memprofile")
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
	stop, err := startCPUProfile(cmd)
	if err != nil {
		return err
	}
	defer stop()
	limitGoMemory()
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetLimits(ingestMemoryLimit(cfg.DuckDB.MemoryLimit), cfg.DuckDB.Threads); err != nil {
		return err
	}
	if err := db.LimitWriteMemory(); err != nil {
		return err
	}
	if err := db.SyncRegistry(cfg.Registry); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var bar *progressbar.ProgressBar
	opt := pipeline.Standard(serviceSettings(*cfg))
	opt.Batch, opt.Linger = pipeline.BulkBatch, pipeline.BulkLinger
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
	if path, _ := cmd.Flags().GetString("memprofile"); path != "" {
		if err := writeHeapProfile(path); err != nil {
			return err
		}
	}
	for _, f := range res.Failures {
		fmt.Fprintf(os.Stderr, "失败 %s: %s\n", f.Path, f.Reason)
	}
	for _, l := range newAgencyLines(res.NewAgencies, maxNewAgencyLines) {
		fmt.Fprintln(os.Stderr, l)
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

// writeHeapProfile writes the live Go heap (after a collection) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	return nil
}

// serviceSettings turns the configuration into the ingest service's settings: the same for
// gongkai ingest, check and uploads, with the figures analytics derives from each report.
func serviceSettings(cfg config.Config) pipeline.Settings {
	return pipeline.Settings{Workers: cfg.Workers, CopiedSimilarity: cfg.Risk.CopiedSimilarity,
		Derive: analytics.Derivation()}
}

// ingestGoMemory is the Go runtime's soft memory limit during gongkai ingest: the heap holds
// the reports in flight (~1,500 of them, ~100 MB) and the store's index (~90 MB at 750,000
// reports), and with the default GOGC it grew to twice that before a collection (Go's share
// of the 1.5 GB peak RSS at 750,000). DuckDB's memory (ingestCap and what it holds beside its
// pool) comes on top.
const ingestGoMemory = 384 << 20

// limitGoMemory sets ingestGoMemory as the Go soft memory limit unless GOMEMLIMIT says
// otherwise.
func limitGoMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ingestGoMemory)
	}
}

// ingestCap bounds DuckDB's memory during gongkai ingest. An ingest appends and looks up
// little, but DuckDB's buffer pool keeps the blocks it wrote up to duckdb.memory_limit (4 GB
// by default, sized for serve's queries): the process grew with the database (826 MB peak
// RSS at 100,000 reports). With the cap it stays flat; blocks beyond it are evicted. At
// 192 MB the buffer pool still holds what an ingest writes between two checkpoints (64 MB
// of WAL, store.LimitWriteMemory, ~110 MB of uncheckpointed rows at most) with room for the
// blocks it reads; at 256 MB the blocks written (BASE_TABLE) filled the rest as the
// database grew, for nothing an ingest reads again.
const ingestCap = 192e6

// ingestMemoryLimit is the configured duckdb.memory_limit, at most ingestCap.
func ingestMemoryLimit(configured string) string {
	if n, ok := memoryBytes(configured); ok && n <= ingestCap {
		return configured
	}
	return "192MB"
}

// memoryBytes reads a DuckDB memory size (4GB, 512MiB, 1.5GB); false when it cannot.
func memoryBytes(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		n      float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			return v * u.n, err == nil
		}
	}
	return 0, false
}

// maxNewAgencyLines is how many new organs gongkai ingest names one by one (a first national
// run would otherwise print thousands of lines).
const maxNewAgencyLines = 10

// newAgencyLines names the organs not in the registry, at most max of them, then how many
// more there are.
func newAgencyLines(names []string, max int) []string {
	var out []string
	for i, a := range names {
		if i == max {
			out = append(out, fmt.Sprintf("……另有 %d 个新单位", len(names)-max))
			break
		}
		out = append(out, "新单位（不在单位名录中）："+a)
	}
	return out
}
