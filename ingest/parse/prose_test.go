package parse

import (
	"fmt"
	"reflect"
	"testing"

	"gongkai/ingest"
)

// TestPublicationWordings: publication counts in the words reports use, each from a
// sentence shaped like a real report's. A count after 其中 is a part, never a channel's
// total; a count shared by two channels is nobody's; 余/多 keep the approximation flag.
func TestPublicationWordings(t *testing.T) {
	type pub struct {
		ch     string
		n      int64
		approx bool
	}
	cases := []struct {
		sentence string
		want     []pub
	}{
		// WeChat
		{"通过“红寺堡镇发布”公众号发布信息300条。", []pub{{"wechat", 300, false}}},
		{"依托“平潭发布”微信公众号推送政务信息1640条。", []pub{{"wechat", 1640, false}}},
		{"通过政务微信发布各类信息526条。", []pub{{"wechat", 526, false}}},
		{"通过“沭阳发改发布”发布工作动态88条。", []pub{{"wechat", 88, false}}},
		// short video
		{"在“红寺堡发布”抖音号发布政策解读短视频45条。", []pub{{"short_video", 45, false}}},
		{"通过微信视频号发布视频26条。", []pub{{"short_video", 26, false}}},
		{"在快手平台发布作品12条。", []pub{{"short_video", 12, false}}},
		{"全年制作发布政务短视频30条。", []pub{{"short_video", 30, false}}},
		// portal
		{"在区政府门户网站公开政府信息1024条。", []pub{{"portal", 1024, false}}},
		{"依托红寺堡区政府网站公开各类信息80条。", []pub{{"portal", 80, false}}},
		{"通过沭阳县政务网站发布信息200篇。", []pub{{"portal", 200, false}}},
		{"在政府信息公开平台发布信息150条。", []pub{{"portal", 150, false}}},
		{"在政府信息公开专栏更新各类信息88条。", []pub{{"portal", 88, false}}},
		{"通过政府信息公开目录公开信息60条。", []pub{{"portal", 60, false}}},
		// totals
		{"2024年，全年共主动公开政府信息4521条。", []pub{{"total", 4521, false}}},
		{"截至12月底，累计主动公开各类文件300篇。", []pub{{"total", 300, false}}},
		{"全年主动公开政府信息1500条。", []pub{{"total", 1500, false}}},
		{"各类平台合计主动公开信息900条。", []pub{{"total", 900, false}}},
		// round figures
		{"全年通过门户网站发布信息7700余条。", []pub{{"portal", 7700, true}}},
		{"通过微信公众号推送信息300多篇。", []pub{{"wechat", 300, true}}},
		{"全年共主动公开政府信息1万余条。", nil},
		// sub-items
		{"通过门户网站发布信息2139条，其中政策文件56条、政策解读32条。", []pub{{"portal", 2139, false}}},
		{"通过微信公众号发布信息1640条，其中“区民政局发布”公众号发布300条。", []pub{{"wechat", 1640, false}}},
		{"全年共主动公开政府信息4521条，其中门户网站2300条、政务微信1500条。",
			[]pub{{"total", 4521, false}, {"portal", 2300, false}, {"wechat", 1500, false}}},
		{"全年共主动公开政府信息4521条，其中通过门户网站发布2300条，通过政务微信发布1500条。",
			[]pub{{"total", 4521, false}, {"portal", 2300, false}, {"wechat", 1500, false}}},
		// a count two channels share
		{"通过门户网站、微信公众号发布信息300条。", nil},
		// a list of channels in one clause
		{"通过门户网站发布信息2139条、微信公众号推送1640条。", []pub{{"portal", 2139, false}, {"wechat", 1640, false}}},
	}
	for _, c := range cases {
		t.Run(c.sentence, func(t *testing.T) {
			r := &ingest.Report{}
			readPublications(r, c.sentence, 1, []string{c.sentence})
			var got []pub
			for _, p := range r.Publications {
				got = append(got, pub{p.Channel, p.Count, p.Approx})
				if p.Quote == "" || p.Line != 1 {
					t.Errorf("%s %d: quote %q line %d", p.Channel, p.Count, p.Quote, p.Line)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", fmt.Sprint(got), fmt.Sprint(c.want))
			}
		})
	}
}
