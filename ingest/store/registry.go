package store

import (
	"strings"
	"unicode"

	"gongkai/config"
	"gongkai/ingest"
)

// Registry resolves the name a report prints to an agency: first the canonical names and
// aliases exactly (spaces ignored), then by normalised name (see Normalize), also with the
// parent district's prefix removed (红寺堡镇 finds 红寺堡区红寺堡镇人民政府). A normalised key
// shared by two organs is ambiguous and matches neither.
type Registry struct {
	organs    []config.Organ
	expected  []bool
	exact     map[string]int // cleaned name or alias → organ index
	norm      map[string]int // normalised key → organ index, -1 when ambiguous
	districts map[string]bool
}

// NewRegistry builds a registry of the expected organs.
func NewRegistry(organs []config.Organ) *Registry {
	g := &Registry{exact: map[string]int{}, norm: map[string]int{}, districts: map[string]bool{}}
	for _, o := range organs {
		g.add(o, true)
	}
	return g
}

// add registers an organ (expected: listed in the configuration).
func (g *Registry) add(o config.Organ, expected bool) int {
	i := len(g.organs)
	o.Name = clean(o.Name)
	if o.Level == "" {
		o.Level = ingest.LevelUnknown
	}
	g.organs = append(g.organs, o)
	g.expected = append(g.expected, expected)
	if o.District != "" {
		g.districts[clean(o.District)] = true
	}
	names := append([]string{o.Name}, o.Aliases...)
	for _, n := range names {
		c := clean(n)
		if c == "" {
			continue
		}
		if _, ok := g.exact[c]; !ok {
			g.exact[c] = i
		}
	}
	keys := map[string]bool{}
	for _, n := range names {
		k := Normalize(n)
		keys[k] = true
		if d := Normalize(o.District); d != "" && strings.HasPrefix(k, d) && len(k) > len(d) {
			keys[k[len(d):]] = true
		}
	}
	for k := range keys {
		if k == "" {
			continue
		}
		if j, ok := g.norm[k]; ok && j != i {
			g.norm[k] = -1
			continue
		}
		g.norm[k] = i
	}
	return i
}

// Resolve returns the organ a printed name stands for, and whether it is known.
func (g *Registry) Resolve(printed string) (config.Organ, bool) {
	if i, ok := g.lookup(printed); ok {
		return g.organs[i], true
	}
	return config.Organ{}, false
}

// Expected tells whether the canonical name is an organ of the configured registry.
func (g *Registry) Expected(name string) bool {
	i, ok := g.exact[clean(name)]
	return ok && g.expected[i]
}

func (g *Registry) lookup(printed string) (int, bool) {
	c := clean(printed)
	if i, ok := g.exact[c]; ok {
		return i, true
	}
	k := Normalize(printed)
	if i, ok := g.norm[k]; ok {
		return i, i >= 0
	}
	for d := range g.districts {
		nd := Normalize(d)
		if nd != "" && strings.HasPrefix(k, nd) && len(k) > len(nd) {
			if i, ok := g.norm[k[len(nd):]]; ok {
				return i, i >= 0
			}
		}
	}
	return 0, false
}

// clean removes white space (ASCII and full-width) and unifies full-width brackets.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u3000':
			continue
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// suffixes are removed, the first that matches, from a cleaned name by Normalize.
var suffixes = []string{"人民政府办公室", "人民政府办公厅", "人民政府", "政府办公室", "政府"}

// Normalize reduces an organ's name to a matching key: no spaces, full-width brackets as
// ASCII, 管理委员会 as 管委会, a parenthesised remark at the end dropped ((全区汇总)), and one
// trailing 人民政府/人民政府办公室/政府 variant removed. Exact names and aliases are tried
// before it, so 区人民政府 and 区人民政府办公室 stay apart when both are registered.
func Normalize(name string) string {
	s := clean(name)
	s = strings.ReplaceAll(s, "管理委员会", "管委会")
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, "("); i > 0 {
			s = s[:i]
		}
	}
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf) && len(s) > len(suf) {
			s = strings.TrimSuffix(s, suf)
			break
		}
	}
	return s
}
