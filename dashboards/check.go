package dashboards

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"gongkai/ingest"
)

// Drafts are checked through the running server, which holds the database: gongkai check
// --server URL posts them to /api/check and the server compares them with the organs' stored
// earlier years without storing anything.

// Draft is one file to check: its name as given and its bytes.
type Draft struct {
	Name string
	Data []byte
}

// CheckResult is what the check found in one draft (also the line of gongkai check --json).
type CheckResult struct {
	Source   string           `json:"source"`
	Agency   string           `json:"agency"`
	Year     int              `json:"year"`
	Findings []ingest.Finding `json:"findings"`
	Error    string           `json:"error,omitempty"` // the file could not be read as a report
}

// CheckFunc checks drafts against the database with the rules of gongkai check. An error is
// a check that could not run in full (the earlier years could not be read): the answer is
// then an error, never a clean result.
type CheckFunc func(ctx context.Context, drafts []Draft) ([]CheckResult, error)

// WithCheck enables POST /api/check through f.
func WithCheck(f CheckFunc) Option { return func(s *Server) { s.check = f } }

// checkAPI answers POST /api/check: multipart field file (repeatable), no token (nothing is
// stored), at most server.max_upload_mb in all.
func (s *Server) checkAPI(w http.ResponseWriter, r *http.Request) {
	if s.check == nil {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "此服务器未开启草稿校验。"})
		return
	}
	limit := s.uploadLimit()
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("上传超过大小限制（%d MB）。", limit>>20)})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "无法读取上传内容：" + err.Error()})
		return
	}
	var drafts []Draft
	for _, fh := range r.MultipartForm.File["file"] {
		f, err := fh.Open()
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "无法读取 " + fh.Filename + "：" + err.Error()})
			return
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "无法读取 " + fh.Filename + "：" + err.Error()})
			return
		}
		drafts = append(drafts, Draft{Name: fh.Filename, Data: data})
	}
	if len(drafts) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "没有收到文件（字段名 file）。"})
		return
	}
	res, err := s.check(r.Context(), drafts)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "校验未完成：" + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}
