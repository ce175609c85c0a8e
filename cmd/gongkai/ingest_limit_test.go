package main

import "testing"

func TestIngestMemoryLimit(t *testing.T) {
	for _, c := range []struct{ configured, want string }{
		{"", "512MB"},          // DuckDB's default would be 80 % of RAM
		{"4GB", "512MB"},       // the configured default, sized for serve
		{"1.5GiB", "512MB"},    // binary units
		{"256MB", "256MB"},     // smaller: kept
		{"100 MiB", "100 MiB"}, // a space before the unit
		{"512MB", "512MB"},
		{"lots", "512MB"}, // unreadable: the cap
	} {
		if got := ingestMemoryLimit(c.configured); got != c.want {
			t.Errorf("ingestMemoryLimit(%q) = %q, want %q", c.configured, got, c.want)
		}
	}
}
