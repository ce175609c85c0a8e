package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"

	"gongkai/ingest"
)

// synth builds a complete report with varied values, sources, publications, findings and
// prose; the same arguments give the same report.
func synth(agency string, year int, seed int64) *ingest.Report {
	rng := rand.New(rand.NewSource(seed))
	r := &ingest.Report{Agency: agency, Year: year, Format: ingest.Format2021, Level: ingest.LevelTownship,
		Published: fmt.Sprintf("%d-01-20", year+1), Text: fmt.Sprintf("%s %d 年度报告\n正文 %d", agency, year, seed),
		Prose: map[int]string{1: fmt.Sprintf("总体情况 %d", seed), 5: "问题", 6: "其他"}}
	if seed%3 == 0 {
		r.SingleOther = true
	}
	for i, k := range r.Keys() {
		if rng.Intn(40) == 0 {
			r.Cells.Set(k, ingest.Cell{})
			continue
		}
		v := float64(rng.Intn(50))
		if ingest.IsDecimalKey(k) {
			v += 0.25
		}
		r.Set(k, v, ingest.Source{Line: i + 1, Text: fmt.Sprint(v)})
	}
	n := int64(rng.Intn(9))
	r.ApplicationsStated = &n
	r.ApplicationsQuote = fmt.Sprintf("收到申请 %d 件", n)
	r.Publications = []ingest.Publication{{Channel: "portal", Count: int64(rng.Intn(500)), Quote: "门户网站发布信息", Line: 3},
		{Channel: "wechat", Count: 7, Quote: "微信公众号7余条", Approx: true}}
	r.AgencySource = ingest.AgencyFromTitle
	if rng.Intn(2) == 0 {
		r.Incomplete, r.IncompleteReason = true, "表三在第12行中断；未找到表四"
	}
	r.Findings = []ingest.Finding{{Rule: "T3-balance", Severity: ingest.SeverityError, Cell: "table3.new_received.total",
		Expected: ingest.Num(3), Actual: ingest.Num(4), Message: "不平衡", Line: 12}}
	return r
}

func meta(path string, r *ingest.Report, salt string) FileMeta {
	b, _ := r.MarshalJSON()
	h := sha256.Sum256(append(b, salt...))
	return FileMeta{Path: path, SHA256: hex.EncodeToString(h[:]), SourceFormat: "text", ParserVersion: "test"}
}
