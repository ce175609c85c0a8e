package check

import "gongkai/ingest"

// The format's words for rows, columns and blocks live in package ingest; these names keep
// the rules short.
var (
	table3RowLabel   = ingest.Table3RowLabels
	table3ColLabel   = ingest.Table3ColumnLabels
	table4BlockLabel = ingest.Table4BlockLabels
	table2Label      = ingest.Table2ItemLabels
)

func cellLabel(key string) string { return ingest.CellLabel(key) }

func rowCol(row, col string) string { return ingest.RowColumnLabel(row, col) }
