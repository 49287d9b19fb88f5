// 分类管理: administrators read the complaint category catalogue by 大类,
// open a category to change its department, dispatch, deadlines, duplicate
// radius and the examples 智能分类 learns from, add a new one, and retire
// (停用) one no longer used — after a confirmation — or bring it back. The API
// takes deadlines in seconds; people think in minutes, hours and days, so the
// page converts both ways and says what a change means before it is saved.
// Every refusal shows the server's own message, next to the field it names.
'use strict';
(() => {
  const { h, api } = GJ;

  const MINUTE = 60, HOUR = 3600, DAY = 86400;
  // One 工作日 of working time: dispatch.DefaultWorkHours, 9:00–12:00 and 13:30–17:30.
  const WORKDAY = 7 * HOUR;
  const WORK_HOURS_TEXT = '工作日 9:00–12:00、13:30–17:30，节假日和调休按国务院安排';
  const MAX_EXAMPLES_CHARS = 2000; // the server's bound on the examples, one a line
  const MODES = {
    natural: { label: '自然时', text: '自然时（连续计时，含夜间和节假日）' },
    working: { label: '工作时', text: '工作时（只计工作时间）' },
  };
  const KINDS = ['部件', '事件'];
  // Units of a deadline: the select's value is the key; a working-time
  // deadline counts its hours and days in working time.
  const UNITS = ['sec', 'min', 'hour', 'day'];
  const unitSeconds = (unit, mode) => ({ sec: 1, min: MINUTE, hour: HOUR, day: mode === 'working' ? WORKDAY : DAY })[unit];
  const unitLabel = (unit, mode) => (mode === 'working'
    ? { sec: '秒', min: '分钟', hour: '工作小时', day: '工作日' }
    : { sec: '秒', min: '分钟', hour: '小时', day: '天' })[unit];

  // span says a deadline of s seconds in the largest unit that holds it whole:
  // 1800 → 30 分钟, 50400 working → 2 个工作日; drills use seconds.
  function span(s, mode = 'natural') {
    const working = mode === 'working';
    if (s > 0 && s % (working ? WORKDAY : DAY) === 0) return working ? `${s / WORKDAY} 个工作日` : `${s / DAY} 天`;
    if (s > 0 && s % HOUR === 0) return working ? `${s / HOUR} 个工作小时` : `${s / HOUR} 小时`;
    if (s > 0 && s % MINUTE === 0) return working ? `${s / MINUTE} 分钟（工作时间）` : `${s / MINUTE} 分钟`;
    return `${s} 秒`;
  }
  // bestUnit is the unit and amount the editor starts a deadline with.
  function bestUnit(s, mode) {
    for (const unit of ['day', 'hour', 'min']) {
      const per = unitSeconds(unit, mode);
      if (s > 0 && s % per === 0) return { unit, amount: s / per };
    }
    return { unit: s > 0 ? 'sec' : 'min', amount: s > 0 ? s : '' };
  }
  const radiusText = (m) => (m > 0 ? `${m} 米` : '不合并');
  const cleanLines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);
  const chars = (s) => [...s].length;

  const form = document.getElementById('category-form');
  const retirePanel = document.getElementById('category-retire');
  const retireError = document.getElementById('category-retire-error');
  const retireConfirm = document.getElementById('category-retire-confirm');
  const formError = document.getElementById('category-form-error');
  const filters = document.getElementById('category-filters');
  const table = document.getElementById('category-table');
  const summary = document.getElementById('category-summary');
  const preview = document.getElementById('cat-preview');
  const f = form.elements;

  let catalogue = []; // as GET /api/v1/categories last answered, by code
  let unitsByDept = new Map(); // department → its units
  let editing = null; // the category open in the form as loaded, or null for a new one
  let retiring = null; // the category whose 停用 or 启用 awaits confirmation

  async function loadUnits() {
    const units = await GJ.units();
    unitsByDept = new Map();
    for (const u of units.values()) {
      if (!unitsByDept.has(u.department)) unitsByDept.set(u.department, []);
      unitsByDept.get(u.department).push(u);
    }
  }
  // unitNames lists a department's units, shortened when there are many.
  function unitNames(dept) {
    const units = unitsByDept.get(dept) || [];
    const names = units.map((u) => u.name);
    return names.length > 5 ? `${names.slice(0, 3).join('、')}等 ${names.length} 个单位` : names.join('、');
  }

  // The catalogue.
  const load = GJ.latest(async () => {
    try {
      const out = await api('GET', '/api/v1/categories');
      catalogue = out.categories;
      fillChoices();
      draw();
    } catch (ex) {
      summary.textContent = '';
      drawBodies([h('tbody', {}, h('tr', {}, h('td', { colspan: 11, class: 'error' }, ex.message)))]);
    }
  });

  const distinct = (values) => [...new Set(values.filter(Boolean))];
  // fillChoices offers the majors and kinds the catalogue has, keeping what was chosen.
  function fillChoices() {
    for (const [name, values, all] of [['major', distinct(catalogue.map((c) => c.major)), '全部大类'],
      ['kind', distinct([...KINDS, ...catalogue.map((c) => c.kind)]), '全部类型']]) {
      const select = filters.elements[name];
      const kept = select.value;
      select.replaceChildren(h('option', { value: '' }, all), ...values.map((v) => h('option', { value: v }, v)));
      select.value = values.includes(kept) ? kept : '';
    }
    document.getElementById('cat-majors').replaceChildren(
      ...distinct(catalogue.map((c) => c.major)).map((v) => h('option', { value: v })));
  }

  function matches(c) {
    const q = filters.elements.q.value.trim().toLowerCase();
    const { major, kind, dispatch, status } = filters.elements;
    return (!q || c.code.toLowerCase().includes(q) || c.name.toLowerCase().includes(q)) &&
      (!major.value || c.major === major.value) && (!kind.value || c.kind === kind.value) &&
      (!dispatch.value || (dispatch.value === 'p2p') === c.point_to_point) &&
      (!status.value || (status.value === 'retired') === Boolean(c.retired));
  }

  function drawBodies(bodies) {
    table.querySelectorAll('tbody').forEach((b) => b.remove());
    table.append(...bodies);
  }

  // draw shows the categories that match the filters, one group per 大类.
  function draw() {
    const shown = catalogue.filter(matches);
    const groups = new Map();
    for (const c of shown) {
      const key = c.major || '';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(c);
    }
    const bodies = [...groups].map(([major, cats]) => h('tbody', { 'data-major': major },
      h('tr', { class: 'group' }, h('th', { colspan: 11, scope: 'colgroup' }, major || '未分大类', h('small', {}, ` ${cats.length} 个小类`))),
      ...cats.map(row)));
    if (!shown.length) bodies.push(h('tbody', {}, h('tr', {}, h('td', { colspan: 11, class: 'empty' }, catalogue.length ? '没有符合条件的分类' : '目录中还没有分类'))));
    drawBodies(bodies);
    const retired = catalogue.filter((c) => c.retired).length;
    summary.textContent = (shown.length === catalogue.length ? `共 ${catalogue.length} 个分类` : `显示 ${shown.length} 个，共 ${catalogue.length} 个分类`) +
      (retired ? `（其中 ${retired} 个已停用）` : '');
  }

  // arriveText says a category's on-site deadline as the table shows it:
  // only point-to-point orders have one.
  function arriveText(c) {
    if (c.point_to_point) return c.arrive_within_s > 0 ? span(c.arrive_within_s) : '未设置（不计）';
    return h('span', { class: 'muted', title: '到场时限只用于点对点派遣' },
      c.arrive_within_s > 0 ? `不计（${span(c.arrive_within_s)}）` : '不计');
  }

  function row(c) {
    const units = unitNames(c.department);
    return h('tr', { 'data-code': c.code, class: c.retired ? 'retired muted' : null },
      h('td', { 'data-col': 'code' }, c.code),
      h('td', { 'data-col': 'name' }, h('strong', {}, c.name),
        c.retired ? [' ', h('span', { class: 'badge retired', title: '不再受理新的上报；已有工单保留该分类' }, '已停用')] : null),
      h('td', { 'data-col': 'kind' }, c.kind || '—'),
      h('td', { 'data-col': 'department' }, c.department,
        h('small', { class: 'units' }, units || '无责任单位：转指挥中心人工派遣')),
      h('td', { 'data-col': 'dispatch' }, c.point_to_point
        ? h('span', { class: 'badge dispatch-p2p' }, '点对点') : h('span', { class: 'badge dispatch-unit' }, '派至单位')),
      h('td', { 'data-col': 'accept' }, span(c.accept_within_s)),
      h('td', { 'data-col': 'arrive' }, arriveText(c)),
      h('td', { 'data-col': 'resolve' }, span(c.resolve_within_s, c.resolve_mode),
        h('small', { class: 'mode' }, (MODES[c.resolve_mode] || { label: c.resolve_mode }).label)),
      h('td', { 'data-col': 'radius' }, radiusText(c.duplicate_radius_m)),
      h('td', { 'data-col': 'examples' }, `${(c.examples || []).length} 条`),
      h('td', { 'data-col': 'actions' }, h('button', { type: 'button', class: 'link', onclick: () => openEditor(c) }, '编辑'), ' ',
        h('button', { type: 'button', class: 'link', 'data-action': c.retired ? 'enable' : 'retire', onclick: () => openRetire(c) },
          c.retired ? '启用' : '停用')));
  }

  // 停用 and 启用 ask first, saying what the change means, then save the
  // flag alone over the category as read: a save made since is refused.
  function openRetire(c) {
    retiring = c;
    const name = `「${c.name}」（${c.code}）`;
    document.getElementById('category-retire-title').textContent = c.retired ? `启用分类${name}？` : `停用分类${name}？`;
    document.getElementById('category-retire-text').textContent = c.retired
      ? '启用后，小程序、热线受理、巡查上报和 Open311 重新提供该分类，可按该分类提交新的上报，智能分类也会重新推荐。'
      : '停用后，小程序、热线受理、巡查上报和 Open311 不再提供该分类，按该分类提交的新上报将被拒绝，智能分类不再推荐；' +
        '已有工单保留该分类，照常办理、查询和统计。停用后可随时启用。';
    retireConfirm.textContent = c.retired ? '确认启用' : '确认停用';
    GJ.showError(retireError, null);
    retirePanel.hidden = false;
    retirePanel.scrollIntoView({ block: 'start' });
    retireConfirm.focus();
  }

  function closeRetire() {
    retirePanel.hidden = true;
    retiring = null;
  }

  retireConfirm.addEventListener('click', async () => {
    const c = retiring;
    if (!c) return;
    retireConfirm.disabled = true;
    try {
      const saved = await api('PUT', `/api/v1/categories/${encodeURIComponent(c.code)}`,
        { code: c.code, retired: !c.retired, updated_at: c.updated_at });
      GJ.toast(saved.retired ? `已停用「${saved.name}」，不再受理新的上报` : `已启用「${saved.name}」，重新受理新的上报`);
      closeRetire();
      await load();
      const tr = table.querySelector(`tr[data-code="${CSS.escape(saved.code)}"]`);
      if (tr) tr.classList.add('flash');
    } catch (ex) {
      GJ.showError(retireError, ex);
      // Saved by someone else meanwhile: the list is read again, and the
      // question is asked afresh over their save, with their refusal shown.
      if (ex.status === 409 && ex.field === 'version') {
        await load();
        const fresh = catalogue.find((x) => x.code === c.code);
        if (fresh) openRetire(fresh);
        GJ.showError(retireError, ex);
      }
    } finally {
      retireConfirm.disabled = false;
    }
  });
  document.getElementById('category-retire-cancel').addEventListener('click', closeRetire);

  // The editor.
  function setUnits(select, mode, withSeconds, unit) {
    select.replaceChildren(...UNITS.filter((u) => u !== 'sec' || withSeconds)
      .map((u) => h('option', { value: u }, unitLabel(u, mode))));
    select.value = unit;
  }
  function setDeadline(name, seconds, mode) {
    const { unit, amount } = bestUnit(seconds, mode);
    f[name].value = amount;
    setUnits(f[`${name}_unit`], mode, unit === 'sec', unit);
  }

  function fillDepartments(current) {
    const depts = distinct([...unitsByDept.keys(), ...catalogue.map((c) => c.department), current]);
    f.department.replaceChildren(h('option', { value: '' }, '请选择主管部门'), ...depts.map((d) => {
      const units = unitNames(d);
      return h('option', { value: d }, units ? `${d}（${units}）` : `${d}（无责任单位）`);
    }));
    f.department.value = current || '';
  }

  function openEditor(c) {
    editing = c;
    const cat = c || { code: '', name: '', kind: '', major: filters.elements.major.value, department: '', point_to_point: false,
      accept_within_s: 0, arrive_within_s: 0, resolve_within_s: 0, resolve_mode: 'natural', duplicate_radius_m: 50, examples: [] };
    document.getElementById('category-form-title').textContent = c
      ? `编辑分类 ${c.code} ${c.name}${c.retired ? '（已停用）' : ''}` : '新增分类';
    f.code.value = cat.code;
    f.code.readOnly = Boolean(c);
    document.getElementById('cat-code-help').textContent = c ? '编码不可修改。'
      : '新分类的编码，如 1104（大类编号 + 小类编号）：1–32 个英文字母、数字、下划线或连字符，不能与已有分类相同。';
    f.name.value = cat.name;
    f.major.value = cat.major;
    f.kind.replaceChildren(h('option', { value: '' }, '未指定'), ...distinct([...KINDS, cat.kind]).map((k) => h('option', { value: k }, k)));
    f.kind.value = cat.kind;
    fillDepartments(cat.department);
    f.point_to_point.checked = cat.point_to_point;
    const modes = distinct(['natural', 'working', cat.resolve_mode]);
    f.resolve_mode.replaceChildren(...modes.map((m) => h('option', { value: m }, (MODES[m] || { text: m }).text)));
    f.resolve_mode.value = cat.resolve_mode;
    setDeadline('accept', cat.accept_within_s, 'natural');
    setDeadline('arrive', cat.arrive_within_s, 'natural');
    setDeadline('resolve', cat.resolve_within_s, cat.resolve_mode);
    f.duplicate_radius_m.value = cat.duplicate_radius_m;
    f.examples.value = (cat.examples || []).join('\n');
    refuse(null);
    form.hidden = false;
    form.scrollIntoView({ block: 'start' });
    (c ? f.name : f.code).focus();
    explain();
  }

  function closeEditor() {
    form.hidden = true;
    editing = null;
  }

  // readSeconds answers a deadline field in seconds, or why it cannot; an
  // optional one left empty is 0.
  function readSeconds(name, mode, optional = false) {
    const raw = f[name].value.trim();
    if (raw === '') return optional ? { value: 0 } : { error: '请填写时限' };
    const n = Number(raw);
    if (!Number.isFinite(n)) return { error: '请填写数字' };
    return { value: Math.round(n * unitSeconds(f[`${name}_unit`].value, mode)) };
  }

  // draft is what the form holds, as the API takes it, with the problems
  // the page can tell before asking (blank or unreadable numbers); every
  // other judgement is the server's.
  function draft() {
    const mode = f.resolve_mode.value;
    const problems = [];
    const num = (field, read) => {
      const r = read();
      if (r.error) problems.push({ field, message: r.error });
      return r.value;
    };
    const body = {
      code: f.code.value.trim(), name: f.name.value.trim(), kind: f.kind.value, major: f.major.value.trim(),
      department: f.department.value, point_to_point: f.point_to_point.checked,
      accept_within_s: num('accept_within_s', () => readSeconds('accept', 'natural')),
      // Only point-to-point orders have an on-site deadline: the others may leave it out.
      arrive_within_s: num('arrive_within_s', () => readSeconds('arrive', 'natural', !f.point_to_point.checked)),
      resolve_within_s: num('resolve_within_s', () => readSeconds('resolve', mode)),
      resolve_mode: mode,
      duplicate_radius_m: num('duplicate_radius_m', () => {
        const raw = f.duplicate_radius_m.value.trim();
        if (raw === '') return { error: '请填写合并半径，0 表示不合并' };
        const n = Number(raw);
        return Number.isFinite(n) ? { value: n } : { error: '请填写数字' };
      }),
      examples: cleanLines(f.examples.value),
    };
    if (!body.code) problems.unshift({ field: 'code', message: '请填写分类编码' });
    return { body, problems };
  }

  // explain says, before saving, what the category as edited means for new
  // orders, and what changes.
  function explain() {
    const { body: d } = draft();
    const ok = (s) => Number.isInteger(s) && s > 0;
    const lines = [];
    const dept = d.department;
    const units = dept ? unitNames(dept) : '';
    if (!dept) lines.push('请选择主管部门');
    else if (!units) lines.push(`没有${dept}的责任单位：新工单将转指挥中心人工派遣`);
    else if (d.point_to_point) lines.push(`点对点：派给问题所在网格${dept}责任单位（${units}）的在岗处置人员；网格内无人在岗时派至该单位，由负责人分派`);
    else lines.push(`派至问题所在网格的${dept}责任单位（${units}），由单位安排处置`);
    if (ok(d.accept_within_s)) {
      let line = `新工单须 ${span(d.accept_within_s)}内签收`;
      if (d.point_to_point && ok(d.arrive_within_s) && d.accept_within_s > d.arrive_within_s) line += `；签收时限长于到场时限，以到场时限 ${span(d.arrive_within_s)} 为准`;
      lines.push(line);
    }
    if (!d.point_to_point) lines.push('不计到场时限：到场时限只用于点对点派遣');
    else if (ok(d.arrive_within_s)) lines.push(`新工单须 ${span(d.arrive_within_s)}内到场（从派遣给处置人员起算，改派默认不重新计时）`);
    if (ok(d.resolve_within_s)) {
      lines.push(`新工单须 ${span(d.resolve_within_s, d.resolve_mode)}内办结（${d.resolve_mode === 'working' ? `工作时：只计${WORK_HOURS_TEXT}` : '自然时：连续计时'}）`);
    }
    if (Number.isFinite(d.duplicate_radius_m)) {
      lines.push(d.duplicate_radius_m > 0 ? `24 小时内 ${d.duplicate_radius_m} 米内的同类上报并入已有工单` : '同类上报不合并，每条单独派遣');
    }
    lines.push(`智能分类按名称和 ${d.examples.length} 条示例重新学习`);
    const changes = editing ? changesFrom(editing, d) : [];
    preview.replaceChildren(...lines.map((l) => h('li', {}, l)),
      editing ? h('li', { class: 'changes' }, changes.length ? `本次修改：${changes.join('；')}` : '尚未修改') : null);

    document.getElementById('cat-department-help').textContent = dept
      ? (units ? `责任单位按问题所在网格确定：${units}` : `没有${dept}的责任单位`) : '';
    document.getElementById('cat-arrive-help').textContent = d.point_to_point ? ''
      : '非点对点分类不计到场时限，可以不填；填写的值保存，改为点对点派遣后才生效。';
    document.getElementById('cat-arrive-req').hidden = !d.point_to_point;
    document.getElementById('cat-arrive-optional').hidden = d.point_to_point;
    document.getElementById('cat-mode-help').textContent = d.resolve_mode === 'working'
      ? `只计${WORK_HOURS_TEXT}；1 个工作日按 7 个工作小时计。` : '连续计时，夜间、周末和节假日都算。';
    const text = d.examples.join('\n');
    document.getElementById('cat-examples-help').textContent =
      `市民常用的说法或关键词，每行一条，空行不计。共 ${d.examples.length} 条，${chars(text)} / ${MAX_EXAMPLES_CHARS} 字。`;
  }

  // changesFrom lists what d changes in category c, in words.
  function changesFrom(c, d) {
    const out = [];
    const was = (label, from, to) => { if (from !== to) out.push(`${label} ${from} → ${to}`); };
    was('名称', c.name, d.name);
    was('大类', c.major || '无', d.major || '无');
    was('类型', c.kind || '未指定', d.kind || '未指定');
    was('主管部门', c.department || '无', d.department || '无');
    was('派遣方式', c.point_to_point ? '点对点' : '派至单位', d.point_to_point ? '点对点' : '派至单位');
    // A value the server will refuse is said as typed, not converted.
    const time = (s, name, mode = 'natural') => {
      if (Number.isInteger(s) && s > 0) return span(s, mode);
      const raw = f[name].value.trim();
      return raw ? `${raw} ${unitLabel(f[`${name}_unit`].value, mode)}` : '未填写';
    };
    was('签收时限', span(c.accept_within_s), time(d.accept_within_s, 'accept'));
    was('到场时限', c.arrive_within_s > 0 ? span(c.arrive_within_s) : '未填写', time(d.arrive_within_s, 'arrive'));
    was('办结时限', span(c.resolve_within_s, c.resolve_mode), time(d.resolve_within_s, 'resolve', d.resolve_mode));
    was('合并半径', radiusText(c.duplicate_radius_m), Number.isFinite(d.duplicate_radius_m) ? radiusText(d.duplicate_radius_m) : '未填写');
    const before = c.examples || [];
    if (before.join('\n') !== d.examples.join('\n')) out.push(`示例 ${before.length} 条 → ${d.examples.length} 条`);
    return out;
  }

  // refuse shows a problem next to the field it names, or above the buttons
  // when it names none the form has; without one it clears them all.
  const refuse = (err) => GJ.fieldError(form, formError, err);

  // Editing a field takes back its refusal: the next save judges it afresh.
  function forgive(e) {
    const input = e.target.closest('.deadline')?.querySelector('[data-field]') || e.target;
    const field = input.dataset && input.dataset.field;
    if (!field) return;
    input.removeAttribute('aria-invalid');
    GJ.showError(form.querySelector(`[data-error-for="${CSS.escape(field)}"]`), null);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    refuse(null);
    const { body, problems } = draft();
    if (problems.length) {
      const inputs = problems.map(refuse);
      inputs.find(Boolean)?.focus();
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      // A PUT of a code in use replaces that category: a new one must not.
      if (!editing) {
        const now = await api('GET', '/api/v1/categories');
        const taken = now.categories.find((c) => c.code === body.code);
        if (taken) {
          refuse({ field: 'code', message: taken.retired
            ? `编码 ${body.code} 已是停用分类「${taken.name}」的编码，请换一个，或在目录中启用该分类`
            : `编码 ${body.code} 已是「${taken.name}」的编码，请换一个，或在目录中编辑该分类` })?.focus();
          return;
        }
      }
      // An edit names the save it was made over: one made since by another
      // administrator is refused (409) with its message, not undone.
      if (editing) body.updated_at = editing.updated_at;
      const saved = await api('PUT', `/api/v1/categories/${encodeURIComponent(body.code)}`, body);
      GJ.toast(editing ? `已保存「${saved.name}」，新工单按新设置办理` : `已新增分类「${saved.name}」`);
      closeEditor();
      await load();
      const tr = table.querySelector(`tr[data-code="${CSS.escape(saved.code)}"]`);
      if (tr) tr.classList.add('flash');
    } catch (ex) {
      refuse(ex)?.focus();
      // Saved by someone else meanwhile: the list is read again, so the
      // category reopened shows their save.
      if (ex.status === 409 && ex.field === 'version') load();
    } finally {
      button.disabled = false;
    }
  });

  // A new resolve mode keeps the amount and its kind of unit: 2 天 becomes 2 工作日.
  f.resolve_mode.addEventListener('change', () => {
    const select = f.resolve_unit;
    setUnits(select, f.resolve_mode.value, Boolean(select.querySelector('option[value=sec]')), select.value);
  });
  for (const type of ['input', 'change']) {
    form.addEventListener(type, forgive);
    form.addEventListener(type, explain);
  }
  document.getElementById('category-cancel').addEventListener('click', closeEditor);
  document.getElementById('category-new').addEventListener('click', () => openEditor(null));
  filters.addEventListener('submit', (e) => { e.preventDefault(); draw(); });
  filters.addEventListener('change', draw);
  filters.elements.q.addEventListener('input', GJ.debounce(draw, 150));

  (async () => {
    try {
      await loadUnits();
    } catch (ex) {
      GJ.toast(ex.message); // the catalogue still shows, without the units' names
    }
    await load();
  })();
})();
