package store

import (
	"errors"
	"testing"

	"gongkai/ingest"
)

// TestAcrossFailMidBatch: with the cross-year rules run at save time, a report failing inside
// the batch's transaction fails alone; the others are stored with the findings the rule gives
// against the year before (also when that year was saved in the same batch), and only the
// pairs whose year before is missing or failed are owed.
func TestAcrossFailMidBatch(t *testing.T) {
	db := open(t)
	const agency = "红寺堡区红寺堡镇人民政府"
	rule := func(prev, cur *ingest.Report) []ingest.Finding {
		return []ingest.Finding{{Rule: ingest.RuleCarryOver, Severity: ingest.SeverityError,
			Cell: "table3.carried_over.total", Message: "对比上年"},
			{Rule: "T3-balance", Severity: ingest.SeverityError, Message: "not a cross-year rule: dropped"}}
	}
	r20, r21, r22, r23 := synth(agency, 2020, 1), synth(agency, 2021, 2), synth(agency, 2022, 4), synth(agency, 2023, 5)
	failInTx = func(r *ingest.Report) error {
		if r.Year == 2022 {
			return errors.New("broken on purpose")
		}
		return nil
	}
	defer func() { failInTx = func(*ingest.Report) error { return nil } }()
	// latest first in the batch: the store saves earlier years first
	res := db.SaveWith([]Item{{Report: r23, Meta: meta("23.txt", r23, "")}, {Report: r22, Meta: meta("22.txt", r22, "")},
		{Report: r21, Meta: meta("21.txt", r21, "")}, {Report: r20, Meta: meta("20.txt", r20, "")}},
		SaveOptions{Across: &Across{Rule: rule, Keys: []string{"table3.carried_forward.total"}}})
	for i, want := range []Outcome{New, 0, New, New} {
		if res[i].Outcome != want || (want == 0) != (res[i].Err != nil) {
			t.Fatalf("item %d: %v %v, want %v", i, res[i].Outcome, res[i].Err, want)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM reports`); n != 3 {
		t.Fatalf("%d reports stored, want 3", n)
	}
	got := map[int]int{}
	rows, err := db.SQL().Query(`SELECT r.year, count(*) FROM findings f JOIN reports r ON r.id = f.report_id
		WHERE f.rule = ? GROUP BY 1`, ingest.RuleCarryOver)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var y, n int
		rows.Scan(&y, &n)
		got[y] = n
	}
	rows.Close()
	// 2020 has no year before; 2021 compared with 2020 (same batch); 2023's year before failed
	if got[2020] != 0 || got[2021] != 1 || got[2023] != 0 {
		t.Fatalf("cross-year findings by year: %v, want only 2021", got)
	}
	if n := count(t, db, `SELECT count(*) FROM cells c JOIN reports r ON r.id = c.report_id
		WHERE r.year = 2021 AND c.key = 'table3.carried_over.total' AND c.flagged`); n != 1 {
		t.Fatalf("the cell the cross-year finding names is not flagged")
	}
	pending, _, err := db.PendingCrossYear()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Fatalf("owed %v, want nothing: 2023 has no year before stored", pending)
	}
	// 2022 arrives later, alone: compared with 2021 at once when 2021 is still at hand (a
	// rollback forgets the reports at hand), else owed; either way 2023 must be compared again
	failInTx = func(*ingest.Report) error { return nil }
	res = db.SaveWith([]Item{{Report: r22, Meta: meta("22.txt", r22, "")}},
		SaveOptions{Across: &Across{Rule: rule, Keys: []string{"table3.carried_forward.total"}}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	n := count(t, db, `SELECT count(*) FROM findings f JOIN reports r ON r.id = f.report_id WHERE r.year = 2022 AND f.rule = ?`, ingest.RuleCarryOver)
	pending, _, _ = db.PendingCrossYear()
	inline := n == 1 && len(pending) == 1 && pending[0][1] == 2023
	owed := n == 0 && len(pending) == 1 && pending[0][1] == 2022
	if !inline && !owed {
		t.Fatalf("2022: %d cross-year findings, owed %v", n, pending)
	}
}
