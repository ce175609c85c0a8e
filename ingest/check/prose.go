package check

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai/ingest"
)

// Prose against tables (N-*). They must not cry wolf: a count or a "none" said of one office
// (区政府办公室收到申请 17 件) is not the organ's own, so the severity depends on the scope of
// the sentence: error where it clearly speaks of the organ itself, warning otherwise.

// Scopes of a sentence of the prose.
const (
	scopeOwn       = "own"       // 本机关、我局、我镇、全年共收到…
	scopeAggregate = "aggregate" // 全区、全县、全市… (the organ and those under it)
	scopeSub       = "sub"       // one office or window: 办公室、窗口、某科…
	scopeUnclear   = "unclear"
)

// subOfficeWords name a part of the organ (or the organs under it) rather than the organ.
var subOfficeWords = []string{
	"办公室", "政府办", "党政办", "综合办", "窗口", "大厅", "服务中心", "便民服务", "科室", "处室", "股室",
	"下属", "所属", "直属", "二级单位", "各部门", "各单位", "各乡镇", "各街道", "各镇", "其中", "分别",
}

// ownWords say the sentence speaks of the organ itself.
var ownWords = []string{
	"本机关", "本单位", "我单位", "本局", "我局", "本镇", "我镇", "本乡", "我乡", "本街道", "我街道",
	"本委", "我委", "本办", "我办", "本厅", "我厅", "我部", "本部门", "我部门", "我中心", "本中心",
	"我署", "本署", "我院", "我会", "本会", "我区政府", "本级政府", "本府",
	"全年共收到", "全年收到", "全年共受理", "全年受理", "全年新收", "本年度收到", "本年度共收到",
	"本年共收到", "本年收到", "本年新收", "年度内共收到", "年内共收到", "本年度共受理", "本年度受理",
}

// aggregateWords speak of a whole area: the organ and the organs under it.
var aggregateWords = []string{"全区", "全县", "全市", "全省", "全旗", "全州", "全盟"}

var yearRe = regexp.MustCompile(`(\d{4})\s*年`)

// scopeOf classifies a sentence of r's prose. Words that are part of the organ's own name
// (an agency called 区政府办公室 saying 办公室) do not make it a sub-office.
func scopeOf(r *ingest.Report, s string) string {
	ownByName := containsAny(s, ownNames(r.Agency))
	stripped := s
	for _, n := range nameVariants(r.Agency) {
		stripped = strings.ReplaceAll(stripped, n, "")
	}
	for _, w := range subOfficeWords {
		if strings.Contains(stripped, w) && !strings.Contains(r.Agency, w) {
			return scopeSub
		}
	}
	if ownByName || containsAny(s, ownWords) {
		return scopeOwn
	}
	if containsAny(s, aggregateWords) {
		return scopeAggregate
	}
	// "2024年，收到政府信息公开申请 3 件": a sentence led by the report's year is its own.
	if r.Year > 0 {
		t := strings.TrimLeft(s, " 　（）()一二三四五六七八九十、.．")
		if strings.HasPrefix(t, strconv.Itoa(r.Year)+"年") {
			return scopeOwn
		}
	}
	return scopeUnclear
}

// Sentences of the prose end at 。；;！!？? (the decoder has made most full-width marks ASCII,
// but reports built elsewhere keep them); line breaks are taken out first, since the lines of
// a PDF or a wrapped page break sentences anywhere (行政复\n议). A sentence that names no one
// takes the scope of the sentence before it: Chinese prose drops the subject
// ("我局全年收到申请3件。无因此引起的行政复议。" speaks of 我局). The prose is scanned at
// byte level and a sentence's scope is worked out only when a rule needs it: most sentences
// speak of neither applications nor 复议 and 诉讼.

// joinLines takes the line breaks out of a prose section.
func joinLines(s string) string {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i+1:]
		i = strings.IndexAny(s, "\r\n")
	}
	b.WriteString(s)
	return b.String()
}

// sentenceEnd returns the length of the sentence separator (。；;！!？?) at s[i], or 0.
// Matching bytes is matching characters: UTF-8 never has a character's bytes inside another.
func sentenceEnd(s string, i int) int {
	switch s[i] {
	case ';', '!', '?', '\n':
		return 1
	case 0xE3: // 。 U+3002
		if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x82 {
			return 3
		}
	case 0xEF: // ；U+FF1B ！U+FF01 ？U+FF1F
		if i+2 < len(s) && s[i+1] == 0xBC && (s[i+2] == 0x9B || s[i+2] == 0x81 || s[i+2] == 0x9F) {
			return 3
		}
	}
	return 0
}

// sentenceEndBefore returns the length of a sentence separator ending at s[:i], or 0.
func sentenceEndBefore(s string, i int) int {
	if i >= 1 && sentenceEnd(s, i-1) == 1 {
		return 1
	}
	if i >= 3 && sentenceEnd(s, i-3) == 3 {
		return 3
	}
	return 0
}

// sentenceAround returns the bounds of the sentence of text holding byte i.
func sentenceAround(text string, i int) (start, end int) {
	start = i
	for start > 0 {
		n := sentenceEndBefore(text, start)
		if n > 0 {
			break
		}
		start--
	}
	end = i
	for end < len(text) && sentenceEnd(text, end) == 0 {
		end++
	}
	return start, end
}

// clauseEnd returns the length of the clause separator (，,：:) at s[i], or 0.
func clauseEnd(s string, i int) int {
	switch s[i] {
	case ',', ':':
		return 1
	case 0xEF: // ，U+FF0C ：U+FF1A
		if i+2 < len(s) && s[i+1] == 0xBC && (s[i+2] == 0x8C || s[i+2] == 0x9A) {
			return 3
		}
	}
	return 0
}

// scoper gives the scopes of the sentences of one prose section, asked in text order. A
// sentence of unclear scope takes that of the sentence before it, so the sentences before
// the one asked about are classified, backwards, only until one names someone.
type scoper struct {
	r     *ingest.Report
	text  string
	done  int    // the sentences ending at or before done are settled
	scope string // the scope in force after done
}

func newScoper(r *ingest.Report, text string) scoper {
	return scoper{r: r, text: text, scope: scopeUnclear}
}

// scopeOf returns the scope of the sentence text[start:end], which must come after the
// sentences asked about before.
func (sc *scoper) scopeOf(start, end int) string {
	scope := sc.scope
	for b, e := start, end; ; {
		if s := scopeOf(sc.r, sc.text[b:e]); s != scopeUnclear {
			scope = s
			break
		}
		// the sentence before: skip the separators, then back to the previous separator
		for b > sc.done {
			n := sentenceEndBefore(sc.text, b)
			if n == 0 {
				break
			}
			b -= n
		}
		if b <= sc.done {
			break
		}
		e = b
		for b > sc.done && sentenceEndBefore(sc.text, b) == 0 {
			b--
		}
	}
	sc.done, sc.scope = end, scope
	return scope
}

// quoteScope is the scope of the stated applications: that of the sentence of 一、总体情况
// holding the quote (共收到申请3件 takes its subject from the sentence), else of the quote.
func quoteScope(r *ingest.Report, quote string) string {
	q := strings.Join(strings.Fields(quote), "")
	if q != "" {
		text := joinLines(r.Prose[1])
		sc := newScoper(r, text)
		for start := 0; start < len(text); {
			end := start
			for end < len(text) && sentenceEnd(text, end) == 0 {
				end++
			}
			if end > start && strings.Contains(strings.Join(strings.Fields(text[start:end]), ""), q) {
				return sc.scopeOf(start, end)
			}
			for end < len(text) {
				n := sentenceEnd(text, end)
				if n == 0 {
					break
				}
				end += n
			}
			start = end
		}
	}
	return scopeOf(r, quote)
}

// otherYear tells whether s speaks of a year other than the report's (较2023年增加…).
func otherYear(r *ingest.Report, s string) bool {
	if r.Year == 0 {
		return false
	}
	for _, m := range yearRe.FindAllStringSubmatch(s, -1) {
		if y, _ := strconv.Atoi(m[1]); y != r.Year {
			return true
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// applications is N-applications: the number of applications 一、总体情况 says were received
// must equal 一、本年新收 总计. A prose count equal to 新收 + 上年结转 (收到申请75件 for 74 new
// and 1 carried over) or to 第（七）项总计 is a count of applications handled: nothing when
// the sentence says 办理/办结/共, a warning otherwise. A count of one office, of the whole
// area, or of another year is a warning at most.
func applications(r *ingest.Report) []ingest.Finding {
	if r.ApplicationsStated == nil {
		return nil
	}
	const key = "table3.new_received.total"
	newTotal, ok := r.Value(key)
	if !ok {
		return nil
	}
	stated := float64(*r.ApplicationsStated)
	if same(stated, newTotal) {
		return nil
	}
	quote := strings.TrimSpace(r.ApplicationsQuote)
	said := "一、总体情况称收到政府信息公开申请 " + num(stated) + " 件"
	if quote != "" {
		said = "一、总体情况称“" + clip(quote, 80) + "”"
	}
	carried, okC := r.Value("table3.carried_over.total")
	handled, okH := r.Value("table3.total_handled.total")
	withCarried := okC && carried > 0 && same(stated, newTotal+carried)
	if withCarried || (okH && same(stated, handled)) {
		handling := []string{"办理", "办结", "处理", "答复"}
		if withCarried {
			handling = append(handling, "共", "合计", "总计", "累计")
		}
		if containsAny(quote, handling) {
			return nil
		}
		msg := fmt.Sprintf("%s，与表三 一、本年新收政府信息公开申请数量 总计 %s 不一致；该数等于本年新收加上年结转（或第（七）项总计），正文可能把上年结转也计入了“收到”，请核对表述",
			said, num(newTotal))
		f := finding(ingest.RuleApplications, key, ingest.Num(newTotal), ingest.Num(stated), msg)
		f.Severity = ingest.SeverityWarning
		return []ingest.Finding{withLine(r, f)}
	}
	scope := quoteScope(r, quote)
	if quote == "" || otherYear(r, quote) {
		scope = scopeUnclear
	}
	msg := fmt.Sprintf("%s，表三 一、本年新收政府信息公开申请数量 总计为 %s：正文申请数应为 %s，报告为 %s",
		said, num(newTotal), num(newTotal), num(stated))
	f := finding(ingest.RuleApplications, key, ingest.Num(newTotal), ingest.Num(stated), msg)
	switch scope {
	case scopeOwn:
	case scopeSub:
		f.Severity = ingest.SeverityWarning
		f.Message += "（正文所说的可能只是某一内设机构或窗口的数量，请核对口径）"
	default:
		f.Severity = ingest.SeverityWarning
		f.Message += "（正文所说数量的口径不明确，请核对）"
	}
	return []ingest.Finding{withLine(r, f)}
}

// clip shortens s to at most n characters for a message.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// A noneStatement is a sentence of the prose saying there was no 行政复议 and/or 行政诉讼.
type noneStatement struct {
	review, litigation bool
	scope              string
	sentence           string
}

var (
	// negations that deny the existence of cases; 无一 (none of them) and 未被 (not … by) do not.
	negationRe = regexp.MustCompile(`无|没有|未发生|未收到|未出现|未有|不存在|未产生|未涉及|未曾|未接到|未引起|未引发`)
	// a count: "0件", "为0", "为零", "1 起"
	countRe = regexp.MustCompile(`(为|是)?\s*([0-9０-９]+|零)\s*(件|起|宗|个|例|次)?`)
	// outcome words: the sentence is about results (无被纠错), not about whether cases existed
	outcomeWords = []string{"纠错", "纠正", "败诉", "撤销", "确认违法", "维持"}
)

// noneStatements finds the sentences of r's prose that deny any 行政复议 or 行政诉讼 in the
// report's year: 无因政府信息公开申请引起的行政复议、行政诉讼案件; 未发生行政复议、行政诉讼;
// 行政复议和行政诉讼0件. A sentence that names no one takes the scope of the sentence before
// it ("我局全年收到申请3件。无因此引起的行政复议。" speaks of 我局).
func noneStatements(r *ingest.Report) []noneStatement {
	var secs []int
	for k := range r.Prose {
		secs = append(secs, k)
	}
	sort.Ints(secs)
	var out []noneStatement
	for _, sec := range secs {
		text := joinLines(r.Prose[sec])
		sc := newScoper(r, text)
		// only the sentences naming 复议 or 诉讼 can deny them
		review, litigation := strings.Index(text, "复议"), strings.Index(text, "诉讼")
		for pos := 0; ; {
			if review >= 0 && review < pos {
				review = indexFrom(text, "复议", pos)
			}
			if litigation >= 0 && litigation < pos {
				litigation = indexFrom(text, "诉讼", pos)
			}
			at := review
			if at < 0 || (litigation >= 0 && litigation < at) {
				at = litigation
			}
			if at < 0 {
				break
			}
			start, end := sentenceAround(text, at)
			pos = end
			sent := text[start:end]
			var st noneStatement
			year := 0 // the year the clauses speak of, as last named in the sentence
			for cs := 0; cs <= len(sent); {
				ce := cs
				for ce < len(sent) && clauseEnd(sent, ce) == 0 {
					ce++
				}
				cl := sent[cs:ce]
				if strings.Contains(cl, "年") {
					for _, m := range yearRe.FindAllStringSubmatch(cl, -1) {
						year, _ = strconv.Atoi(m[1])
					}
				}
				if (year == 0 || r.Year == 0 || year == r.Year) && // 2023年无行政复议: another year
					(strings.Contains(cl, "复议") || strings.Contains(cl, "诉讼")) {
					rv, lt := clauseDenies(cl)
					st.review = st.review || rv
					st.litigation = st.litigation || lt
				}
				if ce == len(sent) {
					break
				}
				for ce < len(sent) {
					n := clauseEnd(sent, ce)
					if n == 0 {
						break
					}
					ce += n
				}
				cs = ce
			}
			if !st.review && !st.litigation {
				continue
			}
			st.scope = sc.scopeOf(start, end)
			st.sentence = strings.TrimSpace(sent)
			out = append(out, st)
		}
	}
	return out
}

// indexFrom is strings.Index(s[from:], sub) as an index of s, or -1.
func indexFrom(s, sub string, from int) int {
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}

// clauseDenies tells which of 复议 and 诉讼 one clause says there were none of.
func clauseDenies(cl string) (review, litigation bool) {
	if containsAny(cl, outcomeWords) {
		return false, false
	}
	// "无…行政复议、行政诉讼": what follows the negation, within the clause.
	for _, loc := range negationRe.FindAllStringIndex(cl, -1) {
		rest := cl[loc[1]:]
		if strings.HasPrefix(rest, "一") || strings.HasPrefix(rest, "被") {
			continue
		}
		// the denied words must follow closely (无因政府信息公开申请引起的行政复议: 16 characters)
		if utf8.RuneCountInString(rest) > 40 {
			rest = string([]rune(rest)[:40])
		}
		if hasNonZeroCount(rest) {
			continue // 无…以外的 3 件: a count follows, not a denial
		}
		review = review || strings.Contains(rest, "复议")
		litigation = litigation || strings.Contains(rest, "诉讼")
	}
	// "行政复议和行政诉讼0件", "行政诉讼数为 0 件": the words before a zero count.
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

func isDigitBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return (r >= '0' && r <= '9') || (r >= '０' && r <= '９')
}

// hasNonZeroCount tells whether s holds a count other than zero ("1件").
func hasNonZeroCount(s string) bool {
	for _, m := range countRe.FindAllStringSubmatch(s, -1) {
		if (m[1] != "" || m[3] != "") && m[2] != "零" && strings.Trim(m[2], "0０") != "" {
			return true
		}
	}
	return false
}

// reviewLitigation is N-review-litigation: a sentence saying there was no 行政复议 (行政诉讼)
// contradicts a non-zero 表四 行政复议 总计 (直接起诉 or 复议后起诉 总计). Error where the
// sentence speaks of the organ (or its whole area, which includes it), warning where it
// speaks of one office or its scope is unclear.
func reviewLitigation(r *ingest.Report) []ingest.Finding {
	// nothing contradicts a "none" when table 4 shows no case (or was not read)
	nonZero := false
	for _, block := range []string{"review", "litigation_direct", "litigation_after_review"} {
		if v, ok := r.Value(ingest.Table4Key(block, "total")); ok && v != 0 {
			nonZero = true
		}
	}
	if !nonZero {
		return nil
	}
	sts := noneStatements(r)
	if len(sts) == 0 {
		return nil
	}
	// the strongest statement of each kind
	pick := func(want func(noneStatement) bool) (noneStatement, bool) {
		var best noneStatement
		found := false
		for _, st := range sts {
			if !want(st) {
				continue
			}
			if !found || (severityOf(st.scope) == ingest.SeverityError && severityOf(best.scope) != ingest.SeverityError) {
				best, found = st, true
			}
		}
		return best, found
	}
	var out []ingest.Finding
	add := func(st noneStatement, block string) {
		key := ingest.Table4Key(block, "total")
		v, ok := r.Value(key)
		if !ok || v == 0 {
			return
		}
		msg := fmt.Sprintf("正文称“%s”，但表四 %s 总计为 %s：按正文应为 0，报告为 %s",
			clip(st.sentence, 80), table4BlockLabel[block], num(v), num(v))
		f := finding(ingest.RuleReviewLitigation, key, ingest.Num(0), ingest.Num(v), msg)
		f.Severity = severityOf(st.scope)
		switch st.scope {
		case scopeSub:
			f.Message += "（正文所说的可能只是某一内设机构，请核对口径）"
		case scopeUnclear:
			f.Message += "（正文表述的口径不明确，请核对）"
		}
		out = append(out, withLine(r, f))
	}
	if st, ok := pick(func(s noneStatement) bool { return s.review }); ok {
		add(st, "review")
	}
	if st, ok := pick(func(s noneStatement) bool { return s.litigation }); ok {
		add(st, "litigation_direct")
		add(st, "litigation_after_review")
	}
	return out
}

// severityOf gives the severity of a prose finding by the scope of its sentence.
func severityOf(scope string) string {
	if scope == scopeOwn || scope == scopeAggregate {
		return ingest.SeverityError
	}
	return ingest.SeverityWarning
}
