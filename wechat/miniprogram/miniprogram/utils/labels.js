// What the citizen reads for the server's codes: statuses, timeline steps,
// deadlines. The server's own error messages are shown as they come.
const { formatTime, formatDuration } = require('./format')

const complaintStatus = {
  submitted: '已受理',
  dispatched: '已派遣',
  accepted: '已签收',
  on_site: '处置中',
  resolved: '已处置',
  closed: '已办结',
  returned: '重新派遣中',
  rejected: '不予受理',
  duplicate: '已合并',
}

// Tag colours of a status (Vant tag types).
const complaintStatusType = {
  submitted: 'primary',
  dispatched: 'primary',
  accepted: 'primary',
  on_site: 'warning',
  resolved: 'success',
  closed: 'success',
  returned: 'warning',
  rejected: 'danger',
  duplicate: 'default',
}

// Timeline steps: title and what it means for the citizen.
const complaintEvent = {
  create: ['受理', '您的反映已受理'],
  dispatch: ['派遣', '已派遣至责任单位处置'],
  accept: ['签收', '处置人员已签收'],
  arrive: ['到场', '处置人员已到达现场'],
  resolve: ['办结', '处置完成，待指挥中心核查'],
  close: ['结案', '核查通过，已结案'],
  return: ['退单', '已退回指挥中心重新派遣'],
  reject: ['不予受理', '经核实，不予受理'],
  merge: ['合并', '同一问题已在处理，已并入'],
  reopen: ['返工', '问题未解决，已重新派遣处置'],
  rate: ['评价', '感谢您的评价'],
  metoo: ['其他市民反映', '其他市民也反映了这个问题'],
  remind: ['催办', '指挥中心已催办'],
  escalate: ['督办', '指挥中心已督办'],
  extend: ['延期', '处置时限已延长'],
  followup: ['回访', '12345 已回访'],
}

// Notes the citizen is shown on these steps (what was done, why).
const noteShown = { resolve: true, reject: true, reopen: true, extend: true, return: false, merge: true, close: true }

function cleanNote(note) {
  return String(note || '').replace(/\s*\[照片:[^\]]*\]\s*$/, '').trim()
}

// timeline turns a complaint's events into steps, oldest first.
function timeline(events) {
  return (events || []).map((e) => {
    const [title, text] = complaintEvent[e.action] || [e.action, '']
    const note = noteShown[e.action] ? cleanNote(e.note) : ''
    return { action: e.action, title, text, note, time: formatTime(e.at) }
  })
}

// deadlines are what the citizen is promised: 到场 (the on-site clock that
// starts at dispatch) and 处置 (the resolve deadline), each with its state at now.
function deadlines(c, now) {
  const out = []
  const state = (by, doneAt, doneText) => {
    if (doneAt) {
      return new Date(doneAt) <= new Date(by) ? { text: doneText, type: 'success' } : { text: `${doneText}（超时）`, type: 'danger' }
    }
    const left = new Date(by).getTime() - now
    if (left >= 0) return { text: `剩余 ${formatDuration(left)}`, type: 'primary' }
    return { text: `已超时 ${formatDuration(left)}`, type: 'danger' }
  }
  const open = !['closed', 'rejected', 'duplicate'].includes(c.status)
  if (c.arrive_by && (c.arrived_at || open)) {
    out.push({ title: '承诺到场', time: formatTime(c.arrive_by), ...state(c.arrive_by, c.arrived_at, '已按时到场') })
  }
  if (c.resolve_by && (c.resolved_at || open)) {
    out.push({ title: '处置时限', time: formatTime(c.resolve_by), ...state(c.resolve_by, c.resolved_at, '已按时处置') })
  }
  return out
}

const ratingScore = { 3: '满意', 2: '基本满意', 1: '不满意' }

const signupStatus = {
  confirmed: '已报名',
  waitlisted: '候补中',
  cancelled: '已取消',
  checked_in: '已签到',
  checked_out: '已签退',
  no_show: '未到场',
}

const activityStatus = {
  draft: '草稿',
  submitted: '审核中',
  published: '报名中',
  refused: '未通过',
  in_progress: '进行中',
  finished: '已结束',
  cancelled: '已取消',
}

// Tag colours of an activity's and a signup's status, for the organiser's pages.
const activityStatusType = {
  draft: 'default',
  submitted: 'warning',
  refused: 'danger',
  published: 'success',
  in_progress: 'primary',
  finished: 'default',
  cancelled: 'default',
}

const signupStatusType = {
  confirmed: 'primary',
  waitlisted: 'warning',
  cancelled: 'default',
  checked_in: 'success',
  checked_out: 'success',
  no_show: 'danger',
}

const helpStatus = {
  submitted: '审核中',
  published: '待认领',
  claimed: '已认领',
  done: '已完成',
  refused: '未通过',
  cancelled: '已取消',
  expired: '已过期', // still waiting when the time help was needed passed (decided by the server when read)
}

// 精准匹配: an invitation's answer, and its tag colour.
const invitationStatus = { pending: '待回复', accepted: '已接受', declined: '已谢绝', expired: '已过期' }
const invitationStatusType = { pending: 'warning', accepted: 'success', declined: 'default', expired: 'default' }

const teamRole = { admin: '管理员', member: '队员' }

const hoursKind = { credit: '信用时长', honor: '荣誉时长' }
const hoursSource = { checkin: '签到签退', manual: '组织者补录', auto_checkout: '自动签退', entry: '荣誉时长录入', correction: '更正' }

const creditList = { red: '红名单', black: '黑名单' }

// Subscribe messages by guanjia's template name.
const subscriptionTitle = {
  complaint_update: '反映进度通知',
  signup_confirmed: '报名成功通知',
  activity_reminder: '活动开始提醒',
  hours_credited: '志愿时长到账通知',
  activity_changed: '活动变更通知',
  volunteer_invitation: '志愿活动邀请通知',
  weather_alert: '气象预警通知',
  approval_update: '审批进度通知',
  dispute_update: '调解进度通知',
  dispute_session: '调解会提醒',
  credit_repair_decided: '信用修复结果通知',
  credit_agent_decided: '授权委托审核结果通知',
}

module.exports = {
  complaintStatus, complaintStatusType, complaintEvent, timeline, deadlines, ratingScore, signupStatus,
  activityStatus, activityStatusType, signupStatusType, helpStatus, hoursKind, hoursSource, creditList, subscriptionTitle, cleanNote,
  invitationStatus, invitationStatusType, teamRole,
}

module.exports.noticeKind = { typhoon: '台风', waterlogging: '内涝积水', holiday: '节假日', outage: '停水停电', other: '告知' }

// 台风 / 积水 (pages/info/typhoon, pages/info/waterlogging).
module.exports.typhoonIntensity = { TD: '热带低压', TS: '热带风暴', STS: '强热带风暴', TY: '台风', STY: '强台风', SuperTY: '超强台风' }
module.exports.waterBand = { normal: '可通行', warning: '车辆慎行', severe: '小车勿行', danger: '禁止通行', stale: '读数过期' }
