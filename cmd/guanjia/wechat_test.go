package main

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"guanjia"
)

// A production process configures template ids only: a tap on any message
// opens its page of the mini-program shipped beside guanjia, and WECHAT_PAGES
// overrides one without losing the others.
func TestEveryMessageOpensAMiniProgramPage(t *testing.T) {
	raw, err := os.ReadFile("../../wechat/miniprogram/miniprogram/app.json")
	if err != nil {
		t.Fatal(err)
	}
	var app struct{ Pages []string }
	if err := json.Unmarshal(raw, &app); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WECHAT_PAGES", "")
	cfg, err := loadWeChatConfig()
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range subscribeTemplates {
		if page := cfg.Pages[tpl]; !slices.Contains(app.Pages, page) {
			t.Errorf("a %s message opens %q, not a page of the mini-program", tpl, page)
		}
	}
	if got := cfg.Pages[guanjia.TplVolunteerInvitation]; got != "pages/volunteer/activity" {
		t.Errorf("an invitation opens %q, want the activity's page, where it is answered", got)
	}

	t.Setenv("WECHAT_PAGES", "dispute_update=pages/mine/disputes")
	if cfg, err = loadWeChatConfig(); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Pages[guanjia.TplDisputeUpdate]; got != "pages/mine/disputes" {
		t.Errorf("WECHAT_PAGES did not override: %q", got)
	}
	if got := cfg.Pages[guanjia.TplComplaintUpdate]; got != "pages/complaint/detail" {
		t.Errorf("an override dropped the other pages: complaint_update opens %q", got)
	}
}
