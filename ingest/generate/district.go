// Package generate makes synthetic 政府信息公开工作年度报告 with known truth: a district of
// organs (townships, departments, the district government), a consistent report for each organ
// and year (every 勾稽 rule of the spec holds, cross-year carry-over included), the spec's rule
// errors injected on purpose, and the report rendered in the shapes real reports arrive in (tab
// text with shifted merged cells, markdown pipes, one cell per line, archiver digit runs, Word
// HTML with rowspans, GBK pages). It is the project's own fixture source, the demo district and
// the benchmark corpus. Everything is deterministic for a seed.
package generate

import (
	"math/rand"
	"strings"
	"unicode/utf8"

	"gongkai/ingest"
)

// DefaultDistrict is the district generated when none is named.
const DefaultDistrict = "红寺堡区"

// Agency is one administrative organ that publishes a report.
type Agency struct {
	Name     string // full name as the report title gives it, e.g. 红寺堡区红寺堡镇人民政府
	Short    string // short name used in prose and file names, e.g. 红寺堡镇, 区教育局
	Level    string // ingest.LevelTownship, LevelDepartment or LevelCounty
	District string // the district it belongs to, e.g. 红寺堡区
}

// department is a working department of a district government: its name without the district
// prefix, the matters its prose talks about, and how many applications it draws compared with
// an average department.
type department struct {
	name  string
	focus string
	scale float64
}

var departments = []department{
	{"发展和改革局", "项目审批、价格管理和重大项目建设", 1.0},
	{"教育局", "招生入学、教育收费和学校安全", 1.2},
	{"公安分局", "户籍办理、交通管理和治安防控", 1.1},
	{"民政局", "社会救助、养老服务和婚姻登记", 0.9},
	{"司法局", "法律援助、人民调解和普法宣传", 0.5},
	{"财政局", "预算决算、政府采购和惠农补贴", 1.0},
	{"人力资源和社会保障局", "就业创业、社会保险和工资支付", 1.3},
	{"自然资源局", "土地征收、不动产登记和国土空间规划", 3.0},
	{"生态环境分局", "环境影响评价、污染防治和环境执法", 1.4},
	{"住房和城乡建设局", "房屋征收、保障性住房和建筑市场监管", 2.5},
	{"交通运输局", "道路建设、客运管理和农村公路养护", 0.9},
	{"水务局", "水利工程、取水许可和防汛抗旱", 0.8},
	{"农业农村局", "高标准农田、农村宅基地和惠农政策", 1.2},
	{"商务和经济发展局", "招商引资、市场流通和外贸服务", 0.6},
	{"文化旅游体育局", "文化市场、旅游服务和全民健身", 0.5},
	{"卫生健康局", "医疗服务、疾病防控和计划生育奖励扶助", 1.0},
	{"退役军人事务局", "优抚安置、褒扬纪念和退役军人服务", 0.4},
	{"应急管理局", "安全生产、防灾减灾和应急救援", 0.7},
	{"审计局", "审计监督和审计整改", 0.3},
	{"市场监督管理局", "市场主体登记、食品安全和质量监管", 1.5},
	{"统计局", "统计调查和统计数据发布", 0.3},
	{"医疗保障局", "医保待遇、医保基金监管和药品集中采购", 0.8},
	{"林业和草原局", "林草资源保护、林木采伐和防火", 0.6},
	{"乡村振兴局", "衔接资金、产业帮扶和移民搬迁", 0.9},
	{"城市管理局", "市容环境、违法建设查处和市政设施", 1.1},
	{"综合执法局", "综合行政执法和违法行为查处", 0.9},
	{"政务服务管理局", "政务服务事项、一网通办和公共资源交易", 0.8},
	{"科学技术局", "科技项目、科技型企业和科技特派员", 0.4},
	{"工业信息化和商务局", "工业经济、企业服务和信息化建设", 0.6},
	{"信访局", "信访事项办理和矛盾纠纷化解", 0.5},
	{"档案馆", "档案查阅、档案接收和档案利用", 0.4},
	{"粮食和物资储备局", "粮食收储和应急物资储备", 0.3},
	{"人民防空办公室", "人防工程和防空警报设施", 0.3},
	{"国有资产服务中心", "国有资产管理和国有企业监管", 0.3},
	{"投资促进局", "招商项目和营商环境", 0.4},
}

// Stems of township names: a first and a second character, combined.
var (
	stemFirst  = []rune("东西南北新大小高龙凤金银石柳杨李王马白黑红青清长永太平安和兴福宝丰三双沙河泉山川黄")
	stemSecond = []rune("庄集湾沟坪川河泉山岭桥湖口堡营屯店滩寨洼源阳塘坝峪台园林门关城港溪井铺岗坡原")
)

// District returns a realistic district of n organs: the district government itself (level
// county) first, then working departments (区教育局, 区财政局 …) and townships (镇, 乡,
// 街道). The same rng state gives the same district. name defaults to DefaultDistrict.
func District(rng *rand.Rand, name string, n int) []Agency {
	if n <= 0 {
		return nil
	}
	if name == "" {
		name = DefaultDistrict
	}
	unit := districtUnit(name)
	out := []Agency{{Name: name + "人民政府", Short: name, Level: ingest.LevelCounty, District: name}}
	rest := n - 1
	nDept := (rest*55 + 50) / 100
	if nDept > len(departments) {
		nDept = len(departments)
	}
	order := rng.Perm(len(departments))
	for _, i := range order[:nDept] {
		d := departments[i]
		out = append(out, Agency{Name: name + d.name, Short: unit + d.name, Level: ingest.LevelDepartment, District: name})
	}
	used := map[string]bool{}
	for len(out) < n {
		stem := string(stemFirst[rng.Intn(len(stemFirst))]) + string(stemSecond[rng.Intn(len(stemSecond))])
		if len(used) > len(stemFirst)*len(stemSecond)/2 {
			stem += string(stemSecond[rng.Intn(len(stemSecond))])
		}
		if used[stem] || strings.Contains(name, stem) {
			continue
		}
		used[stem] = true
		var a Agency
		switch x := rng.Float64(); {
		case x < 0.5:
			a = Agency{Name: name + stem + "镇人民政府", Short: stem + "镇"}
		case x < 0.8:
			a = Agency{Name: name + stem + "乡人民政府", Short: stem + "乡"}
		default:
			a = Agency{Name: name + stem + "街道办事处", Short: stem + "街道"}
		}
		a.Level, a.District = ingest.LevelTownship, name
		out = append(out, a)
	}
	return out
}

// districtUnit is the last character of a district's name (区, 县, 旗, 市), used to prefix its
// departments (区教育局).
func districtUnit(name string) string {
	r, _ := utf8.DecodeLastRuneInString(name)
	if r == utf8.RuneError {
		return "区"
	}
	return string(r)
}

// deptOf finds the department profile of an agency name, if it is one.
func deptOf(name string) (department, bool) {
	for _, d := range departments {
		if strings.HasSuffix(name, d.name) {
			return d, true
		}
	}
	return department{}, false
}

// shortOf derives an agency's short name from its full name, the way District builds it:
// 红寺堡区红寺堡镇人民政府 → 红寺堡镇, 红寺堡区教育局 → 区教育局, 红寺堡区人民政府 → 红寺堡区.
func shortOf(name string) string {
	base := name
	switch {
	case strings.HasSuffix(base, "街道办事处"):
		base = strings.TrimSuffix(base, "办事处")
	case strings.HasSuffix(base, "人民政府"):
		base = strings.TrimSuffix(base, "人民政府")
	}
	for i, r := range base {
		if r == '区' || r == '县' || r == '旗' {
			rest := base[i+utf8.RuneLen(r):]
			if rest == "" {
				return base
			}
			if _, ok := deptOf(name); ok {
				return string(r) + rest
			}
			return rest
		}
	}
	return base
}

// selfRef is how an organ refers to itself in its prose: 我镇, 我局, 区政府.
func selfRef(a Agency) string {
	switch a.Level {
	case ingest.LevelTownship:
		switch {
		case strings.HasSuffix(a.Short, "街道"):
			return "我街道"
		case strings.HasSuffix(a.Short, "乡"):
			return "我乡"
		}
		return "我镇"
	case ingest.LevelDepartment:
		r, _ := utf8.DecodeLastRuneInString(a.Short)
		switch r {
		case '局', '委', '馆', '办':
			return "我" + string(r)
		}
		return "本单位"
	}
	return districtUnit(a.District) + "政府"
}

// districtOf returns the district part of an agency's full name (红寺堡区红寺堡镇人民政府 →
// 红寺堡区), or DefaultDistrict when the name has none.
func districtOf(name string) string {
	for i, r := range name {
		if r == '区' || r == '县' || r == '旗' {
			return name[:i+utf8.RuneLen(r)]
		}
	}
	return DefaultDistrict
}
