// The live queue: one page of orders from /api/v1/complaints with the
// filters in the URL, kept current by /api/v1/live without reloading.
'use strict';
(() => {
  const { h, api } = GJ;
  const form = document.getElementById('filters');
  const tbody = document.querySelector('#queue-table tbody');
  const summary = document.getElementById('summary');
  const FILTERS = ['status', 'unit', 'district', 'category', 'source'];
  const pager = GJ.pager('', () => load());
  let total = 0;
  let ref = { cats: new Map(), units: new Map(), crews: new Map() };

  function readURL() {
    const q = new URLSearchParams(location.search);
    for (const name of [...FILTERS, 'per_page']) {
      if (q.has(name)) form.elements[name].value = q.get(name);
    }
    pager.page = Math.max(1, Number(q.get('page')) || 1);
  }
  function writeURL() {
    const q = new URLSearchParams();
    for (const name of [...FILTERS, 'per_page']) {
      const v = form.elements[name].value;
      if (v && !(name === 'per_page' && v === '50')) q.set(name, v);
    }
    if (pager.page > 1) q.set('page', pager.page);
    history.replaceState(null, '', q.toString() ? `?${q}` : location.pathname);
  }
  function perPage() { return Number(form.elements.per_page.value) || 50; }

  // apiQuery builds the list request from the filters, read by get(name).
  function apiQuery(get, pageNo) {
    const q = new URLSearchParams({ page: pageNo, per_page: Number(get('per_page')) || 50 });
    const status = get('status') || '';
    if (status === '') q.set('open', 'true');
    else if (status !== 'all') q.set('status', status);
    for (const name of FILTERS.slice(1)) {
      const v = get(name);
      if (v) q.set(name, v);
    }
    return q.toString();
  }
  const formQuery = () => apiQuery((name) => form.elements[name].value, pager.page);

  // matches says whether a changed complaint belongs in the current view.
  function matches(c) {
    const status = form.elements.status.value;
    if (status === '' && GJ.CLOSED.has(c.status)) return false;
    if (status !== '' && status !== 'all' && c.status !== status) return false;
    return FILTERS.slice(1).every((name) => {
      const v = form.elements[name].value;
      const field = { unit: 'unit', district: 'district', category: 'category', source: 'source' }[name];
      return !v || c[field] === v;
    });
  }

  function row(c) {
    const cat = ref.cats.get(c.category);
    const unit = ref.units.get(c.unit);
    const crew = c.assignee ? ref.crews.get(c.assignee) : null;
    const flags = [];
    const escalations = c.missed_deadlines + c.manual_escalations;
    if (escalations > 0) flags.push(h('span', { class: 'badge merge', title: '已督办次数（超时与人工）' }, `督办×${escalations}`));
    if (c.overdue) flags.push(h('span', { class: 'badge merge' }, '超期'));
    return h('tr', { 'data-id': c.id, 'data-status': c.status },
      h('td', {}, h('a', { href: `/console/orders/${c.id}` }, `#${c.id}`)),
      h('td', {}, h('time', { datetime: c.created_at }, GJ.shortTime(c.created_at))),
      h('td', {}, cat ? cat.name : c.category),
      h('td', {}, c.address || '—', h('span', { class: 'desc', title: c.description }, c.description)),
      h('td', {}, c.district || '—'),
      h('td', {}, unit ? unit.name : (c.unit || '待派遣')),
      h('td', {}, crew ? crew.name : (c.assignee ? `#${c.assignee}` : '—')),
      h('td', {}, GJ.SOURCE[c.source] || c.source),
      h('td', {}, GJ.badge(c.status), ' ', flags),
      h('td', {}, GJ.countdown(c)));
  }

  let loading = null;
  // load shows the page the filters ask for; first is a request already
  // under way for it.
  async function load(first) {
    writeURL();
    const q = formQuery();
    const mine = (loading = q);
    try {
      const out = await (first && first.q === q ? first.answer : api('GET', `/api/v1/complaints?${q}`));
      if (mine !== loading) return; // a newer request is on its way
      total = out.total;
      if (!pager.showTotal(total, perPage())) return load();
      tbody.replaceChildren(...out.complaints.map(row));
      if (!out.complaints.length) tbody.append(h('tr', {}, h('td', { colspan: 10, class: 'empty' }, '没有符合条件的工单')));
      summary.textContent = `共 ${GJ.num(total)} 条工单`;
    } catch (err) {
      summary.textContent = `加载失败：${err.message}`;
    }
  }
  const reloadSoon = GJ.debounce(() => load(), 600);

  function onChange(c) {
    const tr = tbody.querySelector(`tr[data-id="${c.id}"]`);
    if (tr && matches(c)) {
      const fresh = row(c);
      fresh.classList.add('flash');
      tr.replaceWith(fresh);
    } else if (tr || (matches(c) && pager.page === 1)) {
      reloadSoon(); // it left the view, or a new order tops the list
    } else if (matches(c)) {
      summary.textContent = `共 ${GJ.num(total)} 条工单 · 有新的变动，回到第一页查看`;
    }
  }

  form.addEventListener('change', () => { pager.page = 1; load(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); pager.page = 1; load(); });
  form.addEventListener('reset', () => setTimeout(() => { pager.page = 1; load(); }));

  (async () => {
    // Ask for the first page at once, beside the names it is shown with.
    const url = new URLSearchParams(location.search);
    const firstQ = apiQuery((name) => url.get(name), Math.max(1, Number(url.get('page')) || 1));
    const first = { q: firstQ, answer: api('GET', `/api/v1/complaints?${firstQ}`) };
    first.answer.catch(() => {});
    const [cats, units, crews] = await Promise.all([GJ.categories(), GJ.units(), GJ.crews().catch(() => new Map())]);
    ref = { cats, units, crews };
    const opt = (value, label) => h('option', { value }, label);
    form.elements.unit.append(...[...units.values()].map((u) => opt(u.code, u.name)));
    if (GJ.me.role === 'unit_admin') form.elements.unit.closest('label').hidden = true; // they see their unit's only
    const districts = [...new Set([...units.values()].map((u) => u.district).filter(Boolean))].sort();
    form.elements.district.append(...districts.map((d) => opt(d, d)));
    form.elements.category.append(...[...cats.values()].map((c) => opt(c.code, `${c.code} ${c.name}`)));
    readURL();
    GJ.live(onChange, () => load());
    await load(first);
    performance.mark('queue-shown'); // how long the first page took, for tests and devtools
  })().catch((err) => { summary.textContent = `加载失败：${err.message}`; });
})();
