// The dispute case page: the case, its parties (masked by the API), the
// mediation sessions, outcome and 司法确认, the timeline, and a small form
// for each action the API says the caller may take now — no other.
'use strict';
(() => {
  const { h, api } = GJ;
  const id = Number(document.body.dataset.orderId);
  const errEl = document.getElementById('dispute-error');
  const actionsEl = document.getElementById('dispute-actions');
  let committees = [];
  let mediators = []; // of the dispute's committee, when it may be assigned

  // The order the forms appear in; the usual next step in the case's state
  // comes first and open, the others unfold on demand.
  const ORDER = ['accept', 'route', 'assign', 'schedule', 'record', 'succeed', 'fail', 'request_confirmation', 'confirm', 'follow_up', 'close', 'withdraw'];
  function usualNext(d) {
    const held = (d.sessions || []).some((s) => s.status === 'held');
    const next = {
      reported: ['accept'], accepted: ['route'], routed: ['assign'], confirming: ['confirm'], failed: ['close'], withdrawn: ['close'],
      mediating: openSessions(d).length ? ['record'] : held ? ['succeed', 'schedule'] : ['schedule'],
      succeeded: d.follow_up ? ['request_confirmation', 'close'] : ['follow_up', 'request_confirmation', 'close'],
    }[d.status] || [];
    return next.find((a) => (d.actions || []).includes(a));
  }

  function field(label, control) {
    control.id = `f-${control.name}-${Math.random().toString(36).slice(2, 7)}`;
    return [h('label', { for: control.id }, label), control];
  }
  const textarea = (name, required, placeholder) => h('textarea', { name, rows: 3, required, placeholder, maxlength: 2000 });
  const text = (name, required, placeholder) => h('input', { name, type: 'text', required, placeholder, maxlength: 200 });
  const select = (name, options, selected) => h('select', { name }, ...options.map(([v, label]) => h('option', { value: v, selected: v === selected }, label)));
  const yesNo = (name) => select(name, [['true', '是'], ['false', '否']]);

  // The mediators of the case: a mediator takes it on themselves (and may
  // name colleagues); the desk names the committee's mediators by account number.
  // mediatorFields offers the committee's mediators (loaded with the
  // dispute) as checkboxes; a mediator finds themself first, ticked.
  function mediatorFields() {
    const me = GJ.me.role === 'mediator' || GJ.me.role === 'department';
    const box = (name, m, checked) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name, value: m.id, checked }), m.name);
    const others = mediators.filter((m) => !(me && m.id === GJ.me.id)).map((m) => box('mediator', m, false));
    const fields = me ? [box('me', { id: GJ.me.id, name: '由我调解' }, true)] : [];
    if (others.length) fields.push(h('fieldset', {}, h('legend', {}, me ? '其他调解员（选填）' : '调解员'), ...others));
    else if (!me) fields.push(h('p', { class: 'muted' }, '该委员会还没有可指派的调解员账号，请先由管理员开通。'));
    return fields;
  }
  function chosenMediators(f) {
    return [...f].filter((el) => (el.name === 'me' || el.name === 'mediator') && el.checked).map((el) => Number(el.value));
  }
  const openSessions = (d) => (d.sessions || []).filter((s) => s.status === 'scheduled');

  // FORMS says, per action, the title, the fields and the request body.
  const FORMS = {
    accept: () => ({ title: '受理', fields: field('受理意见', textarea('note', false, '选填')), body: (f) => ({ note: f.note.value.trim() || undefined }) }),
    route: (d) => ({
      title: '分流',
      fields: field('调解委员会', select('committee', [['', '按网格和纠纷类型自动分流'],
        ...committees.map((c) => [c.code, `${c.name}（${GJD.LEVEL[c.level] || c.level}）`])], d.committee && d.committee.code)),
      body: (f) => (f.committee.value ? { committee: f.committee.value } : {}),
    }),
    assign: () => ({ title: '指派调解员', fields: mediatorFields(), body: (f) => ({ mediators: chosenMediators(f) }) }),
    schedule: () => {
      const at = h('input', { name: 'at', type: 'datetime-local', required: true, value: GJ.localInput(new Date(Date.now() + 86400000)) });
      return {
        title: '安排调解',
        fields: [...field('调解时间', at), ...field('调解地点', text('place', true, '如：海甸街道人民调解室'))],
        body: (f) => ({ at: GJ.fromLocalInput(f.at.value), place: f.place.value.trim() }),
      };
    },
    record: (d) => ({
      title: '记录调解',
      fields: [...field('调解场次', select('session', openSessions(d).map((s) => [String(s.id), `${GJ.time(s.at)} ${s.place || ''}`]))),
        ...field('到场人员', text('attended', true, '如：申请人王某、被申请人李某')),
        ...field('调解笔录', textarea('record', true, '调解经过、双方意见'))],
      body: (f) => ({ session: Number(f.session.value), record: f.record.value.trim(), attended: f.attended.value.trim() }),
    }),
    succeed: () => ({
      title: '调解成功',
      fields: [...field('协议内容', textarea('terms', true, '双方达成的协议条款')), ...field('履行方式', text('performance', false, '选填，如：当场履行'))],
      body: (f) => ({ terms: f.terms.value.trim(), performance: f.performance.value.trim() || undefined }),
    }),
    fail: () => ({
      title: '调解不成',
      fields: [...field('引导途径', select('advice', Object.entries(GJD.ADVICE))), ...field('说明', textarea('note', false, '选填'))],
      body: (f) => ({ advice: f.advice.value, note: f.note.value.trim() }),
      danger: true,
    }),
    withdraw: () => ({ title: '撤回', fields: field('撤回原因', textarea('note', true)), body: (f) => ({ note: f.note.value.trim() }), danger: true }),
    request_confirmation: () => ({
      title: '申请司法确认',
      fields: field('人民法院', text('court', true, '如：海口市龙华区人民法院')),
      body: (f) => ({ court: f.court.value.trim() }),
    }),
    confirm: () => ({
      title: '司法确认结果',
      fields: [...field('结果', select('result', [['confirmed', '确认有效'], ['rejected', '不予确认']])), ...field('说明', textarea('note', false, '选填'))],
      body: (f) => ({ result: f.result.value, note: f.note.value.trim() }),
    }),
    follow_up: () => ({
      title: '回访',
      fields: [...field('协议是否履行', yesNo('kept')), ...field('回访记录', textarea('note', false, '当事人意见'))],
      body: (f) => ({ kept: f.kept.value === 'true', note: f.note.value.trim() }),
    }),
    close: () => ({ title: '结案', fields: field('结案说明', textarea('note', false, '选填')), body: (f) => ({ note: f.note.value.trim() || undefined }) }),
  };

  function actionForm(action, d, folded) {
    const spec = FORMS[action](d);
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const button = h('button', { type: 'submit', class: spec.danger ? 'danger' : 'primary' }, spec.title);
    const form = h('form', { 'data-action': action, novalidate: true }, h('h3', {}, spec.title), spec.fields, error, h('div', { class: 'actions' }, button));
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
      button.disabled = true;
      try {
        await api('POST', `/api/v1/disputes/${id}/${action}`, spec.body(form.elements));
        GJ.toast(`${spec.title}成功`);
        form.reset(); // done: the redraw must not put it back
        await load();
      } catch (err) {
        GJ.showError(error, err);
        button.disabled = false;
      }
    });
    return folded ? h('details', { 'data-action': action }, h('summary', {}, spec.title), form) : form;
  }

  function info(d) {
    return GJ.facts([
      ['编号', d.number],
      ['类型', d.type_name || d.type],
      ['来源', GJD.SOURCE[d.source] || d.source],
      ['登记时间', GJ.time(d.created_at)],
      ['受理时间', d.accepted_at ? GJ.time(d.accepted_at) : '未受理'],
      ['受理期限', d.status === 'reported' && d.accept_by ? GJD.due(d) : null],
      ['调解期限', d.due_at ? GJD.due(d) : null],
      ['地点', d.address || '—'],
      ['区 / 网格', `${d.district || '—'} / ${d.grid_id || '—'}`],
      ['调解委员会', d.committee ? `${d.committee.name}（${GJD.LEVEL[d.committee.level] || d.committee.level}）` : '待分流'],
      ['调解员', (d.mediators || []).length ? d.mediators.map((m) => m.name).join('、') : '—'],
    ]);
  }

  function parties(d) {
    const head = h('thead', {}, h('tr', {}, ['身份', '类别', '名称', '证件号码', '电话'].map((t) => h('th', { scope: 'col' }, t))));
    const body = (d.parties || []).map((p) => h('tr', { 'data-party': p.role },
      h('td', {}, GJD.PARTY_ROLE[p.role] || p.role),
      h('td', {}, p.kind === 'organisation' ? '单位' : '个人'),
      h('td', {}, p.name),
      h('td', {}, p.id_number_masked || p.credit_code || '—'),
      h('td', {}, p.phone_masked || '—')));
    return [head, h('tbody', {}, body)];
  }

  function sessions(d) {
    const list = d.sessions || [];
    if (!list.length) return [h('li', { class: 'muted' }, '尚未安排调解')];
    return list.map((s, i) => h('li', { 'data-session': s.id },
      h('strong', {}, `第 ${i + 1} 次调解`), ` · ${GJ.time(s.at)} · ${s.place || ''} · ${GJD.SESSION[s.status] || s.status || ''}`,
      s.attended ? h('span', { class: 'muted' }, ` · 到场：${s.attended}`) : null,
      s.record ? h('span', { class: 'note' }, s.record) : null));
  }

  function outcome(d) {
    const o = d.outcome || {};
    const f = d.follow_up;
    return GJ.facts([
      ['结果', GJD.RESULT[o.result] || o.result],
      ['协议编号', o.agreement_number],
      ['协议内容', o.terms],
      ['引导途径', o.advice ? GJD.ADVICE[o.advice] || o.advice : null],
      ['说明', o.note],
      ['回访', f ? `${GJ.time(f.at)} · ${f.kept ? '协议已履行' : '协议未履行'}${f.note ? `：${f.note}` : ''}` : null],
    ]);
  }
  const STATUS = new Map(GJD.STATUSES);

  function timeline(d) {
    return (d.events || []).slice().reverse().map((e) => h('li', { 'data-event': e.action },
      h('time', { datetime: e.at }, GJ.time(e.at)), h('strong', {}, GJD.ACTION[e.action] || e.action),
      e.from && e.to && e.from !== e.to ? ` ${STATUS.get(e.from) || e.from} → ${STATUS.get(e.to) || e.to}` : '',
      h('span', { class: 'muted' }, ` · ${e.actor || '系统'}`),
      e.note ? h('span', { class: 'note' }, e.note) : null));
  }

  async function load() {
    try {
      const d = await api('GET', `/api/v1/disputes/${id}`);
      GJ.showError(errEl, null);
      document.title = `纠纷 ${d.number || d.id} · 城市管家`;
      document.getElementById('dispute-title').textContent = `纠纷 ${d.number || `#${d.id}`} ${d.summary}`;
      document.getElementById('dispute-status').replaceChildren(GJD.badge(d));
      document.getElementById('dispute-due').replaceChildren(d.due_at || d.accept_by ? GJD.due(d) : '');
      document.getElementById('dispute-info').replaceChildren(...info(d));
      document.getElementById('dispute-desc').textContent = d.description || '';
      document.getElementById('dispute-parties').replaceChildren(...parties(d));
      document.getElementById('dispute-sessions').replaceChildren(...sessions(d));
      document.getElementById('dispute-outcome-card').hidden = !d.outcome;
      if (d.outcome) document.getElementById('dispute-outcome').replaceChildren(...outcome(d));
      document.getElementById('dispute-confirmation-card').hidden = !d.confirmation;
      if (d.confirmation) {
        document.getElementById('dispute-confirmation').replaceChildren(...GJ.facts([
          ['法院', d.confirmation.court], ['状态', GJD.CONFIRMATION[d.confirmation.status] || d.confirmation.status], ['说明', d.confirmation.note]]));
      }
      document.getElementById('dispute-pdf').hidden = !(d.outcome && d.outcome.agreement_number);
      document.getElementById('dispute-timeline').replaceChildren(...timeline(d));
      mediators = (d.actions || []).includes('assign') && d.committee
        ? (await api('GET', `/api/v1/mediation/committees/${encodeURIComponent(d.committee.code)}/mediators`)).mediators : [];
      const first = usualNext(d);
      const actions = ORDER.filter((a) => (d.actions || []).includes(a)).sort((a, b) => (b === first) - (a === first));
      GJ.redrawKeeping(actionsEl, () => actionsEl.replaceChildren(...(actions.length
        ? actions.map((a, i) => actionForm(a, d, i > 0))
        : [h('p', { class: 'muted' }, '当前状态下没有您可执行的操作。')])));
    } catch (err) {
      GJ.showError(errEl, err.status === 404 ? new Error(`纠纷 #${id} 不存在或您无权查看`) : err);
      actionsEl.replaceChildren();
    }
  }

  // Another mediator's step shows at once, unless someone is filling in a
  // form here: their own step reloads the page when they submit it.
  const reloadSoon = GJ.debounce(() => {
    if (GJ.typingIn(actionsEl)) return;
    load();
  }, 500);

  (async () => {
    const c = await api('GET', '/api/v1/mediation/committees').catch(() => ({}));
    committees = c.committees || [];
    await load();
    GJ.live((d) => { if (d.id === id) reloadSoon(); }, reloadSoon, ['dispute']);
  })().catch((err) => GJ.showError(errEl, err));
})();
