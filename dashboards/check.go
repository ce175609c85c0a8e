package dashboards

import (
	"context"
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
	// drafts are held in memory like uploads: a few requests at a time, each within the limits
	release, err := s.uploads.acquire(r.Context())
	if err != nil {
		w.Header().Set("Retry-After", s.uploads.retryAfter())
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "服务器繁忙，请稍后再试。"})
		return
	}
	defer release()
	files, status, msg := s.readFiles(w, r, true, true)
	if status != http.StatusOK {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	drafts := make([]Draft, len(files))
	for i, f := range files {
		drafts[i] = Draft(f)
	}
	res, err := s.check(r.Context(), drafts)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "校验未完成：" + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}
