package decode

import (
	"testing"
	"unicode/utf8"
)

func BenchmarkBaseValid(b *testing.B) {
	data := []byte(benchReport())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !utf8.Valid(data) {
			b.Fatal()
		}
	}
}
func BenchmarkBaseCheck(b *testing.B) {
	data := benchReport()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_ = checkText("x", data)
	}
}
