// What the organiser's pages offer, from an activity and the time now: which
// steps its status allows, the counts of its signups, when to fetch the next
// check-in code, the activity form's checks; the rows of the team's members,
// its ledger, the volunteers found and the invitations sent.
const { formatTime, formatShort, formatDate, formatDistance } = require('./format')
const labels = require('./labels')
const { CHECKIN_OPENS_MS, CHECKOUT_CLOSES_MS } = require('./activity')

const HOUR = 3600 * 1000

// Statuses the list shows as current, and as past.
const CURRENT = ['draft', 'submitted', 'refused', 'published', 'in_progress']
const PAST = ['finished', 'cancelled']
const RUNNING = ['published', 'in_progress', 'finished']

function organiserView(a, now) {
  const t = (s) => new Date(s).getTime()
  const start = t(a.start_at)
  const end = t(a.end_at)
  const st = a.status
  const editable = st === 'draft' || st === 'refused'
  const running = RUNNING.includes(st)
  // The code is worth showing while volunteers may use it: check-in opens
  // before the start, check-out closes after the end.
  const opens = start - CHECKIN_OPENS_MS
  const closes = end + CHECKOUT_CLOSES_MS
  const view = {
    statusText: labels.activityStatus[st] || st,
    statusType: labels.activityStatusType[st] || 'default',
    note: '',
    noteType: 'hint',
    canEdit: editable,
    canSubmit: editable,
    canCancel: ['draft', 'submitted', 'refused', 'published'].includes(st),
    // The server refuses to move an activity once check-in has opened.
    canReschedule: st === 'published' && now < opens,
    canOnsite: running && !a.settled_at && now >= opens && now < closes,
    canRoster: running,
    // Invitations are refused once signup has closed.
    canInvite: st === 'published' && now < t(a.signup_deadline),
  }
  switch (st) {
    case 'draft':
      view.note = '草稿：可继续修改，提交审核通过后发布'
      break
    case 'submitted':
      view.note = '已提交审核，平台审核通过后发布'
      break
    case 'refused':
      view.note = `未通过审核：${a.review_note || '未说明原因'}。修改后可重新提交`
      view.noteType = 'error'
      break
    case 'cancelled':
      view.note = `活动已取消${a.review_note ? `：${a.review_note}` : ''}`
      break
    default:
      if (now < opens) view.note = `现场签到将于 ${formatTime(opens)} 开放`
      else if (a.settled_at || now >= closes) view.note = '活动已结束，签到签退已关闭'
      else if (now >= end) view.note = `签退将于 ${formatTime(closes)} 关闭`
  }
  return view
}

// rosterCounts: 已报名 (places held), 已签到 (arrived, checked out since or
// not), 已签退, 未签到 (confirmed, not arrived yet), 候补 and 已取消.
function rosterCounts(signups) {
  const n = { signedUp: 0, checkedIn: 0, checkedOut: 0, notYet: 0, waitlisted: 0, cancelled: 0 }
  for (const su of signups || []) {
    switch (su.status) {
      case 'confirmed':
        n.signedUp++
        n.notYet++
        break
      case 'checked_in':
        n.signedUp++
        n.checkedIn++
        break
      case 'checked_out':
        n.signedUp++
        n.checkedIn++
        n.checkedOut++
        break
      case 'no_show':
        n.signedUp++
        break
      case 'waitlisted':
        n.waitlisted++
        break
      case 'cancelled':
        n.cancelled++
        break
      default:
    }
  }
  return n
}

// A new code is fetched this long before the one shown expires: a volunteer
// scanning at the last moment still has time to send it.
const REFRESH_LEAD_MS = 5000
const MIN_REFRESH_MS = 2000
const DEFAULT_TOKEN_LIFE_MS = 30000

// refreshDelay says how long after receiving a check-in code to fetch the
// next. The code's life is read from the server's own clock (expires_at less
// the issue time inside the token), so a phone whose clock is wrong still
// refreshes in time.
function refreshDelay(answer) {
  const issued = Number(String((answer && answer.token) || '').split('.')[1]) * 1000
  let life = Date.parse(answer && answer.expires_at) - issued
  if (!Number.isFinite(life) || life <= 0) life = DEFAULT_TOKEN_LIFE_MS
  return Math.max(MIN_REFRESH_MS, life - REFRESH_LEAD_MS)
}

// newActivityForm is an empty form for team teamId: tomorrow at the next
// full hour, three hours long, signup closing an hour before.
function newActivityForm(teamId, now) {
  const start = Math.ceil((now + 24 * HOUR) / HOUR) * HOUR
  return {
    team_id: teamId, title: '', description: '', requirements: '', address: '', location: null,
    radius_m: '200', capacity: '20', start_at: start, end_at: start + 3 * HOUR, signup_deadline: start - HOUR,
  }
}

// formOf fills the form from an activity the server answered (WGS-84),
// the place converted back to GCJ-02, as wx.chooseLocation would give it.
function formOf(a, toGcj02) {
  const t = (s) => new Date(s).getTime()
  return {
    title: a.title, description: a.description || '', requirements: a.requirements || '', address: a.address,
    location: toGcj02(a.lat, a.lng), radius_m: String(a.radius_m), capacity: String(a.capacity),
    start_at: t(a.start_at), end_at: t(a.end_at), signup_deadline: t(a.signup_deadline),
  }
}

// checkTimes and checkForm answer an error per field (the API's field
// names), '' where the field is fine: the same rules as the server's, said
// before sending.
function checkTimes(f, now) {
  return {
    start_at: f.start_at > now ? '' : '开始时间须晚于现在',
    end_at: !(f.end_at > f.start_at) ? '结束时间须晚于开始时间' : f.end_at - f.start_at > 24 * HOUR ? '一次活动最长 24 小时，更长的服务请分为多次活动' : '',
    signup_deadline: f.signup_deadline <= f.start_at ? '' : '报名截止时间不能晚于开始时间',
  }
}

function checkForm(f, now) {
  const whole = (v, lo, hi) => /^\d+$/.test(String(v).trim()) && Number(v) >= lo && Number(v) <= hi
  return {
    title: String(f.title || '').trim() ? '' : '请填写活动名称',
    address: !f.location ? '请在地图上选择活动地点' : String(f.address || '').trim() ? '' : '请填写活动地点',
    capacity: whole(f.capacity, 1, 100000) ? '' : '名额须为 1 至 100000 之间的整数',
    radius_m: whole(f.radius_m, 20, 5000) ? '' : '签到范围须为 20 至 5000 米',
    ...checkTimes(f, now),
  }
}

function hasErrors(errors) {
  return Object.keys(errors).some((k) => errors[k])
}

// formField is the form field a server error names: the position's are the place's.
function formField(field) {
  return ['lat', 'lng', 'coord_system'].includes(field) ? 'address' : field
}

// The API's bounds on 精准匹配: at most 50 volunteers invited at a time, a
// search radius of at most 50 km (5 km when none is given).
const MAX_INVITES = 50
const SEARCH_RADII = [1000, 3000, 5000, 10000, 20000, 50000]
const DEFAULT_RADIUS_INDEX = 2
const SEARCH_PER_PAGE = 20

// recordText says what a volunteer has done, as the search answers it:
// hours served, activities completed and missed, and the share kept.
function recordText(c) {
  const done = c.activities_completed || 0
  const missed = c.no_shows || 0
  const served = `服务 ${c.hours || 0} 小时`
  if (!done && !missed) return `${served} · 暂无活动记录`
  return `${served} · 完成 ${done} 次 · 缺席 ${missed} 次 · 守约率 ${Math.round((done / (done + missed)) * 100)}%`
}

// candidateRow is a volunteer found, in the server's ranking (rank from 1);
// the name stays as masked as the server gives it.
function candidateRow(c, rank) {
  return withInvitation({
    id: c.volunteer_id,
    rank,
    name: c.name,
    distance: formatDistance(c.distance_m),
    skills: (c.skills || []).map((sk) => ({ skill: sk.skill, verified: !!sk.verified })),
    verified: !!c.verified,
    record: recordText(c),
    availability: c.availability || '',
  }, c.invitation)
}

// withInvitation says on a volunteer's row where their invitation stands ('' for none).
function withInvitation(row, status) {
  return {
    ...row,
    invitation: status || '',
    invitationText: labels.invitationStatus[status] || '',
    invitationType: labels.invitationStatusType[status] || 'default',
  }
}

function invitationRow(inv) {
  const when = [`邀请于 ${formatShort(inv.created_at)}`]
  if (inv.decided_at) when.push(`回复于 ${formatShort(inv.decided_at)}`)
  else if (inv.status === 'pending') when.push(`${formatShort(inv.expires_at)} 前回复`)
  return {
    id: inv.id,
    volunteerId: inv.volunteer_id,
    name: inv.name || `志愿者#${inv.volunteer_id}`,
    status: labels.invitationStatus[inv.status] || inv.status,
    statusType: labels.invitationStatusType[inv.status] || 'default',
    label: when.join(' · '),
  }
}

// memberRow is a team member with their skills; certified names the skills
// whose verification needs a certificate (the catalogue says which).
function memberRow(m, certified) {
  return {
    userId: m.user_id,
    name: m.name || `志愿者 #${m.user_id}`,
    role: m.role,
    roleText: labels.teamRole[m.role] || m.role,
    roleType: m.role === 'admin' ? 'primary' : 'default',
    label: `${formatDate(m.joined_at)} 加入`,
    canPromote: m.role === 'member',
    skills: (m.skills || []).map((sk) => ({ skill: sk.skill, verified: !!sk.verified, certificate: certified.includes(sk.skill) })),
  }
}

// ledgerRow is an entry of the team's ledger, with the member's name.
function ledgerRow(e, names) {
  const who = names[e.user_id] || `志愿者 #${e.user_id}`
  return {
    id: e.id,
    title: `${who} ${labels.hoursKind[e.kind] || e.kind} ${e.hours > 0 ? '+' : ''}${e.hours} 小时`,
    label: [formatDate(e.created_at), labels.hoursSource[e.source] || e.source, e.reason].filter(Boolean).join(' · '),
  }
}

module.exports = {
  CURRENT, PAST, organiserView, rosterCounts, refreshDelay, REFRESH_LEAD_MS, newActivityForm, formOf, checkTimes, checkForm,
  hasErrors, formField, MAX_INVITES, SEARCH_RADII, DEFAULT_RADIUS_INDEX, SEARCH_PER_PAGE, recordText, candidateRow, withInvitation,
  invitationRow, memberRow, ledgerRow,
}
