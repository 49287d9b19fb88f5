// 法律法规: search the library, edit a law and its articles, mark its status.
'use strict';
(() => {
  const { h, api } = GJ;
  const tbody = document.querySelector('#law-table tbody');
  const search = document.getElementById('law-search');
  const form = document.getElementById('law-form');
  const list = document.getElementById('law-articles');
  const err = document.getElementById('law-error');
  const pagerNav = document.getElementById('law-pager');
  const STATUS = { in_force: '现行有效', amended: '已修订', repealed: '已废止' };
  const PER_PAGE = 50;
  const pager = GJ.pager('law', load);
  let editing = null; // the law being edited: its id and the updated_at read, or null for a new one

  async function load() {
    const q = search.elements.q.value.trim();
    try {
      const out = await api('GET', q ? `/api/v1/laws?q=${encodeURIComponent(q)}` : `/api/v1/laws?page=${pager.page}&per_page=${PER_PAGE}`);
      if (q) pagerNav.hidden = true; // a search answers its best matches on one page
      else if (!pager.showTotal(out.total, PER_PAGE)) return load();
      tbody.replaceChildren(...out.laws.map((l) => {
        const status = h('select', { 'aria-label': `${l.title} 的状态`, onchange: (e) => setStatus(l, e.target.value) },
          ...Object.entries(STATUS).map(([v, label]) => h('option', { value: v, selected: v === l.status }, label)));
        const matches = (l.matches || []).map((m) => h('div', { class: 'desc' }, h('strong', {}, m.number), ' ', m.snippet));
        return h('tr', { 'data-id': l.id },
          h('td', {}, h('strong', {}, `《${l.title}》`), l.doc_number ? h('span', { class: 'desc' }, l.doc_number) : null),
          h('td', {}, l.level_label), h('td', {}, l.effective_on), h('td', {}, status), h('td', {}, ...matches),
          h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => edit(l.id) }, '编辑')));
      }));
      if (!out.laws.length) tbody.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, q ? '没有找到相关法规' : '还没有法规')));
    } catch (ex) {
      tbody.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'error' }, ex.message)));
    }
  }

  async function setStatus(l, status) {
    try {
      await api('POST', `/api/v1/laws/${l.id}/status`, { status });
      GJ.toast(`《${l.title}》已标记为${STATUS[status]}`);
    } catch (ex) {
      GJ.toast(ex.message);
    }
    load();
  }

  function articleRow(a) {
    const n = list.children.length + 1;
    const li = h('li', { class: 'article' },
      h('label', {}, '条号 ', h('input', { name: 'number', value: (a && a.number) || `第${n}条`, maxlength: 20, 'aria-label': `第 ${n} 个条文的条号` })),
      h('label', {}, '内容 ', h('textarea', { name: 'text', rows: 3, maxlength: 5000, 'aria-label': `第 ${n} 个条文的内容` })),
      h('button', { type: 'button', class: 'link', onclick: () => li.remove() }, '删除此条'));
    li.querySelector('textarea').value = (a && a.text) || '';
    if (a) li.dataset.saved = '1';
    list.append(li);
  }

  function open(l) {
    editing = l ? { id: l.id, updated_at: l.updated_at } : null;
    document.getElementById('law-form-title').textContent = l ? `编辑《${l.title}》` : '新增法规';
    const f = form.elements;
    f.title.value = l ? l.title : '';
    f.doc_number.value = l ? l.doc_number || '' : '';
    f.authority.value = l ? l.authority : '';
    f.level.value = l ? l.level : 'local_regulation';
    f.status.value = l ? l.status : 'in_force';
    f.published_on.value = l ? l.published_on : '';
    f.effective_on.value = l ? l.effective_on : '';
    list.replaceChildren();
    ((l && l.articles) || []).forEach(articleRow); // a new law starts with none: 添加条文 adds one
    GJ.showError(err, null);
    form.hidden = false;
    f.title.focus();
  }

  async function edit(id) {
    try {
      open(await api('GET', `/api/v1/laws/${id}`));
    } catch (ex) {
      GJ.toast(ex.message);
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    GJ.showError(err, null);
    const f = form.elements;
    const body = {
      title: f.title.value, doc_number: f.doc_number.value, authority: f.authority.value, level: f.level.value,
      status: f.status.value, published_on: f.published_on.value, effective_on: f.effective_on.value,
      // A row added and left empty is not an article; a saved article whose
      // text was cleared is sent, so the server names it rather than it
      // vanishing (删除此条 removes one).
      articles: [...list.children].filter((li) => li.dataset.saved || li.querySelector('[name=text]').value.trim())
        .map((li) => ({ number: li.querySelector('[name=number]').value, text: li.querySelector('[name=text]').value })),
    };
    if (editing) body.updated_at = editing.updated_at; // a save made since is refused (409) with its message
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const saved = await api(editing ? 'PUT' : 'POST', editing ? `/api/v1/laws/${editing.id}` : '/api/v1/laws', body);
      GJ.toast(`《${saved.title}》已保存`);
      form.hidden = true;
      await load();
    } catch (ex) {
      GJ.showError(err, ex);
    } finally {
      button.disabled = false;
    }
  });
  document.getElementById('law-add-article').addEventListener('click', () => articleRow(null));
  document.getElementById('law-new').addEventListener('click', () => open(null));
  document.getElementById('law-cancel').addEventListener('click', () => { form.hidden = true; });
  search.addEventListener('submit', (e) => { e.preventDefault(); pager.page = 1; load(); });
  load();
})();
