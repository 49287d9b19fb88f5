package main

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"guanjia/internal/demo"
)

// Row 3: a login link whose next= points elsewhere lands on the console, on
// this site. Tabs and newlines vanish from URLs in the browser and a
// backslash reads as a slash, which is how "/%09/evil.example/x" used to
// leave; the server drops such a next, and login.js checks again.
func TestBrowserLoginStaysOnSite(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	host := mustHost(t, m.URL)
	for i, c := range []struct {
		next    string // as it stands in the query string
		forceJS string // a next planted in the page, as if the server had let it through
	}{
		{next: "/%5C/evil.example/x"},
		{next: "%2F%2Fevil.example/x"},
		{next: "/%2509/evil.example/x"},
		{next: "https://evil.example/console"},
		{next: "/console/queue", forceJS: "/\t/evil.example/x"},
		{next: "/console/queue", forceJS: "/\\evil.example/x"},
		{next: "/console/queue", forceJS: "/%0A/evil.example/x"},
	} {
		s := open(fmt.Sprintf("visitor-%d", i))
		s.do("open the login link "+c.next, chromedp.Navigate(m.URL+"/console/login?next="+c.next), chromedp.WaitVisible(chromedp.ID("username")))
		if c.forceJS != "" {
			s.eval(fmt.Sprintf(`document.body.dataset.next = %q`, c.forceJS))
		}
		s.do("sign in",
			chromedp.SendKeys(chromedp.ID("username"), "dispatcher"),
			chromedp.SendKeys(chromedp.ID("password"), demo.Password),
			chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
		s.waitFor("the console after login", fmt.Sprintf(`location.host === %q && location.pathname === "/console/queue" && document.readyState === "complete"`, host))
	}

	// A next on this site is followed.
	s := open("dispatcher")
	s.login(m.URL, "/console/dashboard", "dispatcher")
}

func mustHost(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestBrowserSignInStartsWhereWorkWas: a credit clerk's menu begins with
// 矛盾纠纷; once they have worked on 诚信海口, their next sign-in on this
// browser starts there. Another account on the browser keeps its own.
func TestBrowserSignInStartsWhereWorkWas(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	s := open("credit-rsj")
	signIn := func(username string) {
		s.do("sign in as "+username, chromedp.Navigate(m.URL+"/console/login"), chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), demo.Password),
			chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	}
	signOut := func() {
		s.do("sign out", chromedp.Click(chromedp.CSS(`[data-logout]`)))
		s.waitFor("the login page", `location.pathname === "/console/login"`)
	}
	signIn("credit-rsj")
	s.waitFor("the first page of the menu", `location.pathname === "/console/disputes" && document.readyState === "complete"`)
	s.do("open 诚信海口", chromedp.Click(chromedp.CSS(`nav a[href="/console/credit"]`)))
	s.waitFor("诚信海口", `location.pathname === "/console/credit" && document.readyState === "complete"`)
	signOut()
	signIn("credit-rsj")
	s.waitFor("诚信海口 again", `location.pathname === "/console/credit" && document.readyState === "complete"`)
	signOut()
	signIn("dispatcher")
	s.waitFor("the dispatcher's own start", `location.pathname === "/console/queue" && document.readyState === "complete"`)
}
