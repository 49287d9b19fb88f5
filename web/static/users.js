// 账号管理: administrators list staff accounts, create one, and open one to
// disable or enable it, change its role, unit and grid, give it a new
// password, lift its sign-in lock and read its audit trail. Every refusal
// shows the server's own message.
'use strict';
(() => {
  const { h, api, ROLE } = GJ;
  const PER_PAGE = 50;
  // Accounts created here are staff: citizens' come from WeChat sign-in.
  const STAFF_ROLES = ['agent', 'dispatcher', 'crew', 'unit_admin', 'grid_manager', 'mediator', 'department', 'admin'];
  // What a role is attached to, and whether it must be (as the server checks):
  // a mediator's unit is their mediation committee.
  const NEEDS = {
    crew: { unit: 'required', grid: 'optional' },
    unit_admin: { unit: 'required' },
    mediator: { unit: 'required' },
    department: { unit: 'optional' },
    grid_manager: { grid: 'required' },
  };
  const EVENT = {
    create: '新建账号', disable: '停用', enable: '启用', role: '角色变更', unit: '所属单位变更', grid: '网格变更',
    password_reset: '管理员重置密码', password_change: '本人修改密码', lock: '密码错误过多，登录锁定', unlock: '解除登录锁定',
  };

  const filters = document.getElementById('user-filters');
  const tbody = document.querySelector('#user-table tbody');
  const createForm = document.getElementById('user-form');
  const createError = document.getElementById('user-form-error');
  const detail = document.getElementById('user-detail');
  const detailError = document.getElementById('user-detail-error');
  const roleForm = document.getElementById('user-role-form');
  const passwordForm = document.getElementById('user-password-form');
  const auditList = document.getElementById('user-audit');
  const auditMore = document.getElementById('user-audit-more');
  const buttons = {
    disable: document.getElementById('user-disable'),
    enable: document.getElementById('user-enable'),
    unlock: document.getElementById('user-unlock'),
  };

  let current = null; // the account open in the detail, as the server last answered it
  let auditBefore = 0; // where the next page of its audit trail starts; 0: no more

  // Units, mediation committees and grids, by code: the choosers and the names shown.
  const places = { units: new Map(), committees: new Map(), grids: new Map() };
  async function loadPlaces() {
    const [units, committees, grids] = await Promise.all([
      api('GET', '/api/v1/units').then((o) => o.units),
      // Absent when 矛盾纠纷 is not configured: then there are none to choose.
      api('GET', '/api/v1/mediation/committees').then((o) => o.committees).catch(() => []),
      api('GET', '/api/v1/grids').then((o) => (o.features || []).map((f) => f.properties)),
    ]);
    for (const u of units) places.units.set(u.code, u);
    for (const c of committees) places.committees.set(c.code, c);
    for (const g of grids) places.grids.set(g.id, g);
  }
  const roleName = (r) => (r ? ROLE[r] || r : '无');
  const unitName = (code) => {
    if (!code) return '无';
    const u = places.units.get(code) || places.committees.get(code);
    return u ? `${u.name}（${code}）` : code;
  };
  const gridName = (id) => {
    if (!id) return '无';
    const g = places.grids.get(id);
    return g ? `${g.name}（${id}）` : id;
  };

  function unitGroups(role) {
    const groups = [];
    if (role !== 'mediator') groups.push(['责任单位', places.units]);
    if (role === 'mediator' || role === 'department') groups.push(['人民调解委员会', places.committees]);
    return groups.filter(([, m]) => m.size).map(([label, m]) => h('optgroup', { label },
      ...[...m.values()].map((u) => h('option', { value: u.code }, `${u.name}（${u.code}）`))));
  }
  function gridGroups() {
    const byDistrict = new Map();
    for (const g of places.grids.values()) {
      const d = g.district || '其他';
      if (!byDistrict.has(d)) byDistrict.set(d, []);
      byDistrict.get(d).push(h('option', { value: g.id }, `${g.name}（${g.id}）`));
    }
    return [...byDistrict].map(([label, options]) => h('optgroup', { label }, ...options));
  }

  // fitToRole shows a form's unit and grid choosers when its role needs them,
  // with the units of that role, keeping what was chosen where it still fits.
  function fitToRole(form) {
    const role = form.elements.role.value;
    const need = NEEDS[role] || {};
    for (const kind of ['unit', 'grid']) {
      const box = form.querySelector(`[data-needs=${kind}]`);
      const select = form.elements[kind];
      const kept = select.value;
      box.hidden = !need[kind];
      box.querySelector('[data-required-mark]').hidden = need[kind] !== 'required';
      const none = need[kind] === 'required' ? (kind === 'unit' ? '请选择' : '请选择网格') : '无';
      select.replaceChildren(h('option', { value: '' }, none), ...(kind === 'unit' ? unitGroups(role) : gridGroups()));
      choose(select, kept, kind === 'unit' ? unitName : gridName);
    }
  }
  // choose selects value, adding it when it is not among the choices (an
  // account's unit of another kind): the form shows what the account has.
  function choose(select, value, name) {
    if (value && ![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, name(value)));
    select.value = value || '';
  }
  // placesOf is what a form sends for its role: what it does not need is none.
  function placesOf(form) {
    const need = NEEDS[form.elements.role.value] || {};
    return { unit: need.unit ? form.elements.unit.value : '', grid: need.grid ? form.elements.grid.value : '' };
  }

  const pager = GJ.pager('user', () => load());
  const load = GJ.latest(async () => {
    const f = filters.elements;
    const q = new URLSearchParams({ page: pager.page, per_page: PER_PAGE });
    for (const k of ['q', 'role', 'unit', 'disabled']) {
      const v = f[k].value.trim();
      if (v) q.set(k, v);
    }
    try {
      const out = await api('GET', `/api/v1/users?${q}`);
      tbody.replaceChildren(...out.users.map(row));
      if (!out.users.length) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, pager.page > 1 ? '没有更多账号' : '没有符合条件的账号')));
      pager.showTotal(out.total, PER_PAGE);
    } catch (ex) {
      tbody.replaceChildren(h('tr', {}, h('td', { colspan: 8, class: 'error' }, ex.message)));
    }
  });

  function status(u) {
    return u.disabled ? h('span', { class: 'badge account-disabled' }, '已停用') : h('span', { class: 'badge account-active' }, '在用');
  }

  function row(u) {
    return h('tr', { 'data-id': u.id, 'data-username': u.username || '' },
      h('td', {}, h('strong', {}, u.username || '—')), h('td', {}, u.name || '—'), h('td', {}, roleName(u.role)),
      h('td', {}, u.unit ? unitName(u.unit) : '—'), h('td', {}, u.grid ? gridName(u.grid) : '—'), h('td', {}, status(u)),
      h('td', {}, GJ.time(u.created_at)),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openUser(u.id) }, '查看')));
  }

  // The account's detail: what it is, what may be done, its audit trail.
  function show(u) {
    current = u;
    document.getElementById('user-detail-title').textContent = u.name ? `${u.name}（${u.username}）` : u.username || `账号 ${u.id}`;
    document.getElementById('user-info').replaceChildren(...GJ.facts([
      ['用户名', u.username || '—'], ['姓名', u.name || '—'], ['角色', roleName(u.role)], ['所属单位', unitName(u.unit)],
      ['网格', gridName(u.grid)], ['手机号', u.phone || '—'],
      ['状态', u.disabled ? [status(u), ` ${GJ.time(u.disabled_at)} 停用`] : status(u)],
      ['登录锁定', u.locked_for_s ? h('span', { class: 'badge account-locked' }, `锁定中，约 ${Math.ceil(u.locked_for_s / 60)} 分钟后自动解除`) : '未锁定'],
      ['创建时间', GJ.time(u.created_at)],
    ]));
    buttons.disable.hidden = u.disabled;
    buttons.enable.hidden = !u.disabled;
    buttons.unlock.hidden = !u.locked_for_s;
    const f = roleForm.elements;
    choose(f.role, u.role, roleName);
    f.unit.value = '';
    f.grid.value = '';
    fitToRole(roleForm);
    choose(f.unit, u.unit, unitName);
    choose(f.grid, u.grid, gridName);
    GJ.fieldError(roleForm, roleForm.querySelector('[data-error]'), null);
  }

  // forgetPassword clears a new password from the form: it is shown in the
  // form it was typed in, for the account it was set for, and nowhere else.
  function forgetPassword() {
    passwordForm.reset();
    passwordForm.elements.password.type = 'password';
    passwordForm.querySelector('[data-done]').hidden = true;
    GJ.fieldError(passwordForm, passwordForm.querySelector('[data-error]'), null);
  }

  async function openUser(id) {
    try {
      const u = await api('GET', `/api/v1/users/${id}`);
      if (!current || current.id !== u.id) forgetPassword();
      GJ.showError(detailError, null);
      show(u);
      createForm.hidden = true;
      detail.hidden = false;
      detail.scrollIntoView({ block: 'start' });
      await loadAudit(true);
    } catch (ex) {
      GJ.toast(ex.message);
    }
  }

  function closeDetail() {
    detail.hidden = true;
    current = null;
    forgetPassword();
  }

  function actorName(a) {
    if (a === 'system') return '系统';
    if (a.startsWith('cli')) return `命令行（${a}）`;
    return a;
  }
  function change(a) {
    switch (a.event) {
      case 'create': return ` · ${roleName(a.to)}`;
      case 'role': return ` · ${roleName(a.from)} → ${roleName(a.to)}`;
      case 'unit': return ` · ${unitName(a.from)} → ${unitName(a.to)}`;
      case 'grid': return ` · ${gridName(a.from)} → ${gridName(a.to)}`;
      default: return '';
    }
  }
  function auditLine(a) {
    return h('li', { 'data-event': a.event },
      h('time', { datetime: a.at }, GJ.time(a.at)), h('strong', {}, EVENT[a.event] || a.event), change(a),
      h('span', { class: 'muted' }, ` · ${actorName(a.actor)}`),
      a.event === 'lock' && a.to ? h('span', { class: 'note' }, a.to) : null);
  }

  async function loadAudit(fresh) {
    const id = current.id;
    const q = new URLSearchParams({ user: id, limit: 20 });
    if (!fresh && auditBefore) q.set('before', auditBefore);
    try {
      const out = await api('GET', `/api/v1/users/audit?${q}`);
      if (!current || current.id !== id) return; // another account was opened meanwhile
      if (fresh) auditList.replaceChildren();
      auditList.append(...out.audit.map(auditLine));
      if (!auditList.children.length) auditList.append(h('li', { class: 'empty' }, '暂无记录'));
      auditBefore = out.next_before || 0;
      auditMore.hidden = !auditBefore;
    } catch (ex) {
      auditList.replaceChildren(h('li', { class: 'error' }, ex.message));
    }
  }

  // act runs one of the detail's changes: the account as it now is, or the server's refusal.
  async function act(button, call, done) {
    button.disabled = true;
    GJ.showError(detailError, null);
    try {
      const u = await call();
      show(u);
      GJ.toast(done(u));
      await Promise.all([loadAudit(true), load()]);
      return true;
    } catch (ex) {
      GJ.showError(detailError, ex);
      return false;
    } finally {
      button.disabled = false;
    }
  }

  buttons.disable.addEventListener('click', () => act(buttons.disable,
    () => api('POST', `/api/v1/users/${current.id}/disable`), (u) => `已停用 ${u.username}，其登录已全部退出`));
  buttons.enable.addEventListener('click', () => act(buttons.enable,
    () => api('POST', `/api/v1/users/${current.id}/enable`), (u) => `已启用 ${u.username}`));
  buttons.unlock.addEventListener('click', () => act(buttons.unlock,
    () => api('POST', `/api/v1/users/${current.id}/unlock`), (u) => `已解除 ${u.username} 的登录锁定`));

  roleForm.elements.role.addEventListener('change', () => fitToRole(roleForm));
  roleForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const el = roleForm.querySelector('[data-error]');
    GJ.fieldError(roleForm, el, null);
    const button = roleForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const u = await api('PUT', `/api/v1/users/${current.id}/role`, { role: roleForm.elements.role.value, ...placesOf(roleForm) });
      show(u);
      GJ.toast(`已保存 ${u.username} 的角色，该账号需重新登录`);
      await Promise.all([loadAudit(true), load()]);
    } catch (ex) {
      GJ.fieldError(roleForm, el, ex);
    } finally {
      button.disabled = false;
    }
  });

  passwordForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const el = passwordForm.querySelector('[data-error]');
    GJ.fieldError(passwordForm, el, null);
    passwordForm.querySelector('[data-done]').hidden = true;
    const button = passwordForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const u = await api('POST', `/api/v1/users/${current.id}/password`, { password: passwordForm.elements.password.value });
      show(u);
      passwordForm.querySelector('[data-done]').hidden = false; // the password stays in its field until the account is closed
      GJ.toast(`已重置 ${u.username} 的密码`);
      await loadAudit(true);
    } catch (ex) {
      GJ.fieldError(passwordForm, el, ex);
    } finally {
      button.disabled = false;
    }
  });

  // Creating an account.
  function openCreate() {
    closeDetail();
    createForm.reset();
    createForm.elements.password.type = 'password';
    GJ.fieldError(createForm, createError, null);
    fitToRole(createForm);
    createForm.hidden = false;
    createForm.elements.username.focus();
  }
  createForm.elements.role.addEventListener('change', () => fitToRole(createForm));
  createForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    GJ.fieldError(createForm, createError, null);
    const f = createForm.elements;
    if (!f.role.value) {
      GJ.fieldError(createForm, createError, { message: '请选择角色', field: 'role' });
      return;
    }
    const body = { username: f.username.value.trim(), name: f.name.value.trim(), role: f.role.value, ...placesOf(createForm), password: f.password.value };
    const button = createForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const u = await api('POST', '/api/v1/users', body);
      createForm.reset();
      createForm.hidden = true;
      GJ.toast(`已新建账号 ${u.username}`);
      load();
      await openUser(u.id);
    } catch (ex) {
      GJ.fieldError(createForm, createError, ex);
      // A taken name may be this very account, made by a save whose answer
      // was lost (creating is not replayed: its body holds a password):
      // the account is opened, with when it was made, to be checked.
      if (ex.status === 409 && ex.field === 'username') await showTaken(body.username);
    } finally {
      button.disabled = false;
    }
  });

  async function showTaken(username) {
    try {
      const out = await api('GET', `/api/v1/users?${new URLSearchParams({ q: username, per_page: 200 })}`);
      const u = out.users.find((x) => x.username === username);
      if (!u) return;
      GJ.fieldError(createForm, createError, { field: 'username',
        message: `用户名 ${username} 已被使用：该账号建立于 ${GJ.time(u.created_at)}（${roleName(u.role)}${u.name ? `，${u.name}` : ''}），已为您打开该账号` });
      await openUser(u.id);
    } catch (_) { /* the server's refusal stays shown */ }
  }

  document.querySelectorAll('[data-show-password]').forEach((box) => box.addEventListener('change', () => {
    document.getElementById(box.dataset.showPassword).type = box.checked ? 'text' : 'password';
  }));
  document.getElementById('user-new').addEventListener('click', openCreate);
  document.getElementById('user-form-cancel').addEventListener('click', () => { createForm.reset(); createForm.hidden = true; });
  document.getElementById('user-detail-close').addEventListener('click', closeDetail);
  auditMore.addEventListener('click', () => loadAudit(false));
  filters.addEventListener('submit', (e) => { e.preventDefault(); pager.page = 1; load(); });
  filters.addEventListener('change', () => { pager.page = 1; load(); });

  (async () => {
    const roleOptions = (roles) => roles.map((r) => h('option', { value: r }, ROLE[r] || r));
    createForm.elements.role.replaceChildren(h('option', { value: '' }, '请选择角色'), ...roleOptions(STAFF_ROLES));
    roleForm.elements.role.replaceChildren(...roleOptions(Object.keys(ROLE)));
    filters.elements.role.append(...roleOptions(Object.keys(ROLE)));
    try {
      await loadPlaces();
    } catch (ex) {
      GJ.toast(ex.message);
    }
    filters.elements.unit.append(...unitGroups('department'));
    load();
  })();
})();
