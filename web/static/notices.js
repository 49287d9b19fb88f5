// 温馨告知: the command center publishes notices with a validity window;
// everyone at the desk sees them all, citizens the current ones.
'use strict';
(() => {
  const { h, api } = GJ;
  const form = document.getElementById('notice-form');
  const tbody = document.querySelector('#notice-table tbody');
  const KIND = { typhoon: '台风', waterlogging: '内涝积水', holiday: '节假日安排', outage: '停水停电停气', other: '其他' };
  const canPublish = GJ.me.role === 'dispatcher' || GJ.me.role === 'admin';

  function state(n) {
    if (n.withdrawn_at) return ['已撤回', 's-rejected'];
    if (n.current) return ['生效中', 's-closed'];
    return new Date(n.valid_from) > new Date() ? ['未开始', 's-dispatched'] : ['已过期', 's-rejected'];
  }

  async function load() {
    try {
      const out = await api('GET', '/api/v1/notices/all');
      tbody.replaceChildren(...out.notices.map((n) => {
        const [label, cls] = state(n);
        const withdraw = canPublish && !n.withdrawn_at && new Date(n.valid_until) > new Date()
          ? h('button', { type: 'button', class: 'link', onclick: () => withdrawNotice(n) }, '撤回') : null;
        return h('tr', { 'data-id': n.id },
          h('td', {}, h('span', { class: `badge ${cls}` }, label)), h('td', {}, KIND[n.kind] || n.kind),
          h('td', {}, h('strong', {}, n.title), h('span', { class: 'desc', title: n.body }, n.body)),
          h('td', {}, n.area || '全市'), h('td', {}, GJ.time(n.valid_from)), h('td', {}, GJ.time(n.valid_until)), h('td', {}, withdraw));
      }));
      if (!out.notices.length) tbody.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, '还没有发布过告知')));
    } catch (err) {
      tbody.replaceChildren(h('tr', {}, h('td', { colspan: 7, class: 'error' }, err.message)));
    }
  }

  async function withdrawNotice(n) {
    if (!confirm(`确定撤回“${n.title}”？撤回后市民将不再看到。`)) return;
    try {
      await api('POST', `/api/v1/notices/${n.id}/withdraw`);
      GJ.toast('已撤回');
    } catch (err) {
      GJ.toast(err.message);
    }
    load();
  }

  if (form) {
    const err = document.getElementById('notice-error');
    const now = new Date();
    form.elements.valid_from.value = GJ.localInput(now);
    form.elements.valid_until.value = GJ.localInput(new Date(now.getTime() + 24 * 3600 * 1000));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      GJ.showError(err, null);
      for (const el of form.querySelectorAll('[required]')) {
        if (!el.value.trim()) { GJ.showError(err, new Error('请填写标题、内容和起止时间')); el.focus(); return; }
      }
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        await api('POST', '/api/v1/notices', {
          kind: form.elements.kind.value, title: form.elements.title.value, body: form.elements.body.value, area: form.elements.area.value,
          valid_from: GJ.fromLocalInput(form.elements.valid_from.value), valid_until: GJ.fromLocalInput(form.elements.valid_until.value),
        });
        GJ.toast('告知已发布');
        form.elements.title.value = '';
        form.elements.body.value = '';
        await load();
      } catch (ex) {
        GJ.showError(err, ex);
      } finally {
        button.disabled = false;
      }
    });
  }
  load();
})();
