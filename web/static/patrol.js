// The 网格员's page: a patrol report — a 城市管理问题 goes to dispatch as a
// complaint (source patrol), a 矛盾纠纷 to 大调解 as a dispute — and their
// own task list: their grid's disputes (what they reported among them) with their state and the 回访
// due, and the problems they reported, each with its progress on demand.
'use strict';
(() => {
  const { h, api } = GJ;
  const form = document.getElementById('patrol-form');
  const where = document.getElementById('patrol-where');
  const formError = document.getElementById('patrol-error');
  const errEl = document.getElementById('gm-error');
  const summary = document.getElementById('gm-summary');
  const disputeList = document.getElementById('gm-disputes');
  const complaintList = document.getElementById('gm-complaints');
  let position = null; // WGS-84, from the phone
  let cats = new Map();

  const kind = () => form.elements.kind.value;
  function showKind() {
    form.querySelectorAll('[data-for]').forEach((el) => { el.hidden = el.dataset.for !== kind(); });
  }

  async function useHere() {
    where.textContent = '定位中…';
    try {
      const c = await GJ.locate();
      position = { lat: c.latitude, lng: c.longitude };
      where.textContent = `已定位：${position.lat.toFixed(5)}, ${position.lng.toFixed(5)}（精度约 ${Math.round(c.accuracy || 0)} 米）`;
    } catch (err) {
      position = null;
      where.textContent = err.message;
    }
  }

  // required names the empty required fields of the kind chosen, with their labels.
  function missing() {
    const need = [['description', '情况描述']];
    if (kind() === 'complaint') need.push(['category', '问题类型']);
    else need.push(['type', '纠纷类型'], ['summary', '纠纷概要'], ['applicant', '申请人姓名'], ['respondent', '被申请人']);
    return need.filter(([name]) => !String(form.elements[name].value).trim());
  }

  function body() {
    const f = form.elements;
    const common = { description: f.description.value.trim(), address: f.address.value.trim(), lat: position.lat, lng: position.lng, coord_system: 'wgs84' };
    if (kind() === 'complaint') return { ...common, category: f.category.value, source: 'patrol' };
    const applicant = { role: 'applicant', kind: 'person', name: f.applicant.value.trim() };
    if (f.applicant_phone.value.trim()) applicant.phone = f.applicant_phone.value.trim();
    const respondent = { role: 'respondent', kind: f.respondent_kind.value, name: f.respondent.value.trim() };
    if (respondent.kind === 'organisation' && f.respondent_code.value.trim()) respondent.credit_code = f.respondent_code.value.trim();
    return {
      ...common, type: f.type.value, summary: f.summary.value.trim(), source: 'patrol',
      parties: [applicant, respondent],
    };
  }

  form.addEventListener('change', (e) => {
    if (e.target.name === 'kind') showKind();
    if (e.target.name === 'respondent_kind') document.getElementById('patrol-respondent-code-row').hidden = e.target.value !== 'organisation';
  });
  document.getElementById('patrol-locate').addEventListener('click', useHere);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    GJ.fieldError(form, formError, null);
    const empty = missing();
    if (empty.length) {
      GJ.showError(formError, new Error(`请填写：${empty.map(([, label]) => label).join('、')}`));
      empty.forEach(([name]) => form.elements[name].setAttribute('aria-invalid', 'true'));
      form.elements[empty[0][0]].focus();
      return;
    }
    if (!position) await useHere();
    if (!position) {
      GJ.showError(formError, new Error('需要定位才能上报，请允许定位后重试'));
      return;
    }
    const button = document.getElementById('patrol-submit');
    button.disabled = true;
    try {
      const isDispute = kind() === 'dispute';
      const out = await api('POST', isDispute ? '/api/v1/disputes' : '/api/v1/complaints', body());
      GJ.toast(isDispute ? `纠纷已登记：${out.number || `#${out.id}`}` : `问题已上报：工单 #${out.id}`);
      const keep = kind();
      form.reset();
      form.elements.kind.value = keep;
      showKind();
      select(isDispute ? 'disputes' : 'complaints');
      await load();
    } catch (err) {
      GJ.fieldError(form, formError, err);
    } finally {
      button.disabled = false;
    }
  });

  // 回访: the grid manager checks whether the parties kept the agreement.
  function followUpForm(d) {
    const kept = h('select', { name: 'kept', id: `kept-${d.id}` }, h('option', { value: 'true' }, '已履行'), h('option', { value: 'false' }, '未履行'));
    const note = h('textarea', { name: 'note', id: `note-${d.id}`, rows: 2, maxlength: 500 });
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const f = h('form', { 'data-action': 'follow_up', novalidate: true },
      h('label', { for: kept.id }, '协议履行情况'), kept, h('label', { for: note.id }, '回访记录'), note, error,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, '提交回访')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      e.submitter.disabled = true;
      try {
        await api('POST', `/api/v1/disputes/${d.id}/follow_up`, { kept: kept.value === 'true', note: note.value.trim() });
        GJ.toast('回访已记录');
        await load();
      } catch (err) {
        GJ.showError(error, err);
        e.submitter.disabled = false;
      }
    });
    return f;
  }

  function disputeCard(d) {
    const st = GJD.dueState(d);
    const followUp = (d.actions || []).includes('follow_up');
    const li = h('li', { class: `task ${st ? st.cls : ''}`, 'data-id': d.id, 'data-status': d.status });
    li.append(...[
      h('h2', {}, h('span', {}, `${d.type_name || d.type} · ${d.summary}`), GJD.badge(d)),
      st ? GJD.due(d) : null, // the clock that runs: three days to accept, then one month
      followUp ? h('p', { class: 'badge merge' }, '待回访') : null,
      h('p', { class: 'addr' }, d.address || ''),
      h('p', { class: 'meta' }, `${d.number || `#${d.id}`} · ${GJD.SOURCE[d.source] || d.source} · ${d.committee ? d.committee.name : '待分流'} · 登记 ${GJ.time(d.created_at)}`),
      d.outcome && d.outcome.agreement_number ? h('p', {}, `调解协议书 ${d.outcome.agreement_number}`) : null,
      followUp ? followUpForm(d) : null].filter(Boolean));
    return li;
  }

  // The reports whose progress is open: a reload keeps them open, and current.
  const opened = new Set();

  // progress fills box with report id's next deadline and its timeline.
  async function progress(id, box) {
    try {
      const c = await api('GET', `/api/v1/complaints/${id}`);
      box.replaceChildren(h('p', {}, GJ.countdown(c)), h('ol', { class: 'timeline' }, GJ.timeline(c.events)));
    } catch (err) {
      const error = h('p', { class: 'error', role: 'alert' });
      box.replaceChildren(error);
      GJ.showError(error, err);
    }
  }

  function complaintCard(c) {
    const cat = cats.get(c.category);
    const box = h('div', { class: 'progress' }, '加载中…');
    const more = h('details', {}, h('summary', {}, '查看进度'), box);
    more.addEventListener('toggle', () => {
      if (more.open) {
        opened.add(c.id);
        progress(c.id, box);
      } else {
        opened.delete(c.id);
      }
    });
    more.open = opened.has(c.id);
    return h('li', { class: 'task', 'data-id': c.id, 'data-status': c.status },
      h('h2', {}, h('span', {}, cat ? cat.name : c.category), GJ.badge(c.status)),
      h('p', { class: 'addr' }, c.address || ''),
      h('p', {}, c.description),
      h('p', { class: 'meta' }, `工单 #${c.id} · 上报 ${GJ.time(c.created_at)}`),
      more);
  }

  async function load() {
    if (GJ.typingIn(disputeList)) return; // keep a form someone is typing in
    try {
      // The newest 100, and every settled one however old: a 回访 due on a
      // case mediated months ago must not drop out of the list.
      const [ds, settled, cs] = await Promise.all([
        api('GET', '/api/v1/disputes?mine=true&per_page=100'),
        api('GET', '/api/v1/disputes?mine=true&status=succeeded&per_page=100'),
        api('GET', '/api/v1/complaints?per_page=50'),
      ]);
      const listed = new Set((ds.disputes || []).map((d) => d.id));
      // Each listed case says what the caller may do with it (its actions).
      const disputes = [...(ds.disputes || []), ...(settled.disputes || []).filter((d) => !listed.has(d.id))];
      const due = disputes.filter((d) => (d.actions || []).includes('follow_up'));
      disputes.sort((a, b) => Number((b.actions || []).includes('follow_up')) - Number((a.actions || []).includes('follow_up')));
      disputeList.replaceChildren(...disputes.map(disputeCard));
      if (!disputes.length) disputeList.append(h('li', { class: 'empty' }, '网格内暂无纠纷'));
      complaintList.replaceChildren(...(cs.complaints || []).map(complaintCard));
      if (!(cs.complaints || []).length) complaintList.append(h('li', { class: 'empty' }, '暂无上报的问题'));
      summary.textContent = `纠纷 ${GJ.num(ds.total)} 件${due.length ? `，待回访 ${GJ.num(due.length)} 件` : ''} · 城市管理问题 ${GJ.num(cs.total)} 件`;
      GJ.showError(errEl, null);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }

  const tabs = { disputes: [document.getElementById('tab-disputes'), disputeList], complaints: [document.getElementById('tab-complaints'), complaintList] };
  function select(name) {
    for (const [key, [tab, panel]] of Object.entries(tabs)) {
      tab.setAttribute('aria-selected', String(key === name));
      panel.hidden = key !== name;
    }
  }
  Object.entries(tabs).forEach(([name, [tab]]) => tab.addEventListener('click', () => select(name)));

  (async () => {
    const opt = (v, label) => h('option', { value: v }, label);
    const [c, t] = await Promise.all([GJ.categories(), api('GET', '/api/v1/disputes/types')]);
    cats = c;
    // A retired category (停用) is not offered: the server refuses new reports of it.
    form.elements.category.append(opt('', '请选择'), ...[...cats.values()].filter((x) => !x.retired).map((x) => opt(x.code, `${x.code} ${x.name}`)));
    form.elements.type.append(opt('', '请选择'), ...(t.types || []).map((x) => opt(x.code, x.name)));
    showKind();
    useHere();
    await load();
    // My grid's disputes and my own reports move on as others act on them.
    const loadSoon = GJ.debounce(load, 500);
    GJ.live(loadSoon, loadSoon, ['dispute', 'complaint']);
    setInterval(load, 60 * 1000);
  })().catch((err) => GJ.showError(errEl, err));
})();
