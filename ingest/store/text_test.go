package store

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"gongkai/ingest/check"
)

// TestTextStoredOnce: a report's text is stored compressed (reports.text empty), a prose
// section found in it as its place, one not found as its own text; loading, whole or slim,
// gives back the same text and prose; and rows in the layout before migration 009 (text in
// reports.text, prose in report_prose.text) still load.
func TestTextStoredOnce(t *testing.T) {
	db := open(t)
	r := synth("红寺堡区红寺堡镇人民政府", 2022, 1)
	body := strings.Repeat("本机关坚持以公开为常态、不公开为例外，推进政府信息公开工作。", 40)
	r.Prose = map[int]string{1: "一、总体情况\n" + body, 5: "五、存在的主要问题及改进情况\n问题", 6: "不在全文中的一段"}
	r.Text = "红寺堡镇人民政府2022年度政府信息公开工作年度报告\n" + r.Prose[1] + "\n（表格）\n" + r.Prose[5] + "\n"
	if _, err := db.Save(r, meta("a.txt", r, "")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM reports WHERE text = '' AND octet_length(text_z) BETWEEN 1 AND ?`, len(r.Text)/2); n != 1 {
		t.Fatalf("%d reports with their text compressed to less than half, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM report_prose WHERE text = '' AND start IS NOT NULL`); n != 2 {
		t.Fatalf("%d prose sections stored as places, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM report_prose WHERE text = '不在全文中的一段' AND start IS NULL`); n != 1 {
		t.Fatalf("%d prose sections stored as text, want 1", n)
	}
	check := func(when string) {
		t.Helper()
		got, err := db.Load(r.Agency, r.Year)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != r.Text || !reflect.DeepEqual(got.Prose, r.Prose) {
			t.Fatalf("%s: text or prose differ:\n%q\n%q\n%v\n%v", when, got.Text, r.Text, got.Prose, r.Prose)
		}
		id, _ := db.Current(mustAgency(t, db, r.Agency), r.Year)
		slim, err := db.LoadSlim([]int64{id}, check.YearsKeys)
		if err != nil {
			t.Fatal(err)
		}
		if s := slim[id].Report; s.Text != "" || !reflect.DeepEqual(s.Prose, r.Prose) {
			t.Fatalf("%s: slim load: text %q, prose %v", when, s.Text, s.Prose)
		}
	}
	check("compressed")
	settle(t, db)
	// the layout before migration 009
	if _, err := db.SQL().Exec(`UPDATE reports SET text = ?, text_z = NULL`, r.Text); err != nil {
		t.Fatal(err)
	}
	for sec, p := range r.Prose {
		if _, err := db.SQL().Exec(`UPDATE report_prose SET text = ?, start = NULL, len = NULL WHERE section = ?`, p, sec); err != nil {
			t.Fatal(err)
		}
	}
	check("old layout")
	if got, err := ReportText("旧文本", nil); err != nil || got != "旧文本" {
		t.Fatalf("ReportText of an old row: %q %v", got, err)
	}
	if _, err := ReportText("", []byte("not zstd")); err == nil {
		t.Fatal("ReportText of a broken value: no error")
	}
}

func mustAgency(t *testing.T, db *DB, name string) int64 {
	t.Helper()
	id, ok := db.AgencyID(name)
	if !ok {
		t.Fatalf("no agency %s", name)
	}
	return id
}

// TestTextCompressedBefore: a text compressed by an earlier version of the store (dictionary
// 1, the bytes as they lie in databases written before) still reads, and compressing it now
// gives a value that reads back to the same text.
func TestTextCompressedBefore(t *testing.T) {
	const text = "国00001区三井乡人民政府2023年政府信息公开工作年度报告\n一、总体情况\n2023年，三井乡人民政府认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息 128 条。\n二、主动公开政府信息情况\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 3 | 1 | 12 |\n"
	// CompressText of text at b475440 (30 Nov 2026)
	old, err := base64.StdEncoding.DecodeString("KLUv/UUAAZ0AFQMAJAHvvIzvvIwgMTI4fCAzMTIgfAoXAECkZmIXpaLgVsihcdQC2Ao5wBslAQx1EbDwRqKgBuAWy4hVITgypgqFEHPgGaeYZzkJVAQzTNMNyEMG5QSAd8KFvzgcgOIQYBfcAQLCopMd")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ReportText("", old); err != nil || got != text {
		t.Fatalf("text compressed before: %q %v", got, err)
	}
	z, err := CompressText(text)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ReportText("", z); err != nil || got != text {
		t.Fatalf("round trip: %q %v", got, err)
	}
}
