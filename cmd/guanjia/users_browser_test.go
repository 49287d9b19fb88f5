package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guanjia"
)

// TestBrowserUsers: on 账号管理 an administrator hires a crew member for a
// unit and a grid; a mistake first shows the server's Chinese refusal and
// creates nothing. The new account signs in with the password it was given;
// once disabled, its session ends and it can no longer sign in.
func TestBrowserUsers(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	const password = "hired-in-haikou"
	const name = `王师傅<img src=x onerror=window.__xss=1>` // shown as typed, never as markup

	admin := open("admin")
	admin.login(m.URL, "/console/users", "admin")
	admin.waitFor("the accounts", `document.querySelectorAll('#user-table tbody tr[data-id]').length > 5`)
	if got := admin.text(`.topbar nav a[aria-current=page]`); got != "账号管理" {
		t.Errorf("the menu marks %q", got)
	}
	// choose picks an option as a click would, telling the page.
	choose := func(s *browserSession, id, value string) {
		t.Helper()
		s.eval(fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event('change', { bubbles: true })); })()`, id, value))
	}

	admin.do("open the form", chromedp.Click(chromedp.ID("user-new")), chromedp.WaitVisible(chromedp.ID("new-username")))
	if got := admin.eval(`[...document.querySelectorAll('#new-role option')].map((o) => o.value).join(' ')`); strings.Contains(got.(string), "citizen") {
		t.Errorf("the role chooser offers citizens: %v", got)
	}
	if admin.eval(`document.querySelector('#user-form [data-needs=unit]').hidden && document.querySelector('#user-form [data-needs=grid]').hidden`) != true {
		t.Error("unit and grid choosers show before a role needs them")
	}
	admin.do("fill in a crew member", chromedp.SendKeys(chromedp.ID("new-username"), "wang-hw"),
		chromedp.SendKeys(chromedp.ID("new-name"), name), chromedp.SendKeys(chromedp.ID("new-password"), password))
	choose(admin, "new-role", "crew")
	admin.waitFor("the unit and grid choosers", `!document.querySelector('#user-form [data-needs=unit]').hidden && !document.querySelector('#user-form [data-needs=grid]').hidden &&
		document.querySelector('#new-unit option[value="lh-hw"]') !== null && document.querySelector('#new-grid option[value="lh01"]') !== null`)

	// Without its unit: the server's refusal, on the field it names.
	admin.do("save without a unit", chromedp.Click(chromedp.CSS(`#user-form button[type=submit]`)))
	admin.waitFor("the refusal", `!document.getElementById('user-form-error').hidden`)
	if got := admin.text("#user-form-error"); got != "处置人员须指定所属单位" {
		t.Errorf("refusal of a crew member without a unit: %q", got)
	}
	if admin.eval(`document.getElementById('new-unit').getAttribute('aria-invalid')`) != "true" {
		t.Error("the unit chooser is not marked")
	}
	if _, err := m.DB.Users.FindUserByUsername(context.Background(), "wang-hw"); guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		t.Fatalf("a refused form created the account: %v", err)
	}
	admin.shot("users-refused")

	choose(admin, "new-unit", "lh-hw")
	choose(admin, "new-grid", "lh01")
	admin.do("save", chromedp.Click(chromedp.CSS(`#user-form button[type=submit]`)))
	admin.waitFor("the new account's detail", `document.getElementById('user-form').hidden && !document.getElementById('user-detail').hidden &&
		document.querySelector('#user-audit li[data-event=create]') !== null`)
	literal, _ := json.Marshal(name)
	admin.do("find it in the list", chromedp.SendKeys(chromedp.CSS(`#user-filters [name=q]`), "wang-hw"),
		chromedp.Click(chromedp.CSS(`#user-filters button[type=submit]`)))
	admin.waitFor("the new account in the list", fmt.Sprintf(`[...document.querySelectorAll('#user-table tr[data-username="wang-hw"] td')].some((td) => td.textContent === %s)`, literal))
	info := admin.text("#user-info")
	for _, want := range []string{"处置人员", "龙华区环卫所（lh-hw）", "lh01", name, "在用"} {
		if !strings.Contains(info, want) {
			t.Errorf("the new account's detail lacks %q: %q", want, info)
		}
	}
	if admin.eval(`typeof window.__xss === 'undefined' && document.querySelectorAll('img[src="x"]').length === 0`) != true {
		t.Error("the name became markup")
	}
	if got := admin.text("#user-audit li[data-event=create]"); !strings.Contains(got, "新建账号") || !strings.Contains(got, "admin") {
		t.Errorf("the audit line: %q", got)
	}
	admin.shot("users-created")
	u, err := m.DB.Users.FindUserByUsername(context.Background(), "wang-hw")
	if err != nil || u.Role != guanjia.RoleCrew || u.UnitCode != "lh-hw" || u.GridID != "lh01" || u.Name != name {
		t.Fatalf("the saved account: %+v %v", u, err)
	}

	// The same account once more (a save whose answer was lost, sent again):
	// refused, and the account that has the name is opened, with when it was made.
	admin.do("close it", chromedp.Click(chromedp.ID("user-detail-close")))
	admin.do("new account again", chromedp.Click(chromedp.ID("user-new")))
	admin.do("fill in the same", chromedp.SendKeys(chromedp.ID("new-username"), "wang-hw"), chromedp.SendKeys(chromedp.ID("new-password"), password))
	choose(admin, "new-role", "agent")
	admin.do("save it again", chromedp.Click(chromedp.CSS(`#user-form button[type=submit]`)))
	admin.waitFor("the taken name, with its account open", `document.getElementById('user-form-error').textContent.includes('建立于') &&
		!document.getElementById('user-detail').hidden && document.getElementById('user-detail-title').textContent.includes('wang-hw')`)
	if _, n, err := m.DB.Users.ListUsers(context.Background(), guanjia.UserFilter{Query: "wang-hw", Limit: 10}); err != nil || n != 1 {
		t.Fatalf("accounts named wang-hw: %d %v", n, err)
	}
	admin.eval(`document.getElementById('user-form').hidden || document.getElementById('user-form-cancel').click()`)

	// The new crew member signs in with the password they were given.
	crew := open("crew")
	signInAs := func(password, want string) {
		t.Helper()
		crew.do("the sign-in page", chromedp.Navigate(m.URL+"/crew"), chromedp.WaitVisible(chromedp.ID("username")))
		crew.do("sign in as wang-hw", chromedp.SendKeys(chromedp.ID("username"), "wang-hw"), chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
		crew.waitFor(want, want)
	}
	const onCrewPage = `location.pathname === '/crew' && document.readyState === 'complete'`
	signInAs(password, onCrewPage)

	// Disabled: the session ends and signing in again is refused.
	admin.do("disable", chromedp.Click(chromedp.ID("user-disable")))
	admin.waitFor("disabled", `!document.getElementById('user-enable').hidden && document.querySelector('#user-audit li[data-event=disable]') !== null`)
	if got := admin.text("#user-info"); !strings.Contains(got, "已停用") {
		t.Errorf("the detail after disabling: %q", got)
	}
	crew.do("reload the crew page", chromedp.Navigate(m.URL+"/crew"))
	crew.waitFor("the sign-in page", `location.pathname === '/console/login' && document.getElementById('username') !== null`)
	signInAs(password, `!document.getElementById('login-error').hidden`)
	if got := crew.text("#login-error"); got != "该账号已停用，请联系管理员" {
		t.Errorf("a disabled account signing in: %q", got)
	}
	admin.shot("users-disabled")

	// Enabled again with a new password and another grid: the trail says each.
	admin.do("enable", chromedp.Click(chromedp.ID("user-enable")))
	admin.waitFor("enabled", `!document.getElementById('user-disable').hidden && document.querySelector('#user-audit li[data-event=enable]') !== null`)
	admin.do("reset the password", chromedp.SendKeys(chromedp.ID("reset-password"), "reset-by-admin"),
		chromedp.Click(chromedp.CSS(`#user-password-form button[type=submit]`)))
	admin.waitFor("the reset", `!document.querySelector('#user-password-form [data-done]').hidden && document.querySelector('#user-audit li[data-event=password_reset]') !== null`)
	if got := admin.eval(`document.getElementById('reset-password').value`); got != "reset-by-admin" {
		t.Errorf("after the reset the form holds %q, want the new password until the account is closed", got)
	}
	choose(admin, "edit-grid", "lh02")
	admin.do("move to grid lh02", chromedp.Click(chromedp.CSS(`#user-role-form button[type=submit]`)))
	admin.waitFor("the new grid", `document.querySelector('#user-audit li[data-event=grid]') !== null`)
	if got := admin.text("#user-audit li[data-event=grid]"); !strings.Contains(got, "lh01") || !strings.Contains(got, "lh02") {
		t.Errorf("the grid change in the trail: %q", got)
	}
	admin.do("close the account", chromedp.Click(chromedp.ID("user-detail-close")))
	if got := admin.eval(`document.getElementById('reset-password').value`); got != "" {
		t.Errorf("the new password stays in the page after closing the account: %q", got)
	}
	signInAs("reset-by-admin", onCrewPage)
}
