// 公益海口: certification, activities, signups, check-in, hours, certificates, 求助.
const { request, download } = require('./request')

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

module.exports = {
  me, certify, activities, activity, signup, cancelSignup, mySignups, checkin, checkout, hours, team,
  issueCertificate, certificatePDF, helpRequests, helpRequest, createHelpRequest, cancelHelpRequest,
}
