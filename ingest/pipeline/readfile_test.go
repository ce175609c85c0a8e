package pipeline

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// readFile gives what os.ReadFile gives: files of every size around its buffer's edges, an
// empty one, a file whose size stat does not tell (/proc), and the errors of a missing file
// and of a folder.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{0, 1, 2, 511, 512, 513, 4095, 4096, 4097, 65536, 1 << 20} {
		b := make([]byte, n)
		rng.Read(b)
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readFile(p)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%d bytes: got %d bytes, %v", n, len(got), err)
		}
	}
	if runtime.GOOS == "linux" {
		want, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		got, err := readFile("/proc/self/status")
		if err != nil || len(got) == 0 || !bytes.HasPrefix(got, want[:bytes.IndexByte(want, '\n')]) {
			t.Fatalf("/proc/self/status: %q %v", got, err)
		}
	}
	if _, err := readFile(filepath.Join(dir, "missing.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	_, want := os.ReadFile(dir)
	if _, err := readFile(dir); err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("a folder: %v, os.ReadFile: %v", err, want)
	}
}
