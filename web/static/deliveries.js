// The dashboard's 消息送达 card: how the last week's messages ended
// (/api/v1/stats/deliveries), failed ones first, each linked to its order.
'use strict';
(() => {
  const { h, api } = GJ;
  const kpis = document.getElementById('delivery-kpis');
  const table = document.getElementById('delivery-failed');
  const errEl = document.getElementById('deliveries-error');
  if (!kpis) return;
  const CHANNEL = { wecom: '企业微信', subscribe: '小程序订阅消息', sms: '短信', inbox: '站内消息', log: '日志' };
  const TEMPLATE = {
    task_assigned: '新任务', task_withdrawn: '任务撤回', sla_warning: '催办', escalation: '督办', manual_queue: '待派遣', hotspot: '热点诉求', complaint_update: '进度通知',
    caller_accepted: '受理短信', caller_closed: '办结短信', signup_confirmed: '报名成功', activity_reminder: '活动提醒',
    hours_credited: '时长入账', activity_changed: '活动变更', volunteer_invitation: '活动邀请',
    weather_alert: '气象预警', approval_update: '审批进度', dispute_update: '调解进度', dispute_session: '调解会提醒', party_session: '调解会短信',
    credit_expired: '信用信息到期', credit_repair_applied: '信用修复申请', credit_repair_decided: '信用修复结果',
    credit_import_done: '信用导入完成', credit_agent_filed: '授权委托待审', credit_agent_decided: '授权委托结果',
  };
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
        h('td', {}, CHANNEL[n.channel] || n.channel),
        h('td', {}, TEMPLATE[n.template] || n.template),
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
