package check

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gongkai/ingest"
)

// S-copied-prose: the prose of 一、总体情况 or 五、存在的主要问题及改进情况 nearly identical to
// the same organ's previous year or to another organ's report of the same year (内容雷同,
// named as misconduct by the 2021 notice). Similarity is the Jaccard index of the sets of
// 4-character shingles of the two texts after the organs' names, digits, spaces and
// punctuation are taken out, so a copy with the name and the numbers changed still matches.

// copiedSections are the prose sections compared, with their names.
var copiedSections = []struct {
	n    int
	name string
}{{1, "一、总体情况"}, {5, "五、存在的主要问题及改进情况"}}

// shingleSize is the length of a shingle, in characters.
const shingleSize = 4

// minCopiedChars is the shortest normalised text compared: short boilerplate (“无”,
// “本年度未收取信息处理费”) is alike everywhere and proves nothing.
const minCopiedChars = 60

// Copied compares the prose of sections 一 and 五 of r with the same sections of others
// (other organs' reports of the same year, or the organ's own previous year) and returns an
// S-copied-prose finding for each section and other report whose similarity is at least
// threshold (in [0,1]; DefaultSimilarity when threshold ≤ 0). r itself and other copies of
// r's report (same organ and year) among others are skipped.
func Copied(r *ingest.Report, others []*ingest.Report, threshold float64) []ingest.Finding {
	if r == nil || len(r.Prose) == 0 {
		return nil
	}
	if threshold <= 0 {
		threshold = DefaultSimilarity
	}
	mine := proseShingles(r)
	var out []ingest.Finding
	for _, o := range others {
		if o == nil || o == r || len(o.Prose) == 0 || (o.Agency == r.Agency && o.Year == r.Year) ||
			(o.Source != "" && o.Source == r.Source) {
			continue
		}
		theirs := proseShingles(o)
		for i, sec := range copiedSections {
			if mine[i] == nil || theirs[i] == nil {
				continue
			}
			sim := jaccard(mine[i], theirs[i])
			if sim < threshold {
				continue
			}
			out = append(out, copiedFinding(r, o, sec.n, sec.name, sim))
		}
	}
	return out
}

func copiedFinding(r, o *ingest.Report, n int, name string, sim float64) ingest.Finding {
	who := fmt.Sprintf("%s %d 年报告", o.Agency, o.Year)
	if o.Agency == r.Agency && o.Year < r.Year {
		who = fmt.Sprintf("本机关 %d 年报告", o.Year)
	}
	s := math.Round(sim*1000) / 1000
	msg := fmt.Sprintf("%s 与%s的同一部分相似度为 %.0f%%（已去除机关名称和数字），疑似内容雷同；2021 年国办通知把年度报告内容雷同列为须纠正的问题，请据实撰写",
		name, who, sim*100)
	f := finding(ingest.RuleCopiedProse, fmt.Sprintf("prose.%d", n), nil, ingest.Num(s), msg)
	f.Related = related(o)
	return f
}

// proseShingles returns the sorted shingle sets of the compared sections of r (nil for a
// section too short to compare).
func proseShingles(r *ingest.Report) [][]uint64 {
	out := make([][]uint64, len(copiedSections))
	for i, sec := range copiedSections {
		text, ok := r.Prose[sec.n]
		if !ok {
			continue
		}
		out[i] = sectionShingles(r.Agency, text)
	}
	return out
}

// shingleCache keeps the shingle sets of recent texts: comparing n reports with each other
// asks for each text n times. It is bounded and emptied when full.
var shingleCache = struct {
	sync.Mutex
	m map[string][]uint64
}{m: map[string][]uint64{}}

const shingleCacheMax = 4096

// sectionShingles returns the shingles of one section's text (nil when too short).
func sectionShingles(agency, text string) []uint64 {
	key := agency + "\x00" + text
	shingleCache.Lock()
	sh, ok := shingleCache.m[key]
	shingleCache.Unlock()
	if ok {
		return sh
	}
	if runes := normalise(text, nameVariants(agency)); len(runes) >= minCopiedChars {
		sh = shingles(runes)
	}
	shingleCache.Lock()
	if len(shingleCache.m) >= shingleCacheMax {
		shingleCache.m = map[string][]uint64{}
	}
	shingleCache.m[key] = sh
	shingleCache.Unlock()
	return sh
}

// normalise removes the organ's names, turns every run of digits into one '#', and keeps
// only letters (Han and Latin) and those marks.
func normalise(text string, names []string) []rune {
	for _, n := range names {
		text = strings.ReplaceAll(text, n, "")
	}
	out := make([]rune, 0, utf8.RuneCountInString(text))
	digit := false
	for _, c := range text {
		switch {
		case unicode.IsDigit(c):
			if !digit {
				out = append(out, '#')
			}
			digit = true
			continue
		case unicode.IsLetter(c):
			out = append(out, c)
		}
		if !unicode.IsSpace(c) {
			digit = false
		}
	}
	return out
}

// shingles returns the sorted, distinct hashes of every shingleSize-character window.
func shingles(runes []rune) []uint64 {
	if len(runes) < shingleSize {
		return nil
	}
	out := make([]uint64, 0, len(runes)-shingleSize+1)
	for i := 0; i+shingleSize <= len(runes); i++ {
		var h uint64 = 14695981039346656037
		for _, c := range runes[i : i+shingleSize] {
			h ^= uint64(c)
			h *= 1099511628211
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted distinct sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// adminSuffixes end the parts of an organ's name: 宁夏回族自治区|吴忠市|红寺堡区|红寺堡镇.
var adminSuffixes = []string{"自治区", "自治州", "自治县", "街道", "省", "市", "区", "县", "旗", "盟", "州", "镇", "乡"}

// organSuffixes are the generic tails of an organ's name.
var organSuffixes = []string{"人民政府办公室", "人民政府办公厅", "人民政府", "政府", "街道办事处", "办事处", "管理委员会", "管委会"}

// ownNames returns the names that, said in a sentence, mean the organ itself: the full
// name, the name without 人民政府, and its last place or body (红寺堡镇 of 红寺堡区红寺堡镇
// 人民政府; not 红寺堡区, its parent).
func ownNames(agency string) []string {
	a := strings.TrimSpace(agency)
	if a == "" {
		return nil
	}
	out := []string{a}
	base := a
	for _, suf := range organSuffixes {
		if strings.HasSuffix(base, suf) {
			base = strings.TrimSuffix(base, suf)
			if suf == "街道办事处" {
				base += "街道"
			}
			break
		}
	}
	if parts := placeParts(base); len(parts) > 0 {
		if last := parts[len(parts)-1]; utf8.RuneCountInString(last) >= 2 && last != base {
			out = append(out, last)
		}
	}
	if utf8.RuneCountInString(base) >= 2 && base != a {
		out = append(out, base)
	}
	return out
}

// placeParts splits a name after each administrative suffix: 红寺堡区红寺堡镇 → 红寺堡区, 红寺堡镇.
func placeParts(base string) []string {
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

// nameVariants returns the ways a report may name its own organ, longest first: the full
// name, the name without 人民政府, each place in it (红寺堡区, 红寺堡镇) and each place without
// its suffix (红寺堡). Variants shorter than two characters are dropped.
func nameVariants(agency string) []string {
	if v, ok := variantCache.Load(agency); ok {
		return v.([]string)
	}
	v := computeNameVariants(agency)
	variantCache.Store(agency, v)
	return v
}

// variantCache memoises nameVariants (an agency's names are asked for every sentence).
var variantCache sync.Map

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
	base := a
	for _, suf := range organSuffixes {
		if strings.HasSuffix(base, suf) {
			base = strings.TrimSuffix(base, suf)
			if suf == "街道办事处" {
				base += "街道"
			}
			break
		}
	}
	add(base)
	parts := placeParts(base)
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
