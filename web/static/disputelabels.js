// 大调解 labels and the one-month timer, shared by the dispute queue, the
// case page and the grid manager's page. Status names come from the API
// (status_name); these are the words for what the pages add around them.
'use strict';
const GJD = (() => {
  const { h } = GJ;
  // The steps, in the order a case takes them, with the API's action names.
  const ACTION = {
    create: '登记', accept: '受理', route: '分流', assign: '指派调解员', schedule: '安排调解', record: '记录调解',
    succeed: '调解成功', fail: '调解不成', withdraw: '撤回', request_confirmation: '申请司法确认', confirm: '司法确认结果',
    follow_up: '回访', close: '结案', warn: '临期提醒', escalate: '超期督办', remind: '调解会提醒',
  };
  // The statuses, in the order a case passes them, for the queue's filter.
  const STATUSES = [
    ['reported', '待受理'], ['accepted', '已受理'], ['routed', '已分流'], ['mediating', '调解中'], ['succeeded', '调解成功'],
    ['confirming', '司法确认中'], ['failed', '调解不成'], ['withdrawn', '已撤回'], ['closed', '已结案'],
  ];
  const SOURCE = { patrol: '网格员巡查', miniprogram: '微信小程序', hotline: '12345热线', court: '法院诉前委派', police: '公安移交' };
  const LEVEL = { city: '市级', district: '区级', town: '乡镇（街道）', village: '村（社区）' };
  const ADVICE = { litigation: '诉讼', arbitration: '仲裁', administrative: '行政途径' };
  const PARTY_ROLE = { applicant: '申请人', respondent: '被申请人' };
  const CONFIRMATION = { requested: '已申请，待法院确认', confirmed: '已确认有效', rejected: '不予确认' };
  const RESULT = { success: '调解成功', failure: '调解不成' };
  const SESSION = { scheduled: '待调解', held: '已调解', cancelled: '已取消' };

  // The one-month timer runs from acceptance until the mediation ends;
  // the warning starts a week before it runs out. Before acceptance the
  // deadline is the three days to accept (accept_by), warned on its last day.
  const DAY_MS = 24 * 3600 * 1000;
  const RUNNING = new Set(['accepted', 'routed', 'mediating']);
  function deadline(d) {
    if (d.status === 'reported' && d.accept_by) return { at: d.accept_by, what: '受理期限', warnMs: DAY_MS };
    if (d.due_at && RUNNING.has(d.status)) return { at: d.due_at, what: '调解期限', warnMs: 7 * DAY_MS };
    return null;
  }
  function dueState(d, now = new Date()) {
    const dl = deadline(d);
    if (!dl) return null;
    const left = new Date(dl.at) - now;
    const days = Math.ceil(Math.abs(left) / DAY_MS);
    if (left < 0) return { cls: 'overdue', text: `已超期 ${days} 天` };
    return { cls: left <= dl.warnMs ? 'warn' : 'ok', text: `剩 ${days} 天` };
  }
  // due is the deadline cell: the date, coloured when near or past.
  function due(d) {
    const dl = deadline(d);
    if (!dl) {
      if (!d.due_at) return h('span', { class: 'countdown none' }, '—');
      return h('span', { class: 'countdown none', title: `调解期限 ${GJ.time(d.due_at)}` }, GJ.time(d.due_at).slice(0, 10));
    }
    const st = dueState(d);
    return h('span', { class: `countdown ${st.cls}`, 'data-due': st.cls, title: `${dl.what} ${GJ.time(dl.at)}` },
      `${GJ.time(dl.at).slice(0, 10)} · ${st.text}`);
  }
  function badge(d) { return h('span', { class: `badge d-${d.status}` }, d.status_name || d.status); }
  return { ACTION, STATUSES, SOURCE, LEVEL, ADVICE, PARTY_ROLE, CONFIRMATION, RESULT, SESSION, dueState, due, badge };
})();
