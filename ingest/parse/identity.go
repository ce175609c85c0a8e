package parse

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai/ingest"
)

var (
	// 红寺堡区红寺堡镇 2024 年政府信息公开工作年度报告; 平潭综合实验区2024年度政府信息公开工作年度报告
	reTitleAgencyFirst = regexp.MustCompile(`^(.{2,40}?)(?:关于)?[ ]?((?:19|20)\d{2})[ ]?年度?[ ]?(?:政府信息公开|政务公开|信息公开)`)
	// 2024 年上海市科委政府信息公开工作年度报告
	reTitleYearFirst = regexp.MustCompile(`^((?:19|20)\d{2})[ ]?年度?[ ]?(.{2,40}?)(?:政府信息公开|政务公开|信息公开)`)
	// 本报告所列数据统计期限为2024年1月1日至2024年12月31日; 统计周期为 2024 年 1 月 1 日至 12 月 31 日
	reStatPeriod = regexp.MustCompile(`((?:19|20)\d{2})[ ]?年[ ]?1[ ]?月[ ]?1[ ]?日[ ]?(?:至|到|-|—)`)
	reYearInName = regexp.MustCompile(`(?:19|20)\d{2}`)
	reDate       = regexp.MustCompile(`((?:19|20)\d{2})[-/.年][ ]?(\d{1,2})[-/.月][ ]?(\d{1,2})`)
	rePublished  = regexp.MustCompile(`(?:发布时间|发布日期|发文日期|成文日期|公开日期|日期|时间)[ ]?[:：]?[ ]?((?:19|20)\d{2}[-/.年][ ]?\d{1,2}[-/.月][ ]?\d{1,2})`)
)

// abbreviations of organs' names used in titles, expanded to the official name.
var abbreviations = []struct{ short, full string }{
	{"科委", "科学技术委员会"}, {"发改委", "发展和改革委员会"}, {"发改局", "发展和改革局"},
	{"人社局", "人力资源和社会保障局"}, {"住建局", "住房和城乡建设局"}, {"市监局", "市场监督管理局"},
	{"卫健委", "卫生健康委员会"}, {"卫健局", "卫生健康局"}, {"农业农村局", "农业农村局"},
	{"工信局", "工业和信息化局"}, {"商务局", "商务局"}, {"文旅局", "文化和旅游局"},
}

// identify sets the agency, year, level and publication date. It tells whether a title
// naming an annual report (政府信息公开工作年度报告 and a year) was found.
func identify(r *ingest.Report, name string, lines []string, title string, meta map[string]string) bool {
	titled := false
	// try reads one candidate title; it tells whether the agency was found (the search stops)
	try := func(text, source string) bool {
		t := strings.TrimSpace(strings.TrimPrefix(strings.Trim(text, "#* "), "标题:"))
		if t == "" {
			return false
		}
		agency, year, ok := reportTitle(t)
		if !ok {
			return false
		}
		titled = true
		if agency == "" {
			// a title that names no organ (2024年政府信息公开工作年度报告): keep its year,
			// look on for the organ
			if r.Year == 0 {
				r.Year = year
			}
			return false
		}
		r.Agency, r.Year, r.AgencySource = agency, year, source
		return true
	}
	// the page's titles, then the first lines of the text, each also joined with the next
	// (titles wrap: "2024 年上海市科委政府信息公开工作\n年度报告")
	if !try(meta["标题"], ingest.AgencyFromHTMLTitle) && !try(title, ingest.AgencyFromHTMLTitle) && !try(meta["ArticleTitle"], ingest.AgencyFromHTMLTitle) {
		var buf [6]string
		head := buf[:0]
		for _, l := range lines {
			l = strings.TrimSpace(strings.Trim(l, "#* "))
			if l == "" || l == "正文" {
				continue
			}
			head = append(head, l)
			if len(head) == 6 {
				break
			}
		}
		for i := range head {
			if try(head[i], ingest.AgencyFromTitle) {
				break
			}
			joined := head[i]
			if i+1 < len(head) {
				joined += head[i+1]
			}
			if try(joined, ingest.AgencyFromTitle) {
				break
			}
		}
	}
	if r.Year == 0 {
		for _, l := range lines {
			if !strings.Contains(l, "1月1日") && !strings.Contains(l, "1 月 1 日") {
				continue
			}
			if m := reStatPeriod.FindStringSubmatch(l); m != nil {
				r.Year, _ = strconv.Atoi(m[1])
				break
			}
		}
	}
	base := filepath.Base(name)
	if u, err := url.PathUnescape(base); err == nil {
		base = u
	}
	if r.Year == 0 {
		if m := reYearInName.FindString(base); m != "" {
			r.Year, _ = strconv.Atoi(m)
		}
	}
	if r.Agency == "" {
		if a := meta["发布机构"]; a != "" {
			r.Agency, r.AgencySource = cleanAgency(a), ingest.AgencyFromMeta
		}
	}
	if r.Agency == "" {
		if a := compiledBy(lines); a != "" {
			r.Agency, r.AgencySource = a, ingest.AgencyFromCompiler
		}
	}
	if r.Agency == "" {
		if a := signature(lines); a != "" {
			r.Agency, r.AgencySource = a, ingest.AgencyFromSignature
		}
	}
	if r.Agency == "" {
		if a := nameFromFile(base); a != "" {
			r.Agency, r.AgencySource = a, ingest.AgencyFromFileName
			if strings.Contains(name, "://") {
				r.AgencySource = ingest.AgencyFromURL
			}
		}
	}
	r.Level = levelOf(r.Agency)
	r.Published = published(lines, meta)
	return titled
}

var (
	// 红寺堡区红寺堡镇政府信息公开工作年度报告（2024年）: the year after the report's words
	reTitleYearAfter = regexp.MustCompile(`^(.{2,40}?)(?:政府信息公开|政务公开|信息公开)[^（(]{0,12}?报告[ ]?[（(][ ]?((?:19|20)\d{2})[ ]?年?度?[ ]?[)）]`)
	// 本报告由红寺堡区人民政府办公室根据…编制; 本年度报告由…编制
	reCompiledBy = regexp.MustCompile(`本(?:年度)?报告(?:是)?由([^，,。;；:：《》“”"]{2,40}?)(?:根据|依据|按照|依照|负责|编制|制作|编写)`)
	// 根据《条例》…要求，红寺堡区人民政府特编制本报告 / 现编制本报告 / 特向社会公布
	reCompiledFor = regexp.MustCompile(`(?:要求|规定)[，,][ ]?(?:现将)?([^，,。;；:：《》“”"]{2,40}?)(?:特|现)?(?:编制|制作|编写|发布|公布)(?:了)?本`)
	// 联系单位：红寺堡区人民政府办公室
	reContactOrgan = regexp.MustCompile(`(?:联系单位|单位名称|发布单位|编制单位|发布机构)[ ]?[:：][ ]?([^，,。;；:：\t 0-9]{2,40})`)
	reDateLine     = regexp.MustCompile(`^(?:19|20)\d{2}[ ]?[年.\-/][ ]?\d{1,2}[ ]?[月.\-/][ ]?\d{1,2}[ ]?日?$`)
)

// noticeWords mark a document about a report rather than the report itself (a notice, its
// reading, a meeting).
var noticeWords = []string{"通知", "的函", "公告", "通报", "关于印发", "关于报送", "关于做好", "关于开展", "解读", "图解", "会议", "培训"}

// sentenceOpeners begin the sentence a title may run into when a conversion lost the
// line break after it.
var sentenceOpeners = []string{"根据", "依据", "按照", "本报告", "本年度报告", "为"}

// reportTitle reads the agency and year from a title naming an annual report (the
// agency may be "" when the title names none: 2024年政府信息公开工作年度报告).
func reportTitle(t string) (string, int, bool) {
	if !strings.Contains(t, "报告") || !strings.Contains(t, "公开") {
		return "", 0, false
	}
	// a PDF's first line may run the title into the opening sentence (…年度报告根据《条例》…)
	t = strings.TrimSpace(strings.TrimPrefix(t, "正文"))
	if i := strings.Index(t, "年度报告"); i > 0 {
		rest := t[i+len("年度报告"):]
		for _, w := range sentenceOpeners {
			if strings.HasPrefix(rest, w) {
				t = t[:i+len("年度报告")]
				break
			}
		}
	}
	// a page title goes on with the site's name and its column (…年度报告_通知公告_某区人民政府)
	head := t
	if i := strings.IndexAny(head, "_|—"); i > 0 {
		head = head[:i]
	}
	if i := strings.Index(head, "报告-"); i > 0 {
		head = head[:i+len("报告")]
	}
	for _, w := range noticeWords {
		if strings.Contains(head, w) {
			return "", 0, false
		}
	}
	// a title ends with the report's name (maybe its year after it); a sentence that
	// merely mentions the report goes on
	end := strings.TrimRight(head, " 》”\".")
	if strings.HasSuffix(end, ")") || strings.HasSuffix(end, "）") { // reTrailingRemark ends so
		end = reTrailingRemark.ReplaceAllString(end, "")
	}
	if !strings.HasSuffix(end, "报告") && !strings.HasSuffix(end, "年报") {
		return "", 0, false
	}
	if !strings.Contains(t, "年度报告") && !strings.Contains(t, "工作报告") && !strings.Contains(t, "年报") {
		return "", 0, false
	}
	t = strings.TrimLeft(t, "《“\" ")
	if agency, year, ok := titleAgencyFirst(t); ok {
		y, _ := strconv.Atoi(year)
		return cleanAgency(agency), y, true
	}
	if m := reTitleYearOnly.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[1])
		return "", y, true
	}
	if m := reTitleYearFirst.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[1])
		return cleanAgency(m[2]), y, true
	}
	if m := reTitleYearAfter.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[2])
		return cleanAgency(m[1]), y, true
	}
	return "", 0, false
}

var (
	// reTitleYearOnly: 2024年政府信息公开工作年度报告, a title that names no organ.
	reTitleYearOnly = regexp.MustCompile(`^((?:19|20)\d{2})[ ]?年度?[ ]?(?:政府信息公开|政务公开|信息公开)`)
	// reTrailingRemark: what a title may end on after the report's name: its year
	// （2024年度）, or a remark （汇总）（全区汇总）（修订版）.
	reTrailingRemark = regexp.MustCompile(`[ ]?[（(][^（()）]{1,12}[)）]$`)
)

// titleAgencyFirst is reTitleAgencyFirst.FindStringSubmatch(t) without the regular
// expression's backtracking over Han text: the shortest head of 2 to 40 characters (no line
// break) followed by [关于][ ]year[ ]年[度][ ] and 政府信息公开, 政务公开 or 信息公开. After a
// given head only one way can match (关于, a space and a digit exclude each other), so the
// heads are tried in turn from the shortest.
func titleAgencyFirst(t string) (agency, year string, ok bool) {
	p := 0
	for n := 1; n <= 40; n++ {
		if p >= len(t) {
			return "", "", false
		}
		r, size := utf8.DecodeRuneInString(t[p:])
		if r == '\n' {
			return "", "", false
		}
		p += size
		if n < 2 {
			continue
		}
		if y, ok := titleYearAt(t, p); ok {
			return t[:p], y, true
		}
	}
	return "", "", false
}

// titleYearAt matches (?:关于)?[ ]?((?:19|20)\d{2})[ ]?年度?[ ]?(?:政府信息公开|政务公开|信息公开)
// at t[q:], and returns the year.
func titleYearAt(t string, q int) (string, bool) {
	if strings.HasPrefix(t[q:], "关于") {
		q += len("关于")
	}
	if q < len(t) && t[q] == ' ' {
		q++
	}
	if q+4 > len(t) || !(t[q] == '1' && t[q+1] == '9' || t[q] == '2' && t[q+1] == '0') || !isDigit(t[q+2]) || !isDigit(t[q+3]) {
		return "", false
	}
	y := t[q : q+4]
	q += 4
	if q < len(t) && t[q] == ' ' {
		q++
	}
	if !strings.HasPrefix(t[q:], "年") {
		return "", false
	}
	q += len("年")
	if strings.HasPrefix(t[q:], "度") {
		q += len("度")
	}
	if q < len(t) && t[q] == ' ' {
		q++
	}
	rest := t[q:]
	if strings.HasPrefix(rest, "政府信息公开") || strings.HasPrefix(rest, "政务公开") || strings.HasPrefix(rest, "信息公开") {
		return y, true
	}
	return "", false
}

// compiledBy finds the organ a sentence says compiled the report (本报告由…编制; 根据…要求，
// XX特编制本报告), in the first lines of the text.
func compiledBy(lines []string) string {
	for i, l := range lines {
		if i > 40 {
			break
		}
		if !strings.Contains(l, "编制") && !strings.Contains(l, "编写") && !strings.Contains(l, "制作") && !strings.Contains(l, "公布") && !strings.Contains(l, "发布") {
			continue
		}
		for _, re := range []*regexp.Regexp{reCompiledBy, reCompiledFor} {
			if m := re.FindStringSubmatch(l); m != nil {
				if a := cleanAgency(m[1]); isOrganName(a) {
					return a
				}
			}
		}
	}
	return ""
}

// signature finds the organ named at the end of the report: a line holding only an organ's
// name, above the date that closes the report, or a 联系单位 of the contact block.
func signature(lines []string) string {
	n := 0
	for i := len(lines) - 1; i >= 0 && n < 15; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		n++
		if m := reContactOrgan.FindStringSubmatch(l); m != nil {
			if a := cleanAgency(m[1]); isOrganName(a) {
				return a
			}
		}
		if !reDateLine.MatchString(l) {
			continue
		}
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			p := strings.TrimSpace(lines[j])
			if p == "" {
				continue
			}
			if a := cleanAgency(p); isOrganName(a) {
				return a
			}
			break
		}
	}
	return ""
}

// isOrganName tells whether s reads as an organ's name: a few Han characters ending the way
// organs' names end, with no sentence punctuation.
func isOrganName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 3 || n > 40 || strings.ContainsAny(s, "，,。;；:：！!？?、 \t") {
		return false
	}
	for _, r := range s {
		if !isHan(r) && !strings.ContainsRune("（）()", r) {
			return false
		}
	}
	return levelOf(s) != ingest.LevelUnknown
}

// reportWords are dropped from a file name to leave the organ's name.
var reportWords = []string{"政府信息公开工作年度报告", "政府信息公开年度报告", "政务公开工作年度报告", "信息公开工作年度报告", "信息公开年度报告", "年度报告", "工作报告", "年报", "年度", "年"}

// nameFromFile reads an organ's name from a file (or URL) name, the last resort when the
// text names none: a title-shaped name (红寺堡镇2024年政府信息公开工作年度报告.pdf), or the
// Han characters left when the year and the report's words are dropped. The store accepts
// it only when the registry knows the name.
func nameFromFile(base string) string {
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if a, _, ok := reportTitle(base); ok && a != "" {
		return a
	}
	s := reYearInName.ReplaceAllString(base, "")
	for _, w := range reportWords {
		s = strings.ReplaceAll(s, w, "")
	}
	var b strings.Builder
	for _, r := range s {
		if isHan(r) || r == '（' || r == '）' {
			b.WriteRune(r)
		} else if b.Len() > 0 {
			break // the first run of Han characters
		}
	}
	a := cleanAgency(b.String())
	if utf8.RuneCountInString(a) < 2 {
		return ""
	}
	return a
}

// cleanAgency trims what titles put around an organ's name and expands known abbreviations.
func cleanAgency(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "标题:")
	s = strings.Trim(s, " 《》\"“”:")
	s = strings.TrimSuffix(s, "关于")
	s = strings.TrimSpace(s)
	for _, a := range abbreviations {
		if strings.HasSuffix(s, a.short) && !strings.HasSuffix(s, a.full) {
			s = strings.TrimSuffix(s, a.short) + a.full
			break
		}
	}
	return s
}

// levelOf tells the level of an organ from its name.
func levelOf(agency string) string {
	a := strings.TrimSuffix(strings.TrimSuffix(agency, "人民政府"), "办事处")
	switch {
	case agency == "":
		return ingest.LevelUnknown
	case strings.HasSuffix(a, "镇") || strings.HasSuffix(a, "乡") || strings.HasSuffix(a, "街道"):
		return ingest.LevelTownship
	case strings.HasSuffix(agency, "人民政府") && (strings.HasSuffix(a, "省") || strings.HasSuffix(a, "自治区") || strings.HasSuffix(a, "市") || strings.HasSuffix(a, "州") || strings.HasSuffix(a, "盟")):
		return ingest.LevelCity
	case strings.HasSuffix(agency, "人民政府") && (strings.HasSuffix(a, "区") || strings.HasSuffix(a, "县") || strings.HasSuffix(a, "旗")):
		return ingest.LevelCounty
	case strings.HasSuffix(a, "实验区") || strings.HasSuffix(a, "新区") || strings.HasSuffix(a, "开发区") || strings.HasSuffix(a, "县") || (strings.HasSuffix(a, "区") && !strings.ContainsAny(a, "局委办")):
		return ingest.LevelCounty
	}
	for _, s := range []string{"局", "委员会", "委", "办公室", "办", "厅", "中心", "院", "署", "处", "队", "站", "所", "管委会", "部"} {
		if strings.HasSuffix(agency, s) {
			return ingest.LevelDepartment
		}
	}
	return ingest.LevelUnknown
}

// published finds the publication date the page states (发布时间/发布日期), as YYYY-MM-DD.
func published(lines []string, meta map[string]string) string {
	for _, k := range []string{"发布时间", "发布日期", "PubDate", "pubdate", "publishdate", "firstpublishedtime", "公开日期"} {
		if v := meta[k]; v != "" {
			if d := isoDate(v); d != "" {
				return d
			}
		}
	}
	for i, l := range lines {
		if i > 60 {
			break
		}
		if !strings.Contains(l, "日期") && !strings.Contains(l, "时间") {
			continue
		}
		if m := rePublished.FindStringSubmatch(l); m != nil {
			if d := isoDate(m[1]); d != "" {
				return d
			}
		}
	}
	return ""
}

func isoDate(s string) string {
	m := reDate.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return ""
	}
	return m[1] + "-" + pad2(mo) + "-" + pad2(d)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
