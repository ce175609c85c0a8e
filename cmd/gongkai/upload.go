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
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"gongkai/config"
	"gongkai/dashboards"
	"gongkai/ingest"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

// uploadIngest returns the dashboards' IngestFunc: it keeps each uploaded file under
// <db dir>/uploads/<sha256 of its bytes>/<name> and runs the ingest pipeline once over the
// upload's files, one upload at a time. The store is content-addressed: the same bytes
// again find the file the stored report already points to, and nothing a report points to is
// ever deleted. A received upload is ingested to the end even if its client leaves.
func uploadIngest(db *store.DB, cfg config.Config) dashboards.IngestFunc {
	var mu sync.Mutex
	base := filepath.Dir(cfg.DB)
	dir := filepath.Join(base, "uploads")
	return func(ctx context.Context, files []dashboards.Upload) ([]dashboards.UploadResult, error) {
		mu.Lock()
		defer mu.Unlock()
		ctx = context.WithoutCancel(ctx)
		results := make([]dashboards.UploadResult, len(files))
		at := map[string][]int{} // stored path → the uploads with those bytes
		fresh := map[string]bool{}
		var paths []string
		for i, u := range files {
			results[i] = dashboards.UploadResult{Name: u.Name, Outcome: dashboards.OutcomeFailed}
			p, created, err := keepUpload(dir, u)
			if err != nil {
				results[i].Error = err.Error()
				continue
			}
			if _, ok := at[p]; !ok {
				paths = append(paths, p)
			}
			at[p] = append(at[p], i)
			fresh[p] = fresh[p] || created
		}
		saved := map[string]store.Saved{}
		opt := pipeline.Standard(serviceSettings(cfg))
		opt.Saved = func(p string, s store.Saved) { saved[p] = s }
		res, err := pipeline.Run(ctx, db, paths, opt)
		if err != nil {
			return nil, err
		}
		failed := map[string]string{}
		for _, f := range res.Failures {
			failed[f.Path] = f.Reason
		}
		var ids []int64
		for _, s := range saved {
			ids = append(ids, s.ReportID)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		loaded, err := db.LoadIDs(ids)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			s, ok := saved[p]
			for _, i := range at[p] {
				r := &results[i]
				if !ok {
					reason := failed[p]
					if reason == "" {
						reason = "未入库"
					}
					// the messages name the file as the clerk knows it, never a server path
					reason = strings.ReplaceAll(reason, p, r.Name)
					reason = strings.ReplaceAll(reason, dir, "")
					r.Error = strings.ReplaceAll(reason, base, "")
					continue
				}
				r.Outcome = s.Outcome.String()
				r.ReportID = s.ReportID
				if st := loaded[s.ReportID]; st != nil {
					r.Agency, r.AgencyID, r.Year = st.Report.Agency, st.AgencyID, st.Year
					summarize(r, st.Report.Findings)
				}
			}
			if (!ok || s.Outcome == store.Unchanged && saved[p].ReportID != 0 && !pointsAt(loaded[s.ReportID], p)) && fresh[p] {
				// not stored, or the same bytes are stored from another file: nothing points here
				os.RemoveAll(filepath.Dir(p))
			}
		}
		return results, nil
	}
}

// pointsAt tells whether the stored report was read from path.
func pointsAt(st *store.Stored, path string) bool {
	return st != nil && st.Report.Source == path
}

// keepUpload writes an upload to dir/<sha256>/<name> unless those bytes are kept already, and
// returns the kept file's path and whether it was written now.
func keepUpload(dir string, u dashboards.Upload) (path string, created bool, err error) {
	name := filepath.Base(u.Name)
	if name == "." || name == ".." || name == string(filepath.Separator) || strings.HasPrefix(name, ".") || name == "" {
		return "", false, fmt.Errorf("文件名不可用：%q", u.Name)
	}
	sum := sha256.Sum256(u.Data)
	d := filepath.Join(dir, hex.EncodeToString(sum[:]))
	if es, err := os.ReadDir(d); err == nil {
		for _, e := range es {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				return filepath.Join(d, e.Name()), false, nil
			}
		}
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", false, errors.New("无法保存上传的文件（服务器磁盘）")
	}
	tmp := filepath.Join(d, ".part")
	if err := os.WriteFile(tmp, u.Data, 0o644); err != nil {
		return "", false, errors.New("无法保存上传的文件（服务器磁盘）")
	}
	path = filepath.Join(d, name)
	if err := os.Rename(tmp, path); err != nil {
		return "", false, errors.New("无法保存上传的文件（服务器磁盘）")
	}
	return path, true, nil
}

// summarize counts a report's findings by severity and keeps the first messages, errors first.
func summarize(r *dashboards.UploadResult, fs []ingest.Finding) {
	var errs, warns []string
	for _, f := range fs {
		if f.Severity == ingest.SeverityError {
			errs = append(errs, f.Message)
		} else {
			warns = append(warns, f.Message)
		}
	}
	r.Errors, r.Warnings = len(errs), len(warns)
	all := append(errs, warns...)
	r.Findings = all[:min(len(all), 10)]
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
