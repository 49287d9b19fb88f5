// What an activity page offers a volunteer, from the activity, my signup and
// the time now: sign up, cancel (until the cut-off), check in and out.
const { formatTime } = require('./format')
const labels = require('./labels')

// The platform's rules (volunteer.DefaultConfig on the server; the API does
// not publish them): cancelling closes 2 hours before the start, check-in
// opens 30 minutes before it, check-out opens at the start (it is final) and
// closes 2 hours after the end.
const CANCEL_CUTOFF_MS = 2 * 3600 * 1000
const CHECKIN_OPENS_MS = 30 * 60 * 1000
const CHECKOUT_CLOSES_MS = 2 * 3600 * 1000

// The messages a signup may bring (confirmed, the reminder, changes), asked
// for from the tap that signs up: by 报名 or by accepting an invitation.
const SIGNUP_CONSENT = ['signup_confirmed', 'activity_reminder', 'activity_changed']

function signupView(a, now) {
  const t = (s) => new Date(s).getTime()
  const start = t(a.start_at)
  const end = t(a.end_at)
  const deadline = t(a.signup_deadline)
  const placesLeft = Math.max(0, (a.capacity || 0) - (a.confirmed || 0))
  const running = ['published', 'in_progress', 'finished'].includes(a.status)
  const mine = a.my_signup && a.my_signup.status !== 'cancelled' ? a.my_signup : null
  const cancelUntil = start - CANCEL_CUTOFF_MS
  const view = {
    placesLeft,
    placesText: placesLeft > 0 ? `剩余 ${placesLeft} 个名额（共 ${a.capacity} 个）` : `名额已满（共 ${a.capacity} 个）${a.waitlisted ? `，${a.waitlisted} 人候补` : ''}`,
    statusText: '',
    note: '',
    canSignup: false,
    signupText: '报名',
    canCancel: false,
    canCheckin: false,
    canCheckout: false,
  }
  if (!mine) {
    if (a.status === 'published' && now < deadline) {
      view.canSignup = true
      view.signupText = placesLeft > 0 ? '立即报名' : '报名候补'
      view.statusText = '未报名'
      view.note = `报名截止：${formatTime(deadline)}`
    } else {
      view.statusText = a.status === 'published' ? '报名已截止' : labels.activityStatus[a.status] || a.status
    }
    return view
  }
  switch (mine.status) {
    case 'confirmed':
      view.statusText = '已报名（名额已确认）'
      if (a.status === 'published' && now < cancelUntil) {
        view.canCancel = true
        view.note = `如不能参加，请在 ${formatTime(cancelUntil)}（活动开始前 2 小时）前取消报名`
      } else {
        view.note = `已过取消截止时间 ${formatTime(cancelUntil)}（活动开始前 2 小时），如不能参加请联系组织者`
      }
      if (running && now >= start - CHECKIN_OPENS_MS && now <= end) view.canCheckin = true
      else if (running && now < start - CHECKIN_OPENS_MS) view.note += `；签到将于 ${formatTime(start - CHECKIN_OPENS_MS)} 开放`
      break
    case 'waitlisted':
      view.statusText = `候补第 ${mine.position} 位`
      view.note = '有人取消时按候补顺序递补，递补成功会通知您'
      view.canCancel = a.status === 'published'
      break
    case 'checked_in':
      view.statusText = `已签到（${formatTime(mine.checkin_at)}）`
      view.canCheckout = running && now >= start && now < end + CHECKOUT_CLOSES_MS
      if (view.canCheckout) view.note = '活动结束后请扫码签退，志愿时长按签到签退时间记录'
      else if (running && now < start) view.note = `签退将于活动开始（${formatTime(start)}）后开放`
      break
    case 'checked_out':
      view.statusText = '已签退，志愿时长已记录'
      break
    case 'no_show':
      view.statusText = '未到场'
      break
    default:
      view.statusText = labels.signupStatus[mine.status] || mine.status
  }
  return view
}

// parseToken takes the organiser's QR content: the token itself
// ("<activity>.<issued>.<mac>"), or a link carrying it as token=.
function parseToken(result) {
  let s = String(result || '').trim()
  const m = s.match(/[?&]token=([^&#]+)/)
  if (m) s = decodeURIComponent(m[1])
  return /^\d+\.\d+\.[A-Za-z0-9_-]+$/.test(s) ? s : ''
}

module.exports = { signupView, parseToken, CANCEL_CUTOFF_MS, CHECKIN_OPENS_MS, CHECKOUT_CLOSES_MS, SIGNUP_CONSENT }
