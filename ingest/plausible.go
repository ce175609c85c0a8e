package ingest

import (
	"math"
	"strings"
)

// Plausibility bounds of the format's cells (the Q- rules). A value past a bound is not an
// arithmetic error: it is a number no organ of that level can have, most often written in the
// wrong unit (元 for 万元).

// FeesBound is the plausibility bound of table 2's 行政事业性收费 (万元) for one level.
type FeesBound struct {
	// Warn: from this amount on the figure looks like 元 (a warning; the cell is still summed).
	Warn float64
	// WholeWarn: a whole number of at least this much looks like 元 (0: not applied). Townships
	// rarely collect a round 千万元.
	WholeWarn float64
	// Max: from this amount on no organ of the level can have collected it (an error; the cell
	// is left out of district sums). A real county report has 18651.06 万元.
	Max float64
}

// FeesBounds are the bounds of 行政事业性收费 by level, in 万元. An unknown level gets the
// widest bounds (those of a city), so a guess never raises a finding that a fact would not.
var FeesBounds = map[string]FeesBound{
	LevelTownship:   {Warn: 10000, WholeWarn: 1000, Max: 100000}, // 1 亿元 / 1000 万元 整 / 10 亿元
	LevelDepartment: {Warn: 10000, Max: 500000},                  // 1 亿元 / 50 亿元
	LevelCounty:     {Warn: 200000, Max: 1000000},                // 20 亿元 / 100 亿元
	LevelCity:       {Warn: 2000000, Max: 10000000},              // 200 亿元 / 1000 亿元
	LevelUnknown:    {Warn: 2000000, Max: 10000000},              // as a city
	"":              {Warn: 2000000, Max: 10000000},              // as a city
}

// PlausibleFees judges an amount of 行政事业性收费 (万元) reported by an organ of the level:
// "" when plausible, SeverityWarning when it looks like 元, SeverityError when it is beyond
// any organ of the level (the cell is then left out of sums, see ExcludesCell).
func PlausibleFees(level string, v float64) string {
	b := FeesBoundOf(level)
	switch {
	case v >= b.Max:
		return SeverityError
	case v >= b.Warn, b.WholeWarn > 0 && v >= b.WholeWarn && v == math.Trunc(v):
		return SeverityWarning
	}
	return ""
}

// FeesBoundOf returns the bound of the level (that of an unknown level for a level not in
// FeesBounds).
func FeesBoundOf(level string) FeesBound {
	if b, ok := FeesBounds[level]; ok {
		return b
	}
	return FeesBounds[LevelUnknown]
}

// IsLevel tells whether s is one of the level keys (township, department, county, city,
// unknown).
func IsLevel(s string) bool {
	for _, l := range Levels {
		if l[0] == s {
			return true
		}
	}
	return false
}

// LevelKeys returns the level keys in display order.
func LevelKeys() []string {
	out := make([]string, len(Levels))
	for i, l := range Levels {
		out[i] = l[0]
	}
	return out
}

// LevelLegalName names a level as the 条例 and messages do: 乡镇（街道）, 政府工作部门,
// 县级人民政府, 市级及以上人民政府; 本机关 when unknown.
func LevelLegalName(level string) string {
	switch level {
	case LevelTownship:
		return "乡镇（街道）"
	case LevelDepartment:
		return "政府工作部门"
	case LevelCounty:
		return "县级人民政府"
	case LevelCity:
		return "市级及以上人民政府"
	}
	return "本机关"
}

// townshipSuffixes end the names of 镇、乡 governments and 街道办事处.
var townshipSuffixes = []string{"镇人民政府", "乡人民政府", "镇政府", "乡政府", "街道办事处", "街道办"}

// LevelOf returns level, or, when it is empty or unknown, LevelTownship if the organ's name
// says it is a township (镇/乡人民政府, 街道办事处). Nothing else is guessed.
func LevelOf(agency, level string) string {
	if level != "" && level != LevelUnknown {
		return level
	}
	a := strings.TrimSpace(agency)
	for _, suf := range townshipSuffixes {
		if strings.HasSuffix(a, suf) {
			return LevelTownship
		}
	}
	return LevelUnknown
}
