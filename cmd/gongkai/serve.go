package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/analytics"
	"gongkai/config"
	"gongkai/dashboards"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

var serveCmd = &cobra.Command{
	Use:   "serve [--db PATH] [--addr 127.0.0.1:8080] [--demo]",
	Short: "启动看板：总览、单位、同比、数据质量、风险提示，API 与下载",
	Long: `打开数据库并提供看板，直到按 Ctrl-C 结束。运行期间由服务占用数据库：
此时添加报告请上传（“上传报告”页，或 gongkai ingest --server URL 文件...），需要配置 server.token；
校验草稿请用 gongkai check --server URL 文件...。
--demo 先生成一个合成的演示区并导入一个新数据库（同 gongkai demo）。`,
	Args: noArgs,
	RunE: runServe,
}

func init() {
	serveCmd.Flags().String("addr", "", "监听地址（配置项 server.addr；默认 127.0.0.1:8080）")
	serveCmd.Flags().Bool("demo", false, "用新生成的演示区（新数据库）启动看板")
	serveCmd.Flags().String("cpuprofile", "", "write a CPU profile of the server to this file (for developers)")
	serveCmd.Flags().String("memprofile", "", "write a Go heap profile to this file at each new peak of the heap, and DuckDB's duckdb_memory() beside it (FILE.duckdb.txt) (for developers)")
	_ = serveCmd.Flags().MarkHidden("cpuprofile")
	_ = serveCmd.Flags().MarkHidden("memprofile")
	rootCmd.AddCommand(serveCmd)
}

func runServe(cmd *cobra.Command, _ []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return err
	}
	if a, _ := cmd.Flags().GetString("addr"); a != "" {
		cfg.Server.Addr = a
	}
	if demo, _ := cmd.Flags().GetBool("demo"); demo {
		return runDemoWith(cmd, cfg)
	}
	serveGC()
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	stop, err := startCPUProfile(cmd)
	if err != nil {
		return err
	}
	defer stop()
	if path, _ := cmd.Flags().GetString("memprofile"); path != "" {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go memProfile(ctx, path, db)
	}
	if len(cfg.Registry) > 0 {
		if err := db.SyncRegistry(cfg.Registry); err != nil {
			return err
		}
	}
	return serveDB(cmd.Context(), db, *cfg, cmd.OutOrStdout())
}

// openStore opens the database, turning a lock held by another process into a plain message.
// A file that does not exist yet is created, and stderr says so (新建数据库 …): a mistyped --db
// must not pass for the clerk's database.
func openStore(path string) (*store.DB, error) {
	_, statErr := os.Stat(path)
	db, err := openNewStore(path)
	if err != nil {
		return nil, err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		abs, _ := filepath.Abs(path)
		fmt.Fprintf(os.Stderr, "新建数据库 %s（原先没有这个文件；如路径有误，请检查 --db 或配置项 db）\n", abs)
	}
	return db, nil
}

// openNewStore opens (or creates) the database without the 新建数据库 hint: for a database the
// command itself creates on purpose (gongkai demo has no --db), where the hint would be wrong.
func openNewStore(path string) (*store.DB, error) {
	db, err := store.Open(path)
	if err != nil {
		var locked *store.ErrLocked
		if errors.As(err, &locked) {
			return nil, &exitError{1, locked.Error()}
		}
		return nil, fmt.Errorf("无法打开数据库 %s：%w", path, err)
	}
	return db, nil
}

// serveDB serves the dashboards over db until ctx ends or the process is interrupted.
func serveDB(ctx context.Context, db *store.DB, cfg config.Config, out io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	addr := cfg.Server.Addr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &exitError{1, fmt.Sprintf("无法在 %s 上监听（%v）", addr, err)}
	}
	if err := db.SetLimits(cfg.DuckDB.MemoryLimit, cfg.DuckDB.Threads); err != nil {
		return &exitError{1, fmt.Sprintf("serve: %v", err)}
	}
	// cross-year findings owed by an ingest that was killed are finished while serving
	go func() {
		if err := pipeline.FinishPending(ctx, db, pipeline.Standard(serviceSettings(cfg))); err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "跨年度检查未完成（下次启动时继续）：%v\n", err)
		}
	}()
	h := dashboards.NewServer(analytics.NewStore(db), cfg, dashboards.WithIngest(uploadIngest(db, cfg)),
		dashboards.WithCheck(func(ctx context.Context, drafts []dashboards.Draft) ([]dashboards.CheckResult, error) {
			return checkDrafts(ctx, db, drafts, pipeline.Standard(serviceSettings(cfg)))
		}),
		dashboards.WithIngestURLs(dashboards.UploadIngestURLs(db, webClient(&cfg), pipeline.Standard(serviceSettings(cfg)))),
		dashboards.WithWarmup(ctx, 200*time.Millisecond))
	// Readers keep their DuckDB connections between requests (database/sql keeps 2 by
	// default and would open and close the others on every query).
	slots := cfg.Server.MaxConcurrent
	if slots <= 0 {
		slots = 2 * runtime.NumCPU() // as dashboards' limiter
	}
	db.SQL().SetMaxIdleConns(slots + 4)
	srv := dashboards.HTTPServer(h, cfg.Server, nil)
	fmt.Fprintf(out, "看板地址：http://%s/ （数据库 %s；按 Ctrl-C 结束）\n", ln.Addr(), cfg.DB)
	if cfg.Server.Token == "" {
		fmt.Fprintln(out, "上传未开启：在配置中设置 server.token 后可上传报告。")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// serveGCPercent is serve's GOGC. A national server keeps ~120 MB of Go heap for good (the
// store's index of 750,000 versions, the registry of 150,000 organs) and ~60 MB more of
// cached pages; at the default 100 the heap grew to twice that before a collection, ~350 MB
// of the 1.1 GB peak at 750,000 reports. At 50 it stays near 250 MB for a little more
// collection work.
const serveGCPercent = 50

// serveGC sets serveGCPercent unless GOGC says otherwise.
func serveGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

// memProfile writes a Go heap profile to path each time the process's RSS passes its peak
// by 5 % (checked twice a second), with DuckDB's duckdb_memory() and the process's RSS at that
// moment in path.duckdb.txt: where a server's memory is at its peak, for developers.
func memProfile(ctx context.Context, path string, db *store.DB) {
	var peak uint64
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		status, _ := os.ReadFile("/proc/self/status")
		var rss uint64
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmRSS:") {
				fmt.Sscan(strings.TrimPrefix(l, "VmRSS:"), &rss)
			}
		}
		if rss < peak+peak/20 {
			continue
		}
		peak = rss
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
		var b strings.Builder
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmRSS") || strings.HasPrefix(l, "VmHWM") {
				b.WriteString(l + "\n")
			}
		}
		fmt.Fprintf(&b, "go heap alloc %d MB, heap sys %d MB, sys %d MB at %s\n", ms.HeapAlloc>>20, ms.HeapSys>>20, ms.Sys>>20, time.Now().Format(time.TimeOnly))
		if rows, err := db.SQL().QueryContext(ctx, "SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() ORDER BY memory_usage_bytes DESC"); err == nil {
			for rows.Next() {
				var tag string
				var mem, tmp int64
				if rows.Scan(&tag, &mem, &tmp) == nil && (mem > 0 || tmp > 0) {
					fmt.Fprintf(&b, "duckdb %s %d MB (temporary %d MB)\n", tag, mem>>20, tmp>>20)
				}
			}
			rows.Close()
		}
		_ = os.WriteFile(path+".duckdb.txt", []byte(b.String()), 0o644)
	}
}
