package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/dashboards"
	"gongkai/ingest"
	"gongkai/ingest/pipeline"
	"gongkai/ingest/store"
)

var checkCmd = &cobra.Command{
	Use:   "check [--json] [--db PATH | --server URL] FILE|URL...",
	Short: "校验年度报告（可用于草稿）：勾稽关系、正文与表格、与上年报告",
	Long: `校验每个文件（可以是草稿）：表三、表四的勾稽关系，数值规则，一、总体情况的正文与表格是否一致，
发布期限；所给文件之间同一单位的上年报告（结转、现行有效件数、内容雷同）和同年不同单位的内容雷同。
加 --db 时，同时与数据库中该单位的上年报告比对；数据库正被 gongkai serve 占用时，用 --server URL
把草稿交给正在运行的服务比对（不入库）。

退出码：0 没有错误（可有警告）；1 有错误；2 文件无法作为年度报告读取，或校验未能完成
（例如数据库无法读取），此时不会显示“未发现问题”。`,
	Args: filesArgs,
	RunE: runCheck,
}

func init() {
	checkCmd.Flags().Bool("json", false, "每个文件输出一行 JSON")
	checkCmd.Flags().String("server", "", "把草稿交给正在运行的 gongkai serve（地址如 http://127.0.0.1:8080）与数据库比对，不入库")
	rootCmd.AddCommand(checkCmd)
}

// incomplete is the exit of a check that could not run in full.
func incomplete(reason string) error {
	return &exitError{code: 2, msg: "校验未完成：" + reason}
}

func runCheck(cmd *cobra.Command, args []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	asJSON, _ := cmd.Flags().GetBool("json")
	server, _ := cmd.Flags().GetString("server")
	dbFlag := cmd.Flags().Lookup("db")
	useDB := dbFlag != nil && dbFlag.Changed
	if server != "" && useDB {
		return &exitError{code: 2, msg: "--db 与 --server 只能选一个"}
	}

	var results []dashboards.CheckResult
	urls, _ := splitArgs(args)
	if server != "" && len(urls) > 0 {
		return &exitError{code: 2, msg: "--server 不抓取网址：请不用 --server 直接校验网址"}
	}
	if server != "" {
		results, err = checkOnServer(cmd.Context(), server, args)
		if err != nil {
			return incomplete(err.Error())
		}
	} else {
		var db *store.DB
		if useDB {
			if db, err = openExisting(cfg.DB); err != nil {
				return incomplete(err.Error())
			}
			defer db.Close()
		}
		opt := pipeline.Standard(serviceSettings(*cfg))
		drafts := make([]dashboards.Draft, 0, len(args))
		var unread []dashboards.CheckResult // report links that could not be fetched
		for _, name := range args {
			if isURL(name) { // a report page or document, or a 年报 column: each report found
				err := eachWebReport(cmd.Context(), cfg, name, func(u string, data []byte, err error) {
					if err != nil {
						unread = append(unread, dashboards.CheckResult{Source: u, Findings: []ingest.Finding{}, Error: err.Error()})
						return
					}
					drafts = append(drafts, dashboards.Draft{Name: u, Data: data})
				})
				if err != nil {
					return incomplete(err.Error())
				}
				continue
			}
			data, err := os.ReadFile(name)
			if err != nil {
				return &exitError{code: 2, msg: fmt.Sprintf("无法读取 %s：%v", name, err)}
			}
			drafts = append(drafts, dashboards.Draft{Name: name, Data: data})
		}
		results, err = checkDrafts(cmd.Context(), db, drafts, opt)
		if err != nil {
			return incomplete(err.Error())
		}
		results = append(results, unread...)
	}
	return printChecked(cmd, results, asJSON)
}

// openExisting opens the database at path for reading earlier years: a file that does not
// exist is an error (no empty database is created), a file held by serve says so.
func openExisting(path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("数据库 %s 不存在，无法与往年报告比对（%v）", path, err)
	}
	db, err := store.Open(path)
	if err != nil {
		var locked *store.ErrLocked
		if errors.As(err, &locked) {
			return nil, fmt.Errorf("数据库 %s 正被另一进程（如 gongkai serve）占用，无法读取往年报告；请用 gongkai check --server URL 把草稿交给正在运行的服务校验", path)
		}
		return nil, fmt.Errorf("无法打开数据库 %s：%w", path, err)
	}
	return db, nil
}

// checkDrafts parses and checks drafts with the ingest service (db may be nil): the one
// function behind gongkai check and POST /api/check of gongkai serve.
func checkDrafts(ctx context.Context, db *store.DB, drafts []dashboards.Draft, opt pipeline.Options) ([]dashboards.CheckResult, error) {
	results := make([]dashboards.CheckResult, len(drafts))
	var reports []*ingest.Report
	for i, d := range drafts {
		results[i] = dashboards.CheckResult{Source: d.Name, Findings: []ingest.Finding{}}
		r, err := pipeline.Draft(d.Name, d.Data, opt)
		if err != nil {
			results[i].Error = err.Error()
			continue
		}
		reports = append(reports, r)
	}
	if err := pipeline.CheckDrafts(ctx, db, reports, opt); err != nil {
		return nil, err
	}
	j := 0
	for i := range results {
		if results[i].Error != "" {
			continue
		}
		r := reports[j]
		j++
		results[i].Agency, results[i].Year = r.Agency, r.Year
		if r.Findings != nil {
			results[i].Findings = r.Findings
		}
	}
	return results, nil
}

// checkOnServer posts the files to a running gongkai serve (POST /api/check).
func checkOnServer(ctx context.Context, server string, files []string) ([]dashboards.CheckResult, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("无法读取 %s：%v", f, err)
		}
		w, err := mw.CreateFormFile("file", f)
		if err != nil {
			return nil, err
		}
		w.Write(data)
	}
	mw.Close()
	url := strings.TrimRight(server, "/") + "/api/check"
	req, err := http.NewRequestWithContext(ctx, "POST", url, &buf)
	if err != nil {
		return nil, fmt.Errorf("服务器地址 %s 不可用（%v）", server, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("无法连接服务器 %s（%v）", server, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(body))
		}
		return nil, fmt.Errorf("服务器 %s 答复 %s：%s", server, resp.Status, e.Error)
	}
	var results []dashboards.CheckResult
	if err := json.Unmarshal(body, &results); err != nil {
		return nil, fmt.Errorf("服务器 %s 的答复无法读取（%v）", server, err)
	}
	if len(results) != len(files) {
		return nil, fmt.Errorf("服务器 %s 答复了 %d 个文件的结果，应为 %d 个", server, len(results), len(files))
	}
	for i := range results {
		results[i].Source = files[i]
	}
	return results, nil
}

// printChecked prints the results and returns the exit: 2 when a file could not be read as a
// report, 1 when any finding is an error.
func printChecked(cmd *cobra.Command, results []dashboards.CheckResult, asJSON bool) error {
	out := cmd.OutOrStdout()
	code := 0
	var nErr, nWarn, bad int
	for _, c := range results {
		if c.Error != "" {
			code = 2
			bad++
			fmt.Fprintf(cmd.ErrOrStderr(), "gongkai: %s\n", c.Error)
		} else if hasErrors(c.Findings) && code == 0 {
			code = 1
		}
		if asJSON {
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s\n", b)
			continue
		}
		e, w := writeHuman(out, c)
		nErr += e
		nWarn += w
	}
	if !asJSON {
		fmt.Fprintf(out, "共 %d 个文件：%d 个错误，%d 个警告", len(results), nErr, nWarn)
		if bad > 0 {
			fmt.Fprintf(out, "，%d 个文件无法作为年度报告读取", bad)
		}
		fmt.Fprintln(out)
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

func hasErrors(fs []ingest.Finding) bool {
	for _, f := range fs {
		if f.Severity == ingest.SeverityError {
			return true
		}
	}
	return false
}

// writeHuman prints one file: a heading, then a line a finding; it returns the counts.
func writeHuman(w io.Writer, c dashboards.CheckResult) (errs, warns int) {
	if c.Error != "" {
		fmt.Fprintf(w, "%s\n  无法读取：%s\n", c.Source, c.Error)
		return 0, 0
	}
	agency := c.Agency
	if agency == "" {
		agency = "（未识别机关）"
	}
	year := "（年度未识别）"
	if c.Year > 0 {
		year = fmt.Sprintf("%d 年", c.Year)
	}
	fmt.Fprintf(w, "%s %s（%s）\n", agency, year, filepath.Clean(c.Source))
	if len(c.Findings) == 0 {
		fmt.Fprintln(w, "  未发现问题")
	}
	for _, f := range c.Findings {
		if f.Severity == ingest.SeverityError {
			errs++
		} else {
			warns++
		}
		where := f.Cell
		if f.Line > 0 {
			where = fmt.Sprintf("%s（第 %d 行）", f.Cell, f.Line)
		}
		fmt.Fprintf(w, "  %s %s %s: %s\n", ingest.SeverityLabel(f.Severity), ingest.RuleLabel(f.Rule), where, f.Message)
	}
	return errs, warns
}
