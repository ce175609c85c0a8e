package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/analytics"
)

// A file a clerk opens never shows a path on the server: the reports export leaves out
// source_path under Chinese headers (CSV and XLSX) and keeps it with the keys.
func TestExportServerPathOnlyWithKeys(t *testing.T) {
	a := setup(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		keys     bool
		xlsx     bool
		wantPath bool
	}{
		{"labels CSV", false, false, false},
		{"labels XLSX", false, true, false},
		{"keys CSV", true, false, true},
		{"keys XLSX", true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := a.ExportTable(ctx, "reports", 0)
			if err != nil {
				t.Fatal(err)
			}
			tb.KeyHeaders = tt.keys
			var buf bytes.Buffer
			var recs [][]string
			if tt.xlsx {
				if err := analytics.WriteXLSX(&buf, tb); err != nil {
					t.Fatal(err)
				}
				f, err := excelize.OpenReader(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if recs, err = f.GetRows(f.GetSheetName(0)); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := analytics.WriteCSV(&buf, tb); err != nil {
					t.Fatal(err)
				}
				if recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll(); err != nil {
					t.Fatal(err)
				}
			}
			if len(recs) < 2 {
				t.Fatalf("%d records", len(recs))
			}
			head := recs[0]
			hasPath := slices.Contains(head, "source_path") || slices.Contains(head, "来源文件")
			if hasPath != tt.wantPath {
				t.Errorf("headers %q: source path column %v, want %v", head, hasPath, tt.wantPath)
			}
			for _, r := range recs[1:] {
				if len(r) > len(head) {
					t.Errorf("row %q is wider than the headers %q", r, head)
				}
			}
			if want := map[bool]string{true: "report_id", false: "报告编号"}[tt.keys]; head[0] != want {
				t.Errorf("first header %q, want %q", head[0], want)
			}
			// the table itself still holds the path: the API and Parquet keep it
			if !slices.ContainsFunc(tb.Columns, func(c analytics.Column) bool { return c.Key == "source_path" }) {
				t.Error("the reports table lost its source_path column")
			}
		})
	}
}
