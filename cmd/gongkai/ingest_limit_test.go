package main

import "testing"

func TestIngestMemoryLimit(t *testing.T) {
	for _, c := range []struct{ configured, want string }{
		{"", "256MB"},          // DuckDB's default would be 80 % of RAM
		{"4GB", "256MB"},       // the configured default, sized for serve
		{"1.5GiB", "256MB"},    // binary units
		{"200MB", "200MB"},     // smaller: kept
		{"100 MiB", "100 MiB"}, // a space before the unit
		{"256MB", "256MB"},
		{"512MB", "256MB"},
		{"lots", "256MB"}, // unreadable: the cap
	} {
		if got := ingestMemoryLimit(c.configured); got != c.want {
			t.Errorf("ingestMemoryLimit(%q) = %q, want %q", c.configured, got, c.want)
		}
	}
}
