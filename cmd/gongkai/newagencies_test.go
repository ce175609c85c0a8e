package main

import (
	"fmt"
	"slices"
	"testing"
)

func TestNewAgencyLines(t *testing.T) {
	names := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("单位%d", i+1))
		}
		return out
	}
	tests := []struct {
		n, max int
		lines  int
		last   string
	}{
		{0, 10, 0, ""},
		{1, 10, 1, "新单位（不在单位名录中）：单位1"},
		{10, 10, 10, "新单位（不在单位名录中）：单位10"},
		{11, 10, 11, "……另有 1 个新单位"},
		{2000, 10, 11, "……另有 1990 个新单位"},
	}
	for _, tt := range tests {
		got := newAgencyLines(names(tt.n), tt.max)
		if len(got) != tt.lines || tt.lines > 0 && got[len(got)-1] != tt.last {
			t.Errorf("%d new organs: %d lines ending %q, want %d ending %q", tt.n, len(got), got, tt.lines, tt.last)
		}
		if tt.n > 0 && !slices.Contains(got, "新单位（不在单位名录中）：单位1") {
			t.Errorf("%d new organs: the first is not named: %q", tt.n, got)
		}
	}
}
