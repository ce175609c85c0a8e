package parse

import (
	"testing"

	"gongkai/ingest"
)

// FuzzFile: any bytes give a report or an error, never a panic or a hang; every key of the
// report's format is present, and a nil cell always has a finding naming it or its table.
func FuzzFile(f *testing.F) {
	f.Add([]byte("红寺堡区红寺堡镇2024年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n"))
	f.Add([]byte("三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量21710000218二、上年结转政府信息公开申请数量0000000四、政府信息公开行政复议、行政诉讼情况21317000001324019"))
	f.Add([]byte("| 一、本年新收政府信息公开申请数量 | 32 | 2 | 0 | 0 | 0 | 0 | 34 |  |\n"))
	f.Add([]byte("<html><body><table><tr><td>一、本年新收政府信息公开申请数量</td><td>1</td><td></td></tr></table></body></html>"))
	f.Add([]byte("二、主动公开政府信息情况\n规章 000 行政规范性文件 999999999999999999999999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := File("fuzz.txt", data)
		if err != nil {
			return
		}
		named := map[string]bool{}
		for _, fd := range r.Findings {
			named[fd.Cell] = true
		}
		for _, k := range r.Keys() {
			c, ok := r.Cells.Get(k)
			if !ok {
				t.Fatalf("key %s missing", k)
			}
			if c.Value == nil && !named[k] && !named[k[:6]] && !named["table2"] && !named["table4"] {
				t.Fatalf("cell %s nil without a finding", k)
			}
		}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		_ = ingest.FormatValue
	})
}
