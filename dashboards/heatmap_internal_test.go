package dashboards

import (
	"encoding/json"
	"strings"
	"testing"

	"gongkai/analytics"
)

// TestHeatmapSaysWhyACellIsEmpty: a cell without a value is drawn empty ("-", no colour of
// 0) and named with why (未报送, 未说明, 分母为 0), for its tooltip; a known value, even 0, is
// drawn as itself and not named.
func TestHeatmapSaysWhyACellIsEmpty(t *testing.T) {
	m, ok := analytics.MetricByName("correction_rate")
	if !ok {
		t.Fatal("no correction_rate metric")
	}
	zero, half := 0.0, 0.5
	cells := map[string]map[int]struct {
		v   *float64
		why string
	}{
		"甲镇": {2024: {nil, analytics.NotReported}, 2025: {&half, ""}},
		"乙镇": {2024: {nil, analytics.ZeroDenominator}, 2025: {&zero, ""}},
		"丙局": {2024: {nil, analytics.NotStated}, 2025: {nil, analytics.NotReported}},
	}
	agencies, years := []string{"甲镇", "乙镇", "丙局"}, []int{2024, 2025}
	html := string((&Server{}).heatmap("chart_test", m, agencies, years, func(a string, y int) (*float64, string) {
		c := cells[a][y]
		return c.v, c.why
	}))
	// the series' data: the first "data":[{ …, up to its matching bracket
	at := strings.Index(html, `"data":[{`)
	if at < 0 {
		t.Fatalf("no heatmap data in %s", html)
	}
	dec := json.NewDecoder(strings.NewReader(html[at+len(`"data":`):]))
	var got []struct {
		Name  string `json:"name"`
		Value [3]any `json:"value"`
	}
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("heatmap data: %v", err)
	}
	if len(got) != len(agencies)*len(years) {
		t.Fatalf("%d cells, want %d", len(got), len(agencies)*len(years))
	}
	for _, d := range got {
		a, y := agencies[int(d.Value[1].(float64))], years[int(d.Value[0].(float64))]
		want := cells[a][y]
		if want.v == nil {
			if d.Value[2] != "-" || d.Name != want.why {
				t.Errorf("%s %d: value %v named %q, want - named %q", a, y, d.Value[2], d.Name, want.why)
			}
			continue
		}
		if d.Name != "" || d.Value[2] != pointValue(want.v, true) {
			t.Errorf("%s %d: value %v named %q, want %v unnamed", a, y, d.Value[2], d.Name, pointValue(want.v, true))
		}
	}
}
