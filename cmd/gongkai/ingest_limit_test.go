package main

import "testing"

func TestIngestMemoryLimit(t *testing.T) {
	for _, c := range []struct{ configured, want string }{
		{"", "192MB"},          // DuckDB's default would be 80 % of RAM
		{"4GB", "192MB"},       // the configured default, sized for serve
		{"1.5GiB", "192MB"},    // binary units
		{"150MB", "150MB"},     // smaller: kept
		{"100 MiB", "100 MiB"}, // a space before the unit
		{"192MB", "192MB"},
		{"256MB", "192MB"},
		{"lots", "192MB"}, // unreadable: the cap
	} {
		if got := ingestMemoryLimit(c.configured); got != c.want {
			t.Errorf("ingestMemoryLimit(%q) = %q, want %q", c.configured, got, c.want)
		}
	}
}
