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
	Long: `把一年的现行报告加总为年度报告的汇总表二、表三、表四，采用官方格式（相同的栏目、行序和合并表头），
标题为“<区名><年度>年政府信息公开工作年度报告（汇总）”。表格旁列出：计入的单位，名录中未报送的单位，
为避免重复计算而未计入的汇总报告（全区汇总报告，以及名录中以 covers: 标明的报告），本身报告有错误或
有未读出单元格的单位，以及汇总数违反的规则和原因单位。任一计入报告中未读出的单元格，汇总数留空并列出单位；
加 --skip-unread 时只加已读出的数（标题会注明）。`,
	Args: noArgs,
	RunE: runSummary,
}

func init() {
	f := summaryCmd.Flags()
	f.Int("year", 0, "统计年度（必填）")
	f.StringSlice("level", nil, "只汇总这些级别：township、department、county、city（可重复或用逗号分隔）")
	f.StringSlice("organs", nil, "只汇总这些单位（单位名称，逗号分隔）")
	f.Bool("skip-unread", false, "只加已读出的单元格，未读出的不计（标题会注明）")
	f.String("format", "", "html、md、csv、xlsx 或 docx（默认按 -o 的扩展名）")
	f.StringP("out", "o", "", "输出文件")
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
