package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWalk: what Walk lists under each kind of path — a folder, a file, a link to a folder
// (followed: `gongkai ingest LINK` used to find nothing and say 新增 0), hidden files and
// folders, README, truth sidecars and other extensions skipped, a missing path a failure.
func TestWalk(t *testing.T) {
	dir := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := mk("reports/a/甲镇_2024.md")
	b := mk("reports/b/乙镇_2024.html")
	mk("reports/a/甲镇_2024.json")
	mk("reports/README.md")
	mk("reports/.hidden/丙镇_2024.txt")
	mk("reports/a/.丁镇_2024.txt")
	mk("reports/a/notes.csv")
	single := mk("one/戊镇_2023.txt")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "reports"), link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	tests := []struct {
		name     string
		paths    []string
		want     []string
		failures int
	}{
		{"folder", []string{filepath.Join(dir, "reports")}, []string{a, b}, 0},
		{"file", []string{single}, []string{single}, 0},
		{"link to a folder", []string{link}, []string{filepath.Join(link, "a/甲镇_2024.md"), filepath.Join(link, "b/乙镇_2024.html")}, 0},
		{"same folder twice", []string{filepath.Join(dir, "reports"), filepath.Join(dir, "reports")}, []string{a, b}, 0},
		{"missing", []string{filepath.Join(dir, "nowhere")}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, failures := Walk(tt.paths)
			slices.Sort(files)
			if !slices.Equal(files, tt.want) || len(failures) != tt.failures {
				t.Errorf("Walk(%q) = %q, %v failures; want %q, %d", tt.paths, files, failures, tt.want, tt.failures)
			}
		})
	}
}
