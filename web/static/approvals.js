// 行政审批: the feed of status changes the approval system pushed or staff
// imported, and the CSV import with its row report.
'use strict';
(() => {
  const { h, api } = GJ;
  const feed = document.querySelector('#approval-feed tbody');
  const SOURCE = { push: '系统推送', import: '人工导入' };

  async function load() {
    try {
      const out = await api('GET', '/api/v1/approvals/events?limit=100');
      feed.replaceChildren(...out.events.map((e) => h('tr', {},
        h('td', {}, GJ.time(e.at)), h('td', {}, e.number), h('td', {}, e.matter),
        h('td', {}, h('span', { class: 'badge' }, e.label)), h('td', {}, e.note || ''), h('td', {}, SOURCE[e.source] || e.source))));
      if (!out.events.length) feed.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '还没有审批进度')));
    } catch (err) {
      feed.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'error' }, err.message)));
    }
  }

  const form = document.getElementById('approval-import');
  if (form) {
    const err = document.getElementById('approval-error');
    const report = document.getElementById('approval-report');
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      GJ.showError(err, null);
      report.hidden = true;
      const file = form.elements.file.files[0];
      if (!file) { GJ.showError(err, new Error('请选择 CSV 文件')); return; }
      const data = new FormData();
      data.append('file', file);
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const out = await GJ.api('POST', '/api/v1/approvals/import', data);
        GJ.toast(`已导入 ${out.rows} 行`);
        form.reset();
        await load();
      } catch (ex) {
        // A refused file answers 422 with its row report, which is shown.
        const rows = ex.status === 422 && ex.body && ex.body.errors;
        if (rows) {
          report.querySelector('tbody').replaceChildren(...rows.map((x) => h('tr', {}, h('td', {}, x.row), h('td', {}, x.column), h('td', {}, x.reason))));
          report.hidden = false;
        }
        GJ.showError(err, ex);
      } finally {
        button.disabled = false;
      }
    });
  }
  load();
})();
