//go:build !unix

package pipeline

import "os"

// readFile reads a whole file (os.ReadFile; see readfile_unix.go).
func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
