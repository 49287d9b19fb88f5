// The dashboard shows /api/v1/stats as it is: the cards, tables and charts
// are the API's numbers, formatted, never recomputed here.
'use strict';
(() => {
  const { h, api } = GJ;
  const form = document.getElementById('range');
  const errEl = document.getElementById('dash-error');
  const charts = {};
  let names = { cats: new Map(), units: new Map() };

  // A rate of nothing is shown as —, not as 0%.
  const rate = (r, of) => (of ? GJ.pct(r) : '—');
  // The KPIs of dispatch/kpi.go (formulas in the README), in the API's words.
  const KPIS = [
    ['received', '受理量', (s) => GJ.num(s.received)],
    ['handled', '办结量', (s) => GJ.num(s.handled)],
    ['handling_rate', '办结率', (s) => rate(s.handling_rate, s.received)],
    ['sign_on_time_rate', '响应率（按时签收率）', (s) => rate(s.sign_on_time_rate, s.sign_due), (s) => `应签收 ${GJ.num(s.sign_due)} 件，按时 ${GJ.num(s.signed_on_time)} 件`],
    ['arrive_on_time_rate', '按时到场率', (s) => rate(s.arrive_on_time_rate, s.arrive_due), (s) => `应到场 ${GJ.num(s.arrive_due)} 件，按时 ${GJ.num(s.arrived_on_time)} 件`],
    ['handled_on_time_rate', '按时办结率', (s) => rate(s.handled_on_time_rate, s.handled), (s) => `按时 ${GJ.num(s.handled_on_time)} 件`],
    ['closed_on_time_rate', '按期结案率', (s) => rate(s.closed_on_time_rate, s.closed), (s) => `结案 ${GJ.num(s.closed)} 件，按期 ${GJ.num(s.closed_on_time)} 件`],
    ['rework_rate', '返工率', (s) => rate(s.rework_rate, s.ever_handled), (s) => `返工 ${GJ.num(s.reworked)} 件`],
    ['solution_rate', '解决率', (s) => rate(s.solution_rate, s.solved_answers), (s) => `回答 ${GJ.num(s.solved_answers)} 次，已解决 ${GJ.num(s.solved)} 次`],
    ['satisfaction_rate', '满意率', (s) => rate(s.satisfaction_rate, s.ratings), (s) => `回访 ${GJ.num(s.ratings)} 次，满意 ${GJ.num(s.satisfied)} 次`],
    ['missed_deadlines', '超时督办', (s) => GJ.num(s.missed_deadlines)],
    ['manual_escalations', '人工督办', (s) => GJ.num(s.manual_escalations)],
  ];
  function kpis(el, s) {
    el.replaceChildren(...KPIS.map(([key, label, value, sub]) => h('div', { class: 'kpi', 'data-kpi': key },
      h('div', { class: 'label' }, label), h('div', { class: 'value' }, value(s)), sub ? h('div', { class: 'sub' }, sub(s)) : null)));
  }

  const COLUMNS = [
    ['受理', (s) => GJ.num(s.received)], ['办结', (s) => GJ.num(s.handled)], ['办结率', (s) => rate(s.handling_rate, s.received)],
    ['响应率', (s) => rate(s.sign_on_time_rate, s.sign_due)], ['按时到场率', (s) => rate(s.arrive_on_time_rate, s.arrive_due)],
    ['按时办结率', (s) => rate(s.handled_on_time_rate, s.handled)], ['结案', (s) => GJ.num(s.closed)], ['按期结案率', (s) => rate(s.closed_on_time_rate, s.closed)],
    ['返工率', (s) => rate(s.rework_rate, s.ever_handled)], ['解决率', (s) => rate(s.solution_rate, s.solved_answers)],
    ['满意率', (s) => rate(s.satisfaction_rate, s.ratings)], ['超时督办', (s) => GJ.num(s.missed_deadlines)], ['人工督办', (s) => GJ.num(s.manual_escalations)],
  ];
  function table(el, first, rows, label) {
    el.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, first), COLUMNS.map(([c]) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', { 'data-key': r.key },
        h('th', { scope: 'row' }, label(r.key)), COLUMNS.map(([, f]) => h('td', {}, f(r)))))
        : h('tr', {}, h('td', { colspan: COLUMNS.length + 1 }, '该区间没有数据'))));
  }

  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart(document.getElementById(id), config);
  }
  const unitLabel = (k) => (k ? (names.units.get(k) || {}).name || k : '未派遣');
  const catLabel = (k) => { const c = names.cats.get(k); return c ? `${c.code} ${c.name}` : k; };
  // A fresh object per chart: Chart.js writes its resolved scales into the options it is given.
  const bars = (extra, countAxis = 'y') => ({
    maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } },
    scales: { [countAxis]: { beginAtZero: true, ticks: { precision: 0 } } }, ...extra,
  });

  async function stats(from, to) {
    return api('GET', `/api/v1/stats?${new URLSearchParams({ from, to })}`);
  }

  async function load() {
    GJ.showError(errEl, null);
    const from = form.from.value, to = form.to.value;
    history.replaceState(null, '', `?${new URLSearchParams({ from, to })}`);
    const today = GJ.dateKey(new Date());
    try {
      const [day, range] = await Promise.all([stats(today, today), stats(from, to)]);
      document.getElementById('today-label').textContent = today;
      kpis(document.getElementById('kpi-today'), day.total);
      document.getElementById('range-label').textContent = `${range.from} 至 ${range.to}`;
      kpis(document.getElementById('kpi-range'), range.total);
      const byUnit = range.by_unit.slice().sort((a, b) => b.received - a.received);
      table(document.getElementById('table-unit'), '责任单位', byUnit, unitLabel);
      table(document.getElementById('table-category'), '类别', range.by_category, catLabel);
      table(document.getElementById('table-district'), '区', range.by_district, (k) => k || '未定位');
      chart('chart-day', {
        type: 'bar',
        data: {
          labels: range.by_day.map((r) => r.key.slice(5)),
          datasets: [
            { label: '受理', data: range.by_day.map((r) => r.received), backgroundColor: '#5b8fd6' },
            { label: '办结', data: range.by_day.map((r) => r.handled), backgroundColor: '#3fa564' },
          ],
        },
        options: bars(),
      });
      const top = byUnit.slice(0, 15);
      chart('chart-unit', {
        type: 'bar',
        data: {
          labels: top.map((r) => unitLabel(r.key)),
          datasets: [
            { label: '受理', data: top.map((r) => r.received), backgroundColor: '#5b8fd6' },
            { label: '办结', data: top.map((r) => r.handled), backgroundColor: '#3fa564' },
          ],
        },
        options: bars({ indexAxis: 'y' }, 'x'),
      });
      chart('chart-category', {
        type: 'bar',
        data: {
          labels: range.by_category.map((r) => catLabel(r.key)),
          datasets: [{ label: '受理', data: range.by_category.map((r) => r.received), backgroundColor: '#d08a3c' }],
        },
        options: bars(),
      });
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }

  // The month's ranking of units and districts by 响应率, 解决率 and 满意率.
  const monthForm = document.getElementById('month');
  const RANK_COLUMNS = [['名次', (r) => GJ.num(r.place)], ['得分', (r) => r.score.toFixed(2)], ['响应率', (r) => GJ.pct(r.response_rate)],
    ['解决率', (r) => GJ.pct(r.solution_rate)], ['满意率', (r) => GJ.pct(r.satisfaction_rate)], ['受理', (r) => GJ.num(r.received)]];
  function rankTable(el, first, rows, label) {
    el.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, first), RANK_COLUMNS.map(([c]) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', { 'data-key': r.key },
        h('th', { scope: 'row' }, label(r.key)), RANK_COLUMNS.map(([, f]) => h('td', {}, f(r)))))
        : h('tr', {}, h('td', { colspan: RANK_COLUMNS.length + 1 }, '该月没有数据'))));
  }
  async function loadRanking() {
    try {
      const r = await api('GET', `/api/v1/stats/ranking?${new URLSearchParams({ month: monthForm.month.value })}`);
      const w = r.weights;
      document.getElementById('rank-weights').textContent =
        `得分 = 响应率 × ${w.response_rate * 100}% + 解决率 × ${w.solution_rate * 100}% + 满意率 × ${w.satisfaction_rate * 100}%`;
      rankTable(document.getElementById('rank-unit'), '责任单位', r.units, unitLabel);
      rankTable(document.getElementById('rank-district'), '区', r.districts, (k) => k);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }
  monthForm.addEventListener('submit', (e) => { e.preventDefault(); loadRanking(); });

  function setDays(n) {
    const now = new Date();
    form.to.value = GJ.dateKey(now);
    form.from.value = GJ.dateKey(new Date(now.getTime() - (n - 1) * 86400000));
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  form.querySelectorAll('[data-days]').forEach((b) => b.addEventListener('click', () => { setDays(Number(b.dataset.days)); load(); }));

  (async () => {
    const q = new URLSearchParams(location.search);
    setDays(30);
    if (q.get('from')) form.from.value = q.get('from');
    if (q.get('to')) form.to.value = q.get('to');
    const [cats, units] = await Promise.all([GJ.categories(), GJ.units()]);
    names = { cats, units };
    Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    monthForm.month.value = GJ.dateKey(new Date()).slice(0, 7);
    await Promise.all([load(), loadRanking()]);
  })().catch((err) => GJ.showError(errEl, err));
})();
