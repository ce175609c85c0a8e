package decode

// traditionalPairs lists, as pairs of runes (traditional, simplified), the Traditional
// Chinese characters that occur in these reports' headings, labels and agency names, with
// their Simplified forms. Only unambiguous 1:1 mappings: characters that are also in
// ordinary Simplified use (乾, 著, 覆, 隻, 藉 …) are left out.
const traditionalPairs = "" +
	// the labels of the format
	"開开資资訊讯請请結结轉转處处辦办總总縂总計计審审訴诉訟讼議议複复復复維维糾纠規规範范" +
	"機机關关門门網网數数於于項项條条號号報报實实況况與与國国務务會会縣县區区鎮镇鄉乡屬属" +
	"護护權权現现製制補补認认發发廢废費费強强罰罚許许類类個个為为爲为無无達达構构組组織织" +
	"業业單单額额內内穩稳執执過过詢询沒没後后確确舉举訪访獲获當当繳缴納纳繼继續续動动體体" +
	"問问題题進进戶户眾众衆众視视頻频欄栏電电廳厅員员導导領领學学習习貫贯徹彻統统時时間间" +
	"從从並并對对應应將将們们來来還还經经濟济簡简稱称聯联繫系係系話话傳传郵邮劃划預预決决" +
	"標标準准點点億亿萬万長长減减較较書书圖图樣样見见頁页則则參参責责監监檢检測测評评價价" +
	"歸归檔档錄录紙纸線线廣广東东陽阳龍龙黨党團团醫医療疗衛卫環环農农財财稅税勞劳險险災灾" +
	"運运輸输設设築筑場场產产質质銀银錢钱貨货幣币餘余適适選选證证據据庫库齡龄兒儿婦妇" +
	// surnames and place names
	"陳陈張张劉刘楊杨趙赵吳吴鄭郑謝谢馬马黃黄羅罗蘇苏葉叶樓楼層层廈厦邊边遠远連连遲迟隊队" +
	"陸陆際际雙双雜杂離离難难靜静響响頒颁顯显風风飛飞驗验鬥斗魚鱼鳥鸟齊齐" +
	// words of the prose around the tables
	"訂订記记論论試试該该詳详誤误說说誰谁課课調调談谈諮咨講讲謀谋譽誉讀读變变讓让貢贡貸贷" +
	"賠赔賬账購购贈赠車车軍军轄辖輕轻遞递釋释針针鐵铁閉闭閱阅陣阵陰阴隨随隱隐雲云須须頭头" +
	"顧顾飯饭館馆麗丽齒齿彙汇匯汇採采獎奖勵励懲惩擔担擴扩擬拟撥拨損损換换揮挥擊击攜携夠够" +
	"憲宪懷怀態态戰战鑑鉴鑒鉴賴赖韓韩辯辩爭争畢毕義义勢势辭辞畫画級级紀纪約约紅红細细終终" +
	"絡络給给絕绝綜综綠绿緊紧編编練练縮缩績绩罷罢聽听職职肅肃臨临興兴舊旧華华術术裝装親亲" +
	"覺觉覽览觀观討讨訓训託托詞词語语誠诚識识譯译負负貧贫賣卖載载輔辅輛辆輪轮違违遺遗銷销" +
	"錯错鍵键階阶雖虽順顺養养駐驻覈核臺台週周衝冲佈布佔占併并歷历曆历嚴严贊赞夥伙劑剂蓋盖" +
	"盡尽優优勝胜創创壓压壞坏壇坛奪夺婁娄寶宝寫写寬宽專专尋寻屆届島岛峽峡巖岩幫帮幹干廠厂" +
	"廟庙廬庐彈弹徑径憶忆懸悬戲戏拋抛掃扫揚扬擁拥擇择擾扰攝摄敵敌敘叙斷断曉晓暫暂棄弃極极" +
	"榮荣槍枪樂乐樞枢樹树橋桥歡欢歲岁殘残殺杀氣气淨净涼凉湧涌滿满漢汉潔洁潛潜澤泽濃浓濕湿" +
	"灣湾烏乌煙烟熱热營营燈灯爐炉牆墙狀状獨独畝亩異异疊叠盜盗盤盘碼码礎础禮礼禍祸種种窮穷" +
	"競竞筆笔節节簽签籌筹糧粮紛纷紹绍綱纲緒绪緣缘聞闻聲声腳脚艱艰莊庄藝艺藥药蟲虫襲袭詐诈" +
	"誌志誘诱諾诺謊谎譜谱讚赞豐丰貝贝貪贪貴贵買买貿贸賀贺賓宾賜赐賞赏賢贤賽赛贏赢趕赶躍跃" +
	"軟软輯辑迴回這这遊游遙遥遷迁鄧邓鄰邻釀酿釘钉鈔钞鉛铅銅铜鋪铺錦锦鍋锅鎖锁鏈链鐘钟鑰钥" +
	"閃闪閒闲閣阁闆板闊阔闖闯陝陕雞鸡靈灵韻韵頂顶頓顿頗颇頸颈顆颗顏颜願愿飄飘飲饮飽饱飾饰" +
	"餅饼騎骑騰腾驅驱驚惊髒脏臟脏鬧闹魯鲁鮮鲜鳳凤鳴鸣鴻鸿鵬鹏鹽盐麥麦龜龟麼么鬱郁徵征塗涂" +
	"醜丑嘗尝蘋苹籲吁衛卫誕诞諸诸謂谓闡阐隸隶趨趋跡迹蹤踪販贩貼贴賦赋鈴铃鋼钢轟轰鳳凤飲饮" +
	"艦舰蘭兰虧亏觸触診诊詩诗腦脑脅胁聖圣辦办"

const (
	cjkFirst = 0x4E00
	cjkLast  = 0x9FFF
)

var (
	// tradBits marks, for each rune of the CJK Unified Ideographs block, whether it is in
	// traditionalPairs (a bit test is far cheaper than a map lookup for every character).
	tradBits [(cjkLast - cjkFirst + 64) / 64]uint64
	tradMap  = map[rune]rune{}
)

func init() {
	rs := []rune(traditionalPairs)
	if len(rs)%2 != 0 {
		panic("decode: traditionalPairs has an odd number of runes")
	}
	for i := 0; i < len(rs); i += 2 {
		t, s := rs[i], rs[i+1]
		if t < cjkFirst || t > cjkLast {
			panic("decode: traditional character outside the CJK block: " + string(t))
		}
		if old, ok := tradMap[t]; ok && old != s {
			panic("decode: traditional character mapped twice: " + string(t))
		}
		tradMap[t] = s
		tradBits[(t-cjkFirst)/64] |= 1 << ((t - cjkFirst) % 64)
	}
	buildMapBits()
}

// isTraditional reports whether r, in the CJK block, is in the table.
func isTraditional(r rune) bool {
	o := uint32(r - cjkFirst)
	return tradBits[o>>6]&(1<<(o&63)) != 0
}

// simplify returns the Simplified form of a Traditional character of the table, or r.
func simplify(r rune) rune {
	if !isTraditional(r) {
		return r
	}
	if s, ok := tradMap[r]; ok {
		return s
	}
	return r
}
