package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/ingest"
	"gongkai/ingest/parse"
)

var parseCmd = &cobra.Command{
	Use:   "parse FILE|URL...",
	Short: "读取年度报告并输出解析结果（--json 每个文件一行 JSON）",
	Args:  filesArgs,
	RunE:  runParse,
}

func init() {
	parseCmd.Flags().Bool("json", false, "每个文件输出一行 JSON（规范中的结构）")
	rootCmd.AddCommand(parseCmd)
}

func runParse(cmd *cobra.Command, args []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	out := cmd.OutOrStdout()
	cfg, _, err := settings(cmd)
	if err != nil {
		return err
	}
	failed := 0
	total := 0
	var jerr error
	one := func(path string, data []byte, err error) {
		total++
		if err == nil {
			var r *ingest.Report
			r, err = parse.File(path, data)
			if err == nil {
				if asJSON {
					b, err := json.Marshal(r)
					if err != nil {
						jerr = err
						return
					}
					fmt.Fprintln(out, string(b))
				} else {
					printSummary(out, r)
				}
				if r.Incomplete {
					failed++
					fmt.Fprintf(os.Stderr, "gongkai: %s：报告不完整（%s）\n", path, missingWhat(r))
				}
				return
			}
		}
		failed++
		fmt.Fprintf(os.Stderr, "gongkai: %s 无法作为年度报告读取：%v\n", path, err)
	}
	for _, path := range args {
		if isURL(path) { // a report page or document, or a 年报 column: each report found
			if err := eachWebReport(cmd.Context(), cfg, path, one); err != nil {
				return err
			}
			continue
		}
		data, err := os.ReadFile(path)
		one(path, data, err)
	}
	if jerr != nil {
		return jerr
	}
	if failed > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d 个文件中有 %d 个未能完整读作年度报告", total, failed)}
	}
	return nil
}

func missingWhat(r *ingest.Report) string {
	if r.IncompleteReason != "" {
		return r.IncompleteReason
	}
	var parts []string
	for _, f := range r.Findings {
		if f.Rule == ingest.RuleMissingSection {
			parts = append(parts, f.Message)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "表三有行缺失")
	}
	return strings.Join(parts, "；")
}

// printSummary writes the readable summary of one report.
func printSummary(w io.Writer, r *ingest.Report) {
	read, total := 0, 0
	for _, k := range r.Keys() {
		total++
		if _, ok := r.Value(k); ok {
			read++
		}
	}
	fmt.Fprintf(w, "%s\n  单位：%s（%s）  年度：%d  格式：%s  发布：%s\n", r.Source, r.Agency, ingest.LevelLabel(r.Level), r.Year, r.Format, orDash(r.Published))
	fmt.Fprintf(w, "  读取单元格：%d/%d\n", read, total)
	get := func(k string) string {
		if v, ok := r.Value(k); ok {
			return ingest.FormatValue(v)
		}
		return "?"
	}
	fmt.Fprintf(w, "  本年新收申请 %s，上年结转 %s，办结总计 %s，结转下年 %s\n",
		get("table3.new_received.total"), get("table3.carried_over.total"), get("table3.total_handled.total"), get("table3.carried_forward.total"))
	fmt.Fprintf(w, "  行政复议 %s，直接起诉 %s，复议后起诉 %s\n",
		get("table4.review.total"), get("table4.litigation_direct.total"), get("table4.litigation_after_review.total"))
	if len(r.Publications) > 0 {
		var ps []string
		for _, p := range r.Publications {
			ps = append(ps, fmt.Sprintf("%s %d 条", ingest.ChannelLabel(p.Channel), p.Count))
		}
		fmt.Fprintf(w, "  发布：%s\n", strings.Join(ps, "，"))
	}
	if r.ApplicationsStated != nil {
		fmt.Fprintf(w, "  正文所述申请数：%d\n", *r.ApplicationsStated)
	}
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Rule]++
	}
	var rules []string
	for k, n := range counts {
		rules = append(rules, fmt.Sprintf("%s×%d", k, n))
	}
	sort.Strings(rules)
	if len(rules) > 0 {
		fmt.Fprintf(w, "  问题：%s\n", strings.Join(rules, " "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
