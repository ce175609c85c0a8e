package dashboards

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
)

// UploadResult is what happened to one uploaded file.
type UploadResult struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome,omitempty"`
	Error   string `json:"error,omitempty"`
}

// IngestURLsFunc reads the reports at urls (report pages, documents, 年报 columns of portals)
// into the database with the same rules as gongkai ingest URL…: one result per report link
// that failed, then one summing up the run.
type IngestURLsFunc func(ctx context.Context, urls []string) []UploadResult

// WithIngestURLs enables the upload form's URL field through f (it also needs server.token).
func WithIngestURLs(f IngestURLsFunc) Option { return func(s *Server) { s.webIngest = f } }

// formURLs are the web addresses typed in the form's URL field, one a line (or separated by
// spaces); anything else there is an error naming it.
func formURLs(r *http.Request) ([]string, error) {
	var out []string
	for _, f := range strings.Fields(r.FormValue("urls")) {
		l := strings.ToLower(f)
		if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
			return nil, fmt.Errorf("不是网址：%s（网址以 http:// 或 https:// 开头）", f)
		}
		out = append(out, f)
	}
	return out, nil
}

func (s *Server) uploadLimit() int64 {
	mb := s.cfg.Server.MaxUploadMB
	if mb <= 0 {
		mb = 20
	}
	return int64(mb) << 20
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

func requestToken(r *http.Request) string {
	if t := headerToken(r); t != "" {
		return t
	}
	return r.FormValue("token")
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

// receive reads the multipart files and ingests each. status is the HTTP status to answer.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (results []UploadResult, status int, msg string) {
	if off := s.uploadsOff(); off != "" {
		return nil, http.StatusForbidden, off
	}
	// a token in a header is checked before the body is read
	if t := headerToken(r); t != "" && !s.tokenOK(t) {
		return nil, http.StatusUnauthorized, "令牌不正确。"
	}
	limit := s.uploadLimit()
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("上传超过大小限制（%d MB）。", limit>>20)
		}
		return nil, http.StatusBadRequest, "无法读取上传内容：" + err.Error()
	}
	if !s.tokenOK(requestToken(r)) {
		return nil, http.StatusUnauthorized, "令牌不正确。"
	}
	files := r.MultipartForm.File["file"]
	urls, err := formURLs(r)
	if err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	if len(urls) > 0 && s.webIngest == nil {
		return nil, http.StatusBadRequest, "此服务器不支持按网址入库。"
	}
	if len(files) == 0 && len(urls) == 0 {
		return nil, http.StatusBadRequest, "没有收到文件（字段名 file）或网址（字段名 urls）。"
	}
	for _, fh := range files {
		results = append(results, s.ingestOne(r.Context(), fh, limit))
	}
	if len(urls) > 0 {
		results = append(results, s.webIngest(r.Context(), urls)...)
	}
	return results, http.StatusOK, ""
}

func (s *Server) ingestOne(ctx context.Context, fh *multipart.FileHeader, limit int64) UploadResult {
	name := filepath.Base(fh.Filename)
	res := UploadResult{Name: name}
	if fh.Size > limit {
		res.Error = fmt.Sprintf("文件超过大小限制（%d MB）", limit>>20)
		return res
	}
	f, err := fh.Open()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	out, err := s.ingest(name, data)
	res.Outcome = out
	if err != nil {
		res.Error = err.Error()
	}
	return res
}

func (s *Server) uploadAPI(w http.ResponseWriter, r *http.Request) {
	results, status, msg := s.receive(w, r)
	if status != http.StatusOK {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	writeJSON(w, http.StatusOK, results)
}

const uploadForm = `<form class="upload" method="post" action="/upload" enctype="multipart/form-data" id="upload-form">
<div class="dropzone" id="dropzone">把报告文件拖到这里，或 <input type="file" name="file" id="file" multiple accept=".txt,.md,.html,.htm,.pdf,.docx"></div>
<label>或网址（每行一个：报告页面、报告文件或年报栏目） <textarea name="urls" rows="3" cols="60" placeholder="https://"></textarea></label>
<label>令牌 <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">上传并入库</button>
</form>
<script>
(function(){
  var dz = document.getElementById('dropzone'), input = document.getElementById('file');
  ['dragenter','dragover'].forEach(function(e){ dz.addEventListener(e, function(ev){ ev.preventDefault(); dz.classList.add('over'); }); });
  ['dragleave','drop'].forEach(function(e){ dz.addEventListener(e, function(ev){ ev.preventDefault(); dz.classList.remove('over'); }); });
  dz.addEventListener('drop', function(ev){ input.files = ev.dataTransfer.files; });
})();
</script>`

func (s *Server) uploadForm(ctx context.Context, r *http.Request, v view, p *pageData) error {
	p.Title, p.Active = "上传报告", "/upload"
	if off := s.uploadsOff(); off != "" {
		p.Blocks = append(p.Blocks, block{Heading: "上传报告", Note: off})
		return nil
	}
	p.Blocks = append(p.Blocks, block{Heading: "上传报告",
		Note: fmt.Sprintf("支持 txt、md、html、pdf、docx；单次不超过 %d MB。入库规则与命令行 gongkai ingest 相同；网址按 robots.txt 礼貌抓取，每个无法读取的报告链接单列一行。", s.uploadLimit()>>20),
		HTML: template.HTML(uploadForm)})
	return nil
}

func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request) {
	results, status, msg := s.receive(w, r)
	var b strings.Builder
	if status != http.StatusOK {
		b.WriteString(`<p class="error">` + template.HTMLEscapeString(msg) + `</p>`)
	} else {
		b.WriteString(`<table class="data"><thead><tr><th>文件</th><th>结果</th><th>说明</th></tr></thead><tbody>`)
		for _, x := range results {
			cls := ""
			if x.Error != "" {
				cls = ` class="error"`
			}
			fmt.Fprintf(&b, "<tr%s><td>%s</td><td>%s</td><td>%s</td></tr>", cls, template.HTMLEscapeString(x.Name),
				template.HTMLEscapeString(x.Outcome), template.HTMLEscapeString(x.Error))
		}
		b.WriteString("</tbody></table>")
	}
	b.WriteString(`<p><a href="/upload">继续上传</a> · <a href="/">返回总览</a></p>`)
	p := &pageData{Title: "上传结果", Active: "/upload", District: s.cfg.District, Nav: nav, Path: "/upload",
		Blocks: []block{{Heading: "上传结果", HTML: template.HTML(b.String())}}}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s.tpl.ExecuteTemplate(w, "layout.html", p)
}
