package store

import (
	"testing"

	"gongkai/config"
	"gongkai/ingest"
)

// A district's summary report (全区汇总) is titled with the district's name only: stored as
// a report of its own, it must never resolve to the district's government and replace the
// government's report of that year.
func TestDistrictSummaryKeepsTheGovernmentsReport(t *testing.T) {
	organs := []config.Organ{
		{Name: "红寺堡区人民政府", Level: ingest.LevelCounty, District: "红寺堡区"},
		{Name: "红寺堡区民政局", Level: ingest.LevelDepartment, District: "红寺堡区"},
	}
	for _, printed := range []string{"红寺堡区", "红寺堡区（全区汇总）", "红寺堡区汇总"} {
		t.Run(printed, func(t *testing.T) {
			db := open(t)
			if err := db.SyncRegistry(organs); err != nil {
				t.Fatal(err)
			}
			gov := synth("红寺堡区人民政府", 2024, 1)
			if out, err := db.Save(gov, meta("gov.txt", gov, "")); err != nil || out != New {
				t.Fatalf("government's report: %v %v", out, err)
			}
			sum := synth(printed, 2024, 2)
			out, err := db.Save(sum, meta("summary.txt", sum, "summary"))
			if err != nil {
				t.Fatal(err)
			}
			if out == Replaced {
				t.Fatalf("the summary %q replaced the government's report", printed)
			}
			if n := count(t, db, `SELECT count(*) FROM reports WHERE current`); n != 2 {
				t.Errorf("%d current reports, want the government's and the summary's", n)
			}
			got, err := db.Load("红寺堡区人民政府", 2024)
			if err != nil {
				t.Fatal(err)
			}
			if got.Agency != "红寺堡区人民政府" || got.Source != "gov.txt" {
				t.Errorf("the government's 2024 report is now %q from %q", got.Agency, got.Source)
			}
		})
	}
}
