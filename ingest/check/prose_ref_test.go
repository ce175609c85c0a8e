package check

import (
	"math/rand"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"gongkai/ingest"
)

// The prose rules scan sentences at byte level and work out a sentence's scope only when
// they need it. This file keeps the straightforward version they replaced (split every
// section with regexps, classify every sentence) as the reference, and checks that both give
// the same statements and scopes on generated reports and on random prose built from the
// words the rules look for.

var (
	refSentenceSplit = regexp.MustCompile(`[。；;！!？?\n]+`)
	refClauseSplit   = regexp.MustCompile(`[，,：:]+`)
)

func refSentences(r *ingest.Report, sec int) []scopedSentence {
	text := strings.NewReplacer("\r", "", "\n", "").Replace(r.Prose[sec])
	var out []scopedSentence
	prev := scopeUnclear
	for _, sent := range refSentenceSplit.Split(text, -1) {
		scope := scopeOf(r, sent)
		if scope == scopeUnclear {
			scope = prev
		}
		prev = scope
		out = append(out, scopedSentence{sent, scope})
	}
	return out
}

func refQuoteScope(r *ingest.Report, quote string) string {
	q := strings.Join(strings.Fields(quote), "")
	if q != "" {
		for _, s := range refSentences(r, 1) {
			if strings.Contains(strings.Join(strings.Fields(s.text), ""), q) {
				return s.scope
			}
		}
	}
	return scopeOf(r, quote)
}

func refNoneStatements(r *ingest.Report) []noneStatement {
	var secs []int
	for k := range r.Prose {
		secs = append(secs, k)
	}
	sort.Ints(secs)
	var out []noneStatement
	for _, sec := range secs {
		for _, ss := range refSentences(r, sec) {
			sent, scope := ss.text, ss.scope
			if !strings.Contains(sent, "复议") && !strings.Contains(sent, "诉讼") {
				continue
			}
			var st noneStatement
			year := 0
			for _, cl := range refClauseSplit.Split(sent, -1) {
				for _, m := range yearRe.FindAllStringSubmatch(cl, -1) {
					year, _ = strconv.Atoi(m[1])
				}
				if year != 0 && r.Year != 0 && year != r.Year {
					continue
				}
				rv, lt := refClauseDenies(cl)
				st.review = st.review || rv
				st.litigation = st.litigation || lt
			}
			if !st.review && !st.litigation {
				continue
			}
			st.scope = scope
			st.sentence = strings.TrimSpace(sent)
			out = append(out, st)
		}
	}
	return out
}

func refClauseDenies(cl string) (review, litigation bool) {
	if containsAny(cl, outcomeWords) {
		return false, false
	}
	for _, loc := range negationRe.FindAllStringIndex(cl, -1) {
		rest := cl[loc[1]:]
		if strings.HasPrefix(rest, "一") || strings.HasPrefix(rest, "被") {
			continue
		}
		if utf8.RuneCountInString(rest) > 40 {
			rest = string([]rune(rest)[:40])
		}
		if refHasNonZeroCount(rest) {
			continue
		}
		review = review || strings.Contains(rest, "复议")
		litigation = litigation || strings.Contains(rest, "诉讼")
	}
	last := 0
	for _, m := range countRe.FindAllStringSubmatchIndex(cl, -1) {
		hasVerb, hasUnit := m[2] >= 0, m[6] >= 0
		if !hasVerb && !hasUnit {
			continue
		}
		if m[0] > 0 && isDigitBefore(cl[:m[0]]) {
			continue
		}
		seg := cl[last:m[0]]
		last = m[1]
		n := cl[m[4]:m[5]]
		if n != "零" && strings.Trim(n, "0０") != "" {
			continue
		}
		review = review || strings.Contains(seg, "复议")
		litigation = litigation || strings.Contains(seg, "诉讼")
	}
	return review, litigation
}

func refHasNonZeroCount(s string) bool {
	for _, m := range countRe.FindAllStringSubmatch(s, -1) {
		if (m[1] != "" || m[3] != "") && m[2] != "零" && strings.Trim(m[2], "0０") != "" {
			return true
		}
	}
	return false
}

// proseWords are the pieces random prose is made of: the words of scope, negation, counts,
// years and outcomes, every separator in half and full width, spaces and line breaks.
var proseWords = []string{
	"本局", "我局", "本机关", "我镇", "区政府办公室", "办公室", "窗口", "全区", "全县", "其中", "分别", "下属",
	"全年共收到", "收到申请", "红寺堡区", "红寺堡镇", "红寺堡区人民政府", "自然资源局", "人民政府",
	"2024年", "2023年", "2024 年", "12024年", "（一）", "一、", "(二)",
	"无", "没有", "未发生", "未收到", "未出现", "不存在", "未涉及", "未引起", "无一", "未被", "一", "被",
	"行政复议", "行政诉讼", "复议", "诉讼", "行政复\n议", "行政诉\r\n讼", "案件", "因政府信息公开申请引起的",
	"为", "是", "0", "0件", "1件", "3 起", "为零", "为 0 件", "０件", "１２件", "10件", "零", "次", "例", "宗",
	"纠错", "维持", "败诉", "以外的",
	"、", "和", "及", "，", ",", "：", ":", "；", ";", "。", "！", "!", "？", "?", "\n", "\r", " ", "　",
	"政府信息公开工作", "有关", "依法", "主动公开政府信息", "较上年增加",
}

func randomProse(rng *rand.Rand) string {
	var b strings.Builder
	n := rng.Intn(60)
	for i := 0; i < n; i++ {
		b.WriteString(proseWords[rng.Intn(len(proseWords))])
	}
	return b.String()
}

var proseAgencies = []string{"", "红寺堡区自然资源局", "红寺堡区人民政府办公室", "红寺堡区红寺堡镇人民政府", "红寺堡区人民政府", "新庄集乡人民政府"}

func checkProseSame(t *testing.T, r *ingest.Report, what string) {
	t.Helper()
	want, got := refNoneStatements(r), noneStatements(r)
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s: noneStatements differ\nprose: %#v\nwant %+v\ngot  %+v", what, r.Prose, want, got)
	}
	quotes := []string{r.ApplicationsQuote, "收到申请", "无", "", " 行政 复议 "}
	if p := []rune(r.Prose[1]); len(p) > 0 { // a piece of the prose itself
		i := len(p) * 2 / 3
		quotes = append(quotes, string(p[i:min(len(p), i+8)]), string(p[len(p)/4:min(len(p), len(p)/4+3)]))
	}
	for _, q := range quotes {
		if w, g := refQuoteScope(r, q), quoteScope(r, q); w != g {
			t.Fatalf("%s: quoteScope(%q) = %q, want %q\nprose: %#v", what, q, g, w, r.Prose)
		}
	}
}

func TestProseMatchesReference(t *testing.T) {
	for i, r := range parsedCorpus(t, 6) {
		checkProseSame(t, r, "parsed "+strconv.Itoa(i)+" "+r.Source)
	}
	rng := rand.New(rand.NewSource(3))
	scopes := map[string]int{}
	for i := 0; i < 20000; i++ {
		r := &ingest.Report{Agency: proseAgencies[rng.Intn(len(proseAgencies))], Prose: map[int]string{}}
		if rng.Intn(4) > 0 {
			r.Year = 2024
		}
		for _, sec := range []int{1, 5, 6} {
			if rng.Intn(3) > 0 {
				r.Prose[sec] = randomProse(rng)
			}
		}
		r.ApplicationsQuote = randomProse(rng)
		checkProseSame(t, r, "random "+strconv.Itoa(i))
		for _, st := range noneStatements(r) {
			scopes[st.scope]++
		}
	}
	t.Logf("statements found in random prose, by scope: %v", scopes)
	for _, s := range []string{scopeOwn, scopeAggregate, scopeSub, scopeUnclear} {
		if scopes[s] == 0 {
			t.Errorf("random prose never gives a statement of scope %s", s)
		}
	}
}

// A scopedSentence is a sentence of the prose with the scope it speaks of.
type scopedSentence struct {
	text, scope string
}
