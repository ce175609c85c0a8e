package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/analytics"
)

var exportCmd = &cobra.Command{
	Use:   "export [--db PATH] --what reports|cells|findings|metrics --format csv|xlsx|parquet [--headers labels|keys] [--year Y] [--partition] -o FILE",
	Short: "导出现行报告、单元格、校验发现或指标为 CSV、XLSX 或 Parquet",
	Long: `导出现行报告的一张表：reports（每份报告一行）、cells（长表，含每个数字所在的原文行）、
findings（校验发现，含规则的中文名）或 metrics（每个单位每年的全部指标，与看板的算法相同）。
CSV 与 XLSX 和看板的下载是同一种格式：中文表头（--headers keys 时为英文键，供程序使用），数字为数字，
比率为小数（XLSX 中显示为百分数），缺失的值为空，不是 0。CSV 为带 BOM 的 UTF-8（Excel、WPS 可直接打开）；
Parquet 由 DuckDB 写出，列名总是英文键，加 --partition 时写成按年度分的文件夹（year=YYYY）。`,
	Args: noArgs,
	RunE: runExport,
}

func init() {
	f := exportCmd.Flags()
	f.String("what", "metrics", "导出哪张表：reports、cells、findings 或 metrics")
	f.String("format", "csv", "格式：csv、xlsx 或 parquet")
	f.String("headers", "labels", "CSV/XLSX 的表头：labels（中文）或 keys（英文键，供程序使用）；Parquet 总是 keys")
	f.Int("year", 0, "只导出这一统计年度（默认全部）")
	f.Bool("partition", false, "仅 parquet：写成按年度分的文件夹")
	f.StringP("out", "o", "", "输出文件（--partition 时为文件夹）")
	rootCmd.AddCommand(exportCmd)
}

func runExport(cmd *cobra.Command, _ []string) error {
	cfg, _, err := settings(cmd)
	if err != nil {
		return err
	}
	f := cmd.Flags()
	what, _ := f.GetString("what")
	format, _ := f.GetString("format")
	headers, _ := f.GetString("headers")
	year, _ := f.GetInt("year")
	partition, _ := f.GetBool("partition")
	out, _ := f.GetString("out")
	if out == "" {
		return &exitError{2, "请用 -o 指定输出文件"}
	}
	if _, err := analytics.ExportSQL(what, 0); err != nil {
		return &exitError{2, "--what 有误：" + err.Error()}
	}
	format = strings.ToLower(format)
	if format != "csv" && format != "xlsx" && format != "parquet" {
		return &exitError{2, fmt.Sprintf("--format 有误：%q，应为 csv、xlsx 或 parquet", format)}
	}
	if headers != "labels" && headers != "keys" {
		return &exitError{2, fmt.Sprintf("--headers 有误：%q，应为 labels 或 keys", headers)}
	}
	if partition && format != "parquet" {
		return &exitError{2, "--partition 只能与 --format parquet 一起用"}
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return &exitError{1, fmt.Sprintf("数据库 %s 不存在（%v）", cfg.DB, err)}
	}
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	// DuckDB within duckdb.memory_limit, as serve: a country's export sorts on disk
	if err := db.SetLimits(cfg.DuckDB.MemoryLimit, cfg.DuckDB.Threads); err != nil {
		return err
	}
	a := analytics.New(db.SQL())
	ctx := cmd.Context()
	if format == "parquet" {
		if err := a.ExportParquet(ctx, what, year, out, partition); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "已导出 %s 到 %s\n", what, out)
		return nil
	}
	if format == "xlsx" {
		// a table longer than a worksheet is refused before anything is written
		n, err := a.ExportCount(ctx, what, year)
		if err != nil {
			return err
		}
		if n+1 > analytics.MaxXLSXRows {
			return &exitError{1, fmt.Sprintf("%s 有 %d 行：%v", what, n, analytics.ErrXLSXRows)}
		}
	}
	file, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("无法写入 %s：%w", out, err)
	}
	// the rows stream from the database into the file (a country's metrics are 742,500 rows)
	w := bufio.NewWriter(file)
	var write func([]analytics.Cell) error
	var finish func() error
	n, err := a.EachExport(ctx, what, year, func(t *analytics.Table) error {
		t.KeyHeaders = headers == "keys"
		if format == "csv" {
			cw, err := analytics.NewCSVWriter(w, t)
			write, finish = cw.Write, cw.Flush
			return err
		}
		x, err := analytics.NewXLSXWriter(t)
		if err != nil {
			return err
		}
		write = x.Write
		finish = func() error {
			defer x.Close()
			return x.Finish(w)
		}
		return nil
	}, func(row []analytics.Cell) error { return write(row) })
	if err == nil {
		err = finish()
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("写入 %s 失败：%w", out, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "已导出 %s 的 %d 行到 %s\n", what, n, out)
	return nil
}
