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
	"io/fs"
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
// A file that does not exist yet is created, and stderr says so (新建数据库 …): a mistyped --db
// must not pass for the clerk's database.
func openStore(path string) (*store.DB, error) {
	_, statErr := os.Stat(path)
	db, err := store.Open(path)
	if err != nil {
		var locked *store.ErrLocked
		if errors.As(err, &locked) {
			return nil, &exitError{1, locked.Error()}
		}
		return nil, fmt.Errorf("无法打开数据库 %s：%w", path, err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		abs, _ := filepath.Abs(path)
		fmt.Fprintf(os.Stderr, "新建数据库 %s（原先没有这个文件；如路径有误，请检查 --db 或配置项 db）\n", abs)
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
		return &exitError{1, fmt.Sprintf("无法在 %s 上监听（%v）", addr, err)}
	}
	h := dashboards.NewServer(analytics.New(db.SQL()), cfg, dashboards.WithIngest(uploadIngest(db, cfg)),
		dashboards.WithCheck(func(ctx context.Context, drafts []dashboards.Draft) ([]dashboards.CheckResult, error) {
			return checkDrafts(ctx, db, drafts, pipeline.Standard(serviceSettings(cfg)))
		}))
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
		return 0, fmt.Errorf("无法连接服务器 %s（%v）", server, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		return 0, fmt.Errorf("服务器 %s 拒绝了上传：%s（%s）", server, e.Error, resp.Status)
	}
	var results []dashboards.UploadResult
	if err := json.Unmarshal(body, &results); err != nil {
		return 0, fmt.Errorf("服务器 %s 的答复无法读取（%w）", server, err)
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
	fmt.Fprintln(out, pipeline.Result{New: counts["new"], Unchanged: counts["unchanged"], Replaced: counts["replaced"], Failed: failed}.Summary())
	return failed, nil
}
