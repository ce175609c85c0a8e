package parse

import (
	"regexp"
	"strconv"
	"strings"

	"gongkai/ingest"
)

// channels of publication and the words that name them, most specific first: a 视频号
// or 抖音号 is short video even when it belongs to WeChat or is named “XX发布”.
var channels = []struct {
	channel string
	words   []string
}{
	{"short_video", []string{"抖音", "快手", "视频号", "短视频"}},
	{"weibo", []string{"微博"}},
	{"wechat", []string{"微信", "公众号"}},
	{"notice_board", []string{"公示栏", "公开栏", "电子屏", "公告栏", "宣传栏"}},
	{"portal", []string{"门户网站", "政府网站", "政务网站", "信息公开平台", "政务公开平台", "信息公开专栏", "信息公开目录", "政府网", "网站"}},
}

// reAccount is a WeChat account named by its quoted name alone: 通过“红寺堡发布”发布信息300条.
var reAccount = regexp.MustCompile(`[“"][^”"]{1,24}发布[”"]`)

var (
	// applications received, as the prose says: 收到…申请 N 件 / 受理…申请 N 件
	reApplications = regexp.MustCompile(`(?:收到|受理|新收|接到|接收)[^。；;，,]{0,24}?申请[^。；;，,\d]{0,6}?(\d+)[ ]?(?:件|份|条|个)`)
	// …共收到70件申请
	reApplicationsBefore = regexp.MustCompile(`(?:收到|受理|新收|接到|接收)[^。；;，,\d]{0,12}?(\d+)[ ]?件[^。；;，,\d]{0,12}?申请`)
	reNoApplication      = regexp.MustCompile(`(?:未收到|没有收到|无)[^。；;，,]{0,24}?申请`)
)

// eachSentence calls f with each sentence of prose (split at 。；;！!\n; the decoder has
// already made ；and ！ ASCII) until f returns false. It works on bytes: prose is long.
func eachSentence(s string, f func(string) bool) {
	start := 0
	for i := 0; i < len(s); i++ {
		if !sentenceByte[s[i]] {
			continue
		}
		n := 0
		switch b := s[i]; {
		case b == ';' || b == '!' || b == '\n':
			n = 1
		case b == 0xE3 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x82: // 。
			n = 3
		case b == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && (s[i+2] == 0x9B || s[i+2] == 0x81): // ；！
			n = 3
		}
		if n == 0 {
			continue
		}
		if i > start && !f(s[start:i]) {
			return
		}
		start = i + n
		i += n - 1
	}
	if start < len(s) {
		f(s[start:])
	}
}

// sentenceByte marks the bytes that may end a sentence: ; ! \n and the first bytes of 。(E3)
// and ；！ (EF).
var sentenceByte = [256]bool{';': true, '!': true, '\n': true, 0xE3: true, 0xEF: true}

// itemCount finds the first count of items in a clause: digits (maybe 10,407) followed,
// after at most one space, by 条, 篇 or 则; a round figure (7700余条, 300多篇) is approx.
func itemCount(s string) (n int64, approx, ok bool) {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		j := i
		for j < len(s) && (isDigit(s[j]) || (s[j] == ',' && j+3 < len(s) && isDigit(s[j+1]) && isDigit(s[j+2]) && isDigit(s[j+3]))) {
			j++
		}
		k := j
		if k < len(s) && s[k] == ' ' {
			k++
		}
		approx := false
		if strings.HasPrefix(s[k:], "余") || strings.HasPrefix(s[k:], "多") {
			approx = true
			k += len("余")
			if k < len(s) && s[k] == ' ' {
				k++
			}
		}
		if strings.HasPrefix(s[k:], "条") || strings.HasPrefix(s[k:], "篇") || strings.HasPrefix(s[k:], "则") {
			n, err := strconv.ParseInt(strings.ReplaceAll(s[i:j], ",", ""), 10, 64)
			return n, approx, err == nil
		}
		i = j
	}
	return 0, false, false
}

// countItems is how many counts of items a clause states.
func countItems(s string) int {
	n := 0
	for {
		_, _, ok := itemCount(s)
		if !ok {
			return n
		}
		n++
		// past the unit of this count
		k := indexUnit(s)
		if k < 0 {
			return n
		}
		s = s[k+len("条"):]
	}
}

// indexUnit is the offset of the first 条, 篇 or 则 in s (-1: none), as
// strings.IndexAny(s, "条篇则") but without decoding every rune: their bytes are
// E6 9D A1, E7 AF 87 and E5 88 99.
func indexUnit(s string) int {
	for i := 0; i+2 < len(s); i++ {
		switch s[i] {
		case 0xE6:
			if s[i+1] == 0x9D && s[i+2] == 0xA1 {
				return i
			}
		case 0xE7:
			if s[i+1] == 0xAF && s[i+2] == 0x87 {
				return i
			}
		case 0xE5:
			if s[i+1] == 0x88 && s[i+2] == 0x99 {
				return i
			}
		}
	}
	return -1
}

// eachClause calls f with each clause of a sentence (split at commas: ',' and '，', whose
// bytes EF BC 8C are found without decoding the runes between).
func eachClause(s string, f func(string)) {
	start := 0
	for i := 0; i < len(s); i++ {
		n := 0
		switch {
		case s[i] == ',':
			n = 1
		case s[i] == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] == 0x8C:
			n = 3
		default:
			continue
		}
		if i > start {
			f(s[start:i])
		}
		start = i + n
		i += n - 1
	}
	if start < len(s) {
		f(s[start:])
	}
}

// readPublications reads the counts of items published per channel from section 一.
// Each count keeps the clause it was read from. A clause naming two channels (门户网站、
// 微信公众号共发布300条) is left alone, and a count after 其中 is a part of the count
// before it: never a channel's total, unless it breaks a stated total down by channel.
func readPublications(r *ingest.Report, prose string, firstLine int, lines []string) {
	eachSentence(prose, func(sentence string) bool {
		publicationsIn(r, sentence, firstLine, lines)
		return true
	})
}

// readProse reads section 一's prose in one pass over its sentences: the counts of items
// published (as readPublications) and the number of applications received (the first
// sentence that states it).
func readProse(r *ingest.Report, prose string, firstLine int, lines []string) {
	apps := true // the applications are still looked for
	eachSentence(prose, func(sentence string) bool {
		publicationsIn(r, sentence, firstLine, lines)
		if apps {
			apps = applicationsIn(r, sentence)
		}
		return true
	})
}

// publicationsIn reads the counts of items published that one sentence states.
func publicationsIn(r *ingest.Report, sentence string, firstLine int, lines []string) {
	if indexUnit(sentence) < 0 {
		return
	}
	prev := "" // the channel of the last count of the sentence
	eachClause(sentence, func(clause string) {
		if indexUnit(clause) < 0 || strings.Contains(clause, "栏目") {
			return // a column of the website, not a channel
		}
		// a list of counts (其中门户网站2300条、政务微信1500条): each item alone
		parts := []string{clause}
		if countItems(clause) > 1 {
			parts = strings.Split(clause, "、")
		}
		sub := strings.HasPrefix(strings.TrimLeft(clause, " (（"), "其中")
		for _, part := range parts {
			n, approx, ok := itemCount(part)
			if !ok {
				continue
			}
			ch, several := channelOf(part)
			if several {
				prev = ""
				continue
			}
			if ch == "" {
				// a total without a channel: only where the clause says it published
				if !sub && isTotal(part) {
					ch = "total"
				} else {
					continue
				}
			}
			if sub && prev != "total" {
				continue // a part of the count before it (其中政策解读32条)
			}
			if !sub {
				prev = ch
			}
			q := strings.TrimSpace(part)
			r.Publications = append(r.Publications, ingest.Publication{Channel: ch, Count: n, Approx: approx, Quote: q, Line: lineOf(lines, q, firstLine)})
		}
	})
}

// channelOf names the channel a clause speaks of ("" for none), and whether it names
// more than one (a count shared by several channels is no channel's).
func channelOf(clause string) (string, bool) {
	// 微信视频号 is a short-video channel, not WeChat
	c := strings.ReplaceAll(clause, "微信视频号", "视频号")
	found := ""
	for _, ch := range channels {
		for _, w := range ch.words {
			if !strings.Contains(c, w) {
				continue
			}
			if found != "" && found != ch.channel {
				return "", true
			}
			found = ch.channel
			c = strings.ReplaceAll(c, w, "")
		}
	}
	if found == "" && reAccount.MatchString(clause) {
		found = "wechat"
	}
	return found, false
}

// isTotal tells whether a clause states the total of items published: 共 / 累计 / 全年 /
// 合计 with 主动公开, or with 信息 and 发布/公开.
func isTotal(clause string) bool {
	if !strings.Contains(clause, "共") && !strings.Contains(clause, "累计") && !strings.Contains(clause, "全年") && !strings.Contains(clause, "合计") {
		return false
	}
	return strings.Contains(clause, "主动公开") || (strings.Contains(clause, "信息") && (strings.Contains(clause, "发布") || strings.Contains(clause, "公开")))
}

// applicationsIn reads the number of applications one sentence says were received; it
// tells whether to look on (false: found).
func applicationsIn(r *ingest.Report, sentence string) bool {
	if !strings.Contains(sentence, "申请") {
		return true
	}
	if strings.IndexAny(sentence, "0123456789") < 0 && !strings.Contains(sentence, "未收到") && !strings.Contains(sentence, "没有收到") && !strings.Contains(sentence, "无") {
		return true
	}
	// both expressions start with a word of receiving: they are run from the first
	// one, and not at all on a sentence without one
	var m []int
	if k := indexReceived(sentence); k >= 0 {
		m = reApplications.FindStringSubmatchIndex(sentence[k:])
		if m == nil {
			m = reApplicationsBefore.FindStringSubmatchIndex(sentence[k:])
		}
		if m != nil {
			m[2], m[3] = m[2]+k, m[3]+k
		}
	}
	if m != nil {
		n, err := strconv.ParseInt(sentence[m[2]:m[3]], 10, 64)
		if err != nil {
			return true
		}
		r.ApplicationsStated = &n
		r.ApplicationsQuote = strings.TrimSpace(sentence)
		return false
	}
	// clause by clause: "无因政府信息公开申请引起的行政复议" speaks of cases, not applications
	found := false
	eachClause(sentence, func(clause string) {
		if found || !strings.Contains(clause, "公开") || strings.Contains(clause, "复议") || strings.Contains(clause, "诉讼") {
			return
		}
		if reNoApplication.MatchString(clause) {
			var zero int64
			r.ApplicationsStated = &zero
			r.ApplicationsQuote = strings.TrimSpace(clause)
			found = true
		}
	})
	return !found
}

// receivedWords begin reApplications and reApplicationsBefore.
var receivedWords = [...]string{"收到", "受理", "新收", "接到", "接收"}

// indexReceived is the offset of the first of receivedWords in s (-1: none).
func indexReceived(s string) int {
	k := -1
	for _, w := range receivedWords {
		in := s
		if k >= 0 {
			in = s[:min(len(s), k+len(w)-1)] // a match starting before k
		}
		if i := strings.Index(in, w); i >= 0 && (k < 0 || i < k) {
			k = i
		}
	}
	return k
}

// lineOf finds the line a quote starts on, looking from firstLine.
func lineOf(lines []string, quote string, firstLine int) int {
	probe := quote
	if len(probe) > 24 {
		probe = probe[:24]
		for len(probe) > 0 && !utf8Start(probe[len(probe)-1]) {
			probe = probe[:len(probe)-1]
		}
		if len(probe) > 0 {
			probe = probe[:len(probe)-1]
		}
	}
	for i := max(firstLine-1, 0); i < len(lines); i++ {
		if strings.Contains(lines[i], probe) {
			return i + 1
		}
	}
	return 0
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
