// 公益海口 for the admins of a volunteer team (组织者): their teams and
// activities, drafts and review, the on-site check-in code, who signed up,
// and checking in or out by hand someone without a phone; the team's members,
// admins, verified skills and hours; finding and inviting volunteers (精准匹配);
// the activity's album.
const { request } = require('./request')
// The catalogue and the album are the volunteers' as much as the organisers'.
const { skillCatalogue, photos, uploadPhoto, photoFile } = require('./volunteer')

// myTeams: the teams I belong to, each with my_role (admin or member).
function myTeams() {
  return request({ path: '/api/v1/teams', params: { mine: 'true' } }).then((d) => d.teams || [])
}

// adminTeams: the teams I administer; the organiser pages are for them only.
function adminTeams() {
  return myTeams().then((teams) => teams.filter((t) => t.my_role === 'admin'))
}

// activities of a team in the given statuses (drafts and those under review
// too: the server lists them to the team's admins).
function activities(teamId, statuses) {
  return request({ path: '/api/v1/activities', params: { team_id: teamId, status: statuses.join(',') } }).then((d) => d.activities || [])
}

// activity answers can_edit (I administer its team) and its events besides.
function activity(id) {
  return request({ path: `/api/v1/activities/${id}` })
}

// draftBody is the API's body for what the form holds: the place as
// wx.chooseLocation gives it (GCJ-02), times as instants (ms or ISO).
function draftBody(form) {
  const iso = (t) => new Date(t).toISOString()
  const body = {
    title: form.title,
    description: form.description || '',
    requirements: form.requirements || '',
    address: form.address,
    lat: form.location.latitude,
    lng: form.location.longitude,
    coord_system: 'gcj02',
    radius_m: Number(form.radius_m),
    capacity: Number(form.capacity),
    start_at: iso(form.start_at),
    end_at: iso(form.end_at),
    signup_deadline: iso(form.signup_deadline),
  }
  if (form.team_id) body.team_id = Number(form.team_id)
  return body
}

// create drafts an activity for form.team_id.
function create(form, idempotencyKey) {
  return request({ method: 'POST', path: '/api/v1/activities', data: draftBody(form), idempotencyKey })
}

// update edits a draft or a refused activity.
function update(id, form) {
  return request({ method: 'PUT', path: `/api/v1/activities/${id}`, data: draftBody(form) })
}

// submit sends a draft (or a refused activity, edited) for review.
function submit(id, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/activities/${id}/submit`, data: {}, idempotencyKey })
}

// cancel cancels the activity; everyone signed up is told the reason.
function cancel(id, reason, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/activities/${id}/cancel`, data: { reason }, idempotencyKey })
}

// reschedule moves a published activity (before check-in opens); everyone signed up is told.
function reschedule(id, { start_at: startAt, end_at: endAt, signup_deadline: deadline, reason }, idempotencyKey) {
  const iso = (t) => new Date(t).toISOString()
  return request({
    method: 'POST',
    path: `/api/v1/activities/${id}/reschedule`,
    data: { start_at: iso(startAt), end_at: iso(endAt), signup_deadline: iso(deadline), reason },
    idempotencyKey,
  })
}

// signups: everyone who signed up, in ticket order, with their names.
function signups(id) {
  return request({ path: `/api/v1/activities/${id}/signups` }).then((d) => d.signups || [])
}

// checkinToken: {token, expires_at, qr_png}, the rotating code the organiser's
// screen shows (qr_png is a data:image/png URL for <image>).
function checkinToken(id) {
  return request({ path: `/api/v1/activities/${id}/checkin-token` })
}

// checkinFor / checkoutFor check someone in or out by hand, with a reason.
function checkinFor(id, userId, reason, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/activities/${id}/signups/${userId}/checkin`, data: { reason }, idempotencyKey })
}

function checkoutFor(id, userId, reason, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/activities/${id}/signups/${userId}/checkout`, data: { reason }, idempotencyKey })
}

// members of a team, each with role, name and the skills they recorded
// ({skill, verified}): the team's admins only.
function members(teamId) {
  return request({ path: `/api/v1/teams/${teamId}/members` }).then((d) => d.members || [])
}

// makeAdmin gives a member the team's admin role.
function makeAdmin(teamId, userId, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/teams/${teamId}/admins`, data: { user_id: userId }, idempotencyKey })
}

// removeAdmin takes a member's admin role away (they stay a member), or
// steps the caller down; the team's last admin stays one (409).
function removeAdmin(teamId, userId) {
  return request({ method: 'DELETE', path: `/api/v1/teams/${teamId}/admins/${userId}` })
}

// removeMember takes a member off the team, or the caller (a leave); an
// admin steps down first (409). Their signups, hours and certificates stay.
function removeMember(teamId, userId) {
  return request({ method: 'DELETE', path: `/api/v1/teams/${teamId}/members/${userId}` })
}

// verifySkill marks (or unmarks) a member's certificate-backed skill as
// verified; answers the member's skills as they now are.
function verifySkill(teamId, userId, skill, verified) {
  return request({ method: 'PUT', path: `/api/v1/teams/${teamId}/members/${userId}/skills`, data: { skill, verified } })
    .then((d) => d.skills || [])
}

// teamHours: the team's totals (total_hours, credit_hours, honor_hours,
// month_hours) and its ledger (entries, oldest first).
function teamHours(teamId) {
  return request({ path: `/api/v1/teams/${teamId}/hours` })
}

// searchVolunteers ranks findable volunteers near the activity's place:
// {volunteers, total, page}, names masked until one accepts an invitation.
function searchVolunteers(activityId, { skill, radiusM, page = 1, perPage = 20 } = {}) {
  return request({
    path: '/api/v1/volunteers/search',
    params: { activity: activityId, skill, radius_m: radiusM, page, per_page: perPage },
  })
}

// invite sends invitations; answers all the activity's invitations.
function invite(activityId, volunteerIds, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/activities/${activityId}/invitations`, data: { volunteer_ids: volunteerIds }, idempotencyKey })
    .then((d) => d.invitations || [])
}

// invitations of an activity with their answers (pending, accepted, declined, expired).
function invitations(activityId) {
  return request({ path: `/api/v1/activities/${activityId}/invitations` }).then((d) => d.invitations || [])
}

module.exports = {
  myTeams, adminTeams, activities, activity, draftBody, create, update, submit, cancel, reschedule, signups, checkinToken,
  checkinFor, checkoutFor, members, makeAdmin, removeAdmin, removeMember, verifySkill, teamHours, skillCatalogue, searchVolunteers, invite, invitations,
  photos, uploadPhoto, photoFile,
}
