package wechat

import (
	"testing"
	"unicode/utf8"

	"guanjia"
)

// The credit decisions are subscribe messages (package credit sends them on
// guanjia.ChannelSubscribe): each must have keywords, filled from the Data
// credit puts in, within WeChat's limits, and be published for consent.
func TestCreditDecisionsAreSubscribeMessages(t *testing.T) {
	sent := map[string]map[string]string{ // as credit/repair.go and credit/representative.go fill them
		guanjia.TplCreditRepairDecided: {"repair": "12", "status": "已修复", "note": "该记录已由其他申请修复，本申请不再审核，如有疑问请联系作出决定的部门"},
		guanjia.TplCreditAgentDecided:  {"representative": "7", "status": "已认可", "note": ""},
	}
	for tpl, data := range sent {
		got, err := subscribeData(&guanjia.Notification{Message: guanjia.Message{Template: tpl, Data: data}})
		if err != nil {
			t.Fatalf("%s: %v", tpl, err)
		}
		if got["character_string1"] == "-" || got["phrase2"] != data["status"] {
			t.Errorf("%s: number %q, status %q: want them from the Data", tpl, got["character_string1"], got["thing2"])
		}
		for k, v := range got {
			typ := keywordType(k)
			if max, ok := keywordLimits[typ]; !ok || v == "" || utf8.RuneCountInString(v) > max {
				t.Errorf("%s: %s = %q is past WeChat's limit for %s", tpl, k, v, typ)
			}
			if typ == "time" {
				t.Errorf("%s: %s: credit sends no time", tpl, k)
			}
		}
	}
	c := &Client{cfg: Config{Templates: map[string]string{guanjia.TplCreditRepairDecided: "tpl-r", guanjia.TplCreditAgentDecided: "tpl-a"}}}
	if pub := c.SubscribeTemplates(); pub[guanjia.TplCreditRepairDecided] != "tpl-r" || pub[guanjia.TplCreditAgentDecided] != "tpl-a" {
		t.Errorf("published %v, want both credit decisions", pub)
	}
}
