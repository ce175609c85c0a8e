package parse

import (
	"strings"
	"testing"

	"gongkai/ingest/decode"
)

func TestTable2ConfirmedByProse(t *testing.T) {
	tests := []struct {
		name  string
		prose string
		want  []float64 // nil: left unread
	}{
		{"made and valid stated", "一、总体情况\n集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。", []float64{88, 55, 698}},
		{"only made stated: still several splits", "一、总体情况\n本年度制发行政规范性文件88件。", nil},
		{"no prose", "一、总体情况\n全年工作平稳有序。", nil},
		{"stated numbers match no split", "一、总体情况\n制发规范性文件7件，现行有效规范性文件12件。", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "某某县人民政府2022年政府信息公开工作年度报告\n" + tt.prose + "\n" +
				"二、主动公开政府信息情况 规章000行政规范性文件8855698第二十条第（五）项行政许可5\n" +
				"三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量1000001\n五、存在的主要问题及改进情况\n无。\n"
			r, err := Document("t.txt", &decode.Document{Lines: strings.Split(text, "\n"), Meta: map[string]string{}})
			if err != nil {
				t.Fatal(err)
			}
			for i, col := range []string{"made", "repealed", "valid"} {
				got, ok := r.Value("table2.normative_documents." + col)
				switch {
				case tt.want == nil && ok:
					t.Errorf("%s: read %v, want unread", col, got)
				case tt.want != nil && (!ok || got != tt.want[i]):
					t.Errorf("%s: read %v (%v), want %v", col, got, ok, tt.want[i])
				}
			}
		})
	}
}
