package dashboards

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path"
	"strings"

	"gongkai/ingest"
)

// Upload is one uploaded file: its name as the clerk's computer gave it (no directories) and
// its bytes.
type Upload struct {
	Name string
	Data []byte
}

// UploadResult is what happened to one uploaded file. It names the file as uploaded, never a
// path on the server.
type UploadResult struct {
	Name     string   `json:"name"`                // the file's name as uploaded
	Outcome  string   `json:"outcome"`             // new, unchanged, replaced or failed (as gongkai ingest counts them)
	Agency   string   `json:"agency,omitempty"`    // the organ the report was recognised as
	AgencyID int64    `json:"agency_id,omitempty"` // its id (the 单位 page)
	Year     int      `json:"year,omitempty"`      // the statistics year
	ReportID int64    `json:"report_id,omitempty"` // the stored report (for unchanged: the one with these bytes)
	Errors   int      `json:"errors"`              // findings of severity error
	Warnings int      `json:"warnings"`            // findings of severity warning
	Findings []string `json:"findings,omitempty"`  // the findings' messages, errors first (at most 10)
	Error    string   `json:"error,omitempty"`     // why it failed
}

// Outcomes of an upload as gongkai ingest counts them (ingest's words).
const (
	OutcomeNew       = ingest.OutcomeNew
	OutcomeUnchanged = ingest.OutcomeUnchanged
	OutcomeReplaced  = ingest.OutcomeReplaced
	OutcomeFailed    = ingest.OutcomeFailed
)

// IngestFunc adds uploaded files to the database with the same rules and messages as
// gongkai ingest, all in one run, and says what happened to each (in the files' order). The
// error is for the run as a whole (the database broke); a file that fails is a result.
type IngestFunc func(ctx context.Context, files []Upload) ([]UploadResult, error)

// UploadLimits is what GET /api/upload answers: the bounds of one upload request, so that
// gongkai ingest --server can send a large folder in batches the server accepts.
type UploadLimits struct {
	MaxBytes int64 `json:"max_bytes"` // the whole request body
	MaxFiles int   `json:"max_files"` // files in one request
}

func (s *Server) limits() UploadLimits {
	mb := s.cfg.Server.MaxUploadMB
	if mb <= 0 {
		mb = 20
	}
	n := s.cfg.Server.MaxFiles
	if n <= 0 {
		n = 500
	}
	return UploadLimits{MaxBytes: int64(mb) << 20, MaxFiles: n}
}

// uploadsOff says why uploads are not accepted, or "" when they are.
func (s *Server) uploadsOff() string {
	switch {
	case s.ingest == nil:
		return "此服务器未开启上传（没有入库功能）。"
	case s.cfg.Server.Token == "":
		return "此服务器未开启上传：请在配置中设置 server.token。"
	}
	return ""
}

func (s *Server) tokenOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Server.Token)) == 1
}

// headerToken is the token sent in a header (ingest --server), readable before the body.
func headerToken(r *http.Request) string {
	if t := r.Header.Get("X-Gongkai-Token"); t != "" {
		return t
	}
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		return strings.TrimPrefix(a, "Bearer ")
	}
	return ""
}

// IngestURLsFunc reads the reports at urls (report pages, documents, 年报 columns of portals)
// into the database with the same rules as gongkai ingest URL…: one result per report link
// that failed, then one summing up the run.
type IngestURLsFunc func(ctx context.Context, urls []string) []UploadResult

// WithIngestURLs enables the upload form's URL field through f (it also needs server.token).
func WithIngestURLs(f IngestURLsFunc) Option { return func(s *Server) { s.webIngest = f } }

// parseURLs are the web addresses typed in the form's URL field, one a line (or separated by
// spaces); anything else there is an error naming it.
func parseURLs(text string) ([]string, error) {
	var out []string
	for _, f := range strings.Fields(text) {
		l := strings.ToLower(f)
		if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
			return nil, fmt.Errorf("不是网址：%s（网址以 http:// 或 https:// 开头）", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// receive checks an upload and reads its files. Nothing of the body is read before the token
// is known good: API clients send it in a header (checked before the body), the page's form
// sends it as its first field (checked before any file is read); the body is capped at
// server.max_upload_mb before parsing and read as a stream, so a refused upload costs no
// memory. status is the HTTP status to answer when it is not 200.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, api bool) (files []Upload, urls []string, status int, msg string) {
	if off := s.uploadsOff(); off != "" {
		return nil, nil, http.StatusForbidden, off
	}
	return s.readForm(w, r, api, false)
}

// readFiles reads the files of a multipart request (see readForm); a URL field is not taken.
func (s *Server) readFiles(w http.ResponseWriter, r *http.Request, api, open bool) (files []Upload, status int, msg string) {
	files, urls, status, msg := s.readForm(w, r, api, open)
	if status == http.StatusOK && len(urls) > 0 {
		return nil, http.StatusBadRequest, "此处只收文件，不收网址。"
	}
	return files, status, msg
}

// readForm reads the files and the URL field (urls) of a multipart request within the upload
// limits, streaming. Unless open (nothing will be stored: /api/check), the token must come
// first, in a header (required when api) or as the form's first field.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, api, open bool) (files []Upload, urls []string, status int, msg string) {
	authed := open
	if t := headerToken(r); t != "" && !open {
		if !s.tokenOK(t) {
			return nil, nil, http.StatusUnauthorized, "令牌不正确。"
		}
		authed = true
	} else if api && !open {
		return nil, nil, http.StatusUnauthorized, "需要令牌：请在 Authorization: Bearer 头中发送 server.token。"
	}
	lim := s.limits()
	tooLarge := fmt.Sprintf("上传超过大小限制（%d MB）：请分批上传。", lim.MaxBytes>>20)
	if r.ContentLength > lim.MaxBytes {
		return nil, nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, http.StatusBadRequest, "无法读取上传内容：需要 multipart/form-data。"
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		if err != nil {
			return nil, nil, http.StatusBadRequest, "无法读取上传内容（传输中断或格式不对）。"
		}
		switch part.FormName() {
		case "token":
			b, _ := io.ReadAll(io.LimitReader(part, 1024))
			if !authed {
				if !s.tokenOK(strings.TrimSpace(string(b))) {
					return nil, nil, http.StatusUnauthorized, "令牌不正确。"
				}
				authed = true
			}
		case "file":
			if !authed {
				return nil, nil, http.StatusUnauthorized, "需要令牌（令牌须在文件之前发送）。"
			}
			if len(files) >= lim.MaxFiles {
				return nil, nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("一次最多上传 %d 个文件：请分批上传。", lim.MaxFiles)
			}
			data, err := io.ReadAll(part)
			if errors.As(err, &mbe) {
				return nil, nil, http.StatusRequestEntityTooLarge, tooLarge
			}
			if err != nil {
				return nil, nil, http.StatusBadRequest, "无法读取上传内容（传输中断）。"
			}
			files = append(files, Upload{Name: baseName(part.FileName()), Data: data})
		case "urls":
			if !authed {
				return nil, nil, http.StatusUnauthorized, "需要令牌（令牌须在网址之前发送）。"
			}
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return nil, nil, http.StatusBadRequest, "无法读取上传内容（传输中断）。"
			}
			u, err := parseURLs(string(b))
			if err != nil {
				return nil, nil, http.StatusBadRequest, err.Error()
			}
			if len(u) > 0 && s.webIngest == nil {
				return nil, nil, http.StatusBadRequest, "此服务器不支持按网址入库。"
			}
			urls = append(urls, u...)
		default:
			io.Copy(io.Discard, io.LimitReader(part, 1<<10))
		}
	}
	if !authed {
		return nil, nil, http.StatusUnauthorized, "需要令牌。"
	}
	if len(files) == 0 && len(urls) == 0 {
		return nil, nil, http.StatusBadRequest, "没有收到文件（字段名 file）或网址（字段名 urls）。"
	}
	return files, urls, http.StatusOK, ""
}

// baseName is the last element of an uploaded file's name, whichever separator the clerk's
// system used.
func baseName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	return path.Base(name)
}

// upload receives and ingests an upload: at most a few at a time (their bodies are in
// memory), then one run of the pipeline for all its files.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, api bool) ([]UploadResult, int, string) {
	if off := s.uploadsOff(); off != "" {
		return nil, http.StatusForbidden, off
	}
	if api && !s.tokenOK(headerToken(r)) {
		if headerToken(r) == "" {
			return nil, http.StatusUnauthorized, "需要令牌：请在 Authorization: Bearer 头中发送 server.token。"
		}
		return nil, http.StatusUnauthorized, "令牌不正确。"
	}
	release, err := s.uploads.acquire(r.Context())
	if err != nil {
		w.Header().Set("Retry-After", s.uploads.retryAfter())
		return nil, http.StatusServiceUnavailable, "服务器正在处理其他上传，请稍后再试。"
	}
	defer release()
	files, urls, status, msg := s.receive(w, r, api)
	if status != http.StatusOK {
		return nil, status, msg
	}
	var results []UploadResult
	if len(files) > 0 {
		rs, err := s.ingest(r.Context(), files)
		if err != nil {
			if !gone(r, err) {
				s.log.Printf("upload: %v", err)
			}
			return nil, http.StatusInternalServerError, "入库失败（服务器内部错误），已保存的报告不受影响。"
		}
		results = rs
	}
	if len(urls) > 0 {
		results = append(results, s.webIngest(r.Context(), urls)...)
	}
	return results, http.StatusOK, ""
}

func (s *Server) uploadAPI(w http.ResponseWriter, r *http.Request) {
	results, status, msg := s.upload(w, r, true)
	if status != http.StatusOK {
		if status == http.StatusUnauthorized || status == http.StatusRequestEntityTooLarge {
			w.Header().Set("Connection", "close") // the rest of the body is not read
		}
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	writeJSON(w, http.StatusOK, results)
}

// uploadLimitsAPI answers GET /api/upload with the bounds of one upload request.
func (s *Server) uploadLimitsAPI(w http.ResponseWriter, r *http.Request) {
	if off := s.uploadsOff(); off != "" {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": off})
		return
	}
	writeJSON(w, http.StatusOK, s.limits())
}

// The token comes first so that the server checks it before reading any file.
const uploadForm = `<form class="upload" method="post" action="/upload" enctype="multipart/form-data" id="upload-form">
<label>令牌 <input type="password" name="token" autocomplete="off" required></label>
<div class="dropzone" id="dropzone">把报告文件拖到这里，或 <input type="file" name="file" id="file" multiple accept="{{.Accept}}"></div>
<label>或网址（每行一个：报告页面、报告文件或年报栏目） <textarea name="urls" rows="3" cols="60" placeholder="https://"></textarea></label>
<button type="submit">上传并入库</button>
</form>`

var uploadFormTpl = template.Must(template.New("upload").Parse(uploadForm))

func (s *Server) uploadForm(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = "上传报告", "/upload"
	if off := s.uploadsOff(); off != "" {
		p.Blocks = append(p.Blocks, block{Heading: "上传报告", Note: off})
		return nil
	}
	names, exts := readableFormats()
	var b strings.Builder
	uploadFormTpl.Execute(&b, struct{ Accept string }{strings.Join(exts, ",")})
	lim := s.limits()
	p.Blocks = append(p.Blocks, block{Heading: "上传报告",
		Note: fmt.Sprintf("可读取的格式：%s。其他格式（如 .doc、.wps、扫描件）会被拒绝并说明原因。一次不超过 %d MB、%d 个文件。入库规则与命令行 gongkai ingest 相同；网址按 robots.txt 礼貌抓取，每个无法读取的报告链接单列一行。",
			strings.Join(names, "、"), lim.MaxBytes>>20, lim.MaxFiles),
		HTML: template.HTML(b.String())})
	return nil
}

// uploadPage answers the form: the results, one row a file.
func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request) {
	results, status, msg := s.upload(w, r, false)
	var b strings.Builder
	if status != http.StatusOK {
		if status == http.StatusUnauthorized || status == http.StatusRequestEntityTooLarge {
			w.Header().Set("Connection", "close")
		}
		b.WriteString(`<p class="error">` + template.HTMLEscapeString(msg) + `</p>`)
	} else {
		resultsTpl.Execute(&b, resultRows(results))
	}
	b.WriteString(`<p><a href="/upload">继续上传</a> · <a href="/">返回总览</a></p>`)
	p := &pageData{Title: "上传结果", Active: "/upload", District: s.cfg.District, Nav: nav, Path: "/upload",
		Blocks: []block{{Heading: "上传结果", HTML: template.HTML(b.String())}}}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s.tpl.ExecuteTemplate(w, "layout.html", p)
}

// resultRow is one line of the results table.
type resultRow struct {
	UploadResult
	Word, Class, Link string
}

func resultRows(rs []UploadResult) (rows []resultRow) {
	for _, x := range rs {
		row := resultRow{UploadResult: x, Word: ingest.OutcomeLabel(x.Outcome), Class: "outcome-" + x.Outcome}
		if row.Word == "" {
			row.Word, row.Class = ingest.OutcomeLabel(OutcomeFailed), "outcome-"+OutcomeFailed
			if x.Error == "" && x.Outcome != "" {
				row.Word, row.Class = x.Outcome, "outcome-summary" // a run's summary line (URLs)
			}
		}
		if x.Error != "" {
			row.Class = "error"
		}
		if x.AgencyID > 0 && x.Year > 0 {
			row.Link = fmt.Sprintf("/agency?id=%d&year=%d", x.AgencyID, x.Year)
		}
		rows = append(rows, row)
	}
	return rows
}

var resultsTpl = template.Must(template.New("results").Parse(`<table class="data upload-results"><thead><tr>
<th>文件</th><th>结果</th><th>识别为</th><th>年度</th><th>检查发现</th><th>报告</th></tr></thead><tbody>
{{range .}}<tr class="{{.Class}}"><td>{{.Name}}</td><td>{{.Word}}</td><td>{{.Agency}}</td><td>{{if .Year}}{{.Year}}{{end}}</td>
<td>{{if .Error}}{{.Error}}{{else}}{{if or .Errors .Warnings}}错误 {{.Errors}} 条，警告 {{.Warnings}} 条{{if .Findings}}<ul class="findings">{{range .Findings}}<li>{{.}}</li>{{end}}</ul>{{end}}{{else}}未发现问题{{end}}{{end}}</td>
<td>{{if .Link}}<a href="{{.Link}}">查看报告</a>{{end}}</td></tr>
{{end}}</tbody></table>`))
