package check

import (
	"fmt"
	"math"
	"slices"
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
		if skipCopied(r, o) {
			continue
		}
		out = append(out, copiedAgainst(r, mine, o, proseShingles(o), threshold)...)
	}
	return out
}

// skipCopied tells whether o is not to be compared with r: none, r itself, without prose, or
// another copy of r's report (same organ and year, or the same file).
func skipCopied(r, o *ingest.Report) bool {
	return o == nil || o == r || len(o.Prose) == 0 || (o.Agency == r.Agency && o.Year == r.Year) ||
		(o.Source != "" && o.Source == r.Source)
}

// copiedAgainst returns the S-copied-prose findings of r against o from their shingle sets.
func copiedAgainst(r *ingest.Report, mine [][]uint64, o *ingest.Report, theirs [][]uint64, threshold float64) []ingest.Finding {
	var out []ingest.Finding
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
	return out
}

// Sketch is what S-copied-prose compares of a report: the shingle sets of sections 一 and 五
// with the organ's names taken out. A caller that compares a report more than once (the
// store, each report with the year before and later with the year after) computes it once,
// with SketchOf, where it has the time (the ingest's parsing goroutines), and hands it to
// YearsSketchedAt.
type Sketch struct {
	agency string     // the name whose variants were taken out
	sets   [][]uint64 // per copiedSections entry; nil: too short to compare
}

// SketchOf returns the sketch of r's prose with the names of agency taken out: the name the
// comparison will see as r.Agency (the canonical name, for the store). It does not use or
// fill the shared cache of Copied.
func SketchOf(agency string, r *ingest.Report) *Sketch {
	s := &Sketch{agency: agency, sets: make([][]uint64, len(copiedSections))}
	if r == nil {
		return s
	}
	for i, sec := range copiedSections {
		if text, ok := r.Prose[sec.n]; ok {
			s.sets[i] = computeShingles(agency, text)
		}
	}
	return s
}

// Agency is the name whose variants SketchOf took out.
func (s *Sketch) Agency() string { return s.agency }

// setsFor returns the shingle sets of r: from s when it was made for r's agency, else
// computed (through the cache).
func (s *Sketch) setsFor(r *ingest.Report) [][]uint64 {
	if s != nil && s.agency == r.Agency {
		return s.sets
	}
	return proseShingles(r)
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
	sh = computeShingles(agency, text)
	shingleCache.Lock()
	if len(shingleCache.m) >= shingleCacheMax {
		shingleCache.m = map[string][]uint64{}
	}
	shingleCache.m[key] = sh
	shingleCache.Unlock()
	return sh
}

// computeShingles returns the shingles of one section's text without the cache (nil when
// too short): the sorted, distinct hashes of every shingleSize-character window of the text
// normalised (the organ's names removed, every run of digits one '#', only letters and those
// marks kept), computed in one pass, the normalised characters never stored
// (TestComputeShingles compares it with the two steps written out, normalise and shingles).
func computeShingles(agency, text string) []uint64 {
	for _, n := range nameVariants(agency) {
		text = strings.ReplaceAll(text, n, "")
	}
	// at most one window a character
	out := make([]uint64, 0, max(utf8.RuneCountInString(text)-shingleSize+1, 0))
	var w0, w1, w2 rune // the three characters before c
	kept := 0           // normalised characters so far
	digit := false
	for _, c := range text {
		switch runeClass(c) {
		case runeDigit:
			if digit {
				continue
			}
			digit = true
			c = '#'
		case runeLetter:
			digit = false
		case runeOther:
			digit = false
			continue
		default: // a space is dropped and keeps a run of digits going (1 000 is one number)
			continue
		}
		kept++
		if kept >= shingleSize {
			var h uint64 = 14695981039346656037
			h = (h ^ uint64(w0)) * 1099511628211
			h = (h ^ uint64(w1)) * 1099511628211
			h = (h ^ uint64(w2)) * 1099511628211
			h = (h ^ uint64(c)) * 1099511628211
			out = append(out, h)
		}
		w0, w1, w2 = w1, w2, c
	}
	if kept < minCopiedChars {
		return nil
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// The classes of a character for computeShingles.
const (
	runeOther  = iota // dropped; ends a run of digits
	runeDigit         // unicode.IsDigit
	runeLetter        // unicode.IsLetter
	runeSpace         // unicode.IsSpace: dropped
)

// asciiClass is classOf of the ASCII characters.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		t[c] = classOf(rune(c))
	}
	return t
}()

// runeClass is classOf with the characters of most reports first: ASCII from a table, and
// the CJK Unified Ideographs (U+4E00–U+9FFF, all letters) without the tables of package
// unicode (TestRuneClass compares it with classOf for every character).
func runeClass(c rune) uint8 {
	switch {
	case c >= 0x4E00 && c <= 0x9FFF:
		return runeLetter
	case c < utf8.RuneSelf && c >= 0:
		return asciiClass[c]
	}
	return classOf(c)
}

// classOf is the class of a character by package unicode.
func classOf(c rune) uint8 {
	switch {
	case unicode.IsDigit(c):
		return runeDigit
	case unicode.IsLetter(c):
		return runeLetter
	case unicode.IsSpace(c):
		return runeSpace
	}
	return runeOther
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

// ownNames and nameVariants are ingest's: the ways a report names its own organ.
func ownNames(agency string) []string { return ingest.OrganOwnNames(agency) }

func nameVariants(agency string) []string { return ingest.OrganNameVariants(agency) }
