// 精准匹配 as a volunteer sees it: the skills form (the catalogue with what
// I hold and what a team verified, my area, whether organisers may find me)
// and my invitations (what each is for, where it stands, whether it may
// still be answered).
const { formatTime, formatShort } = require('./format')
const labels = require('./labels')

// How far a volunteer may say they travel; the API takes up to 50 km.
const TRAVEL_RADII = [1000, 3000, 5000, 10000, 20000, 50000]
const DEFAULT_TRAVEL_INDEX = 2
// The API's bound on 可服务时间.
const MAX_AVAILABILITY = 200

// travelIndex is the choice nearest to the radius the server kept.
function travelIndex(radiusM) {
  if (!radiusM) return DEFAULT_TRAVEL_INDEX
  let best = 0
  TRAVEL_RADII.forEach((m, i) => {
    if (Math.abs(m - radiusM) < Math.abs(TRAVEL_RADII[best] - radiusM)) best = i
  })
  return best
}

// skillRows is the catalogue as the form lists it: whether I hold each
// skill and, for one that needs a certificate, whether a team verified it.
function skillRows(catalogue, held) {
  const mine = {}
  ;(held || []).forEach((sk) => {
    mine[sk.skill] = !!sk.verified
  })
  return catalogue.map((sk) => withChoice({ name: sk.name, certificate: !!sk.certificate, verified: !!mine[sk.name] }, sk.name in mine))
}

// withChoice says on a row whether it is chosen, and what that means for its certificate.
function withChoice(row, chosen) {
  let label = ''
  if (row.certificate) {
    if (!chosen) label = '需证书'
    else if (row.verified) label = '需证书 · 已由队伍核验'
    else label = '需证书 · 待所在队伍的管理员查看证书后核验'
  }
  return { ...row, chosen, label }
}

// checkSkillsForm answers an error per field ('' where it is fine): the
// server's bounds, and an area for whoever wants to be found, since a search
// finds volunteers by the distance of their area from the activity.
function checkSkillsForm(f) {
  return {
    availability: String(f.availability || '').trim().length > MAX_AVAILABILITY ? `可服务时间最多 ${MAX_AVAILABILITY} 字` : '',
    area: f.findable && !f.location ? '允许被搜索前，请先在地图上选择常驻位置' : '',
  }
}

// skillsField is the form field a server error names: the position's are the area's.
function skillsField(field) {
  return ['lat', 'lng', 'coord_system'].includes(field) ? 'area' : field
}

// answerable: pending and not past its time (the server calls it expired
// from then on, and the page may have been open since).
function answerable(inv, now) {
  return inv.status === 'pending' && now < Date.parse(inv.expires_at)
}

function pendingCount(invitations, now) {
  return (invitations || []).filter((inv) => answerable(inv, now)).length
}

// span: 2026-04-12 08:30 至 11:30, the end's date only when it differs.
function span(start, end) {
  const from = formatTime(start)
  const to = formatTime(end)
  return `${from} 至 ${from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to}`
}

// mySignupText: where the signup an accepted invitation made stands.
function mySignupText(su) {
  if (!su) return ''
  if (su.status === 'waitlisted') return `候补第 ${su.position} 位`
  if (su.status === 'confirmed') return '已报名（名额已确认）'
  return labels.signupStatus[su.status] || su.status
}

// invitationView is an invitation with its activity (a: null when it can no
// longer be read) as the volunteer reads it at now.
function invitationView(inv, a, now) {
  const status = inv.status === 'pending' && !answerable(inv, now) ? 'expired' : inv.status
  const view = {
    id: inv.id,
    activityId: inv.activity_id,
    title: a ? a.title : `活动 ${inv.activity_id}`,
    team: a ? a.team || '' : '',
    when: a ? span(a.start_at, a.end_at) : '',
    place: a ? a.address : '',
    statusText: labels.invitationStatus[status] || status,
    statusType: labels.invitationStatusType[status] || 'default',
    canAnswer: status === 'pending',
    note: '',
  }
  switch (status) {
    case 'pending':
      view.note = `请在 ${formatTime(inv.expires_at)}（报名截止）前回复`
      break
    case 'accepted':
      view.note = a && a.my_signup ? `已接受邀请：${mySignupText(a.my_signup)}` : '已接受邀请'
      break
    case 'declined':
      view.note = inv.decided_at ? `已于 ${formatShort(inv.decided_at)} 谢绝` : '已谢绝'
      break
    case 'expired':
      view.note = '报名已截止，邀请已过期'
      break
    default:
  }
  // Cancelled (or otherwise closed) since: the signup would be refused.
  if (view.canAnswer && a && a.status !== 'published') {
    view.canAnswer = false
    view.statusText = labels.activityStatus[a.status] || a.status
    view.statusType = 'default'
    view.note = '活动已不在报名中，邀请不再有效'
  }
  return view
}

// acceptedText tells how accepting went: a place, or a place on the waitlist.
function acceptedText(signup) {
  return signup && signup.status === 'waitlisted' ? `已接受，候补第 ${signup.position} 位` : '已接受，报名成功'
}

module.exports = {
  TRAVEL_RADII, DEFAULT_TRAVEL_INDEX, MAX_AVAILABILITY, travelIndex, skillRows, withChoice, checkSkillsForm, skillsField,
  answerable, pendingCount, invitationView, mySignupText, acceptedText,
}
