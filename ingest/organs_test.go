package ingest_test

import (
	"slices"
	"testing"

	"gongkai/ingest"
)

func TestNormalizeOrganName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"红寺堡区 人民政府", "红寺堡区"},
		{"红寺堡区人民政府办公室", "红寺堡区"},
		{"红寺堡区政府", "红寺堡区"},
		{"红寺堡区太阳山镇政府", "红寺堡区太阳山镇"},
		{"弘德工业园区管理委员会", "弘德工业园区管委会"},
		{"红寺堡区发展和改革局（全区汇总）", "红寺堡区发展和改革局"},
		{"　红寺堡区（开发区）民政局", "红寺堡区(开发区)民政局"},
		{"人民政府", "人民"}, // 人民政府 is not removed from itself; 政府 then is
		{"", ""},
	}
	for _, tt := range tests {
		if got := ingest.NormalizeOrganName(tt.in); got != tt.want {
			t.Errorf("NormalizeOrganName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOrganIndexMatch(t *testing.T) {
	type organ struct {
		name, district string
		aliases        []string
	}
	district := []organ{
		{"红寺堡区红寺堡镇人民政府", "红寺堡区", []string{"红寺堡镇"}},
		{"红寺堡区太阳山镇人民政府", "红寺堡区", nil},
		{"红寺堡区人民政府", "红寺堡区", nil},
		{"红寺堡区人民政府办公室", "红寺堡区", nil},
		{"红寺堡区发展和改革局", "红寺堡区", nil},
		{"弘德工业园区管理委员会", "红寺堡区", nil},
		{"大河乡人民政府", "甲县", nil},
		{"大河乡人民政府", "乙县", nil}, // the same place name in two counties
	}
	noOffice := district[:3]
	withAlias := slices.Clone(noOffice)
	withAlias[2].aliases = []string{"红寺堡区"}
	build := func(os []organ) *ingest.OrganIndex {
		x := ingest.NewOrganIndex()
		for _, o := range os {
			x.Add(o.name, o.aliases, o.district)
		}
		return x
	}
	tests := []struct {
		name    string
		organs  []organ
		printed string
		want    int // index of the organ, -1: none
	}{
		{"exact", district, "红寺堡区人民政府", 2},
		{"exact with spaces", district, "红寺堡区 红寺堡镇人民政府", 0},
		{"alias", district, "红寺堡镇", 0},
		{"without 人民政府", district, "红寺堡镇人民政府", 0},
		{"district prefix dropped", district, "太阳山镇", 1},
		{"政府 for 人民政府", district, "红寺堡区太阳山镇政府", 1},
		{"office stays the office", district, "红寺堡区人民政府办公室", 3},
		{"department without the district", district, "发展和改革局", 4},
		{"remark after a department", district, "红寺堡区发展和改革局（全区汇总）", 4},
		{"管委会 for 管理委员会", district, "弘德工业园区管委会", 5},
		{"ambiguous normalised name", district, "大河乡", -1},
		{"unknown", district, "小河乡人民政府", -1},
		{"empty", district, "", -1},
		// a district's summary is titled with the district's name (and 汇总): never the government
		{"district summary, bare name", district, "红寺堡区", -1},
		{"district summary (全区汇总)", district, "红寺堡区（全区汇总）", -1},
		{"district summary (汇总)", district, "红寺堡区(汇总)", -1},
		{"district summary 汇总", district, "红寺堡区汇总", -1},
		{"district summary 全区汇总", district, "红寺堡区全区汇总", -1},
		{"government and office share a key", district, "红寺堡区人民政府（修订版）", -1},
		{"the government by its name", noOffice, "红寺堡区人民政府（修订版）", 2},
		{"the government without 人民", noOffice, "红寺堡区政府", 2},
		{"district summary, no office registered", noOffice, "红寺堡区（全区汇总）", -1},
		{"district name configured as an alias", withAlias, "红寺堡区", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := build(tt.organs).Match(tt.printed)
			if !ok {
				i = -1
			}
			if i != tt.want {
				t.Errorf("Match(%q) = %d, want %d", tt.printed, i, tt.want)
			}
		})
	}
}

func TestOrganIndexExact(t *testing.T) {
	x := ingest.NewOrganIndex()
	x.Add("红寺堡区人民政府", []string{"区政府"}, "红寺堡区")
	x.Add("红寺堡区民政局", nil, "红寺堡区")
	for _, tt := range []struct {
		name string
		want int
		ok   bool
	}{{"红寺堡区人民政府", 0, true}, {"区政府", 0, true}, {" 红寺堡区民政局 ", 1, true}, {"民政局", 0, false}, {"红寺堡区政府", 0, false}} {
		i, ok := x.Exact(tt.name)
		if ok != tt.ok || ok && i != tt.want {
			t.Errorf("Exact(%q) = %d %v, want %d %v", tt.name, i, ok, tt.want, tt.ok)
		}
	}
}

func TestOrganNames(t *testing.T) {
	tests := []struct {
		agency      string
		own         []string
		variants    []string // among the variants
		notVariants []string
	}{
		{"红寺堡区红寺堡镇人民政府", []string{"红寺堡区红寺堡镇人民政府", "红寺堡镇", "红寺堡区红寺堡镇"},
			[]string{"红寺堡区红寺堡镇人民政府", "红寺堡区红寺堡镇", "红寺堡区", "红寺堡镇", "红寺堡"}, []string{"人民政府"}},
		{"红寺堡区新民街道办事处", []string{"红寺堡区新民街道办事处", "新民街道", "红寺堡区新民街道"},
			[]string{"红寺堡区新民街道", "新民街道", "新民"}, []string{"办事处"}},
		{"红寺堡区民政局", []string{"红寺堡区民政局", "民政局"}, []string{"红寺堡区民政局", "红寺堡区", "民政局"}, nil},
		{"", nil, nil, []string{""}},
	}
	for _, tt := range tests {
		if got := ingest.OrganOwnNames(tt.agency); !slices.Equal(got, tt.own) {
			t.Errorf("OrganOwnNames(%q) = %q, want %q", tt.agency, got, tt.own)
		}
		v := ingest.OrganNameVariants(tt.agency)
		for _, w := range tt.variants {
			if !slices.Contains(v, w) {
				t.Errorf("OrganNameVariants(%q) = %q, lacks %q", tt.agency, v, w)
			}
		}
		for _, w := range tt.notVariants {
			if slices.Contains(v, w) {
				t.Errorf("OrganNameVariants(%q) = %q, has %q", tt.agency, v, w)
			}
		}
		for i := 1; i < len(v); i++ {
			if len(v[i]) > len(v[i-1]) {
				t.Errorf("OrganNameVariants(%q) = %q: not longest first", tt.agency, v)
			}
		}
	}
	if got := ingest.PlaceParts("宁夏回族自治区吴忠市红寺堡区红寺堡镇"); !slices.Equal(got, []string{"宁夏回族自治区", "吴忠市", "红寺堡区", "红寺堡镇"}) {
		t.Errorf("PlaceParts = %q", got)
	}
}
