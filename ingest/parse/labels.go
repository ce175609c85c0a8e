package parse

import (
	"strings"
	"unicode/utf8"
)

// rowLabel says how a table-3 row is recognised: by Han words its label contains (any one
// suffices), or, for 3.其他, by the label being exactly the words.
type rowLabel struct {
	bit   uint // its bit in a token's label mask (see labelMasks)
	key   string
	words []string // any of these as a substring of the label's Han characters
	exact string   // or the label's Han characters (less its 一二三… marker) equal to this
}

// table3Labels are the table-3 rows in printed order with the words that identify them,
// including variants and typos seen in published reports (其他法律行政止公开).
var table3Labels = withBits([]rowLabel{
	{key: "new_received", words: []string{"本年新收", "新收政府信息公开申请"}},
	{key: "carried_over", words: []string{"上年结转"}},
	{key: "disclosed", words: []string{"予以公开"}},
	{key: "partly_disclosed", words: []string{"部分公开"}},
	{key: "withheld_state_secret", words: []string{"国家秘密"}},
	{key: "withheld_law_forbidden", words: []string{"法规禁止", "禁止公开", "行政止公开", "法律行政法规"}},
	{key: "withheld_three_security", words: []string{"三安全一稳定", "危及"}},
	{key: "withheld_third_party", words: []string{"第三方"}},
	{key: "withheld_internal_affairs", words: []string{"内部事务"}},
	{key: "withheld_process_info", words: []string{"过程性"}},
	{key: "withheld_enforcement_file", words: []string{"执法案卷"}},
	{key: "withheld_query_item", words: []string{"查询事项"}},
	{key: "unable_not_held", words: []string{"不掌握"}},
	{key: "unable_need_create", words: []string{"另行制作", "没有现成"}},
	{key: "unable_unclear", words: []string{"仍不明确", "补正后申请"}},
	{key: "refused_petition", words: []string{"信访", "举报投诉"}},
	{key: "refused_repeated", words: []string{"重复申请"}},
	{key: "refused_publication", words: []string{"出版物"}},
	{key: "refused_mass_repeated", words: []string{"大量反复"}},
	{key: "refused_confirm_info", words: []string{"重新出具", "确认或重新", "已获取信息"}},
	{key: "other_no_supplement", words: []string{"不补正"}},
	{key: "other_no_fee", words: []string{"缴纳费用", "收费通知"}},
	{key: "other_other", exact: "其他"},
	{key: "total_handled", words: []string{"七总计"}, exact: "总计"},
	{key: "carried_forward", words: []string{"结转下年度", "下年度继续"}},
})

// otherHandledWords identify the single-row （六）其他处理.
var otherHandledWords = []string{"其他处理"}

// otherHandledBit is the mask bit of the single-row （六）其他处理.
const otherHandledBit = 25

// withBits numbers the labels' mask bits in printed order.
func withBits(ls []rowLabel) []rowLabel {
	for i := range ls {
		ls[i].bit = uint(i)
	}
	return ls
}

// labelWord is one word that names a row, indexed by its first character.
type labelWord struct {
	word string
	bit  uint
}

// wordsByFirst indexes every table-3 label word by its first rune, so a label is scanned
// once instead of being searched for each word of each row; firstIndex maps a rune of the
// CJK block to its list (0: no word starts with it).
var wordsByFirst, firstIndex = func() ([][]labelWord, *[0xA000]uint8) {
	lists := [][]labelWord{nil}
	var idx [0xA000]uint8
	add := func(w string, bit uint) {
		r, _ := utf8.DecodeRuneInString(w)
		if idx[r] == 0 {
			idx[r] = uint8(len(lists))
			lists = append(lists, nil)
		}
		lists[idx[r]] = append(lists[idx[r]], labelWord{w, bit})
	}
	for _, l := range table3Labels {
		for _, w := range l.words {
			add(w, l.bit)
		}
	}
	for _, w := range otherHandledWords {
		add(w, otherHandledBit)
	}
	return lists, &idx
}()

// labelMasks gives every text token the set of table-3 rows its label names, as bits, so
// the row search does not match the same label over and over.
func labelMasks(toks []token, masks []uint32) []uint32 {
	masks = masks[:0]
	for _, t := range toks {
		var m uint32
		if t.kind == tokText {
			h := t.han
			for i := 0; i < len(h); {
				// the three-byte characters (the CJK block) decoded inline, as range would
				var r rune
				size := 3
				if b := h[i]; b >= 0xE1 && b <= 0xEF && b != 0xED && i+2 < len(h) && h[i+1]&0xC0 == 0x80 && h[i+2]&0xC0 == 0x80 {
					r = rune(b&0x0F)<<12 | rune(h[i+1]&0x3F)<<6 | rune(h[i+2]&0x3F)
				} else {
					r, size = utf8.DecodeRuneInString(h[i:])
				}
				if r < 0xA000 && firstIndex[r] != 0 {
					for _, w := range wordsByFirst[firstIndex[r]] {
						if strings.HasPrefix(h[i:], w.word) {
							m |= 1 << w.bit
						}
					}
				}
				i += size
			}
			// the labels matched by their exact words (their other words were seen above)
			for _, l := range exactLabels {
				if l.matchesExact(h) {
					m |= 1 << l.bit
				}
			}
		}
		masks = append(masks, m)
	}
	return masks
}

// exactLabels are the table-3 labels with an exact form.
var exactLabels = func() []rowLabel {
	var out []rowLabel
	for _, l := range table3Labels {
		if l.exact != "" {
			out = append(out, l)
		}
	}
	return out
}()

// matchesExact tells whether han is the label's exact form, maybe after 一二三… markers
// (the exact half of matches).
func (l rowLabel) matchesExact(han string) bool {
	if !strings.HasSuffix(han, l.exact) {
		return false
	}
	for _, r := range han[:len(han)-len(l.exact)] {
		if !strings.ContainsRune("一二三四五六七八九十", r) {
			return false
		}
	}
	return true
}

// matches tells whether a label's Han characters name this row.
func (l rowLabel) matches(han string) bool {
	for _, w := range l.words {
		if strings.Contains(han, w) {
			return true
		}
	}
	if l.exact != "" {
		h := strings.TrimLeft(han, "一二三四五六七八九十")
		if h == l.exact || han == l.exact {
			return true
		}
	}
	return false
}

// table2Label identifies a table-2 row: its label ends with one of the words.
type table2Label struct {
	keys   []string // the cells of the row, in printed order
	nums   []int    // their key numbers
	suffix []string
}

// withNums fills the labels' key numbers.
func withNums(ls []table2Label) []table2Label {
	for i := range ls {
		ls[i].nums = keyNums(ls[i].keys)
	}
	return ls
}

var table2Labels2021 = withNums([]table2Label{
	{keys: []string{"table2.regulations.made", "table2.regulations.repealed", "table2.regulations.valid"}, suffix: []string{"规章"}},
	{keys: []string{"table2.normative_documents.made", "table2.normative_documents.repealed", "table2.normative_documents.valid"}, suffix: []string{"规范性文件"}},
	{keys: []string{"table2.licensing"}, suffix: []string{"行政许可"}},
	{keys: []string{"table2.punishment"}, suffix: []string{"行政处罚"}},
	{keys: []string{"table2.coercion"}, suffix: []string{"行政强制"}},
	{keys: []string{"table2.fees"}, suffix: []string{"行政事业性收费", "事业性收费"}},
})

var table2Labels2019 = withNums([]table2Label{
	{keys: []string{"table2_2019.regulations.new_made", "table2_2019.regulations.new_published", "table2_2019.regulations.total_published"}, suffix: []string{"规章"}},
	{keys: []string{"table2_2019.normative_documents.new_made", "table2_2019.normative_documents.new_published", "table2_2019.normative_documents.total_published"}, suffix: []string{"规范性文件"}},
	{keys: []string{"table2_2019.licensing.last_year", "table2_2019.licensing.change", "table2_2019.licensing.decisions"}, suffix: []string{"行政许可"}},
	{keys: []string{"table2_2019.other_services.last_year", "table2_2019.other_services.change", "table2_2019.other_services.decisions"}, suffix: []string{"其他对外管理服务事项", "对外管理服务事项"}},
	{keys: []string{"table2_2019.punishment.last_year", "table2_2019.punishment.change", "table2_2019.punishment.decisions"}, suffix: []string{"行政处罚"}},
	{keys: []string{"table2_2019.coercion.last_year", "table2_2019.coercion.change", "table2_2019.coercion.decisions"}, suffix: []string{"行政强制"}},
	{keys: []string{"table2_2019.fees.last_year", "table2_2019.fees.change"}, suffix: []string{"行政事业性收费", "事业性收费"}},
	{keys: []string{"table2_2019.procurement.items", "table2_2019.procurement.amount"}, suffix: []string{"政府集中采购", "集中采购"}},
})

func (l table2Label) matches(han string) bool {
	for _, s := range l.suffix {
		if strings.HasSuffix(han, s) {
			return true
		}
	}
	return false
}
