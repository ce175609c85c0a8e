package dashboards

import (
	"testing"

	"gongkai/analytics"
)

// TestKPIRowSaysWhy: a KPI card says why a ratio has no value — a stated 0 denominator
// (纠错率 with no concluded case) is "—（分母为 0…）" as in the trend table, not a bare mark —
// and a value or a year without one reads as before; the change needs both years.
func TestKPIRowSaysWhy(t *testing.T) {
	m := metric("correction_rate")
	zero, one, half := 0.0, 1.0, 0.5
	tests := []struct {
		name                    string
		cur, prev               map[string]*float64
		wantCur, wantPrev, want string
	}{
		{"zero denominator this year", map[string]*float64{m.Name: nil, m.Den: &zero}, map[string]*float64{m.Name: &half, m.Den: &one},
			analytics.WhyText(m, analytics.ZeroDenominator), analytics.Num(m, &half).Text, "—"},
		{"zero denominator the year before", map[string]*float64{m.Name: &half, m.Den: &one}, map[string]*float64{m.Name: nil, m.Den: &zero},
			analytics.Num(m, &half).Text, analytics.WhyText(m, analytics.ZeroDenominator), "—"},
		{"not stated", map[string]*float64{m.Name: nil}, map[string]*float64{m.Name: &half, m.Den: &one},
			analytics.Num(m, nil).Text, analytics.Num(m, &half).Text, "—"},
		{"both known", map[string]*float64{m.Name: &one, m.Den: &one}, map[string]*float64{m.Name: &half, m.Den: &one},
			analytics.Num(m, &one).Text, analytics.Num(m, &half).Text, change(m, &half, &one).Text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := kpiRow(m, analytics.Row{Year: 2024, Values: tt.cur}, analytics.Row{Year: 2023, Values: tt.prev})
			if row[0].Text != m.Label || row[1].Text != tt.wantCur || row[2].Text != tt.wantPrev || row[3].Text != tt.want {
				t.Errorf("kpiRow = %q / %q / %q / %q, want %q / %q / %q / %q", row[0].Text, row[1].Text, row[2].Text, row[3].Text,
					m.Label, tt.wantCur, tt.wantPrev, tt.want)
			}
		})
	}
}
