package store

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"gongkai/config"
	"gongkai/ingest"
)

// TestChanges: with KeepChanges, each committed write leaves one Change of its version —
// the reports it made current, those it demoted, the derived rows it refreshed with their
// rows before — a report current and replaced within one batch in neither list; a failed
// write leaves none; ChangesSince gives the Changes after a version, or says it cannot.
func TestChanges(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dv := &Derivation{Table: "derived_test", Columns: []string{"n"}, Row: func(r *ingest.Report) []any { return []any{float64(r.Year)} },
		Refresh: []string{"UPDATE derived_test SET n = n + 1 WHERE report_id IN ({ids})"}}
	if _, err := db.db.Exec(`CREATE TABLE derived_test (report_id BIGINT, n DOUBLE)`); err != nil {
		t.Fatal(err)
	}
	if cs, ok := db.ChangesSince(db.DataVersion()); ok || cs != nil {
		t.Fatalf("changes kept before KeepChanges: %v %v", cs, ok)
	}
	db.KeepChanges()
	v0 := db.DataVersion()
	a1, a2 := synth("甲镇人民政府", 2023, 5), synth("乙镇人民政府", 2023, 6)
	s := db.SaveAllDerived([]Item{{Report: a1, Meta: meta("a1.txt", a1, "")}, {Report: a2, Meta: meta("a2.txt", a2, "")}}, dv, nil)
	// a re-issue of 甲镇, and in one batch two more of 乙镇: the first of them current for an instant
	b1, b2, b3 := synth("甲镇人民政府", 2023, 7), synth("乙镇人民政府", 2023, 8), synth("乙镇人民政府", 2023, 9)
	t2 := db.SaveAllDerived([]Item{{Report: b1, Meta: meta("b1.txt", b1, "")}, {Report: b2, Meta: meta("b2.txt", b2, "")}, {Report: b3, Meta: meta("b3.txt", b3, "")}}, dv, nil)
	if err := db.ReplaceFindingsDerived(map[int64][]ingest.Finding{t2[0].ReportID: nil}, dv); err != nil {
		t.Fatal(err)
	}
	if err := db.SyncRegistry([]config.Organ{{Name: "甲镇人民政府", Level: ingest.LevelTownship}}); err != nil {
		t.Fatal(err)
	}
	failInTx = func(*ingest.Report) error { return errors.New("failed on purpose") }
	bad := synth("丙镇人民政府", 2023, 1)
	if out := db.SaveAll([]Item{{Report: bad, Meta: meta("bad.txt", bad, "")}}); out[0].Err == nil {
		t.Fatal("the failing save succeeded")
	}
	failInTx = func(*ingest.Report) error { return nil }
	cs, ok := db.ChangesSince(v0)
	if !ok || len(cs) != 4 {
		t.Fatalf("%d changes (%v), want 4", len(cs), ok)
	}
	for i, c := range cs {
		if c.Version != v0+int64(i)+1 {
			t.Errorf("change %d: version %d, want %d", i, c.Version, v0+int64(i)+1)
		}
	}
	ids := func(xs ...int64) []int64 { slices.Sort(xs); return xs }
	sorted := func(xs []int64) []int64 { xs = slices.Clone(xs); slices.Sort(xs); return xs }
	if got := sorted(cs[0].Current); !slices.Equal(got, ids(s[0].ReportID, s[1].ReportID)) || len(cs[0].Demoted) != 0 {
		t.Errorf("first save: current %v demoted %v", cs[0].Current, cs[0].Demoted)
	}
	if got := sorted(cs[1].Current); !slices.Equal(got, ids(t2[0].ReportID, t2[2].ReportID)) || !slices.Equal(sorted(cs[1].Demoted), ids(s[0].ReportID, s[1].ReportID)) {
		t.Errorf("second save: current %v demoted %v; want %v, %v", cs[1].Current, cs[1].Demoted, ids(t2[0].ReportID, t2[2].ReportID), ids(s[0].ReportID, s[1].ReportID))
	}
	if !slices.Equal(cs[2].Refreshed, []int64{t2[0].ReportID}) || len(cs[2].Before) != 1 || cs[2].Before[0][0] != float64(2023) {
		t.Errorf("refresh: %v %v, want the row before (2023)", cs[2].Refreshed, cs[2].Before)
	}
	if c := cs[3]; len(c.Current)+len(c.Demoted)+len(c.Refreshed) != 0 {
		t.Errorf("registry: %+v, want an empty change", c)
	}
	if cs, ok := db.ChangesSince(db.DataVersion()); !ok || len(cs) != 0 {
		t.Errorf("since now: %v %v", cs, ok)
	}
	if _, ok := db.ChangesSince(v0 - 1); ok {
		t.Error("changes before KeepChanges reported as kept")
	}
}
