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

// SyncRegistry reads the agencies again only when it changed them: an empty registry over
// agencies none of which is expected changes nothing; emptying a registry does (its organs
// are no longer expected), and so does any registry given.
func TestSyncRegistryReloadsOnlyAfterAChange(t *testing.T) {
	db := open(t)
	r := synth("大河乡人民政府", 2024, 1)
	if _, err := db.Save(r, meta("a.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	organs := []config.Organ{{Name: "红寺堡区红寺堡镇人民政府", Level: ingest.LevelTownship, Aliases: []string{"红寺堡镇"}}}
	for _, step := range []struct {
		organs   []config.Organ
		reload   bool
		expected bool // 红寺堡区红寺堡镇人民政府 afterwards
	}{
		{nil, false, false},  // nothing expected, nothing changed
		{organs, true, true}, // the registry written
		{organs, true, true}, // written again (an update, whatever it holds)
		{nil, true, false},   // emptied: its organ no longer expected
		{nil, false, false},  // and again: nothing left to change
	} {
		before := registryReloads.Load()
		if err := db.SyncRegistry(step.organs); err != nil {
			t.Fatal(err)
		}
		if got := registryReloads.Load() > before; got != step.reload {
			t.Errorf("%d organs: reloaded %v, want %v", len(step.organs), got, step.reload)
		}
		if got := db.reg.Expected("红寺堡区红寺堡镇人民政府"); got != step.expected {
			t.Errorf("%d organs: expected %v, want %v", len(step.organs), got, step.expected)
		}
		if n := count(t, db, `SELECT count(*) FROM agencies WHERE expected`); (n == 1) != step.expected {
			t.Errorf("%d organs: %d expected agencies in the table", len(step.organs), n)
		}
		// the DB still resolves and stores through what it holds
		r := synth("红寺堡镇", 2020+int(registryReloads.Load()%5), 2)
		if s := db.SaveAll([]Item{{Report: r, Meta: meta("", r, "")}})[0]; s.Err != nil {
			t.Fatal(s.Err)
		}
	}
}
