package check

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// Realistic prose (the seed's 一、总体情况, a different township's, a district's 五).
const seedOverview = `2024 年，红寺堡镇人民政府按照《中华人民共和国政府信息公开条例》规定，认真贯彻落实区委、区政府关于政务公开工作的各项部署，不断提升政府信息公开质量，切实加大政府信息公开工作力度，积极回应社会关切和公众期盼，有效保障了人民群众的知情权、参与权和监督权。
（一）主动公开政府信息情况。2024 年，红寺堡镇坚持“以公开为常态，不公开为例外”原则，在红寺堡区政府门户网站发布信息共 52 条，其中乡镇文件栏目发布 1 条，乡镇动态栏目发布 38 条，公示公告栏目发布 8 条，预决算公开栏目发布 3 条，法治政府建设栏目发布 1 条，重大项目栏目发布 1 条；微信公众号发布信息共 346 条，做到了“应公开，尽公开”，自觉接受公众监督。
（二）依申请公开情况。2024年我镇未收到群众主动要求公开政府信息的申请，无因政府信息公开申请引起的行政复议、行政诉讼案件。
（三）政府信息管理情况。一是强化政务信息日常管理。严格依照政府信息公开有关制度，及时调整政务公开领导小组，明确责任领导和业务负责人，针对发布要求和群众需求，不断优化信息发布质量。二是提升信息公开精准度。在信息发布过程中，根据《全区政府网站和政务新媒体政务信息发布规程》，严格落实“三审三校”制度，确保政府信息公开的准确性，提高发布质量。`

// the seed's paragraph as another township would copy it: its own names, other numbers.
var copiedOverview = strings.NewReplacer(
	"红寺堡镇", "大河乡", "我镇", "我乡", "乡镇文件", "乡镇文件", "52", "61", "38", "45", "346", "289", "2024", "2024",
	"8 条", "11 条",
).Replace(seedOverview)

const otherTownship = `2024年，太阳山镇在区委、区政府的坚强领导下，以习近平新时代中国特色社会主义思想为指导，围绕乡村振兴、移民致富提升等中心工作，扎实做好政务公开各项工作。一是健全工作机制，成立由镇党委副书记任组长的政务公开工作领导小组，配备专职信息员2名，将政务公开纳入年度目标责任考核。二是拓宽公开渠道，依托政府门户网站、“太阳山发布”微信公众号和各村便民服务站公示栏，及时公开惠民惠农补贴发放、低保五保评定、项目建设进展等群众关心的信息，全年通过网站发布信息73条，微信公众号推送信息215条，村务公开栏更新公开内容96期。三是规范依申请公开办理流程，本年度共受理政府信息公开申请3件，均在法定期限内答复完毕。四是加强政策解读，围绕移民后续扶持、耕地保护等政策，采取图文解读、入户宣讲等方式开展解读12次，群众对政策的知晓率明显提升。`

const pingtanProblems = `2024年，实验区政府信息公开工作取得了新进展新成果，但在工作中仍在不足，如新时代政府信息公开工作机制有待进一步调整和完善；政策解读形式仍需创新；智能化、数字化手段运用还不够充分等。2025年，将重点从以下方面做好改进：一是优化主动公开目录，开展主动公开事项目录编制，进一步明确政府信息公开的范围和内容，整合政府信息资源，提升政务公开工作规范化水平。二是增强政策解读效果，进一步丰富政策解读形式，开展通俗化、多方位解读工作，不断扩大政策知晓度，确保群众“看得懂、用得上”。三是加快数字化转型，强化数字化信息技术在政务公开领域的创新运用，推动政务公开智能化、数字化转型，提升政务公开的效率和质量。`

const townshipProblems = `（一）存在的主要问题：一是政务公开工作人员多为兼职，业务能力有待提高；二是信息发布及时性不够，部分惠民政策公开内容不够全面；三是政策解读形式较为单一。（二）改进措施：一是加强业务培训，定期组织信息员参加区级培训，提升业务水平；二是严格落实信息发布审核制度，确保信息及时准确发布；三是创新政策解读方式，多采用图解、短视频等群众喜闻乐见的形式，提高政策知晓率。`

func proseReport(agency string, year int, p1, p5 string) *ingest.Report {
	return &ingest.Report{Agency: agency, Year: year, Source: fmt.Sprintf("%s_%d.txt", agency, year),
		Prose: map[int]string{1: p1, 5: p5}}
}

func TestCopied(t *testing.T) {
	seed := proseReport("红寺堡区红寺堡镇人民政府", 2024, seedOverview, townshipProblems)
	tests := []struct {
		name  string
		other *ingest.Report
		cells []string // sections that must fire
	}{
		{"section 一 copied with names and numbers changed", proseReport("红寺堡区大河乡人民政府", 2024, copiedOverview, otherTownship), []string{"prose.1"}},
		{"both sections copied", proseReport("红寺堡区大河乡人民政府", 2024, copiedOverview, townshipProblems), []string{"prose.1", "prose.5"}},
		{"different realistic paragraphs", proseReport("红寺堡区太阳山镇人民政府", 2024, otherTownship, pingtanProblems), nil},
		{"same organ and year (another file of it) is skipped", proseReport("红寺堡区红寺堡镇人民政府", 2024, seedOverview, townshipProblems), nil},
		{"short boilerplate is never compared", proseReport("红寺堡区大河乡人民政府", 2024, "本年度未收取信息处理费。", "无。"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Copied(seed, []*ingest.Report{tt.other, seed}, 0)
			var cells []string
			for _, f := range fs {
				cells = append(cells, f.Cell)
				if f.Rule != ingest.RuleCopiedProse || f.Severity != W || f.Related != tt.other.Source || f.Actual == nil || *f.Actual < DefaultSimilarity {
					t.Errorf("bad finding %+v", f)
				}
				if !strings.Contains(f.Message, tt.other.Agency) || !strings.Contains(f.Message, "%") {
					t.Errorf("message lacks the other report or the similarity: %s", f.Message)
				}
			}
			if strings.Join(cells, ",") != strings.Join(tt.cells, ",") {
				t.Fatalf("got %v, want %v:%s", cells, tt.cells, describe(fs))
			}
		})
	}
	// the similarity values themselves, for the record
	a := proseShingles(seed)[0]
	b := proseShingles(proseReport("红寺堡区大河乡人民政府", 2024, copiedOverview, ""))[0]
	c := proseShingles(proseReport("红寺堡区太阳山镇人民政府", 2024, otherTownship, ""))[0]
	t.Logf("copied %.3f, different %.3f", jaccard(a, b), jaccard(a, c))
	if jaccard(a, c) > 0.3 {
		t.Errorf("two different township overviews are %.3f alike", jaccard(a, c))
	}
}

// corpus builds n reports with distinct prose (random sentences from a pool) and cells.
func benchCorpus(n int) []*ingest.Report {
	rng := rand.New(rand.NewSource(1))
	pool := strings.FieldsFunc(seedOverview+otherTownship+pingtanProblems+townshipProblems, func(r rune) bool { return r == '。' || r == '；' })
	var out []*ingest.Report
	for i := 0; i < n; i++ {
		r := build(rng, fmt.Sprintf("红寺堡区第%d镇人民政府", i), ingest.LevelTownship, 2024, ingest.Format2021, i%2 == 0)
		var p1, p5 strings.Builder
		for j := 0; j < 12; j++ {
			p1.WriteString(pool[rng.Intn(len(pool))] + "。")
		}
		for j := 0; j < 6; j++ {
			p5.WriteString(pool[rng.Intn(len(pool))] + "。")
		}
		r.Prose[1], r.Prose[5] = p1.String(), p5.String()
		out = append(out, r)
	}
	return out
}

func BenchmarkReport(b *testing.B) {
	reports := benchCorpus(100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reports[i%len(reports)]
		r.Findings = nil
		Report(r)
	}
}

// BenchmarkCopied100x100 compares each of 100 reports with the 100 of its year.
func BenchmarkCopied100x100(b *testing.B) {
	reports := benchCorpus(100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range reports {
			Copied(r, reports, DefaultSimilarity)
		}
	}
}

// YearsSketchedAt gives what YearsAt gives on generated organs, clean and with last year's
// prose copied or a carry-over broken, whether the sketches are made beforehand, missing, or
// made with another name than the report's (then computed again).
func TestYearsSketchedEqualsYears(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	agencies := generate.District(rng, "", 30)
	for _, sim := range []float64{0, 0.5, DefaultSimilarity} {
		years, sketched := YearsAt(sim), YearsSketchedAt(sim)
		copied := 0
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			for i, a := range agencies {
				prev := generate.Truth(rng, a, 2023, format, nil)
				cur := generate.Truth(rng, a, 2024, format, prev)
				switch i % 3 {
				case 1:
					generate.InjectCopiedProse(cur, prev)
				case 2:
					if err := generate.Inject(cur, ingest.RuleCarryOver, rng); err != nil && !errors.Is(err, generate.ErrNotApplicable) {
						t.Fatal(err)
					}
				}
				want := years(prev, cur)
				for _, f := range want {
					if f.Rule == ingest.RuleCopiedProse {
						copied++
					}
				}
				for name, sk := range map[string][2]*Sketch{
					"sketched":   {SketchOf(prev.Agency, prev), SketchOf(cur.Agency, cur)},
					"none":       {nil, nil},
					"other name": {SketchOf("某县人民政府", prev), SketchOf("某县人民政府", cur)},
				} {
					if got := sketched(prev, cur, sk[0], sk[1]); !reflect.DeepEqual(got, want) {
						t.Errorf("%s %s similarity %v, %s: got%s\nwant%s", format, a.Name, sim, name, describe(got), describe(want))
					}
				}
			}
		}
		if copied == 0 {
			t.Errorf("similarity %v: no S-copied-prose among the cases: the test compares nothing of it", sim)
		}
	}
}

// runeClass (normalise's fast path) agrees with package unicode on every character.
func TestRuneClass(t *testing.T) {
	for c := rune(-1); c <= unicode.MaxRune+1; c++ {
		if runeClass(c) != classOf(c) {
			t.Fatalf("U+%04X: runeClass %d, classOf %d", c, runeClass(c), classOf(c))
		}
	}
}

// normalise keeps letters, makes a run of digits (spaces inside it too) one '#', and drops
// the rest and the organ's names.
func TestNormalise(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"红寺堡镇发布信息 1 234 条，其中12条；ok", "发布信息#条其中#条ok"},
		{"共 ５２ 件。第3、4项", "共#件第##项"},
		{"Ⅱ类2021年", "类#年"}, // Ⅱ is a number, not a letter nor a digit
	} {
		if got := string(normalise(tt.in, []string{"红寺堡镇"})); got != tt.want {
			t.Errorf("normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// normalise and shingles are computeShingles' two steps written out: the organ's names
// removed, every run of digits one '#', only letters and those marks kept; then the sorted,
// distinct hashes of every shingleSize-character window.
func normalise(text string, names []string) []rune {
	for _, n := range names {
		text = strings.ReplaceAll(text, n, "")
	}
	out := make([]rune, 0, utf8.RuneCountInString(text))
	digit := false
	for _, c := range text {
		switch classOf(c) {
		case runeDigit:
			if !digit {
				out = append(out, '#')
			}
			digit = true
		case runeLetter:
			out = append(out, c)
			digit = false
		case runeOther:
			digit = false
		}
	}
	return out
}

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

// computeShingles (one pass) gives what normalise and shingles give, on the prose of
// generated organs (every layout's wording, names in and around the text), on the prose above,
// and on random mixes of Han, digits, spaces, Latin, marks and the organ's names.
func TestComputeShingles(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	type tc struct{ agency, text string }
	var cases []tc
	for _, a := range generate.District(rng, "", 40) {
		for _, format := range []string{ingest.Format2021, ingest.Format2019} {
			r := generate.Truth(rng, a, 2024, format, nil)
			for _, p := range r.Prose {
				cases = append(cases, tc{r.Agency, p}, tc{"某县人民政府", p}, tc{r.Agency, r.Agency + p + r.Agency})
			}
		}
	}
	for _, p := range []string{seedOverview, copiedOverview, otherTownship, pingtanProblems, townshipProblems} {
		cases = append(cases, tc{"红寺堡区红寺堡镇人民政府", p}, tc{"", p})
	}
	parts := []string{"红", "寺", "堡", "镇", "红寺堡镇", "我镇", "1", "23", " ", "　", "，", "。", "a", "Z", "５", "Ⅱ", "\t", "\n", "x", "信息", "公开", "\uFFFD", "🙂"}
	for range 3000 {
		var b strings.Builder
		for range rng.Intn(120) {
			b.WriteString(parts[rng.Intn(len(parts))])
		}
		cases = append(cases, tc{"红寺堡区红寺堡镇人民政府", b.String()})
	}
	long := 0
	for _, c := range cases {
		var want []uint64
		if runes := normalise(c.text, nameVariants(c.agency)); len(runes) >= minCopiedChars {
			want = shingles(runes)
			long++
		}
		if got := computeShingles(c.agency, c.text); !slices.Equal(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("%s %q:\ngot  %v\nwant %v", c.agency, c.text, got, want)
		}
	}
	if long < len(cases)/4 || long == len(cases) {
		t.Fatalf("%d of %d texts long enough to compare: the cases do not cover both sides", long, len(cases))
	}
}

// BenchmarkSketchOf computes the sketch of generated reports (what the ingest's workers do
// for each report).
func BenchmarkSketchOf(b *testing.B) {
	reports := benchCorpus(100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reports[i%len(reports)]
		SketchOf(r.Agency, r)
	}
}
