// The dashboard's 消息送达 card: how the last week's messages ended
// (/api/v1/stats/deliveries), failed ones first, each linked to its order.
'use strict';
(() => {
  const { h, api } = GJ;
  const kpis = document.getElementById('delivery-kpis');
  const table = document.getElementById('delivery-failed');
  const errEl = document.getElementById('deliveries-error');
  if (!kpis) return;
  const kpi = (label, value, sub, cls) => h('div', { class: `kpi ${cls || ''}` },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, GJ.num(value)), sub ? h('div', { class: 'sub' }, sub) : null);

  async function load() {
    try {
      const out = await api('GET', '/api/v1/stats/deliveries?days=7');
      kpis.replaceChildren(
        kpi('送达失败', out.failed, '重试后仍未送达', out.failed ? 'bad' : ''),
        kpi('重试中', out.retrying + out.pending, '等待再次发送'),
        kpi('未绑定渠道', out.no_channel, '无企业微信账号 / 无手机号等'),
        kpi('未授权 / 退订', out.no_consent, '无订阅授权或已退订短信'),
        kpi('已送达', out.sent, '含站内消息'));
      const head = h('thead', {}, h('tr', {}, ['时间', '渠道', '内容', '工单', '接收人', '原因'].map((t) => h('th', { scope: 'col' }, t))));
      const rows = out.recent_failed.map((n) => h('tr', {},
        h('td', {}, GJ.time(n.created_at)),
        h('td', {}, GJ.CHANNEL[n.channel] || n.channel),
        h('td', {}, GJ.MESSAGE[n.template] || n.template),
        h('td', {}, n.complaint ? h('a', { href: `/console/orders/${n.complaint}` }, `#${n.complaint}`) : '—'),
        h('td', {}, n.recipient ? `用户 #${n.recipient}` : '来电人'),
        h('td', { class: 'desc' }, n.error || '—')));
      if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '近 7 天没有送达失败的消息')));
      table.replaceChildren(head, h('tbody', {}, rows));
      GJ.showError(errEl, null);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }
  load();
  setInterval(load, 60 * 1000);
})();
