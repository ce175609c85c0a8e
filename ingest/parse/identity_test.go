package parse

import (
	"errors"
	"strings"
	"testing"

	"gongkai/ingest"
)

// body is the opening of a report that names no organ, so the organ must come from
// elsewhere.
const body = "一、总体情况\n2024年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，持续深化政务公开。\n二、主动公开政府信息情况\n"

// TestAgencyFound: the organ is found wherever a report names it, and the report says where.
func TestAgencyFound(t *testing.T) {
	const org = "红寺堡区民政局"
	cases := []struct {
		name, file, text, want, source string
		year                           int
	}{
		{"title in 《》", "a.txt", "《红寺堡区民政局2024年政府信息公开工作年度报告》\n" + body, org, ingest.AgencyFromTitle, 2024},
		{"year first", "a.txt", "2024年红寺堡区民政局政府信息公开工作年度报告\n" + body, org, ingest.AgencyFromTitle, 2024},
		{"year after", "a.txt", "红寺堡区民政局政府信息公开工作年度报告（2024年度）\n" + body, org, ingest.AgencyFromTitle, 2024},
		{"year after, half-width", "a.txt", "红寺堡区民政局政府信息公开工作年度报告(2023年)\n" + body, org, ingest.AgencyFromTitle, 2023},
		{"line break in the title", "a.txt", "红寺堡区民政局2024年政府信息公开\n工作年度报告\n" + body, org, ingest.AgencyFromTitle, 2024},
		{"a remark after the name", "a.txt", "红寺堡区民政局2024年政府信息公开工作年度报告（修订版）\n" + body, org, ingest.AgencyFromTitle, 2024},
		{"年度 and 工作报告", "a.txt", "红寺堡区民政局2024年度政府信息公开工作报告\n" + body, org, ingest.AgencyFromTitle, 2024},
		{"title run into the first sentence (PDF)", "a.txt", "正文 2024 年红寺堡区民政局政府信息公开工作年度报告根据《中华人民共和国政府信息公开条例》的要求，编制本报告。\n" + body,
			org, ingest.AgencyFromTitle, 2024},
		{"本报告由…编制", "a.txt", "2024年政府信息公开工作年度报告\n本报告由红寺堡区民政局根据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号要求编制。\n" + body,
			org, ingest.AgencyFromCompiler, 2024},
		{"根据…要求，XX特编制", "a.txt", "2024年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定和要求，红寺堡区民政局特编制本报告。\n" + body,
			org, ingest.AgencyFromCompiler, 2024},
		{"signature above the date", "a.txt", "2024年政府信息公开工作年度报告\n" + body + "六、其他需要报告的事项\n无。\n\n红寺堡区民政局\n2025年1月20日\n",
			org, ingest.AgencyFromSignature, 2024},
		{"contact block", "a.txt", "2024年政府信息公开工作年度报告\n" + body + "六、其他需要报告的事项\n无。\n联系方式\n联系单位：红寺堡区民政局\n联系电话：0953-1234567\n",
			org, ingest.AgencyFromSignature, 2024},
		{"HTML <title>", "a.html", "<html><head><title>红寺堡区民政局2024年政府信息公开工作年度报告_红寺堡区人民政府</title></head><body><h1>2024年政府信息公开工作年度报告</h1><p>" +
			strings.ReplaceAll(body, "\n", "</p><p>") + "</p></body></html>", org, ingest.AgencyFromHTMLTitle, 2024},
		{"HTML ArticleTitle", "a.html", "<html><head><title>红寺堡区人民政府</title><meta name=\"ArticleTitle\" content=\"红寺堡区民政局2024年政府信息公开工作年度报告\"></head><body><h1>2024年度报告</h1><p>" +
			strings.ReplaceAll(body, "\n", "</p><p>") + "</p></body></html>", org, ingest.AgencyFromHTMLTitle, 2024},
		{"file name", "红寺堡区民政局2024年政府信息公开工作年度报告.txt", "2024年政府信息公开工作年度报告\n" + body, org, ingest.AgencyFromFileName, 2024},
		{"file name, organ only", "/tmp/红寺堡区民政局_2024.txt", "2024年政府信息公开工作年度报告\n" + body, org, ingest.AgencyFromFileName, 2024},
		{"URL", "https://www.hsb.gov.cn/mzj/%E7%BA%A2%E5%AF%BA%E5%A0%A1%E5%8C%BA%E6%B0%91%E6%94%BF%E5%B1%802024.html", "2024年政府信息公开工作年度报告\n" + body,
			org, ingest.AgencyFromURL, 2024},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := File(c.file, []byte(c.text))
			if err != nil {
				t.Fatal(err)
			}
			if r.Agency != c.want || r.AgencySource != c.source || r.Year != c.year {
				t.Errorf("agency %q from %q, year %d; want %q from %q, %d", r.Agency, r.AgencySource, r.Year, c.want, c.source, c.year)
			}
			if !r.Incomplete || !strings.Contains(r.IncompleteReason, "未找到表三") {
				t.Errorf("a report without tables: incomplete=%v %q", r.Incomplete, r.IncompleteReason)
			}
		})
	}
}

// TestReportOrNot: a document is a report when it says so (a title naming the annual
// report, or the outline of its sections); a notice or a news item is refused.
func TestReportOrNot(t *testing.T) {
	cases := []struct {
		name, text string
		report     bool
	}{
		{"title only", "红寺堡区红寺堡镇2024年政府信息公开工作年度报告\n2024年，红寺堡镇认真贯彻落实《条例》。", true},
		{"outline only", "一、总体情况\n本镇持续推进政务公开。\n二、主动公开政府信息情况\n", true},
		{"notice", "关于做好2024年政府信息公开工作年度报告编制发布工作的通知\n各乡镇人民政府，区直各部门：现将有关事项通知如下。", false},
		{"notice with the report's name first", "红寺堡区人民政府办公室关于报送2024年政府信息公开工作年度报告的通知\n各乡镇：请于1月31日前报送。", false},
		{"news", "我区召开政务公开工作推进会\n3月5日，区政府办公室召开全区政务公开工作推进会，部署2024年政府信息公开工作年度报告编制工作。", false},
		{"reading of a report", "图解：红寺堡区2024年政府信息公开工作年度报告\n一图读懂。", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := File("x.txt", []byte(c.text))
			switch {
			case c.report && err != nil:
				t.Errorf("refused: %v", err)
			case !c.report && !errors.Is(err, ErrNotReport):
				t.Errorf("taken as a report (%+v), err %v", r, err)
			case c.report && (!r.Incomplete || r.IncompleteReason == ""):
				t.Errorf("no tables, but incomplete=%v reason %q", r.Incomplete, r.IncompleteReason)
			}
		})
	}
}
