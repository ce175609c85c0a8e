// Package check applies the consistency rules (勾稽关系) of the annual report format to a
// parsed ingest.Report: the arithmetic of tables 3 and 4, the value rules, the plausibility
// rules of table 2, the prose of 一、总体情况 against the tables, the same organ's previous
// year, and the two oversight rules (内容雷同 and late publication). Every rule is one small
// function named after its identifier in ../shared/spec/report-format.md; each finding names
// the cell, the expected and the actual value, and says what is wrong in Chinese a clerk
// understands.
//
// The families live in their own files: table.go (T3-*, T4-*), values.go (V-*, Q-*),
// prose.go (N-*), years.go (X-*), copied.go (S-copied-prose) and late.go (S-late).
package check

import (
	"math"

	"gongkai/ingest"
)

// DefaultSimilarity is the prose similarity at which S-copied-prose fires by default.
const DefaultSimilarity = 0.9

// singleRules are the rules Report runs, in order. Each appends its findings to the list.
// The rules of tables 3 and 4 and the value rules read the report's cells as read once by
// Report.
var singleRules = []func(r *ingest.Report, c *cells) []ingest.Finding{
	unreadable,
	negative,
	notInteger,
	balance,
	rowTotal,
	outcomeSum,
	blockTotal,
	reportOnly(regulationsTownship),
	reportOnly(feesUnit),
	reportOnly(applications),
	reportOnly(reviewLitigation),
	reportOnly(late),
}

// reportOnly adapts a rule that reads no more than a few cells by key.
func reportOnly(rule func(r *ingest.Report) []ingest.Finding) func(*ingest.Report, *cells) []ingest.Finding {
	return func(r *ingest.Report, _ *cells) []ingest.Finding { return rule(r) }
}

// Report runs every single-report rule on r and appends the findings to r.Findings. A
// finding already present (same rule and cell, e.g. V-unreadable added by the parser) is not
// added again, so Report may be run twice. Arithmetic rules with an unread operand are not
// evaluated: the V-unreadable finding already says the cell is missing.
func Report(r *ingest.Report) {
	if r == nil {
		return
	}
	c := readCells(r)
	for _, rule := range singleRules {
		for _, f := range rule(r, c) {
			if !has(r.Findings, f) {
				r.Findings = append(r.Findings, f)
			}
		}
	}
}

// has tells whether fs already holds a finding of f's rule about f's cell (and, for
// S-copied-prose, the same other report).
func has(fs []ingest.Finding, f ingest.Finding) bool {
	for _, g := range fs {
		if g.Rule == f.Rule && g.Cell == f.Cell && g.Related == f.Related {
			return true
		}
	}
	return false
}

// finding builds a finding with the rule's severity.
func finding(rule, cell string, expected, actual *float64, msg string) ingest.Finding {
	return ingest.Finding{Rule: rule, Severity: ingest.RuleSeverity(rule), Cell: cell, Expected: expected, Actual: actual, Message: msg}
}

// withLine sets the finding's line from the report's cell source, when known.
func withLine(r *ingest.Report, f ingest.Finding) ingest.Finding {
	if c, ok := r.Cells.Get(f.Cell); ok && c.Src.Line > 0 {
		f.Line = c.Src.Line
	}
	return f
}

// vals reads several cells; ok is false when any of them is unread (or absent).
func vals(r *ingest.Report, keys ...string) ([]float64, bool) {
	out := make([]float64, len(keys))
	for i, k := range keys {
		v, ok := r.Value(k)
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// same compares two cell values (sums of decimals are compared to a small tolerance).
func same(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// num formats a number for a message.
func num(v float64) string {
	return ingest.FormatValue(math.Round(v*1e6) / 1e6)
}

// outcomeRows returns the outcome rows whose sum is total_handled, for the report's shape
// of （六）.
func outcomeRows(r *ingest.Report) []string { return ingest.Table3OutcomeRowsOf(r.SingleOther) }

// levelOf returns the report's level; when the parser left it unknown, a township is
// recognised from the organ's name (ingest.LevelOf).
func levelOf(r *ingest.Report) string { return ingest.LevelOf(r.Agency, r.Level) }
