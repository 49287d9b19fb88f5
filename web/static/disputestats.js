// The dashboard's 大调解 card: /api/v1/disputes/stats for the dashboard's
// date range, shown as the API gives it (mediation/stats.go defines each
// figure; rates are not recomputed here).
'use strict';
(() => {
  const { h, api } = GJ;
  const card = document.getElementById('dispute-stats');
  if (!card) return;
  const range = document.getElementById('range');
  const errEl = document.getElementById('dispute-stats-error');
  const kpis = document.getElementById('dispute-kpis');

  // A rate of nothing (null from the API) is shown as —, not as 0%.
  const rate = (r) => (r == null ? '—' : GJ.pct(r));
  const kpi = (key, label, value, sub) => h('div', { class: 'kpi', 'data-kpi': key },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null);

  const COLUMNS = [['受理', (r) => GJ.num(r.handled)], ['化解', (r) => GJ.num(r.resolved)], ['调解不成', (r) => GJ.num(r.failed)],
    ['调处成功率', (r) => rate(r.success_rate)], ['诉前化解', (r) => GJ.num(r.pre_litigation)]];
  function table(el, first, rows, label) {
    el.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, first), COLUMNS.map(([c]) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, (rows || []).length ? rows.map((r) => h('tr', { 'data-key': r.key },
        h('th', { scope: 'row' }, r.name || label(r.key)), COLUMNS.map(([, f]) => h('td', {}, f(r)))))
        : h('tr', {}, h('td', { colspan: COLUMNS.length + 1 }, '该区间没有数据'))));
  }

  async function load() {
    const from = range.elements.from.value, to = range.elements.to.value;
    if (!from || !to) return;
    try {
      // Both days are inclusive, as the form shows them.
      const out = await api('GET', `/api/v1/disputes/stats?${new URLSearchParams({ from, to })}`);
      const s = out.total;
      kpis.replaceChildren(
        kpi('handled', '受理纠纷', GJ.num(s.handled), '区间内受理的矛盾纠纷'),
        kpi('resolved', '化解（调解成功）', GJ.num(s.resolved), `办结 ${GJ.num(s.concluded)} 件：不成 ${GJ.num(s.failed)} 件，撤回 ${GJ.num(s.withdrawn)} 件`),
        kpi('success_rate', '调处成功率', rate(s.success_rate), '调解成功 ÷（调解成功 + 调解不成）'),
        kpi('pre_litigation', '诉前化解', GJ.num(s.pre_litigation), '非法院委派、在诉讼前调解成功'));
      table(document.getElementById('dispute-by-level'), '层级', out.by_level, (k) => GJD.LEVEL[k] || k || '未分流');
      table(document.getElementById('dispute-by-type'), '纠纷类型', out.by_type, (k) => k);
      table(document.getElementById('dispute-by-committee'), '调委会', out.by_committee, (k) => k || '未分流');
      GJ.showError(errEl, null);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }

  // The dashboard's own handlers set the range first; these run after them.
  range.addEventListener('submit', () => setTimeout(load));
  range.querySelectorAll('[data-days]').forEach((b) => b.addEventListener('click', () => setTimeout(load)));
  load();
})();
