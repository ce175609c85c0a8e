package dashboards_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gongkai/ingest"
)

// Issue 10 item 11 (the rule half): a rule is shown by its Chinese name with its identifier
// beside it, on the page and in the CSV; the API and --headers keys keep the identifier. The
// severity is in words; a missing number is an empty field.
func TestRuleNamesShown(t *testing.T) {
	f := newFixture(t)
	label := ingest.RuleLabel(ingest.RuleBalance)
	if label == ingest.RuleBalance {
		t.Fatal("T3-balance has no Chinese name")
	}
	for _, path := range []string{"/download/quality_findings.csv?year=2024", "/download/quality_rules.csv?year=2024", "/quality?year=2024"} {
		code, body, _ := get(t, f.srv.URL+path)
		if code != 200 || !strings.Contains(body, label) {
			t.Errorf("%s: %d, lacks %q", path, code, label)
		}
		if strings.HasSuffix(strings.Split(path, "?")[0], ".csv") && (strings.Contains(body, ",error,") || !strings.Contains(body, "错误")) {
			t.Errorf("%s: severity not in words:\n%s", path, body)
		}
	}
	code, body, _ := get(t, f.srv.URL+"/api/tables/quality_findings?year=2024")
	var tb struct {
		Rows []map[string]any `json:"rows"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &tb) != nil || len(tb.Rows) == 0 {
		t.Fatalf("api: %d %s", code, body)
	}
	found := false
	for _, r := range tb.Rows {
		for _, v := range r {
			if v == ingest.RuleBalance {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the API lost the rule identifier: %s", body)
	}
}
