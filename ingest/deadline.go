package ingest

import (
	"fmt"
	"strings"
	"time"
)

// Who must publish by when (条例 第四十九条, 2019 revision, in force for the reports of 2019
// on): 县级以上人民政府部门 — and, in the same line of reporting, 乡镇（街道） — publish the
// previous year's report by 1月31日; 县级以上地方人民政府 publish their own (the report of the
// government as a whole) by 3月31日. Reports for 2018 and earlier fell under the 2008 条例
// (第三十一条): 3月31日 for everyone. An organ of unknown level gets the later deadline, so no
// organ is called late on a guess.
//
// The spec's opening sentence ("every organ publishes by 31 January") is the rule of the
// departments; this function is the one place the deadline is decided (S-late, the coverage
// table, the dashboards' notes).

// Deadline returns the last day on which the report of the statistics year year, by an organ
// of the given level, may be published (a date in year+1, UTC).
func Deadline(level string, year int) time.Time {
	m := deadlineMonth(level, year)
	return time.Date(year+1, m, 31, 0, 0, 0, 0, time.UTC)
}

func deadlineMonth(level string, year int) time.Month {
	if year >= 2019 && (level == LevelTownship || level == LevelDepartment) {
		return time.January
	}
	return time.March
}

// DeadlineRule says the deadline of the level and year in words, for notes and messages:
// "政府工作部门和乡镇（街道）应于次年1月31日前公布".
func DeadlineRule(level string, year int) string {
	return fmt.Sprintf("%s应于次年%d月31日前公布", deadlineWho(level, year), deadlineMonth(level, year))
}

func deadlineWho(level string, year int) string {
	switch {
	case year < 2019:
		return "各级行政机关"
	case level == LevelTownship || level == LevelDepartment:
		return "政府工作部门和乡镇（街道）"
	case level == LevelCounty || level == LevelCity:
		return "县级以上地方人民政府"
	}
	return "级别不明的单位（按县级以上人民政府计）"
}

// DeadlineNote sums up the deadlines for a page's note: "截止日：政府工作部门和乡镇（街道）为次年1月31日，
// 县级以上地方人民政府为次年3月31日".
func DeadlineNote(year int) string {
	if year > 0 && year < 2019 {
		return "截止日：次年3月31日（2008年条例）"
	}
	return fmt.Sprintf("截止日：政府工作部门和乡镇（街道）为次年%d月31日，县级以上地方人民政府为次年%d月31日",
		deadlineMonth(LevelDepartment, 2019), deadlineMonth(LevelCounty, 2019))
}

// LateDays tells whether a report of the level and statistics year, published on the date
// published ("2006-01-02"), was late and by how many days. ok is false when the date or the
// year is unknown or unreadable: such a report is never called late.
func LateDays(level string, year int, published string) (days int, late, ok bool) {
	if year == 0 || published == "" {
		return 0, false, false
	}
	pub, err := time.Parse("2006-01-02", strings.TrimSpace(published))
	if err != nil {
		return 0, false, false
	}
	d := Deadline(level, year)
	if !pub.After(d) {
		return 0, false, true
	}
	return int(pub.Sub(d).Hours() / 24), true, true
}

// IsLate tells whether the report was published after its deadline (false when unknown).
func IsLate(level string, year int, published string) bool {
	_, late, _ := LateDays(level, year, published)
	return late
}
