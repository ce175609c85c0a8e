package decode

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	for _, c := range []struct{ name, data string }{{"text", benchReport()}, {"html", benchHTML()}, {"valid", ""}} {
		data := []byte(c.data)
		n := 3000
		if c.name == "html" {
			n = 500
		}
		t0 := cpuNow()
		for i := 0; i < n; i++ {
			if c.name == "valid" {
				checkText("x", benchReport())
				continue
			}
			Read("x", data)
		}
		d := (cpuNow() - t0) / time.Duration(n)
		fmt.Printf("%s: %v cpu/op, %.1f MB/s (%d bytes)\n", c.name, d, float64(len(data))/d.Seconds()/1e6, len(data))
	}
}

func TestZZCalib(t *testing.T) {
	data := []byte(benchReport())
	n := 20000
	s := 0
	t0 := cpuNow()
	for i := 0; i < n; i++ {
		for _, b := range data {
			s += int(b)
		}
	}
	d := (cpuNow() - t0) / time.Duration(n)
	fmt.Printf("byte-sum 10KB: %v cpu/op (%d)\n", d, s&1)
}

func TestZZStages(t *testing.T) {
	data := []byte(benchReport())
	n := 3000
	measure := func(name string, f func()) {
		t0 := cpuNow()
		for i := 0; i < n; i++ {
			f()
		}
		fmt.Printf("%-12s %v\n", name, (cpuNow()-t0)/time.Duration(n))
	}
	s, _, _ := decodeBytes("x", data, false)
	measure("decodeBytes", func() { decodeBytes("x", data, false) })
	measure("sniffHTML", func() { HTML{}.Sniff(data) })
	measure("sniffMD", func() { Markdown{}.Sniff(data) })
	measure("split", func() { splitLines(s, func(string) {}) })
	measure("isNormal", func() { splitLines(s, func(l string) { isNormal(l) }) })
	buf := make([]byte, 0, 20000)
	measure("normAppend", func() { buf = buf[:0]; splitLines(s, func(l string) { buf = normalizeAppend(buf, l) }) })
	measure("lineset", func() {
		ls := newLineSet(len(s)+16, countLines(s))
		splitLines(s, ls.add)
		ls.lines()
	})
	measure("textDoc", func() { textDocument("text", "utf-8", s, nil) })
}

func BenchmarkZZNorm(b *testing.B) {
	s, _, _ := decodeBytes("x", []byte(benchReport()), false)
	buf := make([]byte, 0, 20000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = buf[:0]
		splitLines(s, func(l string) { buf = normalizeAppend(buf, l) })
	}
}
