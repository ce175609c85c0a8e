package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/ingest"
	"gongkai/ingest/check"
	"gongkai/ingest/parse"
	"gongkai/ingest/store"
)

var checkCmd = &cobra.Command{
	Use:   "check [--json] [--db PATH] FILE...",
	Short: "校验年度报告（可用于草稿）：勾稽关系、正文与表格、与上年报告",
	Long: `check reads each FILE as a draft annual report and applies every rule of the format:
the 勾稽 arithmetic of tables 3 and 4, the value rules, the prose of 一、总体情况 against the
tables, the publication deadline, and, between the files given, the same organ's previous
year (carry-over, valid documents, copied prose) and copied prose between organs of the same
year. With --db, each report is also compared with its organ's previous year as stored.

Exit status: 0 when no finding is an error (warnings allowed), 1 when any is, 2 when a file
cannot be read as a report.`,
	Args: cobra.MinimumNArgs(1),
	RunE: runCheck,
}

func init() {
	checkCmd.Flags().Bool("json", false, "print one JSON object per file and line")
	rootCmd.AddCommand(checkCmd)
}

// previousYear loads the organ's stored report of a year from the database at dbPath; nil
// and no error when there is none. HOOK for the store: it is wired to store.Open/DB.Load
// below; tests or another store may replace it. When nil, --db only reports that earlier
// years cannot be loaded.
var previousYear func(dbPath, agency string, year int) (*ingest.Report, error) = loadStored

// loadStored opens the database (an existing file only), loads the current report of agency
// and year, and closes it again.
func loadStored(dbPath, agency string, year int) (*ingest.Report, error) {
	if _, err := os.Stat(dbPath); err != nil {
		return nil, fmt.Errorf("database: %w", err) // do not create an empty one
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r, err := db.Load(agency, year)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return r, err
}

// parseFile turns a file's bytes into a report (parse.File; a variable for tests).
var parseFile = parse.File

// checked is one file's outcome.
type checked struct {
	source string
	report *ingest.Report // nil when the file could not be read as a report
	err    error
}

func runCheck(cmd *cobra.Command, args []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	asJSON, _ := cmd.Flags().GetBool("json")
	dbPath := ""
	if f := cmd.Flags().Lookup("db"); f != nil && f.Changed {
		dbPath = cfg.DB
	}
	threshold := cfg.Risk.CopiedSimilarity
	if threshold <= 0 {
		threshold = check.DefaultSimilarity
	}

	results := make([]checked, 0, len(args))
	var reports []*ingest.Report
	for _, name := range args {
		r, err := readReport(name)
		results = append(results, checked{source: name, report: r, err: err})
		if err == nil {
			check.Report(r)
			reports = append(reports, r)
		}
	}

	// Cross-report rules: the previous year among the files given, else from the database;
	// copied prose between organs of the same year among the files given.
	for _, r := range reports {
		prev := previousAmong(reports, r)
		if prev == nil && dbPath != "" {
			if previousYear == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "gongkai: --db: loading earlier years is not available; %s checked without them\n", r.Source)
			} else if p, err := previousYear(dbPath, r.Agency, r.Year-1); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "gongkai: %s: previous year from %s: %v\n", r.Source, dbPath, err)
			} else {
				prev = p
			}
		}
		if prev != nil {
			appendNew(r, check.Years(prev, r))
		}
		var same []*ingest.Report
		for _, o := range reports {
			if o != r && o.Year == r.Year && o.Agency != r.Agency {
				same = append(same, o)
			}
		}
		appendNew(r, check.Copied(r, same, threshold))
	}

	out := cmd.OutOrStdout()
	code := 0
	var nErr, nWarn int
	for _, c := range results {
		if c.err != nil {
			code = 2
			fmt.Fprintf(cmd.ErrOrStderr(), "gongkai: %v\n", c.err)
		} else if c.report.HasErrors() && code == 0 {
			code = 1
		}
		if asJSON {
			if err := writeJSON(out, c); err != nil {
				return err
			}
			continue
		}
		e, w := writeHuman(out, c)
		nErr += e
		nWarn += w
	}
	if !asJSON {
		bad := 0
		for _, c := range results {
			if c.err != nil {
				bad++
			}
		}
		fmt.Fprintf(out, "共 %d 个文件：%d 个错误，%d 个提示", len(results), nErr, nWarn)
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

// readReport reads and parses one file; a parser panic is reported as that file's error.
func readReport(name string) (r *ingest.Report, err error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("parse %s: internal error: %v", name, p)
		}
	}()
	r, err = parseFile(name, data)
	if err != nil {
		if strings.Contains(err.Error(), name) {
			return nil, err // the parser names the file already
		}
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if r == nil {
		return nil, fmt.Errorf("parse %s: not a report", name)
	}
	return r, nil
}

// previousAmong returns the report among rs of r's organ for the year before, if given.
func previousAmong(rs []*ingest.Report, r *ingest.Report) *ingest.Report {
	for _, o := range rs {
		if o != r && o.Agency == r.Agency && o.Agency != "" && o.Year == r.Year-1 {
			return o
		}
	}
	return nil
}

// appendNew appends the findings r does not hold yet (same rule, cell and related report).
func appendNew(r *ingest.Report, fs []ingest.Finding) {
	for _, f := range fs {
		dup := false
		for _, g := range r.Findings {
			if g.Rule == f.Rule && g.Cell == f.Cell && g.Related == f.Related {
				dup = true
				break
			}
		}
		if !dup {
			r.Findings = append(r.Findings, f)
		}
	}
}

// checkJSON is the line printed for one file with --json.
type checkJSON struct {
	Source   string           `json:"source"`
	Agency   string           `json:"agency"`
	Year     int              `json:"year"`
	Findings []ingest.Finding `json:"findings"`
	Error    string           `json:"error,omitempty"`
}

func writeJSON(w io.Writer, c checked) error {
	j := checkJSON{Source: c.source, Findings: []ingest.Finding{}}
	if c.err != nil {
		j.Error = c.err.Error()
	} else {
		j.Agency, j.Year = c.report.Agency, c.report.Year
		if c.report.Findings != nil {
			j.Findings = c.report.Findings
		}
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeHuman prints one file: a heading, then a line a finding; it returns the counts.
func writeHuman(w io.Writer, c checked) (errs, warns int) {
	if c.err != nil {
		fmt.Fprintf(w, "%s\n  无法读取：%v\n", c.source, c.err)
		return 0, 0
	}
	r := c.report
	agency := r.Agency
	if agency == "" {
		agency = "（未识别机关）"
	}
	year := "（年度未识别）"
	if r.Year > 0 {
		year = fmt.Sprintf("%d 年", r.Year)
	}
	fmt.Fprintf(w, "%s %s（%s）\n", agency, year, c.source)
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "  未发现问题")
	}
	for _, f := range r.Findings {
		label := "提示"
		if f.Severity == ingest.SeverityError {
			label = "错误"
			errs++
		} else {
			warns++
		}
		where := f.Cell
		if f.Line > 0 {
			where = fmt.Sprintf("%s（第 %d 行）", f.Cell, f.Line)
		}
		fmt.Fprintf(w, "  %s %s %s: %s\n", label, f.Rule, where, f.Message)
	}
	return errs, warns
}
