package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/analytics"
	"gongkai/ingest"
)

var summaryCmd = &cobra.Command{
	Use:   "summary --year Y [--db PATH] [--level township|department|county|city …] [--organs NAME,…] [--skip-unread] --format html|md|csv|xlsx|docx -o FILE",
	Short: "把各单位报告汇总为全区表二、表三、表四（官方格式）",
	Long: `summary adds up the current reports of a year into the consolidated tables 2, 3 and 4 of the
annual report, in the official layout (the same labels, row order and merged headers), titled
<district><year>年政府信息公开工作年度报告（汇总）. Beside the tables it lists the organs added,
the organs of the registry that have not reported, the aggregate reports left out so nothing is
counted twice (全区汇总 reports, and reports the registry marks with covers:), the organs whose
own report has errors or unread cells, and the rules the sum breaks because of which organs.
A cell unread in any added report leaves the sum's cell empty with the organs named, unless
--skip-unread (then the title says so).`,
	Args: cobra.NoArgs,
	RunE: runSummary,
}

func init() {
	f := summaryCmd.Flags()
	f.Int("year", 0, "statistics year (required)")
	f.StringSlice("level", nil, "only these levels: township, department, county, city (repeatable or comma-separated)")
	f.StringSlice("organs", nil, "only these organs, by name (comma-separated)")
	f.Bool("skip-unread", false, "add the cells that were read, leaving out unread ones (the title says so)")
	f.String("format", "", "html, md, csv, xlsx or docx (default: from the extension of -o)")
	f.StringP("out", "o", "", "output file")
	rootCmd.AddCommand(summaryCmd)
}

func runSummary(cmd *cobra.Command, _ []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return err
	}
	f := cmd.Flags()
	year, _ := f.GetInt("year")
	levels, _ := f.GetStringSlice("level")
	organs, _ := f.GetStringSlice("organs")
	skip, _ := f.GetBool("skip-unread")
	format, _ := f.GetString("format")
	out, _ := f.GetString("out")
	if year == 0 {
		return &exitError{2, "summary: 需要 --year（统计年度）"}
	}
	if out == "" {
		return &exitError{2, "summary: 需要 -o FILE（输出文件）"}
	}
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(extOf(out)), ".")
	}
	format = strings.ToLower(format)
	if format == "markdown" {
		format = "md"
	}
	if !slices.Contains(analytics.SummaryFormats, format) {
		return &exitError{2, fmt.Sprintf("summary: --format 应为 %s", strings.Join(analytics.SummaryFormats, "、"))}
	}
	for _, l := range levels {
		if !ingest.IsLevel(l) {
			return &exitError{2, fmt.Sprintf("summary: 未知级别 %q（可用：township、department、county、city）", l)}
		}
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return &exitError{1, "summary: 没有数据库 " + cfg.DB}
	}
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := analytics.New(db.SQL()).Summary(cmd.Context(), analytics.SummaryOptions{
		Year: year, Levels: levels, Organs: organs, SkipUnread: skip, District: cfg.District,
		Covers: analytics.CoversOf(cfg.Registry)})
	if err != nil {
		return &exitError{1, err.Error()}
	}
	var buf bytes.Buffer
	if err := analytics.WriteSummary(&buf, s, format); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("summary: 写入 %s: %w", out, err)
	}
	empty := 0
	for _, c := range s.Cells {
		if c.Value == nil {
			empty++
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "summary: %s → %s（计入 %d 个单位，未报 %d 个，未计入汇总报告 %d 份，空栏 %d 个，汇总表违反规则 %d 条）\n",
		s.Title, out, len(s.Included), len(s.Missing), len(s.Aggregates), empty, len(s.Findings))
	return nil
}

// extOf is the file name's extension.
func extOf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 && !strings.ContainsAny(path[i:], `/\`) {
		return path[i:]
	}
	return ""
}
