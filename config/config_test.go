package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsEnvFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gongkai.yaml")
	yaml := "db: from-file.duckdb\nserver:\n  token: secret\nregistry:\n  - name: 红寺堡区红寺堡镇人民政府\n    level: township\n    aliases: [红寺堡镇]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GONGKAI_SERVER_ADDR", "127.0.0.1:9999")
	t.Setenv("GONGKAI_RISK_MIN_APPLICATIONS", "3")
	v, err := New(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(v)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"file", c.DB, "from-file.duckdb"},
		{"nested file", c.Server.Token, "secret"},
		{"nested env", c.Server.Addr, "127.0.0.1:9999"},
		{"env int", c.Risk.MinApplications, 3},
		{"default", c.Server.MaxUploadMB, 20},
		{"default duration", c.Server.ReadTimeout, 60 * time.Second},
		{"default memory", c.DuckDB.MemoryLimit, "320MB"},
		{"registry", len(c.Registry), 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if c.Registry[0].Aliases[0] != "红寺堡镇" {
		t.Errorf("alias: %v", c.Registry[0].Aliases)
	}
}

func TestMissingFileNamed(t *testing.T) {
	if _, err := New(filepath.Join(t.TempDir(), "nope.yaml")); err == nil {
		t.Fatal("want an error for a named config file that does not exist")
	}
}

// A file named "gongkai" (the binary itself) beside the working directory is not a config.
func TestBinaryNotTakenForConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("gongkai", []byte("\x7fELF\x00\x01binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := New(""); err != nil {
		t.Fatalf("the binary was read as config: %v", err)
	}
}

// The registry's covers: key (an organ whose report adds up others) is read.
func TestRegistryCovers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "gongkai.yaml")
	yaml := "registry:\n  - name: 甲区人民政府\n    level: county\n    covers: [甲区乙镇人民政府, 甲区教育局]\n  - name: 甲区乙镇人民政府\n    level: township\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := New(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Registry[0].Covers; len(got) != 2 || got[1] != "甲区教育局" {
		t.Errorf("covers = %v", got)
	}
	if got := c.Registry[1].Covers; len(got) != 0 {
		t.Errorf("covers of an organ without the key = %v", got)
	}
}

func TestWebAndSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gongkai.yaml")
	yaml := "web:\n  delay: 10ms\nregistry:\n  - name: 红寺堡区教育局\n    sources: [\"https://example.gov.cn/jyj/ndbg/\"]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GONGKAI_WEB_RETRIES", "1")
	v, err := New(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(v)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"delay from file", c.Web.Delay, 10 * time.Millisecond},
		{"retries from env", c.Web.Retries, 1},
		{"timeout default", c.Web.Timeout, 30 * time.Second},
		{"size default", c.Web.MaxMB, 50},
		{"pages default", c.Web.MaxPages, 50},
		{"redirects default", c.Web.MaxRedirects, 5},
		{"sources", len(c.Registry[0].Sources), 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// Issue 10 item 9: a mistyped key or level is refused with the file, the line and the key.
func TestTyposRefused(t *testing.T) {
	levels := []string{"township", "department", "county", "city", "unknown"}
	for _, tt := range []struct {
		name, yaml string
		want       []string // in the message
	}{
		{"top key", "db: a.duckdb\ndistrct: 红寺堡区\n", []string{"第 2 行", "distrct", "district"}},
		{"nested key", "server:\n  addr: 127.0.0.1:1\n  tokn: x\n", []string{"第 3 行", "server.tokn", "token"}},
		{"registry key", "registry:\n  - name: 甲镇人民政府\n    levle: township\n", []string{"第 3 行", "registry[1].levle", "level"}},
		{"level", "registry:\n  - name: 甲镇人民政府\n    level: township\n  - name: 乙镇人民政府\n    level: towship\n", []string{"第 5 行", "towship", "township"}},
		{"far key", "zzzzzzzz: 1\n", []string{"第 1 行", "zzzzzzzz", "可用"}},
	} {
		file := filepath.Join(t.TempDir(), "gongkai.yaml")
		if err := os.WriteFile(file, []byte(tt.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := New(file, levels...)
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		for _, w := range append(tt.want, file) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, err, w)
			}
		}
	}
	// every key of the README's example is known
	file := filepath.Join(t.TempDir(), "gongkai.yaml")
	ok := "db: g.duckdb\nworkers: 0\ndistrict: 红寺堡区\nregistry:\n  - name: 甲镇人民政府\n    level: township\n    district: 红寺堡区\n    aliases: [甲镇]\nserver:\n  addr: 127.0.0.1:8080\n  token: \"\"\n  max_upload_mb: 20\nrisk:\n  min_applications: 10\n  copied_similarity: 0.9\n"
	os.WriteFile(file, []byte(ok), 0o644)
	if _, err := New(file, levels...); err != nil {
		t.Fatal(err)
	}
}
