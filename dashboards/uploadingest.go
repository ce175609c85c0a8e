package dashboards

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"gongkai/ingest"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
	"gongkai/ingest/web"
)

// UploadIngest is the upload service (an IngestFunc) of gongkai serve: it keeps each uploaded
// file under dir/<sha256 of its bytes>/<name> and runs the ingest pipeline (opt) once over the
// upload's files, one upload at a time, and says what became of each file: its outcome, the
// organ and year it was stored as and its findings; a failure names the file as uploaded,
// never a server path (nor dir, nor the folder above it). The store is content-addressed: the same bytes
// again find the file the stored report already points to, and nothing a report points to is
// ever deleted. A received upload is ingested to the end even if its client leaves.
func UploadIngest(db *store.DB, dir string, opt pipeline.Options) IngestFunc {
	var mu sync.Mutex
	base := filepath.Dir(dir)
	return func(ctx context.Context, files []Upload) ([]UploadResult, error) {
		mu.Lock()
		defer mu.Unlock()
		ctx = context.WithoutCancel(ctx)
		results := make([]UploadResult, len(files))
		at := map[string][]int{} // stored path → the uploads with those bytes
		fresh := map[string]bool{}
		var paths []string
		for i, u := range files {
			results[i] = UploadResult{Name: u.Name, Outcome: OutcomeFailed}
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
		opt := opt // (each upload its own Saved)
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

// UploadIngestURLs is the upload form's service for links (an IngestURLsFunc) of gongkai
// serve: the reports at urls are read with c into db like gongkai ingest URL…, through the
// ingest pipeline (opt), one run at a time; a row per failed report link, then the summary.
func UploadIngestURLs(db *store.DB, c *web.Client, opt pipeline.Options) IngestURLsFunc {
	var mu sync.Mutex
	return func(ctx context.Context, urls []string) []UploadResult {
		mu.Lock()
		defer mu.Unlock()
		res, err := pipeline.RunWeb(ctx, db, c, urls, nil, opt, nil)
		var out []UploadResult
		for _, f := range res.Failures {
			out = append(out, UploadResult{Name: f.Path, Outcome: OutcomeFailed, Error: f.Reason})
		}
		sum := UploadResult{Name: strings.Join(urls, " "), Outcome: res.Summary()}
		if err != nil {
			sum.Error = err.Error()
		}
		return append(out, sum)
	}
}

// pointsAt tells whether the stored report was read from path.
func pointsAt(st *store.Stored, path string) bool {
	return st != nil && st.Report.Source == path
}

// keepUpload writes an upload to dir/<sha256>/<name> unless those bytes are kept already, and
// returns the kept file's path and whether it was written now.
func keepUpload(dir string, u Upload) (path string, created bool, err error) {
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
func summarize(r *UploadResult, fs []ingest.Finding) {
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
