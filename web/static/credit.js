// 诚信海口 工作台: a credit department's imports (双公示, red and black lists)
// with their row reports, the 信用修复 applications and 授权委托书 it
// decides, the withdrawal (撤销) of an entry it published, the articles of
// the public site, and (admins) what each department may publish.
'use strict';
(() => {
  const { h, api } = GJ;
  const isAdmin = GJ.me.role === 'admin';

  const BATCH_STATUS = { queued: '排队中', running: '导入中', done: '已导入', rejected: '未导入（文件有误）', failed: '导入失败' };
  const FINISHED = new Set(['done', 'rejected', 'failed']);
  const REPAIR_STATUS = { pending: '待审核', approved: '已批准', refused: '已驳回', superseded: '已由其他申请修复' };
  const REP_STATUS = { pending: '待审核', accepted: '已认可', refused: '不认可' };
  const ENTRY_STATUS = { active: '公示中', expired: '已到期', repaired: '已信用修复', revoked: '已撤销' };
  const BASIS = { legal_rep: '法定代表人', power_of_attorney: '授权委托代理人', department: '部门代为申请', admin: '管理员代为申请' };
  const SEVERITY = { general: '一般失信', serious: '严重失信' };
  const KIND = { legal: '法人及非法人组织', business: '个体工商户', person: '自然人' };
  const FORMAT = { 'csv-utf8': 'CSV（UTF-8）', 'csv-gb18030': 'CSV（GB18030）', xlsx: 'Excel（XLSX）' };
  const SECTION = { news: '诚信动态', policy: '政策法规', notice: '通知公告' };
  const ARTICLE_STATUS = { draft: '草稿', published: '已发布', unpublished: '已撤下' };
  const ARTICLE_ACTION = { draft: ['publish', '发布'], unpublished: ['publish', '发布'], published: ['unpublish', '撤下'] };
  const PER_PAGE = 20; // of every list on the page

  const subjectKey = (s) => s.credit_code || s.id_number || '';

  const pageQuery = (p, more = {}) => new URLSearchParams({ ...more, page: p.page, per_page: PER_PAGE });

  // Reference data: the record types and what each department may publish.
  let types = [];
  let remits = null; // unit → {name, types}; null when this account may not read them
  const typeName = (code) => (types.find((t) => t.code === code) || {}).name || code;
  const deptName = (unit) => (remits && remits.get(unit) && remits.get(unit).name) || unit;

  // ---- 数据导入 -----------------------------------------------------------
  const importForm = document.getElementById('credit-import');
  const importErr = document.getElementById('credit-import-error');
  const typeSelect = document.getElementById('credit-type');
  const deptSelect = document.getElementById('credit-department'); // admins only: they name the department
  const templateBox = document.getElementById('credit-template');

  // loadReference answers false for a department without a remit: every
  // part of the page is refused to it, so it is told once, plainly.
  async function loadReference() {
    try {
      const [t, d] = await Promise.all([
        api('GET', '/api/v1/credit/types'),
        api('GET', '/api/v1/credit/departments').catch((err) => {
          if (err.status === 403 && GJ.me.role === 'department') return 'no remit';
          GJ.showError(importErr, err);
          return null;
        }),
      ]);
      if (d === 'no remit') {
        const page = document.querySelector('section.credit');
        page.replaceChildren(page.querySelector('.pagehead h1'), h('p', { class: 'card', id: 'credit-no-remit' },
          '贵部门没有信用信息公示职责：数据导入、信用修复和授权委托书的审核、信用动态的撰写，由有公示职责的部门办理。如需开通，请联系管理员。'));
        return false;
      }
      types = t.types;
      if (d) remits = new Map(d.departments.map((x) => [x.unit, x]));
      fillDepartments();
    } catch (err) {
      GJ.showError(importErr, err);
    }
    return true;
  }

  // fillDepartments offers an admin the departments that publish (kept
  // when it still does), then their types.
  function fillDepartments() {
    if (deptSelect && remits) {
      const kept = deptSelect.value;
      const publishing = [...remits.values()].filter((x) => x.types.length);
      deptSelect.replaceChildren(h('option', { value: '' }, '请选择发布部门'), ...publishing.map((x) => h('option', { value: x.unit }, x.name)));
      deptSelect.value = publishing.some((x) => x.unit === kept) ? kept : '';
    }
    fillTypes();
  }

  // fillTypes offers the types the publishing department may import (all of
  // them when its remit is unknown: the server says no, in its words).
  function fillTypes() {
    const unit = deptSelect ? deptSelect.value : GJ.me.unit;
    const remit = remits && remits.get(unit);
    const allowed = remit ? types.filter((t) => remit.types.includes(t.code)) : types;
    const kept = typeSelect.value;
    typeSelect.replaceChildren(h('option', { value: '' }, '请选择数据类型'),
      ...allowed.map((t) => h('option', { value: t.code }, t.name)));
    if (allowed.some((t) => t.code === kept)) typeSelect.value = kept;
    else if (allowed.length === 1) typeSelect.value = allowed[0].code;
    showTemplate();
  }

  function showTemplate() {
    const t = types.find((x) => x.code === typeSelect.value);
    templateBox.hidden = !t;
    if (!t) return;
    const path = `/api/v1/credit/templates/${encodeURIComponent(t.code)}`;
    document.getElementById('credit-template-csv').href = path;
    document.getElementById('credit-template-xlsx').href = `${path}?format=xlsx`;
    document.getElementById('credit-columns').textContent =
      `表头（* 为必填）：${t.columns.map((c) => c.header + (c.required ? '*' : '')).join('、')}`;
  }

  typeSelect.addEventListener('change', showTemplate);
  if (deptSelect) deptSelect.addEventListener('change', fillTypes);

  importForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    GJ.showError(importErr, null);
    const file = importForm.elements.file.files[0];
    if (deptSelect && !deptSelect.value) { GJ.showError(importErr, new Error('请选择发布部门')); deptSelect.focus(); return; }
    if (!typeSelect.value) { GJ.showError(importErr, new Error('请选择数据类型')); typeSelect.focus(); return; }
    if (!file) { GJ.showError(importErr, new Error('请选择要导入的文件')); return; }
    const data = new FormData();
    data.append('type', typeSelect.value);
    if (deptSelect) data.append('department', deptSelect.value);
    data.append('file', file);
    const button = importForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const b = await api('POST', '/api/v1/credit/imports', data);
      showBatch(b);
      GJ.toast(b.status === 'done' ? `已导入 ${b.rows} 行` : '文件已通过检查，正在后台导入');
      importForm.elements.file.value = '';
    } catch (err) {
      GJ.showError(importErr, err);
      // A refused file is still a batch: its answer carries the row report.
      if (err.body && err.body.id) showBatch(err.body);
    } finally {
      button.disabled = false;
      importsPager.page = 1; // where the new batch is
      loadImports();
    }
  });

  // ---- 导入结果 (one batch, followed while the worker imports it) -----------
  const batchBox = document.getElementById('credit-batch');
  const batchErr = document.getElementById('credit-batch-error');
  const progress = document.getElementById('credit-batch-progress');
  let followed = 0; // the batch being polled; showing another one stops it
  let followTimer = null;

  function renderBatch(b) {
    batchBox.hidden = false;
    batchBox.dataset.id = b.id;
    batchBox.dataset.status = b.status;
    document.getElementById('credit-batch-title').textContent = `导入结果 · 批次 #${b.id} · ${typeName(b.type)}`;
    document.getElementById('credit-batch-status').replaceChildren(GJ.badge(b.status, BATCH_STATUS, 'c'));
    let summary = `共 ${GJ.num(b.rows)} 行`;
    if (b.status === 'done') summary += `：新增 ${GJ.num(b.inserted)}，更新 ${GJ.num(b.updated)}，未变化 ${GJ.num(b.unchanged)}`;
    else if (b.status === 'rejected') summary += `：${GJ.num(b.error_count)} 处错误，未导入任何数据`;
    else if (b.status === 'failed') summary += '：导入失败，未导入任何数据，请重新上传';
    else if (b.status === 'running') summary += `，已完成 ${b.percent}%`;
    else summary += '，等待后台导入';
    document.getElementById('credit-batch-summary').textContent = summary;
    progress.hidden = FINISHED.has(b.status);
    progress.value = b.percent || 0;
    document.getElementById('credit-batch-info').replaceChildren(...GJ.facts([
      ['文件', b.filename], ['格式', FORMAT[b.format] || b.format], ['部门', deptName(b.department)],
      ['上传时间', GJ.time(b.created_at)], ['完成时间', b.finished_at ? GJ.time(b.finished_at) : ''],
    ]));
    const errors = b.errors || [];
    const report = document.getElementById('credit-batch-report');
    report.hidden = !errors.length;
    report.querySelector('caption').textContent = b.error_count > errors.length
      ? `未通过检查的行（共 ${GJ.num(b.error_count)} 处，列出前 ${GJ.num(errors.length)} 处）：请改正后重新上传整个文件`
      : '未通过检查的行：请改正后重新上传整个文件';
    report.querySelector('tbody').replaceChildren(...errors.map((x) => h('tr', { 'data-row': x.row },
      h('td', {}, x.row ? String(x.row) : '—'), h('td', {}, x.column || '—'), h('td', {}, x.reason))));
  }

  // showBatch shows a batch and, until it finishes, follows it: the poll
  // starts at a second and slows down, and waits while the tab is hidden.
  function showBatch(b) {
    clearTimeout(followTimer);
    followed = 0;
    GJ.showError(batchErr, null);
    renderBatch(b);
    if (FINISHED.has(b.status)) return;
    const id = b.id;
    followed = id;
    let wait = 1000;
    const tick = async () => {
      if (followed !== id) return;
      if (!document.hidden) {
        try {
          const now = await api('GET', `/api/v1/credit/imports/${id}`);
          if (followed !== id) return;
          GJ.showError(batchErr, null);
          renderBatch(now);
          if (FINISHED.has(now.status)) {
            followed = 0;
            GJ.toast(now.status === 'done' ? `批次 #${id} 已导入` : `批次 #${id} ${BATCH_STATUS[now.status]}`);
            loadImports();
            return;
          }
        } catch (err) {
          if (followed !== id) return;
          GJ.showError(batchErr, err);
          // A refusal (not a busy server or a lost answer) would be repeated: stop asking.
          if (err.status && err.status < 500 && err.status !== 429) { followed = 0; return; }
        }
      }
      wait = Math.min(wait * 1.5, 10000);
      followTimer = setTimeout(tick, wait);
    };
    followTimer = setTimeout(tick, wait);
  }

  async function openBatch(id) {
    try {
      showBatch(await api('GET', `/api/v1/credit/imports/${id}`));
      batchBox.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      GJ.toast(err.message);
    }
  }

  const importsBody = document.querySelector('#credit-imports tbody');
  const importsPager = GJ.pager('credit-imports', () => loadImports());
  const loadImports = GJ.latest(async () => {
    try {
      const out = await api('GET', `/api/v1/credit/imports?${pageQuery(importsPager)}`);
      if (!importsPager.showTotal(out.total, PER_PAGE)) { loadImports(); return; }
      importsBody.replaceChildren(...out.imports.map((b) => h('tr', { 'data-id': b.id, 'data-status': b.status },
        h('td', {}, GJ.time(b.created_at)), h('td', {}, typeName(b.type)), h('td', {}, deptName(b.department)),
        h('td', {}, b.filename), h('td', {}, GJ.badge(b.status, BATCH_STATUS, 'c')), h('td', {}, GJ.num(b.rows)),
        h('td', {}, `${GJ.num(b.inserted)} / ${GJ.num(b.updated)} / ${GJ.num(b.unchanged)}`), h('td', {}, GJ.num(b.error_count)),
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openBatch(b.id) }, '查看报告')))));
      if (!out.imports.length) importsBody.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, '还没有导入记录')));
    } catch (err) {
      importsBody.replaceChildren(h('tr', {}, h('td', { colspan: 9, class: 'error' }, err.message)));
    }
  });

  // ---- shared by the two review queues --------------------------------------
  // entryLine names an entry as staff know it: its type, list and document number.
  const entryKind = (e) => (e.list_name ? `${e.type_name}（${e.list_name}）` : e.type_name);
  function entryLine(e) {
    if (!e) return '';
    return [entryKind(e), e.document_no, e.severity ? SEVERITY[e.severity] || e.severity : ''].filter(Boolean).join(' · ');
  }
  function subjectLine(s) {
    if (!s) return '';
    return [s.name, subjectKey(s), KIND[s.kind] || s.kind].filter(Boolean).join(' · ');
  }

  // decideForm is the note and the two buttons of a pending item. The note
  // is sent as written: the server says when one is needed (to refuse).
  function decideForm(action, labels, send) {
    const err = h('p', { class: 'error', role: 'alert', hidden: true });
    const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
    const buttons = [
      h('button', { type: 'button', class: 'primary', 'data-decide': 'yes' }, labels[0]),
      h('button', { type: 'button', class: 'danger', 'data-decide': 'no' }, labels[1]),
    ];
    const form = h('form', { 'data-action': action, class: 'credit-decide', novalidate: true },
      h('label', {}, '审核意见', note), h('p', { class: 'help' }, labels[2]), err, h('div', { class: 'actions' }, buttons));
    form.addEventListener('submit', (e) => e.preventDefault());
    buttons.forEach((b) => b.addEventListener('click', async () => {
      GJ.showError(err, null);
      buttons.forEach((x) => { x.disabled = true; });
      try {
        await send(b.dataset.decide === 'yes', note.value);
      } catch (ex) {
        GJ.showError(err, ex);
      } finally {
        buttons.forEach((x) => { x.disabled = false; });
      }
    }));
    return form;
  }

  // ---- 信用修复 -------------------------------------------------------------
  const repairFilter = document.getElementById('credit-repair-filter');
  const repairList = document.getElementById('credit-repair-list');
  const repairSummary = document.getElementById('credit-repair-summary');
  const repairPager = GJ.pager('credit-repair', () => loadRepairs());

  function applicant(r) {
    const basis = BASIS[r.basis] || r.basis;
    return r.applicant_name ? `${r.applicant_name}（${basis}）` : `${basis}（用户编号 ${r.applicant_id}）`;
  }

  function repairItem(r) {
    const e = r.entry || {};
    const body = [
      h('h3', {}, subjectLine(e.subject) || `信息 #${r.entry_id}`),
      h('p', {}, GJ.badge(r.status, REPAIR_STATUS, 'c'), ` 申请时间 ${GJ.time(r.created_at)}`),
      h('dl', { class: 'info' }, ...GJ.facts([
        ['失信信息', entryLine(e)], ['发布部门', deptName(e.department)], ['决定日期', e.decided_on], ['公示截止', e.public_until],
        ['可申请修复', e.repairable_from], ['信息状态', ENTRY_STATUS[e.status] || e.status], ['申请人', applicant(r)],
        ['申请理由', h('span', { class: 'desc' }, r.reason)], ['证明材料', h('span', { class: 'desc' }, r.evidence)],
        ['审核意见', r.decision_note ? h('span', { class: 'desc' }, r.decision_note) : ''], ['审核时间', r.decided_at ? GJ.time(r.decided_at) : ''],
      ])),
    ];
    if (r.status === 'pending') {
      body.push(decideForm('decide-repair', ['批准修复', '驳回', '批准后该信息停止公示；驳回须写明理由。'], async (approve, note) => {
        await api('POST', `/api/v1/credit/repairs/${r.id}/decide`, { approve, note });
        GJ.toast(approve ? '已批准信用修复，该信息已停止公示' : '已驳回信用修复申请');
        await loadRepairs();
      }));
    }
    return h('li', { class: 'credit-item', 'data-id': r.id, 'data-status': r.status }, ...body);
  }

  const loadRepairs = GJ.latest(async () => {
    const status = repairFilter.elements.status.value;
    try {
      const out = await api('GET', `/api/v1/credit/repairs?${pageQuery(repairPager, status ? { status } : {})}`);
      if (!repairPager.showTotal(out.total, PER_PAGE)) { loadRepairs(); return; }
      GJ.redrawKeeping(repairList, () => repairList.replaceChildren(...out.repairs.map(repairItem)));
      if (!out.repairs.length) repairList.append(h('li', { class: 'empty' }, status === 'pending' ? '没有待审核的信用修复申请' : '没有信用修复申请'));
      repairSummary.textContent = out.total ? `共 ${GJ.num(out.total)} 件` : '';
    } catch (err) {
      repairList.replaceChildren(h('li', { class: 'error' }, err.message));
    }
  });
  const refilterRepairs = () => { repairPager.page = 1; loadRepairs(); };
  repairFilter.addEventListener('change', refilterRepairs);
  repairFilter.addEventListener('submit', (e) => { e.preventDefault(); refilterRepairs(); });

  // ---- 授权委托书 -----------------------------------------------------------
  const repFilter = document.getElementById('credit-rep-filter');
  const repList = document.getElementById('credit-rep-list');
  const repSummary = document.getElementById('credit-rep-summary');
  const repPager = GJ.pager('credit-rep', () => loadReps());
  const entries = new Map(); // entry id → the entry a 授权委托书 was filed for, asked once

  async function filedFor(reps) {
    const ids = [...new Set(reps.map((r) => r.entry_id).filter((id) => id && !entries.has(id)))];
    await Promise.all(ids.map((id) => api('GET', `/api/v1/credit/entries/${id}`)
      .then((out) => entries.set(id, out.entry)).catch(() => entries.set(id, null))));
  }

  function repItem(r) {
    const size = r.document_size ? `（${Math.max(1, Math.round(r.document_size / 1024))} KB）` : '';
    const body = [
      h('h3', {}, `${r.name} · ${BASIS[r.basis] || r.basis}`),
      h('p', {}, GJ.badge(r.status, REP_STATUS, 'c'), ` 提交时间 ${GJ.time(r.created_at)}`),
      h('dl', { class: 'info' }, ...GJ.facts([
        ['信用主体', subjectLine(r.subject)], ['所涉信息', r.entry_id ? entryLine(entries.get(r.entry_id)) || `信息 #${r.entry_id}` : ''],
        ['审核部门', r.department ? deptName(r.department) : ''],
        ['授权委托书', r.document ? h('a', { href: r.document, class: 'credit-doc', download: true }, `打开授权委托书${size}`) : ''],
        ['审核意见', r.decision_note ? h('span', { class: 'desc' }, r.decision_note) : ''], ['审核时间', r.decided_at ? GJ.time(r.decided_at) : ''],
      ])),
    ];
    if (r.status === 'pending') {
      body.push(decideForm('decide-rep', ['认可', '不认可', '认可后，代理人可代该主体申请本部门信息的信用修复；不认可须写明理由。'], async (accept, note) => {
        await api('POST', `/api/v1/credit/representatives/${r.id}/decide`, { accept, note });
        GJ.toast(accept ? '已认可授权委托书' : '已不予认可授权委托书');
        await loadReps();
      }));
    }
    return h('li', { class: 'credit-item', 'data-id': r.id, 'data-status': r.status }, ...body);
  }

  const loadReps = GJ.latest(async () => {
    const status = repFilter.elements.status.value;
    try {
      const out = await api('GET', `/api/v1/credit/representatives?${pageQuery(repPager, status ? { status } : {})}`);
      if (!repPager.showTotal(out.total, PER_PAGE)) { loadReps(); return; }
      await filedFor(out.representatives);
      GJ.redrawKeeping(repList, () => repList.replaceChildren(...out.representatives.map(repItem)));
      if (!out.representatives.length) repList.append(h('li', { class: 'empty' }, status === 'pending' ? '没有待审核的授权委托书' : '没有授权委托书'));
      repSummary.textContent = out.total ? `共 ${GJ.num(out.total)} 件` : '';
    } catch (err) {
      repList.replaceChildren(h('li', { class: 'error' }, err.message));
    }
  });
  const refilterReps = () => { repPager.page = 1; loadReps(); };
  repFilter.addEventListener('change', refilterReps);
  repFilter.addEventListener('submit', (e) => { e.preventDefault(); refilterReps(); });

  // ---- 撤销 -----------------------------------------------------------------
  const searchForm = document.getElementById('credit-subject-search');
  const searchErr = document.getElementById('credit-subject-error');
  const results = document.getElementById('credit-subject-results');
  const detail = document.getElementById('credit-subject-detail');
  const subjectPager = GJ.pager('credit-subject', () => search(false));
  let shownSubject = ''; // the key of the subject whose entries are shown

  // search lists the subjects found; open: show the entries of a single match.
  async function search(open = true) {
    GJ.showError(searchErr, null);
    const q = searchForm.elements.q.value.trim();
    try {
      const out = await api('GET', `/api/v1/credit/subjects?q=${encodeURIComponent(q)}&page=${subjectPager.page}&per_page=${PER_PAGE}`);
      results.hidden = false;
      results.querySelector('tbody').replaceChildren(...out.subjects.map((s) => h('tr', { 'data-subject': s.id },
        h('td', {}, s.name), h('td', {}, KIND[s.kind] || s.kind), h('td', {}, subjectKey(s) || '—'),
        h('td', {}, GJ.num(s.black)), h('td', {}, GJ.num(s.red)),
        // A person's ID number comes masked: the subject's numeric ID finds it.
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openSubject(s.credit_code || String(s.id)) }, '查看信息')))));
      if (!out.subjects.length) results.querySelector('tbody').append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '没有找到信用主体')));
      subjectPager.showMore(out.more);
      if (open && out.subjects.length === 1 && subjectPager.page === 1) openSubject(out.subjects[0].credit_code || String(out.subjects[0].id));
    } catch (err) {
      GJ.showError(searchErr, err);
    }
  }

  function mayRevoke(e) {
    return (e.status === 'active' || e.status === 'expired') && (isAdmin || e.department === GJ.me.unit);
  }

  function revokeForm(e) {
    const err = h('p', { class: 'error', role: 'alert', hidden: true });
    const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
    const button = h('button', { type: 'submit', class: 'danger' }, '确认撤销');
    const form = h('form', { 'data-action': 'revoke', novalidate: true },
      h('label', {}, '撤销理由', note), h('p', { class: 'help' }, '如：行政处罚决定已被撤销、信息发布有误'), err, h('div', { class: 'actions' }, button));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      GJ.showError(err, null);
      button.disabled = true;
      try {
        await api('POST', `/api/v1/credit/entries/${e.id}/revoke`, { note: note.value });
        GJ.toast('已撤销，该信息不再公示');
        await Promise.all([openSubject(shownSubject), search(false)]); // the list's counts changed too
      } catch (ex) {
        GJ.showError(err, ex);
      } finally {
        button.disabled = false;
      }
    });
    return h('details', { 'data-action': 'revoke' }, h('summary', {}, '撤销'), form);
  }

  async function openSubject(key) {
    shownSubject = key;
    try {
      const d = await api('GET', `/api/v1/credit/subjects/${encodeURIComponent(key)}`);
      const all = [...d.black, ...d.red, ...d.records];
      const s = d.subject;
      const table = h('table', { class: 'table', id: 'credit-entries' },
        h('thead', {}, h('tr', {}, ['信息', '文号', '决定日期', '公示截止', '发布部门', '状态'].map((c) => h('th', { scope: 'col' }, c)),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, '操作')))),
        h('tbody', {}, all.map((e) => h('tr', { 'data-id': e.id, 'data-status': e.status },
          h('td', {}, entryKind(e), e.severity ? ` · ${SEVERITY[e.severity] || e.severity}` : '', h('span', { class: 'desc' }, e.reason)),
          h('td', {}, e.document_no), h('td', {}, e.decided_on), h('td', {}, e.public_until), h('td', {}, deptName(e.department)),
          h('td', {}, GJ.badge(e.status, ENTRY_STATUS, 'c')), h('td', {}, mayRevoke(e) ? revokeForm(e) : null)))));
      GJ.redrawKeeping(detail, () => detail.replaceChildren(
        h('h3', {}, subjectLine(s)),
        s.legal_rep || s.address ? h('p', { class: 'muted' }, [s.legal_rep ? `法定代表人 ${s.legal_rep}` : '', s.address].filter(Boolean).join(' · ')) : null,
        all.length ? h('div', { class: 'tablewrap' }, table) : h('p', { class: 'empty' }, '该主体没有信用信息')));
    } catch (err) {
      detail.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
    }
  }

  searchForm.addEventListener('submit', (e) => { e.preventDefault(); subjectPager.page = 1; search(); });

  // ---- 信用动态与政策: the articles of the public site -------------------------
  const articleFilter = document.getElementById('credit-article-filter');
  const articleRows = document.querySelector('#credit-article-table tbody');
  const articleListErr = document.getElementById('credit-article-list-error');
  const articleForm = document.getElementById('credit-article-form');
  const articleErr = document.getElementById('credit-article-error');
  const articlePager = GJ.pager('credit-article', () => loadArticles());
  let editing = null; // the article in the form, {id, updated_at} as read; null for a new one

  function articleRow(a) {
    const [action, label] = ARTICLE_ACTION[a.status] || [];
    return h('tr', { 'data-id': a.id, 'data-status': a.status },
      h('td', {}, a.title), h('td', {}, a.section_name || SECTION[a.section] || a.section), h('td', {}, a.source || '—'),
      h('td', {}, GJ.badge(a.status, ARTICLE_STATUS, 'c')), h('td', {}, a.published_at ? GJ.time(a.published_at) : '—'), h('td', {}, GJ.time(a.updated_at)),
      // Another department's article is theirs to change (or an administrator's).
      GJ.me.role === 'admin' || (a.department && a.department === GJ.me.unit) ? h('td', {},
        h('button', { type: 'button', class: 'link', 'data-article': 'edit', onclick: () => editArticle(a.id) }, '编辑'),
        action ? h('button', { type: 'button', class: 'link', 'data-article': action, onclick: (e) => articleAction(a, action, e.currentTarget) }, label) : null)
        : h('td', { class: 'muted' }, '其他部门的文章'));
  }

  const loadArticles = GJ.latest(async () => {
    const section = articleFilter.elements.section.value;
    try {
      const out = await api('GET', `/api/v1/credit/articles?${pageQuery(articlePager, section ? { section } : {})}`);
      if (!articlePager.showTotal(out.total, PER_PAGE)) { loadArticles(); return; }
      articleRows.replaceChildren(...out.articles.map(articleRow));
      if (!out.articles.length) articleRows.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, '还没有文章')));
    } catch (err) {
      articleRows.replaceChildren(h('tr', {}, h('td', { colspan: 7, class: 'error' }, err.message)));
    }
  });
  articleFilter.addEventListener('change', () => { articlePager.page = 1; loadArticles(); });
  articleFilter.addEventListener('submit', (e) => e.preventDefault());

  // articleAction publishes or withdraws an article. Refused (someone else
  // changed it meanwhile: 409), the server's words stay and the list shows
  // where the article stands now.
  async function articleAction(a, action, button) {
    GJ.showError(articleListErr, null);
    button.disabled = true;
    try {
      await api('POST', `/api/v1/credit/articles/${a.id}/${action}`);
      GJ.toast(action === 'publish' ? `已发布：${a.title}` : `已撤下：${a.title}`);
    } catch (err) {
      GJ.showError(articleListErr, err);
    } finally {
      loadArticles();
    }
  }

  function openArticle(a) {
    editing = a ? { id: a.id, updated_at: a.updated_at } : null;
    GJ.fieldError(articleForm, articleErr, null);
    const f = articleForm.elements;
    f.section.value = a ? a.section : articleFilter.elements.section.value || 'news';
    f.title.value = a ? a.title : '';
    const own = remits && remits.get(GJ.me.unit); // a new article comes from the writer's department
    f.source.value = a ? a.source || '' : (own ? own.name : '');
    f.body.value = a ? a.body : '';
    document.getElementById('credit-article-form-title').textContent = a ? `修改文章 #${a.id}` : '撰写文章';
    document.getElementById('credit-article-live').hidden = !(a && a.status === 'published');
    articleForm.dataset.id = a ? a.id : '';
    articleForm.hidden = false;
    articleForm.scrollIntoView({ block: 'nearest' });
    f.title.focus();
  }

  function closeArticle() {
    editing = null;
    articleForm.hidden = true;
    articleForm.dataset.id = '';
  }

  async function editArticle(id) {
    GJ.showError(articleListErr, null);
    try {
      openArticle(await api('GET', `/api/v1/credit/articles/${id}`)); // the list has no body
    } catch (err) {
      GJ.showError(articleListErr, err);
    }
  }

  document.getElementById('credit-article-new').addEventListener('click', () => openArticle(null));
  document.getElementById('credit-article-cancel').addEventListener('click', closeArticle);

  // The article is sent as written: the server says what is missing or too long, at its field.
  articleForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    GJ.fieldError(articleForm, articleErr, null);
    const f = articleForm.elements;
    const body = { section: f.section.value, title: f.title.value, source: f.source.value, body: f.body.value };
    const button = articleForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      if (editing) {
        // A save made since the article was read is refused (409) with its message.
        await api('PUT', `/api/v1/credit/articles/${editing.id}`, { ...body, updated_at: editing.updated_at });
        GJ.toast('文章已保存');
      } else {
        await api('POST', '/api/v1/credit/articles', body);
        GJ.toast('已存为草稿，发布后公众可见');
        articlePager.page = 1; // drafts come first
      }
      closeArticle();
      loadArticles();
    } catch (err) {
      GJ.fieldError(articleForm, articleErr, err)?.focus();
    } finally {
      button.disabled = false;
    }
  });

  // ---- 部门职能 (admins): the record types each department may publish -------
  const remitRows = document.querySelector('#credit-remit-table tbody'); // admins only
  const remitAdd = document.getElementById('credit-remit-add');

  function remitRow(d) {
    const err = h('p', { class: 'error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit' }, '保存');
    const form = h('form', { 'data-action': 'remit', novalidate: true, 'aria-label': `${d.name}可发布的信息类型` },
      h('div', { class: 'credit-remit-types' }, types.map((t) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'types', value: t.code, checked: d.types.includes(t.code) }), t.name))),
      err, h('div', { class: 'actions' }, save));
    const row = h('tr', { 'data-unit': d.unit, 'data-types': d.types.join() }, h('th', { scope: 'row' }, d.name), h('td', {}, form));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      GJ.showError(err, null);
      save.disabled = true;
      const chosen = [...form.querySelectorAll('input[name=types]:checked')].map((x) => x.value);
      try {
        const r = await api('PUT', `/api/v1/credit/departments/${encodeURIComponent(d.unit)}`, { types: chosen });
        remits.set(r.unit, r);
        row.dataset.types = r.types.join();
        GJ.toast(`已保存${r.name}可发布的类型：${r.types.map(typeName).join('、') || '无'}`);
        fillDepartments(); // the import form offers what was just saved
      } catch (ex) {
        GJ.showError(err, ex);
      } finally {
        save.disabled = false;
      }
    });
    return row;
  }

  // loadRemits lists the departments with their types, and offers the
  // other units to add: one without types is no credit department yet.
  async function loadRemits() {
    if (!remitRows) return;
    if (!remits) return; // the error is shown at the import form
    remitRows.replaceChildren(...[...remits.values()].map(remitRow));
    try {
      const units = await GJ.units();
      const others = [...units.values()].filter((u) => !remits.has(u.code))
        .sort((a, b) => Boolean(a.district) - Boolean(b.district) || a.name.localeCompare(b.name, 'zh-CN'));
      remitAdd.elements.unit.replaceChildren(h('option', { value: '' }, '请选择单位'),
        ...others.map((u) => h('option', { value: u.code }, u.district ? `${u.name}（${u.district}）` : u.name)));
    } catch (err) {
      GJ.showError(document.getElementById('credit-remit-error'), err);
    }
  }

  if (remitAdd) {
    remitAdd.addEventListener('submit', (e) => {
      e.preventDefault();
      const select = remitAdd.elements.unit;
      const option = select.selectedOptions[0];
      if (!select.value) { select.focus(); return; }
      const row = remitRow({ unit: select.value, name: option.textContent, types: [] });
      remitRows.append(row);
      option.remove();
      row.querySelector('input[type=checkbox]').focus();
    });
  }

  // The lists name types and departments: they wait for the reference data.
  loadReference().then((desk) => desk && Promise.all([loadImports(), loadRepairs(), loadReps(), loadArticles(), loadRemits()]));
})();
