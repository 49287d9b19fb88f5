// The order page: details, photos, timeline, a map of the site and the
// unit's crews, and a form for each action the API says the caller may take.
'use strict';
(() => {
  const { h, api } = GJ;
  const id = Number(document.body.dataset.orderId);
  const errEl = document.getElementById('order-error');
  const actionsEl = document.getElementById('order-actions');
  let ref = { cats: new Map(), units: new Map(), crews: new Map() };
  let current = null;

  const PHOTO_KIND = { report: '上报照片', before: '处置前', after: '处置后' };
  // A follow-up call that got no rating; an answer is recorded as 回访评价 (rate).
  const FOLLOWUP = ['未接通', '拒绝评价', '其他'];
  const ARRIVAL_RADIUS_M = 200; // dispatch.ArrivalRadiusM
  // The order the forms appear in: the usual next step first.
  const ORDER = ['dispatch', 'accept', 'arrive', 'resolve', 'close', 'rate', 'followup', 'remind', 'escalate', 'extend', 'reopen', 'merge', 'reject', 'return'];

  const crewName = (cid) => { const c = ref.crews.get(cid); return c ? c.name : `#${cid}`; };
  const unitName = (code) => { const u = ref.units.get(code); return u ? u.name : code; };

  function field(label, control) {
    const fid = `f-${control.name}-${Math.random().toString(36).slice(2, 7)}`;
    control.id = fid;
    return [h('label', { for: fid }, label), control];
  }
  const textarea = (name, required, placeholder) => h('textarea', { name, rows: 2, required, placeholder, maxlength: 500 });

  // A unit's leader dispatches to a crew member of the unit by name; the
  // command center may also leave the choice to the system, or choose a unit.
  const leader = () => GJ.me.role === 'unit_admin';
  function crewOptions(select, unit) {
    const crews = [...ref.crews.values()].filter((c) => c.unit === unit);
    select.replaceChildren(leader() ? h('option', { value: '' }, '请选择处置人员') : h('option', { value: '' }, '由系统按距离和负荷选派'),
      ...crews.map((c) => h('option', { value: c.id }, `${c.name}${c.on_duty ? '' : '（不在岗）'}`)));
  }
  function dispatchFields(d) {
    const unit = h('select', { name: 'unit' }, ...[...ref.units.values()].map((u) =>
      h('option', { value: u.code, selected: u.code === d.unit }, u.name)));
    const crew = h('select', { name: 'crew', required: leader() });
    unit.addEventListener('change', () => crewOptions(crew, unit.value));
    crewOptions(crew, d.unit || unit.value);
    const out = [];
    if (!leader()) out.push(...field('责任单位', unit));
    out.push(...field('处置人员', crew), ...field('派遣说明', textarea('note', false, '选填')));
    // 确保半小时到达现场: a redispatch keeps the citizen's on-site deadline
    // unless the command center restarts it, saying why.
    if (d.arrive_by && !d.arrived_at && d.status !== 'submitted' && !leader()) {
      const restart = h('input', { type: 'checkbox', name: 'restart_arrival', id: `restart-${d.id}` });
      const reason = textarea('reason', false, '如：首派单位错误，改派后重新计时');
      out.push(h('label', { for: restart.id, class: 'check' }, restart, ' 重新计算到场时限'), ...field('重新计时原因', reason));
    }
    return out;
  }

  // FORMS says, per action, the title, the fields and how to build the request body.
  const FORMS = {
    dispatch: (d) => ({
      title: d.status === 'returned' ? '处理退单' : d.status === 'dispatched' ? '改派' : '派遣',
      fields: dispatchFields(d),
      buttons: d.status === 'returned' && !leader() // a leader's own unit gave it back: they choose who goes
        ? [['approve', '同意退单，按所选改派'], ['refuse', '不同意退单，退回原单位']]
        : [['go', d.status === 'dispatched' ? '改派' : '派遣']],
      body: (f, intent) => {
        const restart = f.restart_arrival && f.restart_arrival.checked ? { restart_arrival: true, reason: f.reason.value } : {};
        if (intent === 'refuse') return { unit: d.unit, note: f.note.value || '退单理由不成立，退回原单位', ...restart };
        if (f.crew.value) return { crew: Number(f.crew.value), note: f.note.value, ...restart };
        return { unit: f.unit ? f.unit.value : d.unit, note: f.note.value, ...restart };
      },
    }),
    accept: () => ({ title: '签收', fields: [], body: () => ({}) }),
    // A unit leader who signed for a point-to-point task checks in from here.
    arrive: () => ({
      title: '到场打卡',
      fields: h('p', { class: 'muted' }, `以本机定位打卡，须在现场 ${ARRIVAL_RADIUS_M} 米内`),
      body: async () => {
        const p = await GJ.locate();
        return { lat: p.latitude, lng: p.longitude, coord_system: 'wgs84' };
      },
    }),
    resolve: () => ({ title: '处置完成', fields: field('处置情况', textarea('note', true)), body: (f) => ({ note: f.note.value }) }),
    close: () => ({ title: '核查结案', fields: field('核查意见', textarea('note', false, '选填，如：现场核查已修复')), body: (f) => ({ note: f.note.value }) }),
    followup: () => ({
      title: '回访记录',
      fields: [...field('回访结果', h('select', { name: 'result' }, ...FOLLOWUP.map((r) => h('option', {}, r)))),
        ...field('回访记录', textarea('note', false, '市民意见'))],
      body: (f) => ({ note: `回访结果：${f.result.value}${f.note.value ? `。${f.note.value}` : ''}` }),
    }),
    // The caller's answer on the phone: counted in 满意率 and 解决率, and an
    // unsolved or 不满意 answer sends the work back (返工), as in the mini-program.
    rate: () => ({
      title: '回访评价',
      fields: [...field('评价', h('select', { name: 'score' }, h('option', { value: 3 }, '满意'), h('option', { value: 2 }, '基本满意'), h('option', { value: 1 }, '不满意'))),
        ...field('问题是否解决', h('select', { name: 'solved' }, h('option', { value: 'yes' }, '已解决'), h('option', { value: 'no' }, '未解决'))),
        ...field('来电人意见', textarea('comment', false, '选填'))],
      body: (f) => ({ score: Number(f.score.value), solved: f.solved.value === 'yes', comment: f.comment.value }),
    }),
    remind: () => ({ title: '催办', fields: field('催办内容', textarea('note', false, '选填')), body: (f) => ({ note: f.note.value }) }),
    escalate: () => ({ title: '督办', fields: field('督办意见', textarea('note', true)), body: (f) => ({ note: f.note.value }) }),
    extend: () => ({
      title: '延期',
      fields: [...field('延长（小时）', h('input', { name: 'hours', type: 'number', min: 1, max: 2160, value: 24, required: true })),
        ...field('延期理由', textarea('reason', true))],
      body: (f) => ({ extend_by_s: Math.round(Number(f.hours.value) * 3600), reason: f.reason.value }),
    }),
    reopen: () => ({ title: '返工', fields: field('返工原因', textarea('reason', true)), body: (f) => ({ reason: f.reason.value }) }),
    merge: () => ({
      title: '合并重复件',
      fields: field('并入的工单号', h('input', { name: 'duplicate_of', type: 'number', min: 1, required: true })),
      body: (f) => ({ duplicate_of: Number(f.duplicate_of.value) }),
    }),
    reject: () => ({ title: '不予立案', fields: field('理由', textarea('reason', true)), body: (f) => ({ reason: f.reason.value }), danger: true }),
    return: () => ({ title: '退单', fields: field('退单理由', textarea('reason', true)), body: (f) => ({ reason: f.reason.value }), danger: true }),
  };

  function actionForm(action, d, folded) {
    const spec = FORMS[action](d);
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const buttons = (spec.buttons || [['go', spec.title]]).map(([value, label], i) =>
      h('button', { type: 'submit', value, class: spec.danger ? 'danger' : (i === 0 ? 'primary' : '') }, label));
    const form = h('form', { 'data-action': action, novalidate: true },
      h('h3', {}, spec.title), spec.fields, error, h('div', { class: 'actions' }, buttons));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const el of form.querySelectorAll('[required]')) {
        if (!String(el.value).trim()) {
          GJ.showError(error, new Error('请填写必填项'));
          el.setAttribute('aria-invalid', 'true');
          el.focus();
          return;
        }
      }
      buttons.forEach((b) => { b.disabled = true; });
      try {
        await api('POST', `/api/v1/complaints/${id}/${action}`, await spec.body(form.elements, e.submitter && e.submitter.value));
        GJ.toast(`${spec.title}成功`);
        form.reset(); // done: the redraw must not put it back
        await load();
      } catch (err) {
        GJ.showError(error, err);
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
    return folded ? h('details', { 'data-action': action }, h('summary', {}, spec.title), form) : form;
  }

  let map = null;
  let layer = null;
  function drawMap(d) {
    if (!map) {
      map = GJ.map('map');
      map.setView([d.lat, d.lng], 15);
    }
    if (layer) layer.remove();
    layer = L.layerGroup().addTo(map);
    // Leaflet puts a string into the page as HTML: popups and tooltips get
    // elements whose text is set as text (GJ.h), never strings.
    L.marker([d.lat, d.lng], { title: '问题位置' }).bindPopup(h('span', { class: 'popup' }, `#${d.id} ${d.address || ''}`)).addTo(layer);
    L.circle([d.lat, d.lng], { radius: ARRIVAL_RADIUS_M, color: '#b42318', weight: 1, fillOpacity: 0.05 }).bindTooltip(h('span', {}, `到场打卡范围 ${ARRIVAL_RADIUS_M} 米`)).addTo(layer);
    for (const c of ref.crews.values()) {
      if (c.unit !== d.unit || !c.lat) continue;
      const mine = c.id === d.assignee;
      L.circleMarker([c.lat, c.lng], { radius: mine ? 9 : 6, color: mine ? '#b42318' : (c.on_duty ? '#1a7f37' : '#8c959f'), fillOpacity: 0.8 })
        .bindTooltip(h('span', {}, `${c.name}${mine ? '（处置人）' : ''}${c.on_duty ? '' : '（不在岗）'} · 位置更新于 ${GJ.time(c.position_at)}`)).addTo(layer);
    }
    for (const e of d.events || []) {
      if (e.action === 'arrive' && e.lat) {
        L.circleMarker([e.lat, e.lng], { radius: 7, color: '#4a2fa0', fillOpacity: 0.9 }).bindTooltip(h('span', {}, `到场打卡 ${GJ.time(e.at)}`)).addTo(layer);
      }
    }
  }

  function info(d) {
    const cat = ref.cats.get(d.category);
    return GJ.facts([
      ['类别', cat ? `${cat.code} ${cat.name}（${cat.department}）` : d.category],
      ['来源', GJ.SOURCE[d.source] || d.source],
      ['受理时间', GJ.time(d.created_at)],
      ['地址', d.address || '—'],
      ['区 / 网格', `${d.district || '—'} / ${d.grid || '—'}`],
      ['责任单位', d.unit ? unitName(d.unit) : '待派遣'],
      ['处置人', d.assignee ? crewName(d.assignee) : '—'],
      ['来电人', `${d.caller_name || ''} ${d.caller_phone || ''}`.trim()],
      ['签收时限', d.accept_by ? GJ.time(d.accept_by) : null],
      ['到场时限', d.arrive_by ? GJ.time(d.arrive_by) : null],
      ['办结时限', d.resolve_by ? GJ.time(d.resolve_by) : null],
      ['处置完成', d.resolved_at ? `${GJ.time(d.resolved_at)}${d.overdue ? '（超期）' : ''}` : null],
      ['结案', d.closed_at ? GJ.time(d.closed_at) : null],
      ['重复件', d.duplicate_of ? h('a', { href: `/console/orders/${d.duplicate_of}` }, `并入 #${d.duplicate_of}`) : null],
      ['返工次数', d.reopen_count ? GJ.num(d.reopen_count) : null],
      ['超时督办', d.missed_deadlines ? GJ.num(d.missed_deadlines) : null],
      ['人工督办', d.manual_escalations ? GJ.num(d.manual_escalations) : null],
      ['市民评价', d.rating ? `${['', '不满意', '基本满意', '满意'][d.rating]} ${d.rating_comment || ''}` : null],
    ]);
  }

  const dispatchedTo = (e) => `：${unitName(e.unit)}${e.assignee ? ` / ${crewName(e.assignee)}` : ''}`;

  // deliveries shows each push about the order: who, how, and whether it arrived.
  function deliveries(list) {
    if (!list.length) return [h('li', { class: 'muted' }, '暂无推送')];
    return list.map((n) => h('li', { 'data-delivery': n.status },
      h('time', { datetime: n.created_at }, GJ.time(n.created_at)),
      h('strong', {}, GJ.MESSAGE[n.template] || n.template),
      ` · ${GJ.CHANNEL[n.channel] || n.channel} → ${n.recipient ? `用户 #${n.recipient}` : '来电人'}`,
      h('span', { class: n.status === 'failed' ? 'error' : 'muted' }, ` · ${GJ.DELIVERY[n.status] || n.status}（${n.attempts} 次）`),
      n.error ? h('span', { class: 'note' }, n.error) : null));
  }

  async function loadDeliveries() {
    const el = document.getElementById('deliveries');
    try {
      const r = await api('GET', `/api/v1/notifications?complaint=${id}`);
      el.replaceChildren(...deliveries(r.notifications || []));
    } catch (err) {
      el.replaceChildren(h('li', { class: 'muted' }, '推送记录无法加载'));
    }
  }

  async function load() {
    try {
      const d = await api('GET', `/api/v1/complaints/${id}`);
      current = d;
      GJ.showError(errEl, null);
      const cat = ref.cats.get(d.category);
      document.title = `工单 #${d.id} · 城市管家`;
      document.getElementById('order-title').textContent = `工单 #${d.id} ${cat ? cat.name : ''}`;
      document.getElementById('order-status').replaceChildren(GJ.badge(d.status));
      document.getElementById('order-deadline').replaceChildren(GJ.countdown(d));
      document.getElementById('order-info').replaceChildren(...info(d));
      document.getElementById('order-desc').textContent = d.description;
      document.getElementById('order-photos').replaceChildren(...(d.photos || []).map((p) =>
        h('figure', {}, h('a', { href: p.url, target: '_blank' }, h('img', { src: p.url, alt: `${PHOTO_KIND[p.kind] || p.kind}照片`, loading: 'lazy' })),
          h('figcaption', {}, PHOTO_KIND[p.kind] || p.kind))), ...GJ.mediaLink(d));
      document.getElementById('timeline').replaceChildren(...GJ.timeline(d.events, dispatchedTo));
      const actions = ORDER.filter((a) => (d.actions || []).includes(a) && FORMS[a]);
      // The usual next step is open; the others unfold on demand.
      GJ.redrawKeeping(actionsEl, () => actionsEl.replaceChildren(...(actions.length
        ? actions.map((a, i) => actionForm(a, d, i > 0))
        : [h('p', { class: 'muted' }, '当前状态下没有您可执行的操作。')])));
      drawMap(d);
      loadDeliveries();
    } catch (err) {
      GJ.showError(errEl, err.status === 404 ? new Error(`工单 #${id} 不存在或您无权查看`) : err);
    }
  }
  const reloadSoon = GJ.debounce(() => {
    if (GJ.typingIn(actionsEl)) return; // the next change will refresh
    load();
  }, 500);

  (async () => {
    const [cats, units, crews] = await Promise.all([GJ.categories(), GJ.units(), GJ.crews().catch(() => new Map())]);
    ref = { cats, units, crews };
    await load();
    GJ.live((c) => { if (c.id === id && (!current || c.updated_at !== current.updated_at)) reloadSoon(); }, reloadSoon);
  })().catch((err) => GJ.showError(errEl, err));
})();
