package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"gongkai/config"
	"gongkai/ingest"
)

// TestDataVersion: the in-memory version moves with every committed write (reports, cross-year
// findings, registry), stays put on a failed one, always equals data_version once
// the writer returns, and starts at the stored value when the file is opened again.
func TestDataVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.duckdb")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() int64 {
		return int64(count(t, db, `SELECT max(version) FROM data_version`))
	}
	same := func(step string) int64 {
		t.Helper()
		if got, want := db.DataVersion(), stored(); got != want {
			t.Fatalf("%s: DataVersion %d, data_version %d", step, got, want)
		}
		return db.DataVersion()
	}
	v0 := same("open")
	r := synth("某镇人民政府", 2023, 5)
	if _, err := db.Save(r, meta("a.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	v1 := same("save")
	if v1 <= v0 {
		t.Fatalf("save did not move the version: %d → %d", v0, v1)
	}
	if _, err := db.Save(r, meta("copy.txt", r, "")); err != nil { // the same bytes: Unchanged
		t.Fatal(err)
	}
	v1 = same("unchanged") // (may move: a batch of unchanged files is still a transaction)
	bad := synth("乙镇人民政府", 2023, 2)
	bad.Cells.Set("table9.nonsense.total", ingest.Cell{Value: ingest.Num(1)})
	if res := db.SaveAll([]Item{{Report: bad, Meta: meta("b.txt", bad, "")}}); res[0].Err == nil {
		t.Fatal("a bad report saved")
	}
	if v := same("failed save"); v != v1 {
		t.Fatalf("a failed save moved the version: %d → %d", v1, v)
	}
	aid, _ := db.AgencyID("某镇人民政府")
	id, _ := db.Current(aid, 2023)
	x := ingest.Finding{Rule: "X-carry-over", Severity: ingest.SeverityError, Cell: "table3.carried_over.total", Message: "结转不符"}
	if err := db.ReplaceFindings(id, []ingest.Finding{x}); err != nil {
		t.Fatal(err)
	}
	v2 := same("cross-year findings")
	if v2 <= v1 {
		t.Fatalf("findings did not move the version: %d → %d", v1, v2)
	}
	if err := db.SyncRegistry([]config.Organ{{Name: "某镇人民政府", Level: ingest.LevelTownship}}); err != nil {
		t.Fatal(err)
	}
	v3 := same("registry")
	if v3 <= v2 {
		t.Fatalf("registry did not move the version: %d → %d", v2, v3)
	}
	db.Close()
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v := db.DataVersion(); v != v3 {
		t.Fatalf("reopened at %d, want %d", v, v3)
	}
}

// TestDataVersionConcurrent reads the version while reports are saved (run with -race): it
// never goes back, and ends where data_version is.
func TestDataVersionConcurrent(t *testing.T) {
	db := open(t)
	const n = 20
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := db.DataVersion()
			for {
				select {
				case <-done:
					return
				default:
				}
				v := db.DataVersion()
				if v < last {
					t.Errorf("version went back: %d → %d", last, v)
					return
				}
				last = v
			}
		}()
	}
	for i := range n {
		r := synth(fmt.Sprintf("第%d镇人民政府", i), 2023, int64(i))
		if _, err := db.Save(r, meta(fmt.Sprintf("%d.txt", i), r, "")); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if got, want := db.DataVersion(), int64(count(t, db, `SELECT max(version) FROM data_version`)); got != want {
		t.Fatalf("DataVersion %d, data_version %d", got, want)
	}
}
