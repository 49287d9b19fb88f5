// The dispute queue: one page of /api/v1/disputes with the filters in the
// URL; the one-month mediation deadline is coloured when near or past.
'use strict';
(() => {
  const { h, api } = GJ;
  const form = document.getElementById('dispute-filters');
  const tbody = document.querySelector('#dispute-table tbody');
  const summary = document.getElementById('dispute-summary');
  const FILTERS = ['status', 'level', 'committee', 'mine'];
  const PER_PAGE = 50;
  const pager = GJ.pager('dispute', load);
  let types = new Map();

  const value = (name) => {
    const el = form.elements[name];
    return el.type === 'checkbox' ? (el.checked ? 'true' : '') : el.value;
  };
  function readURL() {
    const q = new URLSearchParams(location.search);
    for (const name of FILTERS) {
      const el = form.elements[name];
      if (el.type === 'checkbox') el.checked = q.get(name) === 'true';
      else if (q.has(name)) el.value = q.get(name);
    }
    pager.page = Math.max(1, Number(q.get('page')) || 1);
  }
  function query() {
    const q = new URLSearchParams();
    for (const name of FILTERS) if (value(name)) q.set(name, value(name));
    if (pager.page > 1) q.set('page', pager.page);
    q.set('per_page', PER_PAGE);
    return q;
  }

  function row(d) {
    return h('tr', { 'data-id': d.id, 'data-status': d.status },
      h('td', {}, h('a', { href: `/console/disputes/${d.id}` }, d.number || `#${d.id}`)),
      h('td', {}, h('time', { datetime: d.created_at }, GJ.shortTime(d.created_at))),
      h('td', {}, d.type_name || types.get(d.type) || d.type),
      h('td', {}, d.summary, h('span', { class: 'desc', title: d.address }, d.address || '')),
      h('td', {}, d.committee ? (GJD.LEVEL[d.committee.level] || d.committee.level) : (GJD.LEVEL[d.level] || d.level || '—')),
      h('td', {}, d.committee ? d.committee.name : '待分流'),
      h('td', {}, GJD.SOURCE[d.source] || d.source || '—'),
      h('td', {}, GJD.badge(d)),
      h('td', {}, GJD.due(d)));
  }

  let loading = null;
  async function load() {
    const q = query();
    history.replaceState(null, '', q.toString() ? `?${q}` : location.pathname);
    const mine = (loading = q.toString());
    try {
      const out = await api('GET', `/api/v1/disputes?${q}`);
      if (mine !== loading) return; // a newer request is on its way
      if (!pager.showTotal(out.total, PER_PAGE)) return load();
      const list = out.disputes || [];
      tbody.replaceChildren(...list.map(row));
      if (!list.length) tbody.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, '没有符合条件的纠纷')));
      const late = list.filter((d) => (GJD.dueState(d) || {}).cls === 'overdue').length;
      summary.textContent = `共 ${GJ.num(out.total)} 件纠纷${late ? `，本页超期 ${GJ.num(late)} 件` : ''}`;
    } catch (err) {
      summary.textContent = `加载失败：${err.message}`;
    }
  }

  form.addEventListener('change', () => { pager.page = 1; load(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); pager.page = 1; load(); });
  form.addEventListener('reset', () => setTimeout(() => { pager.page = 1; load(); }));

  (async () => {
    const opt = (v, label) => h('option', { value: v }, label);
    const [t, c] = await Promise.all([
      api('GET', '/api/v1/disputes/types').catch(() => ({})),
      api('GET', '/api/v1/mediation/committees').catch(() => ({})),
    ]);
    types = new Map((t.types || []).map((x) => [x.code, x.name]));
    form.elements.status.append(...GJD.STATUSES.map(([code, name]) => opt(code, name)));
    const committees = c.committees || [];
    const levels = [...new Set(committees.map((x) => x.level))];
    form.elements.level.append(...levels.map((l) => opt(l, GJD.LEVEL[l] || l)));
    form.elements.committee.append(...committees.map((x) => opt(x.code, x.name)));
    if (GJ.me.role === 'mediator') form.elements.mine.checked = !location.search; // their own cases first
    readURL();
    await load();
    GJ.live(GJ.debounce(load, 500), () => load(), ['dispute']); // a case filed, routed or moved on elsewhere
  })().catch((err) => { summary.textContent = `加载失败：${err.message}`; });
})();
