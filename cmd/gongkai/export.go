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
	Use:   "export [--db PATH] --what reports|cells|findings|metrics --format csv|xlsx|parquet [--year Y] [--partition] -o FILE",
	Short: "导出现行报告、单元格、校验发现或指标为 CSV、XLSX 或 Parquet",
	Long: `export writes one table of the current reports: reports (one row a report), cells (long form,
with the line each number was read from), findings, or metrics (every metric per agency and
year, as the dashboards compute them). CSV is UTF-8 with a byte-order mark (Excel and WPS open
the Chinese correctly); Parquet is written by DuckDB (COPY) and, with --partition, as a folder
with one year=YYYY subfolder a year.`,
	Args: cobra.NoArgs,
	RunE: runExport,
}

func init() {
	f := exportCmd.Flags()
	f.String("what", "metrics", "reports, cells, findings or metrics")
	f.String("format", "csv", "csv, xlsx or parquet")
	f.Int("year", 0, "only this statistics year (default all)")
	f.Bool("partition", false, "parquet only: write a folder partitioned by year")
	f.StringP("out", "o", "", "output file (folder with --partition)")
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
	year, _ := f.GetInt("year")
	partition, _ := f.GetBool("partition")
	out, _ := f.GetString("out")
	if out == "" {
		return &exitError{2, "export: -o FILE is required"}
	}
	if _, err := analytics.ExportSQL(what, 0); err != nil {
		return &exitError{2, err.Error()}
	}
	format = strings.ToLower(format)
	if format != "csv" && format != "xlsx" && format != "parquet" {
		return &exitError{2, "export: --format must be csv, xlsx or parquet"}
	}
	if partition && format != "parquet" {
		return &exitError{2, "export: --partition needs --format parquet"}
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		return &exitError{1, "export: no database at " + cfg.DB}
	}
	db, err := openStore(cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	a := analytics.New(db.SQL())
	ctx := cmd.Context()
	if format == "parquet" {
		return a.ExportParquet(ctx, what, year, out, partition)
	}
	t, err := a.ExportTable(ctx, what, year)
	if err != nil {
		return err
	}
	file, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(file)
	if format == "csv" {
		err = analytics.WriteCSV(w, t)
	} else {
		err = analytics.WriteXLSX(w, t)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "export: %d rows of %s to %s\n", len(t.Rows), what, out)
	return nil
}
