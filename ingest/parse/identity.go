package parse

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

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

// identify sets the agency, year, level and publication date.
func identify(r *ingest.Report, name string, lines []string, title string, meta map[string]string) {
	cands := []string{meta["标题"], title}
	// the first lines of the text, also joined (titles wrap: "2024 年上海市科委政府信息公开工作\n年度报告")
	var head []string
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
		joined := head[i]
		if i+1 < len(head) {
			joined += head[i+1]
		}
		cands = append(cands, head[i], joined)
	}
	for _, c := range cands {
		c = strings.TrimSpace(strings.TrimPrefix(strings.Trim(c, "#* "), "标题:"))
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if m := reTitleAgencyFirst.FindStringSubmatch(c); m != nil {
			r.Agency = cleanAgency(m[1])
			r.Year, _ = strconv.Atoi(m[2])
			break
		}
		if m := reTitleYearFirst.FindStringSubmatch(c); m != nil {
			r.Year, _ = strconv.Atoi(m[1])
			r.Agency = cleanAgency(m[2])
			break
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
	if r.Year == 0 {
		if m := reYearInName.FindString(base); m != "" {
			r.Year, _ = strconv.Atoi(m)
		}
	}
	if r.Agency == "" {
		if a := meta["发布机构"]; a != "" {
			r.Agency = cleanAgency(a)
		}
	}
	r.Level = levelOf(r.Agency)
	r.Published = published(lines, meta)
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
