package store

import (
	"gongkai/config"
	"gongkai/ingest"
)

// Registry resolves the name a report prints to an agency of the configured registry, by
// ingest's organ-name matching (ingest.OrganIndex): canonical names and aliases exactly, then
// by normalised name, also with the parent district's prefix removed; a bare district name
// (a district's 全区汇总) never resolves to the district's government.
type Registry struct {
	organs   []config.Organ
	expected []bool
	index    *ingest.OrganIndex
}

// NewRegistry builds a registry of the expected organs.
func NewRegistry(organs []config.Organ) *Registry {
	g := &Registry{index: ingest.NewOrganIndex()}
	for _, o := range organs {
		g.add(o, true)
	}
	return g
}

// add registers an organ (expected: listed in the configuration).
func (g *Registry) add(o config.Organ, expected bool) int {
	o.Name = clean(o.Name)
	if o.Level == "" {
		o.Level = ingest.LevelUnknown
	}
	g.organs = append(g.organs, o)
	g.expected = append(g.expected, expected)
	return g.index.Add(o.Name, o.Aliases, o.District)
}

// Resolve returns the organ a printed name stands for, and whether it is known.
func (g *Registry) Resolve(printed string) (config.Organ, bool) {
	if i, ok := g.index.Match(printed); ok {
		return g.organs[i], true
	}
	return config.Organ{}, false
}

// Expected tells whether the canonical name is an organ of the configured registry.
func (g *Registry) Expected(name string) bool {
	i, ok := g.index.Exact(name)
	return ok && g.expected[i]
}

// clean is ingest's cleaned form of a name, the key agencies are stored under.
func clean(s string) string { return ingest.CleanOrganName(s) }
