package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
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

// uploadIngest returns the dashboards' IngestFunc: it keeps the uploaded bytes under
// <db dir>/uploads (so the stored source path stays meaningful) and runs the ingest pipeline
// on that file, one upload at a time.
func uploadIngest(db *store.DB, cfg config.Config) dashboards.IngestFunc {
	var mu sync.Mutex
	dir := filepath.Join(filepath.Dir(cfg.DB), "uploads")
	return func(name string, data []byte) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		name = filepath.Base(name)
		if name == "." || name == string(filepath.Separator) || strings.HasPrefix(name, ".") {
			return "", fmt.Errorf("文件名不可用：%q", name)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		sum := sha256.Sum256(data)
		path := filepath.Join(dir, hex.EncodeToString(sum[:4])+"_"+name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return "", err
		}
		res, err := pipeline.Run(context.Background(), db, []string{path}, pipeline.Standard(serviceSettings(cfg)))
		if err != nil {
			return "failed", err
		}
		switch {
		case res.Failed > 0:
			reason := "failed"
			if len(res.Failures) > 0 {
				reason = res.Failures[0].Reason
			}
			os.Remove(path)
			return "failed", errors.New(reason)
		case res.New > 0:
			return "new", nil
		case res.Replaced > 0:
			return "replaced", nil
		default:
			os.Remove(path)
			return "unchanged", nil
		}
	}
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
	h := dashboards.NewServer(analytics.New(db.SQL()), cfg, dashboards.WithIngest(uploadIngest(db, cfg)),
		dashboards.WithCheck(func(ctx context.Context, drafts []dashboards.Draft) ([]dashboards.CheckResult, error) {
			return checkDrafts(ctx, db, drafts, pipeline.Standard(serviceSettings(cfg)))
		}),
		dashboards.WithIngestURLs(uploadIngestURLs(db, cfg)))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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

// postToServer sends files to a running gongkai serve (POST /api/upload with the token) and
// prints one line per file, in the words of gongkai ingest. It returns the number that failed.
// gongkai ingest --server URL calls it.
func postToServer(ctx context.Context, server, token string, files []string, out, errOut io.Writer) (failed int, err error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		w, err := mw.CreateFormFile("file", filepath.Base(f))
		if err != nil {
			return 0, err
		}
		w.Write(data)
	}
	mw.Close()
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(server, "/")+"/api/upload", &buf)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		return 0, fmt.Errorf("%s: %s %s", server, resp.Status, e.Error)
	}
	var results []dashboards.UploadResult
	if err := json.Unmarshal(body, &results); err != nil {
		return 0, fmt.Errorf("%s: %w", server, err)
	}
	counts := map[string]int{}
	for _, r := range results {
		if r.Error != "" {
			failed++
			fmt.Fprintf(errOut, "失败 %s: %s\n", r.Name, r.Error)
			continue
		}
		counts[r.Outcome]++
	}
	fmt.Fprintf(out, "ingested: %d new, %d unchanged, %d replaced, %d failed\n", counts["new"], counts["unchanged"], counts["replaced"], failed)
	return failed, nil
}
