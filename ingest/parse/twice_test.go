package parse

import (
	"math/rand"
	"strings"
	"testing"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// TestRowTwice: converters and page breaks print table 3's header again in the middle of
// the table, or print a row twice. The header is passed over; a row printed twice with the
// same numbers counts once; with different numbers it is unread, naming both lines.
func TestRowTwice(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	a := generate.District(rng, "红寺堡区", 1)[0]
	truth := generate.Truth(rand.New(rand.NewSource(3)), a, 2023, ingest.Format2021, nil)
	data, err := generate.Render(truth, "tabs")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	find := func(word string) int {
		for i, l := range lines {
			if strings.Contains(l, word) {
				return i
			}
		}
		t.Fatalf("no line with %q", word)
		return -1
	}
	header := find("商业企业")
	row := find("属于三类内部事务信息")
	changed := func(l string) string { // the same row with its first number one more
		cells := strings.Split(l, "\t")
		for i, c := range cells {
			if c != "" && c[0] >= '0' && c[0] <= '9' {
				cells[i] = c + "1"
				break
			}
		}
		return strings.Join(cells, "\t")
	}
	insert := func(at int, add ...string) string {
		out := append(append(append([]string{}, lines[:at]...), add...), lines[at:]...)
		return strings.Join(out, "\n")
	}
	tests := []struct {
		name   string
		text   string
		unread string // the row left unread, or ""
	}{
		{"header repeated mid-table", insert(row, "— 4 —", lines[header-1], lines[header], lines[header+1]), ""},
		{"row printed twice, same numbers", insert(row+1, "— 4 —", lines[row]), ""},
		{"row printed twice, different numbers", insert(row+1, lines[header], changed(lines[row])), "withheld_internal_affairs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := File("twice.txt", []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range r.Keys() {
				want, _ := truth.Value(key)
				got, ok := r.Value(key)
				if strings.HasPrefix(key, "table3."+tt.unread+".") && tt.unread != "" {
					if ok {
						t.Errorf("%s: read %v from a row printed twice with different numbers", key, got)
					}
					continue
				}
				if !ok || got != want {
					t.Errorf("%s: got %v (read %v), want %v", key, got, ok, want)
				}
			}
			if tt.unread == "" {
				return
			}
			found := false
			for _, f := range r.Findings {
				if f.Rule == "V-unreadable" && strings.HasPrefix(f.Cell, "table3."+tt.unread+".") && strings.Contains(f.Message, "印了两次") {
					found = true
					if strings.Count(f.Message, "第 ") < 2 {
						t.Errorf("message does not name both lines: %s", f.Message)
					}
				}
			}
			if !found {
				t.Errorf("no V-unreadable finding for the row printed twice: %v", r.Findings)
			}
		})
	}
}
