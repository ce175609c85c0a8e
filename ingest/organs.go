package ingest

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Organ names: how a printed name is matched to an organ of the registry (the store), and
// the ways a report names its own organ (the copied-prose and self-reference checks). One
// set of rules for both, here.

// CleanOrganName removes white space (ASCII and full-width) and unifies full-width brackets
// as ASCII: the form in which names and aliases are compared exactly.
func CleanOrganName(s string) string {
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

// governmentSuffixes are removed, the first that matches, from a cleaned name by
// NormalizeOrganName.
var governmentSuffixes = []string{"人民政府办公室", "人民政府办公厅", "人民政府", "政府办公室", "政府"}

// NormalizeOrganName reduces an organ's name to a matching key: no spaces, full-width
// brackets as ASCII, 管理委员会 as 管委会, a parenthesised remark at the end dropped
// ((全区汇总)), and one trailing 人民政府/人民政府办公室/政府 variant removed. Exact names and
// aliases are tried before it, so 区人民政府 and 区人民政府办公室 stay apart when both are
// registered.
func NormalizeOrganName(name string) string {
	s := CleanOrganName(name)
	s = strings.ReplaceAll(s, "管理委员会", "管委会")
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, "("); i > 0 {
			s = s[:i]
		}
	}
	for _, suf := range governmentSuffixes {
		if strings.HasSuffix(s, suf) && len(s) > len(suf) {
			s = strings.TrimSuffix(s, suf)
			break
		}
	}
	return s
}

// summaryMarks end the name of a district's summary report rather than of an organ:
// 红寺堡区（全区汇总）, 红寺堡区汇总.
var summaryMarks = []string{"全区汇总", "全县汇总", "全市汇总", "汇总"}

// OrganIndex matches printed names to organs added to it, by index: first the names and
// aliases exactly (spaces ignored, see CleanOrganName), then by normalised name (see
// NormalizeOrganName), also with the parent district's prefix removed (红寺堡镇 finds
// 红寺堡区红寺堡镇人民政府). A normalised key shared by two organs is ambiguous and matches
// neither. A bare district name — with or without 汇总, as a district's summary
// (全区汇总) is titled — matches only an organ that has it as its name or alias, never the
// district's government by normalisation: the summary must not replace the government's
// own report.
type OrganIndex struct {
	n         int
	exact     map[string]int // cleaned name or alias → organ index
	norm      map[string]int // normalised key → organ index, -1 when ambiguous
	districts map[string]bool
}

// NewOrganIndex returns an empty index.
func NewOrganIndex() *OrganIndex {
	return &OrganIndex{exact: map[string]int{}, norm: map[string]int{}, districts: map[string]bool{}}
}

// Add registers the next organ (its index is the number of organs added before it) under its
// name, its aliases and its district, and returns its index.
func (x *OrganIndex) Add(name string, aliases []string, district string) int {
	i := x.n
	x.n++
	if district != "" {
		x.districts[CleanOrganName(district)] = true
	}
	names := append([]string{name}, aliases...)
	for _, n := range names {
		c := CleanOrganName(n)
		if c == "" {
			continue
		}
		if _, ok := x.exact[c]; !ok {
			x.exact[c] = i
		}
	}
	keys := map[string]bool{}
	for _, n := range names {
		k := NormalizeOrganName(n)
		keys[k] = true
		if d := NormalizeOrganName(district); d != "" && strings.HasPrefix(k, d) && len(k) > len(d) {
			keys[k[len(d):]] = true
		}
	}
	for k := range keys {
		if k == "" {
			continue
		}
		if j, ok := x.norm[k]; ok && j != i {
			x.norm[k] = -1
			continue
		}
		x.norm[k] = i
	}
	return i
}

// Exact returns the organ whose name or alias is name (spaces ignored).
func (x *OrganIndex) Exact(name string) (int, bool) {
	i, ok := x.exact[CleanOrganName(name)]
	return i, ok
}

// Match returns the organ a printed name stands for, and whether one does.
func (x *OrganIndex) Match(printed string) (int, bool) {
	c := CleanOrganName(printed)
	if i, ok := x.exact[c]; ok {
		return i, true
	}
	if x.isDistrictSummary(c) {
		return 0, false
	}
	k := NormalizeOrganName(printed)
	if i, ok := x.norm[k]; ok {
		return i, i >= 0
	}
	for d := range x.districts {
		nd := NormalizeOrganName(d)
		if nd != "" && strings.HasPrefix(k, nd) && len(k) > len(nd) {
			if i, ok := x.norm[k[len(nd):]]; ok {
				return i, i >= 0
			}
		}
	}
	return 0, false
}

// isDistrictSummary tells whether a cleaned printed name is only a registered district's
// name, with at most a 汇总 remark: 红寺堡区, 红寺堡区(全区汇总), 红寺堡区汇总.
func (x *OrganIndex) isDistrictSummary(c string) bool {
	if strings.HasSuffix(c, ")") {
		if i := strings.LastIndex(c, "("); i > 0 {
			remark := c[i+1 : len(c)-1]
			if !slices.Contains(summaryMarks, remark) {
				return false
			}
			c = c[:i]
		}
	}
	for _, m := range summaryMarks {
		if strings.HasSuffix(c, m) && len(c) > len(m) {
			c = strings.TrimSuffix(c, m)
			break
		}
	}
	return x.districts[c]
}

// adminSuffixes end the parts of an organ's name: 宁夏回族自治区|吴忠市|红寺堡区|红寺堡镇.
var adminSuffixes = []string{"自治区", "自治州", "自治县", "街道", "省", "市", "区", "县", "旗", "盟", "州", "镇", "乡"}

// organSuffixes are the generic tails of an organ's name.
var organSuffixes = []string{"人民政府办公室", "人民政府办公厅", "人民政府", "政府", "街道办事处", "办事处", "管理委员会", "管委会"}

// organBase is the name without its generic tail (a 街道办事处 keeps 街道).
func organBase(a string) string {
	for _, suf := range organSuffixes {
		if strings.HasSuffix(a, suf) {
			base := strings.TrimSuffix(a, suf)
			if suf == "街道办事处" {
				base += "街道"
			}
			return base
		}
	}
	return a
}

// OrganOwnNames returns the names that, said in a sentence, mean the organ itself: the full
// name, the name without 人民政府, and its last place or body (红寺堡镇 of 红寺堡区红寺堡镇
// 人民政府; not 红寺堡区, its parent).
func OrganOwnNames(agency string) []string {
	a := strings.TrimSpace(agency)
	if a == "" {
		return nil
	}
	out := []string{a}
	base := organBase(a)
	if parts := PlaceParts(base); len(parts) > 0 {
		if last := parts[len(parts)-1]; utf8.RuneCountInString(last) >= 2 && last != base {
			out = append(out, last)
		}
	}
	if utf8.RuneCountInString(base) >= 2 && base != a {
		out = append(out, base)
	}
	return out
}

// PlaceParts splits a name after each administrative suffix: 红寺堡区红寺堡镇 → 红寺堡区, 红寺堡镇.
func PlaceParts(base string) []string {
	var parts []string
	rest := base
	for rest != "" {
		cut := -1
		for _, suf := range adminSuffixes {
			if i := strings.Index(rest, suf); i > 0 && (cut < 0 || i+len(suf) < cut) {
				cut = i + len(suf)
			}
		}
		if cut < 0 {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, rest[:cut])
		rest = rest[cut:]
	}
	return parts
}

// OrganNameVariants returns the ways a report may name its own organ, longest first: the full
// name, the name without 人民政府, each place in it (红寺堡区, 红寺堡镇) and each place without
// its suffix (红寺堡). Variants shorter than two characters are dropped. The slice is shared:
// do not modify it.
func OrganNameVariants(agency string) []string {
	variantCache.RLock()
	v, ok := variantCache.m[agency]
	variantCache.RUnlock()
	if ok {
		return v
	}
	v = computeNameVariants(agency)
	variantCache.Lock()
	if len(variantCache.m) >= maxVariantCache {
		variantCache.m = nil // start over: a national ingest names 150,000 organs
	}
	if variantCache.m == nil {
		variantCache.m = make(map[string][]string, 256)
	}
	variantCache.m[agency] = v
	variantCache.Unlock()
	return v
}

// variantCache memoises OrganNameVariants (an agency's names are asked for every sentence of
// its report, and its reports are mostly read one after another), holding at most
// maxVariantCache organs.
var variantCache struct {
	sync.RWMutex
	m map[string][]string
}

// maxVariantCache bounds variantCache.
const maxVariantCache = 4096

func computeNameVariants(agency string) []string {
	a := strings.TrimSpace(agency)
	if a == "" {
		return nil
	}
	set := map[string]bool{}
	add := func(s string) {
		if utf8.RuneCountInString(s) >= 2 {
			set[s] = true
		}
	}
	add(a)
	base := organBase(a)
	add(base)
	parts := PlaceParts(base)
	for i, p := range parts {
		add(p)
		add(strings.Join(parts[i:], ""))
		for _, suf := range adminSuffixes {
			if strings.HasSuffix(p, suf) && utf8.RuneCountInString(p)-utf8.RuneCountInString(suf) >= 2 {
				add(strings.TrimSuffix(p, suf))
				break
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}
