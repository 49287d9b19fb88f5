package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guanjia/law"
)

// TestBrowserLawLibrary: the justice bureau's editor searches the library in
// Chinese, sees the matching article, edits that article and finds the law
// by its new words; the 行政审批 department's importer sees the approvals feed.
func TestBrowserLawLibrary(t *testing.T) {
	m := startMain(t)
	open := newBrowser(t)
	s := open("law-editor")
	s.login(m.URL, "/console/laws", "law-sfj")
	s.waitFor("the library", `document.querySelectorAll('#law-table tbody tr[data-id]').length >= 4`)

	s.do("search 民间纠纷",
		chromedp.SendKeys(chromedp.ID("law-q"), "民间纠纷"),
		chromedp.Click(chromedp.CSS(`#law-search button[type=submit]`)))
	s.waitFor("the mediation law alone", `document.querySelectorAll('#law-table tbody tr[data-id]').length === 1`)
	if got := s.text(`#law-table tbody tr[data-id]`); !strings.Contains(got, "人民调解法") || !strings.Contains(got, "第二条") {
		t.Fatalf("search result: %q", got)
	}
	s.shot("law-search")

	// Edit 第七条: its text gains a phrase nobody else uses.
	s.do("edit the law", chromedp.Click(chromedp.CSS(`#law-table tbody tr[data-id] button.link`)))
	s.waitFor("the editor", `!document.getElementById('law-form').hidden && document.querySelectorAll('#law-articles li').length === 6`)

	// A saved article whose text is cleared by mistake is refused by name,
	// not dropped; a row added and left empty is ignored.
	s.eval(`document.querySelector('#law-articles li textarea').value = ''`)
	s.do("add an empty row", chromedp.Click(chromedp.ID("law-add-article")))
	s.do("save", chromedp.Click(chromedp.CSS(`#law-form button[type=submit]`)))
	s.waitFor("the refusal", `!document.getElementById('law-error').hidden`)
	if got := s.text(`#law-error`); !strings.Contains(got, "第一条") {
		t.Errorf("refusal of a cleared article: %q", got)
	}
	if l, err := m.DB.Laws.FindLawByTitle(context.Background(), "中华人民共和国人民调解法"); err != nil || len(l.Articles) != 6 || l.Articles[0].Text == "" {
		t.Fatalf("a refused save changed the law: %+v %v", l, err)
	}
	s.do("reopen the law", chromedp.Click(chromedp.ID("law-cancel")), chromedp.Click(chromedp.CSS(`#law-table tbody tr[data-id] button.link`)))
	s.waitFor("the editor again", `!document.getElementById('law-form').hidden && document.querySelectorAll('#law-articles li').length === 6 && document.querySelector('#law-articles li textarea').value !== ''`)
	s.eval(`(() => {
		const li = [...document.querySelectorAll('#law-articles li')].find((x) => x.querySelector('[name=number]').value === '第七条');
		li.querySelector('textarea').value = '人民调解委员会是依法设立的调解民间纠纷的群众性组织，设在村民委员会和居民委员会。';
	})()`)
	s.do("save", chromedp.Click(chromedp.CSS(`#law-form button[type=submit]`)))
	s.waitFor("the editor closed", `document.getElementById('law-form').hidden`)

	s.eval(`document.getElementById('law-q').value = ''`)
	s.do("search 居民委员会",
		chromedp.SendKeys(chromedp.ID("law-q"), "居民委员会"),
		chromedp.Click(chromedp.CSS(`#law-search button[type=submit]`)))
	s.waitFor("the edited article found", `[...document.querySelectorAll('#law-table tbody tr[data-id]')].some((tr) => tr.textContent.includes('第七条'))`)
	s.shot("law-edited")
	l, err := m.DB.Laws.FindLawByTitle(context.Background(), "中华人民共和国人民调解法")
	if err != nil || len(l.Articles) != 6 || !strings.Contains(l.Articles[2].Text, "居民委员会") || l.Status != law.StatusInForce {
		t.Errorf("saved law: %+v %v", l, err)
	}

	s.checkScriptErrors()
	s = open("approvals")
	s.login(m.URL, "/console/approvals", "approval-xzsp")
	s.waitFor("the feed", `document.querySelectorAll('#approval-feed tbody tr').length > 1`)
	s.checkScriptErrors()
}
