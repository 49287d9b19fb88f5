// 公益海口: certification, activities, signups, check-in, hours, certificates,
// 求助; my skills and invitations (精准匹配); the activity's album.
const { request, upload, download } = require('./request')

// me is the caller's certification, or null when they are not certified yet.
function me() {
  return request({ path: '/api/v1/volunteer/me' }).catch((e) => {
    if (e.status === 404) return null
    throw e
  })
}

function certify({ name, idNumber, phone, skills, availability }, idempotencyKey) {
  return request({
    method: 'POST',
    path: '/api/v1/volunteer/certify',
    data: { name, id_number: idNumber, phone, skills, availability },
    idempotencyKey,
  })
}

// activities near a GCJ-02 point (wx.getLocation), nearest first; without a point, all published.
function activities({ latitude, longitude, radius } = {}) {
  const params = latitude === undefined ? {} : { near: `${latitude},${longitude}`, coord_system: 'gcj02', radius }
  return request({ path: '/api/v1/activities', params }).then((d) => d.activities || [])
}

function activity(id) {
  return request({ path: `/api/v1/activities/${id}` })
}

function signup(id, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/activities/${id}/signup`, data: {}, idempotencyKey })
}

function cancelSignup(id) {
  return request({ method: 'DELETE', path: `/api/v1/activities/${id}/signup` })
}

function mySignups() {
  return request({ path: '/api/v1/volunteer/me/signups' }).then((d) => d.signups || [])
}

// checkin / checkout send the scanned token and the phone's GCJ-02 position.
function checkin(id, { token, latitude, longitude }) {
  return request({
    method: 'POST',
    path: `/api/v1/activities/${id}/checkin`,
    data: { token, lat: latitude, lng: longitude, coord_system: 'gcj02' },
  })
}

function checkout(id, { token, latitude, longitude }) {
  return request({
    method: 'POST',
    path: `/api/v1/activities/${id}/checkout`,
    data: { token, lat: latitude, lng: longitude, coord_system: 'gcj02' },
  })
}

// hours: totals (信用时长 credit_hours, 荣誉时长 honor_hours) and the ledger.
function hours() {
  return request({ path: '/api/v1/volunteer/me/hours' })
}

function team(id) {
  return request({ path: `/api/v1/teams/${id}` })
}

function issueCertificate(teamId, idempotencyKey) {
  return request({ method: 'POST', path: '/api/v1/volunteer/certificates', data: { team_id: teamId }, idempotencyKey })
}

// certificatePDF downloads a certificate's PDF for wx.openDocument.
function certificatePDF(number) {
  return download(`/api/v1/volunteer/certificates/${encodeURIComponent(number)}/pdf`)
}

function helpRequests({ mine = false } = {}) {
  return request({ path: '/api/v1/help-requests', params: mine ? { mine: 'true' } : {} }).then((d) => d.help_requests || [])
}

function helpRequest(id) {
  return request({ path: `/api/v1/help-requests/${id}` })
}

// createHelpRequest posts a 求助; neededAt is a Date or an ISO string.
function createHelpRequest({ title, description, address, latitude, longitude, neededAt }, idempotencyKey) {
  return request({
    method: 'POST',
    path: '/api/v1/help-requests',
    data: {
      title, description, address, lat: latitude, lng: longitude, coord_system: 'gcj02',
      needed_at: new Date(neededAt).toISOString(),
    },
    idempotencyKey,
  })
}

function cancelHelpRequest(id, reason) {
  return request({ method: 'POST', path: `/api/v1/help-requests/${id}/cancel`, data: { reason } })
}

// skillCatalogue: [{name, certificate}], certificate when verifying needs one.
function skillCatalogue() {
  return request({ path: '/api/v1/volunteer/skills' }).then((d) => d.skills || [])
}

// mySkills: {skills: [{skill, verified}], availability, findable, lat, lng
// (WGS-84, null when no area is given), radius_m}.
function mySkills() {
  return request({ path: '/api/v1/volunteer/me/skills' })
}

// setSkills replaces my skills, area and findability; location is the point
// wx.chooseLocation gave (GCJ-02), or null: no area sent, none kept. Answers as mySkills.
function setSkills({ skills, availability, findable, location, radiusM }) {
  const area = location ? { lat: location.latitude, lng: location.longitude, coord_system: 'gcj02', radius_m: Number(radiusM) } : {}
  return request({ method: 'PUT', path: '/api/v1/volunteer/me/skills', data: { skills, availability, findable, ...area } })
}

// myInvitations: the invitations teams sent me, newest first, each with
// activity_id and status (pending, accepted, declined, expired).
function myInvitations() {
  return request({ path: '/api/v1/volunteer/me/invitations' }).then((d) => d.invitations || [])
}

// acceptInvitation signs me up through the ordinary signup path: answers
// {invitation, signup}, the signup confirmed or waitlisted (with its position).
function acceptInvitation(id, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/volunteer/me/invitations/${id}/accept`, data: {}, idempotencyKey })
}

function declineInvitation(id, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/volunteer/me/invitations/${id}/decline`, data: {}, idempotencyKey })
}

// photos of an activity's album.
function photos(activityId) {
  return request({ path: `/api/v1/activities/${activityId}/photos` }).then((d) => d.photos || [])
}

// uploadPhoto adds a local image (wx.chooseMedia's tempFilePath) to the album.
function uploadPhoto(activityId, filePath, idempotencyKey) {
  return upload({ path: `/api/v1/activities/${activityId}/photos`, filePath, idempotencyKey })
}

// photoFile downloads an album photo (they need the login) for <image>.
function photoFile(photo) {
  return download(photo.url || `/api/v1/activities/${photo.activity_id}/photos/${photo.id}`)
}

module.exports = {
  me, certify, activities, activity, signup, cancelSignup, mySignups, checkin, checkout, hours, team,
  issueCertificate, certificatePDF, helpRequests, helpRequest, createHelpRequest, cancelHelpRequest,
  skillCatalogue, mySkills, setSkills, myInvitations, acceptInvitation, declineInvitation, photos, uploadPhoto, photoFile,
}
