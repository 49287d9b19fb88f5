// 站内消息: the unread badge of every staff page (the nav, the crew bar),
// kept current by the live feed, and the message list of the inbox page and
// of the crew page's panel, with mark-as-read. Texts are shown as text.
'use strict';
(() => {
  const { h, api } = GJ;
  const badges = document.querySelectorAll('[data-inbox-badge]');
  const list = document.getElementById('inbox-list');
  const more = document.querySelector('[data-inbox-more]');
  const errEl = document.getElementById('inbox-error') || document.getElementById('crew-error');
  const panel = document.getElementById('inbox-panel');
  const toggle = document.querySelector('[data-inbox-toggle]');
  const onCrew = GJ.me.role === 'crew';
  const PAGE = 30;
  const MAX_PAGE = 100; // the API's most per request (api/inbox.go maxInboxPage)
  let next = null;

  function setUnread(n) {
    for (const b of badges) {
      b.textContent = n > 99 ? '99+' : String(n);
      b.title = `${n} 条未读消息`;
      b.hidden = !n;
    }
  }

  async function markRead(m, li, button) {
    button.disabled = true;
    try {
      const out = await api('POST', `/api/v1/inbox/${m.id}/read`);
      setUnread(out.unread);
      li.className = 'read';
      button.remove();
    } catch (err) {
      button.disabled = false;
      GJ.showError(errEl, err);
    }
  }

  function item(m) {
    const li = h('li', { class: m.read ? 'read' : 'unread', 'data-id': m.id });
    const parts = [h('span', { class: 'text' }, m.text), h('time', { datetime: m.created_at }, GJ.time(m.created_at))];
    if (m.complaint && !onCrew) parts.push(h('a', { href: `/console/orders/${m.complaint}` }, `查看工单 #${m.complaint}`));
    if (m.complaint && onCrew) {
      parts.push(h('button', { type: 'button', class: 'link', onclick: () => {
        const card = document.querySelector(`.task[data-id="${m.complaint}"]`);
        if (card) card.scrollIntoView({ behavior: 'smooth', block: 'start' });
        else GJ.toast('该任务已不在待办列表中');
      } }, '查看任务'));
    }
    if (!m.read) {
      const b = h('button', { type: 'button', class: 'link', 'data-read': m.id }, '标为已读');
      b.addEventListener('click', () => markRead(m, li, b));
      parts.push(b);
    }
    li.append(...parts);
    return li;
  }

  const refresh = GJ.latest(async () => {
    try {
      // Those shown and a page of new ones: a refresh must not drop what 加载更多 brought.
      const shown = list ? list.querySelectorAll('li[data-id]').length : 0;
      const out = await api('GET', `/api/v1/inbox?limit=${list ? Math.min(shown + PAGE, MAX_PAGE) : 1}`);
      setUnread(out.unread);
      if (list) {
        list.replaceChildren(...out.messages.map(item));
        if (!out.messages.length) list.append(h('li', { class: 'empty' }, '暂无消息'));
        next = out.next_before;
        if (more) more.hidden = !next;
      }
      GJ.showError(errEl, null);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  });
  const refreshSoon = GJ.debounce(refresh, 300);

  if (more) {
    more.addEventListener('click', async () => {
      if (!next) return;
      try {
        const out = await api('GET', `/api/v1/inbox?limit=${PAGE}&before=${next}`);
        list.append(...out.messages.map(item));
        next = out.next_before;
        more.hidden = !next;
      } catch (err) {
        GJ.showError(errEl, err);
      }
    });
  }
  document.querySelectorAll('[data-inbox-readall]').forEach((b) => b.addEventListener('click', async () => {
    try {
      await api('POST', '/api/v1/inbox/read');
      await refresh();
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }));
  if (toggle && panel) {
    toggle.addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) refresh();
    });
  }

  // New messages arrive on the live feed; a reconnect may have missed some.
  const es = GJ.events();
  es.addEventListener('inbox', () => {
    refreshSoon();
    GJ.toast('收到新的站内消息');
  });
  es.addEventListener('open', refreshSoon);
  if (document.body.dataset.page === 'inbox') GJ.live(() => {}, refreshSoon);
  refresh();
})();
