package generate

import (
	"fmt"
	"math/rand"
	"strings"

	"gongkai/ingest"
)

// The prose is composed from pools of sentences so that two organs' reports share boilerplate
// the way real ones do, but are not copies of each other. Every number stated in the prose is
// recorded in the report (Publications, ApplicationsStated) with the exact clause it is in.

// Paragraph indexes of Prose[1] (一、总体情况).
const (
	paraOpening = iota
	paraActive
	paraApplications
	paraManagement
	paraPlatform
	paraSupervision
)

var subheads = [][]string{
	nil,
	{"（一）主动公开政府信息情况。", "（一）主动公开情况。", "（一）主动公开方面。"},
	{"（二）依申请公开情况。", "（二）依申请公开政府信息情况。", "（二）依申请公开方面。"},
	{"（三）政府信息管理情况。", "（三）政府信息管理方面。", "（三）加强政府信息管理。"},
	{"（四）政府信息公开平台建设情况。", "（四）平台建设情况。", "（四）信息公开平台建设方面。"},
	{"（五）监督保障情况。", "（五）监督保障方面。", "（五）强化监督保障。"},
}

var openings = []string{
	"%[1]d年，%[2]s以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，围绕中心工作持续深化政务公开，切实保障人民群众的知情权、参与权、表达权和监督权。",
	"%[1]d年，%[2]s按照%[3]s关于政务公开工作的部署要求，坚持以公开为常态、不公开为例外，不断提升政府信息公开的质量和实效。",
	"%[1]d年，%[2]s认真落实上级政务公开工作要点，把政务公开同%[4]s等重点工作结合起来，推进决策、执行、管理、服务、结果公开。",
	"%[1]d年，在%[3]s的正确领导下，%[2]s紧扣群众关切，聚焦%[4]s等重点领域，扎实推进政府信息公开各项工作。",
	"%[1]d年，%[2]s把政务公开作为转变作风、服务群众的重要抓手，健全工作机制，规范公开流程，政府信息公开工作取得新进展。",
	"%[1]d年，%[2]s坚持问题导向和需求导向，持续加大%[4]s等信息的公开力度，以公开促落实、以公开促规范、以公开促服务。",
}

var activeLeads = []string{
	"%[1]d年，%[2]s坚持“以公开为常态、不公开为例外”原则，",
	"全年，%[2]s围绕%[4]s等群众关注事项，",
	"%[2]s严格落实主动公开基本目录，",
	"%[1]d年，%[2]s聚焦重点领域信息公开，",
}

var activeTails = []string{
	"重点领域信息公开做到应公开尽公开。",
	"及时发布政策文件、工作动态和公示公告。",
	"做到信息发布及时、内容准确、渠道畅通。",
	"财政预决算、重大项目等信息均按要求公开。",
	"主动公开内容覆盖机构职能、政策文件和办事服务等栏目。",
}

var managementPool = []string{
	"严格落实政府信息公开属性源头认定制度，公文在拟制时同步明确公开属性。",
	"坚持“先审查、后公开”和“谁公开、谁审查、谁负责”原则，严格执行“三审三校”制度。",
	"对已公开的政策文件开展清理，及时标注失效、废止信息。",
	"动态调整主动公开基本目录，做到目录与栏目一一对应。",
	"建立信息发布台账，对发布内容逐条登记、定期核查。",
	"加强保密审查，做到“涉密不上网、上网不涉密”。",
	"规范政策解读工作，做到政策文件与解读材料同步组织、同步审签、同步发布。",
	"认真做好行政规范性文件的合法性审核和备案工作。",
	"定期开展错敏信息排查，发现问题及时整改。",
	"将政府信息公开工作纳入日常管理，明确专人负责信息的收集、审核和发布。",
}

var platformPool = []string{
	"充分发挥政府网站第一平台作用，及时更新信息公开专栏内容。",
	"用好微信公众号等政务新媒体，扩大政策信息的传播面和影响力。",
	"优化信息公开专栏设置，方便群众查找和获取政府信息。",
	"推进政务服务事项网上可办，办事指南同步公开。",
	"规范政务新媒体运维管理，杜绝“僵尸号”“睡眠号”。",
	"利用便民服务大厅、公开栏等线下渠道，方便不便上网的群众获取信息。",
	"加强政府信息公开查阅点建设，提供政策咨询和查阅服务。",
	"完善网站智能搜索功能，提升信息检索的便捷性。",
}

var supervisionPool = []string{
	"成立政务公开工作领导小组，主要负责同志亲自抓，分管负责同志具体抓。",
	"将政务公开工作纳入年度目标考核，压实工作责任。",
	"主动接受社会监督，认真对待群众对信息公开工作的意见建议。",
	"对照上级年度考核指标，逐项自查整改。",
	"及时整改上级通报的网站监测问题，做到立行立改。",
	"健全政务公开工作机制，确保各项工作有序推进。",
	"定期通报政务公开工作情况，对工作滞后的及时督促提醒。",
}

var problemsPool = []string{
	"信息公开的及时性有待加强，个别信息发布滞后。",
	"政策解读形式较为单一，图解、视频等形式运用不多。",
	"工作人员业务能力有待提升，对《条例》的理解还不够深入。",
	"部分栏目信息更新不及时，内容不够丰富。",
	"主动公开的深度和广度还需进一步拓展。",
	"政务新媒体互动回应不够及时。",
	"依申请公开答复的规范性还需进一步提高。",
	"基层政务公开标准化规范化建设仍有差距。",
}

var improvementsPool = []string{
	"加强业务培训，提升工作人员的政策水平和业务能力。",
	"严格落实信息发布审核制度，确保信息公开及时准确。",
	"丰富政策解读形式，提高解读质量和传播效果。",
	"加强栏目日常维护，做到常态化更新。",
	"规范依申请公开办理流程，提高答复质量。",
	"围绕群众关切加大重点领域信息公开力度。",
	"加强政务新媒体管理，及时回应社会关切。",
	"持续推进基层政务公开标准化规范化建设。",
}

var otherPool = []string{
	"%[2]s认真落实人大代表建议和政协委员提案办理结果公开工作。",
	"%[2]s按照要求完成了年度政务公开工作要点确定的各项任务。",
	"%[2]s及时公开政府信息公开工作年度报告，接受社会监督。",
	"%[2]s严格落实政务公开工作要点，对照任务清单逐项推进。",
	"%[2]s无其他需要报告的事项。",
}

var feeStatements = []string{
	"%[1]d年，%[2]s未收取信息处理费。",
	"%[1]d年，%[2]s依据《政府信息公开信息处理费管理办法》，未收取任何信息处理费。",
	"本年度%[2]s未发生收取信息处理费的情况。",
	"%[2]s本年度未收取政府信息公开信息处理费。",
}

// Publication clause templates: %[1]s the number (with its spacing), %[2]s the district,
// %[3]s the short name.
var pubTemplates = map[string][]string{
	"portal": {
		"在%[2]s人民政府门户网站发布信息共%[1]s条",
		"通过政府门户网站主动公开政府信息%[1]s条",
		"依托%[2]s政府网站公开各类信息%[1]s条",
		"在政务公开平台发布信息%[1]s条",
	},
	"wechat": {
		"通过“%[3]s发布”微信公众号推送信息%[1]s条",
		"微信公众号发布各类信息%[1]s条",
		"利用微信公众号发布政策宣传和工作动态%[1]s条",
	},
	"weibo": {
		"政务微博发布信息%[1]s条",
		"通过官方微博发布信息%[1]s条",
	},
	"short_video": {
		"抖音政务号发布短视频%[1]s条",
		"通过视频号发布短视频%[1]s条",
	},
	"notice_board": {
		"通过公示栏张贴公开信息%[1]s条",
		"利用电子屏滚动播放政策信息%[1]s条",
		"在政务公开栏公开信息%[1]s条",
	},
	"total": {
		"全年共主动公开政府信息%[1]s条",
		"累计主动公开各类政府信息%[1]s条",
	},
}

// Application sentences: %[1]s the number with its spacing.
var (
	appsSome = []string{
		"全年共收到政府信息公开申请%[1]s件",
		"本年度共受理政府信息公开申请%[1]s件",
		"共收到依申请公开政府信息申请%[1]s件",
		"共接收依申请公开%[1]s件",
	}
	appsNone = []string{
		"全年未收到政府信息公开申请",
		"本年度未收到群众依申请公开政府信息的申请",
		"全年共收到政府信息公开申请0件",
	}
	appsUnstated = []string{
		"%[2]s严格按照《条例》规定的程序和时限办理依申请公开事项，做到依法依规、规范答复。",
		"%[2]s进一步规范依申请公开的受理、审查、答复等环节，确保答复内容准确、程序合法。",
		"%[2]s畅通依申请公开渠道，在法定期限内答复申请人。",
	}
	// noReviewStatements say there was no 行政复议 or 行政诉讼 (N-review-litigation reads them).
	noReviewStatements = []string{
		"无因政府信息公开申请引起的行政复议、行政诉讼案件。",
		"未发生因政府信息公开引起的行政复议、行政诉讼。",
		"全年无政府信息公开行政复议、行政诉讼案件。",
	}
)

// pick returns one element of a pool.
func pick(rng *rand.Rand, pool []string) string { return pool[rng.Intn(len(pool))] }

// picks returns k distinct elements of a pool in random order.
func picks(rng *rand.Rand, pool []string, k int) []string {
	if k > len(pool) {
		k = len(pool)
	}
	out := make([]string, 0, k)
	for _, i := range rng.Perm(len(pool))[:k] {
		out = append(out, pool[i])
	}
	return out
}

// focusOf is what an agency's prose talks about.
func focusOf(a Agency) string {
	if d, ok := deptOf(a.Name); ok {
		return d.focus
	}
	if a.Level == ingest.LevelTownship {
		return "惠民补贴、乡村振兴和村务公开"
	}
	return "重大决策、财政预决算和重大建设项目"
}

// superior is who directs an agency's work.
func superior(a Agency) string {
	u := districtUnit(a.District)
	if a.Level == ingest.LevelCounty {
		return "上级党委、政府"
	}
	return u + "委、" + u + "政府"
}

// spaced renders a number in prose, with or without spaces around it.
func spaced(n int64, sp bool) string {
	if sp {
		return fmt.Sprintf(" %d ", n)
	}
	return fmt.Sprint(n)
}

// applicationsQuote returns a clause stating n applications received.
func applicationsQuote(rng *rand.Rand, n int64, sp bool) string {
	if n == 0 {
		return pick(rng, appsNone)
	}
	return fmt.Sprintf(pick(rng, appsSome), spaced(n, sp))
}

func writeProse(rng *rand.Rand, r *ingest.Report, a Agency) {
	sp := rng.Float64() < 0.35
	self := selfRef(a)
	subject := a.Short
	if rng.Float64() < 0.5 {
		subject = self
	}
	args := []any{r.Year, subject, superior(a), focusOf(a)}
	paras := make([]string, 6)
	paras[paraOpening] = fmt.Sprintf(pick(rng, openings), args...)

	// Publications.
	s := scale(a)
	channels := []struct {
		name string
		p    float64
		mean float64
	}{
		{"portal", 0.92, 90 * (s + 0.5)},
		{"wechat", 0.6, 60 * (s + 0.5)},
		{"weibo", 0.15, 30 * (s + 0.5)},
		{"short_video", 0.15, 15 * (s + 0.5)},
		{"notice_board", 0.2, 20},
	}
	if a.Level == ingest.LevelTownship {
		channels[4].p = 0.45
	}
	var clauses []string
	var sum int64
	for _, ch := range channels {
		if rng.Float64() >= ch.p {
			continue
		}
		n := lognormal(rng, ch.mean, 0.6) + 1
		sum += n
		q := fmt.Sprintf(pick(rng, pubTemplates[ch.name]), spaced(n, sp), a.District, a.Short)
		clauses = append(clauses, q)
		r.Publications = append(r.Publications, ingest.Publication{Channel: ch.name, Count: n, Quote: q})
	}
	if len(clauses) > 1 && rng.Float64() < 0.35 {
		n := sum + rng.Int63n(1+sum/5)
		q := fmt.Sprintf(pick(rng, pubTemplates["total"]), spaced(n, sp), a.District, a.Short)
		clauses = append([]string{q}, clauses...)
		r.Publications = append([]ingest.Publication{{Channel: "total", Count: n, Quote: q}}, r.Publications...)
	}
	active := pick(rng, subheads[paraActive]) + fmt.Sprintf(pick(rng, activeLeads), args...)
	if len(clauses) > 0 {
		active += strings.Join(clauses, "，") + "。"
	}
	active += pick(rng, activeTails)
	if rng.Float64() < 0.4 {
		active += fmt.Sprintf("制作政策解读材料%s篇，", spaced(1+rng.Int63n(12), sp)) + "帮助群众准确理解政策。"
	}
	paras[paraActive] = active

	// Applications.
	app := pick(rng, subheads[paraApplications])
	total := getInt(r, ingest.Table3Key("new_received", "total"))
	if rng.Float64() < 0.8 {
		q := applicationsQuote(rng, total, sp)
		r.ApplicationsStated = &total
		r.ApplicationsQuote = q
		app += fmt.Sprintf("%d年，%s", r.Year, subject) + q
		if total > 0 {
			app += "，均已在法定期限内予以答复。"
		} else {
			app += "。"
		}
	} else {
		app += fmt.Sprintf(pick(rng, appsUnstated), args...)
	}
	if table4Zero(r) && rng.Float64() < 0.6 {
		app += pick(rng, noReviewStatements)
	}
	paras[paraApplications] = app

	paras[paraManagement] = pick(rng, subheads[paraManagement]) + strings.Join(picks(rng, managementPool, 2+rng.Intn(3)), "")
	if rng.Float64() < 0.4 {
		paras[paraManagement] += fmt.Sprintf("全年组织开展政务公开业务培训%s次。", spaced(1+rng.Int63n(5), sp))
	}
	paras[paraPlatform] = pick(rng, subheads[paraPlatform]) + strings.Join(picks(rng, platformPool, 2+rng.Intn(2)), "")
	paras[paraSupervision] = pick(rng, subheads[paraSupervision]) + strings.Join(picks(rng, supervisionPool, 2+rng.Intn(2)), "")
	r.Prose[1] = strings.Join(paras, "\n")

	ordinals := []string{"一是", "二是", "三是", "四是"}
	numbered := func(items []string) string {
		var b strings.Builder
		for i, it := range items {
			b.WriteString(ordinals[i] + it)
		}
		return b.String()
	}
	r.Prose[5] = fmt.Sprintf("%d年，%s在政府信息公开工作中取得了一定成效，但仍存在一些不足：", r.Year, subject) +
		numbered(picks(rng, problemsPool, 2+rng.Intn(2))) + "\n" +
		fmt.Sprintf("针对上述问题，%d年%s将重点做好以下工作：", r.Year+1, self) +
		numbered(picks(rng, improvementsPool, 2+rng.Intn(3)))
	r.Prose[6] = fmt.Sprintf(pick(rng, otherPool), r.Year, subject) + "\n" + fmt.Sprintf(pick(rng, feeStatements), r.Year, subject)
}

// proseParas splits Prose[1] into its paragraphs.
func proseParas(r *ingest.Report) []string { return strings.Split(r.Prose[1], "\n") }

// setStated makes the prose state n applications received: it replaces the clause already
// stating a count, or adds one to the applications paragraph.
func setStated(rng *rand.Rand, r *ingest.Report, n int64) {
	sp := strings.Contains(r.ApplicationsQuote, " ")
	q := applicationsQuote(rng, n, sp)
	paras := proseParas(r)
	if r.ApplicationsQuote != "" && strings.Contains(r.Prose[1], r.ApplicationsQuote) {
		r.Prose[1] = strings.Replace(r.Prose[1], r.ApplicationsQuote, q, 1)
	} else if len(paras) > paraApplications {
		paras[paraApplications] += fmt.Sprintf("%d年", r.Year) + q + "。"
		r.Prose[1] = strings.Join(paras, "\n")
	} else {
		r.Prose[1] += "\n" + q + "。"
	}
	r.ApplicationsStated = &n
	r.ApplicationsQuote = q
}

// statesNoReview tells whether the prose says there was no 行政复议 or 行政诉讼.
func statesNoReview(r *ingest.Report) bool {
	for _, s := range noReviewStatements {
		if strings.Contains(r.Prose[1], s) {
			return true
		}
	}
	return false
}

// dropNoReview removes any statement that there was no 行政复议 or 行政诉讼.
func dropNoReview(r *ingest.Report) {
	for _, s := range noReviewStatements {
		r.Prose[1] = strings.ReplaceAll(r.Prose[1], s, "")
	}
}
