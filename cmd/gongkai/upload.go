package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"gongkai/config"
	"gongkai/dashboards"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

// uploadIngest returns the dashboards' IngestFunc of gongkai serve (dashboards.UploadIngest):
// uploads kept under <db dir>/uploads, ingested with the configured pipeline.
func uploadIngest(db *store.DB, cfg config.Config) dashboards.IngestFunc {
	return dashboards.UploadIngest(db, filepath.Join(filepath.Dir(cfg.DB), "uploads"), pipeline.Standard(serviceSettings(cfg)))
}

// uploadClient sends files to a running gongkai serve in batches within its limits.
type uploadClient struct {
	server, token string
	http          *http.Client
	limits        dashboards.UploadLimits
}

// fetchLimits asks the server for its upload limits (GET /api/upload); a server that does
// not say gets the defaults of the configuration.
func (c *uploadClient) fetchLimits(ctx context.Context) error {
	c.limits = dashboards.UploadLimits{MaxBytes: 20 << 20, MaxFiles: 500}
	req, err := http.NewRequestWithContext(ctx, "GET", c.server+"/api/upload", nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("连接服务器 %s 失败：%w", c.server, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusOK:
		var l dashboards.UploadLimits
		if json.Unmarshal(body, &l) == nil && l.MaxBytes > 0 && l.MaxFiles > 0 {
			c.limits = l
		}
	case http.StatusForbidden:
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		return fmt.Errorf("服务器 %s 不接受上传：%s", c.server, e.Error)
	}
	return nil
}

// batches groups files (with their sizes) so that each request stays within the limits;
// a file too large for any request is returned in tooLarge.
func (c *uploadClient) batches(files []string, sizes []int64) (batches [][]int, tooLarge []int) {
	const overhead = 1024 // multipart headers of one file, generously
	var cur []int
	var bytes int64 = 512
	for i := range files {
		need := sizes[i] + overhead + int64(len(files[i]))
		if need+512 > c.limits.MaxBytes {
			tooLarge = append(tooLarge, i)
			continue
		}
		if len(cur) > 0 && (len(cur) >= c.limits.MaxFiles || bytes+need > c.limits.MaxBytes) {
			batches = append(batches, cur)
			cur, bytes = nil, 512
		}
		cur = append(cur, i)
		bytes += need
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches, tooLarge
}

// send posts one batch, waiting and retrying while the server answers 503 (busy).
func (c *uploadClient) send(ctx context.Context, files []string) ([]dashboards.UploadResult, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		w, err := mw.CreateFormFile("file", filepath.Base(f))
		if err != nil {
			return nil, err
		}
		w.Write(data)
	}
	mw.Close()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, "POST", c.server+"/api/upload", bytes.NewReader(buf.Bytes()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("发送到 %s 失败：%w", c.server, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && attempt < 20 {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			var e struct{ Error string }
			json.Unmarshal(body, &e)
			return nil, fmt.Errorf("服务器 %s 拒绝：%s %s", c.server, resp.Status, e.Error)
		}
		var results []dashboards.UploadResult
		if err := json.Unmarshal(body, &results); err != nil {
			return nil, fmt.Errorf("服务器 %s 的回答无法读取：%w", c.server, err)
		}
		return results, nil
	}
}

// postToServer sends files to a running gongkai serve (POST /api/upload with the token) in
// batches within the server's limits, with a progress bar on errOut for more than one
// batch, prints "失败 FILE: reason" for each file that failed and the summary line of
// gongkai ingest. It returns the number that failed. gongkai ingest --server URL calls it.
func postToServer(ctx context.Context, server, token string, files []string, out, errOut io.Writer) (failed int, err error) {
	c := &uploadClient{server: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: 10 * time.Minute}}
	if err := c.fetchLimits(ctx); err != nil {
		return 0, err
	}
	sizes := make([]int64, len(files))
	for i, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return 0, err
		}
		sizes[i] = st.Size()
	}
	batches, tooLarge := c.batches(files, sizes)
	var res pipeline.Result
	for _, i := range tooLarge {
		res.Failures = append(res.Failures, pipeline.Failure{Path: files[i],
			Reason: fmt.Sprintf("文件超过服务器的上传限制（%d MB）", c.limits.MaxBytes>>20)})
	}
	var bar *progressbar.ProgressBar
	if len(batches) > 1 {
		bar = progressbar.NewOptions(len(files), progressbar.OptionSetWriter(errOut),
			progressbar.OptionSetDescription("上传"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	for _, b := range batches {
		paths := make([]string, len(b))
		for j, i := range b {
			paths[j] = files[i]
		}
		results, err := c.send(ctx, paths)
		if err != nil {
			return len(files), err
		}
		if len(results) != len(paths) {
			return len(files), fmt.Errorf("服务器 %s 回答了 %d 个结果，发送了 %d 个文件", c.server, len(results), len(paths))
		}
		for j, r := range results {
			switch {
			case r.Error != "" || r.Outcome == dashboards.OutcomeFailed:
				res.Failures = append(res.Failures, pipeline.Failure{Path: paths[j], Reason: r.Error})
			case r.Outcome == dashboards.OutcomeNew:
				res.New++
			case r.Outcome == dashboards.OutcomeReplaced:
				res.Replaced++
			default:
				res.Unchanged++
			}
		}
		if bar != nil {
			bar.Add(len(b))
		}
	}
	if bar != nil {
		bar.Finish()
	}
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].Path < res.Failures[j].Path })
	res.Failed = len(res.Failures)
	for _, f := range res.Failures {
		fmt.Fprintf(errOut, "失败 %s: %s\n", f.Path, f.Reason)
	}
	fmt.Fprintln(out, res.Summary())
	return res.Failed, nil
}
