package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
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
	Long: `serve opens the database and serves the dashboards until interrupted. The server holds the
database: while it runs, add reports by uploading them (the 上传报告 page, or
gongkai ingest --server URL FILE...), which needs server.token in the config.
--demo generates a synthetic district into a fresh database first (as gongkai demo).`,
	Args: cobra.NoArgs,
	RunE: runServe,
}

func init() {
	serveCmd.Flags().String("addr", "", "listen address (config key server.addr; default 127.0.0.1:8080)")
	serveCmd.Flags().Bool("demo", false, "serve a generated demo district in a fresh database")
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
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(cfg.Registry) > 0 {
		if err := db.SyncRegistry(cfg.Registry); err != nil {
			return err
		}
	}
	return serveDB(cmd.Context(), db, *cfg, cmd.OutOrStdout())
}

// openStore opens the database, turning a lock held by another process into a plain message.
func openStore(path string) (*store.DB, error) {
	db, err := store.Open(path)
	if err != nil {
		var locked *store.ErrLocked
		if errors.As(err, &locked) {
			return nil, &exitError{1, locked.Error()}
		}
		return nil, err
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
		return &exitError{1, fmt.Sprintf("serve: %v", err)}
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
	h := dashboards.NewServer(analytics.New(db.SQL()), cfg, dashboards.WithIngest(uploadIngest(db, cfg)),
		dashboards.WithCheck(func(ctx context.Context, drafts []dashboards.Draft) ([]dashboards.CheckResult, error) {
			return checkDrafts(ctx, db, drafts, pipeline.Standard(serviceSettings(cfg)))
		}))
	srv := dashboards.HTTPServer(h, cfg.Server, nil)
	fmt.Fprintf(out, "gongkai serve: http://%s/ （数据库 %s；Ctrl-C 结束）\n", ln.Addr(), cfg.DB)
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
