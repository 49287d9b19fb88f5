// 大调解: a citizen applies for mediation of a dispute and follows it to its
// agreement (人民调解协议书) or to the advice given when it fails.
const { request, download } = require('./request')

let typeList = null

// types are the dispute types [{code, name, specialised}], fetched once per launch.
function types() {
  if (!typeList) {
    typeList = request({ path: '/api/v1/disputes/types' }).then((d) => d.types || [])
    typeList.catch(() => {
      typeList = null
    })
  }
  return typeList
}

// apply files an application; the place is GCJ-02 (wx.chooseLocation), the
// applicant is the citizen, the respondent the other party.
function apply({ type, summary, description, address, latitude, longitude, applicant, respondent }, idempotencyKey) {
  return request({
    method: 'POST',
    path: '/api/v1/disputes',
    data: {
      type,
      summary,
      description,
      address,
      lat: latitude,
      lng: longitude,
      coord_system: 'gcj02',
      parties: [{ role: 'applicant', kind: 'person', ...applicant }, { role: 'respondent', ...respondent }],
    },
    idempotencyKey,
  })
}

// mine lists the citizen's own applications, newest first.
function mine({ page = 1 } = {}) {
  return request({ path: '/api/v1/disputes', params: { page } })
}

function get(id) {
  return request({ path: `/api/v1/disputes/${id}` })
}

// agreementPDF downloads the 人民调解协议书 for wx.openDocument.
function agreementPDF(id) {
  return download(`/api/v1/disputes/${id}/agreement.pdf`)
}

// withdraw takes back an application while the API allows it (actions has withdraw).
function withdraw(id, note) {
  return request({ method: 'POST', path: `/api/v1/disputes/${id}/withdraw`, data: { note } })
}

module.exports = { types, apply, mine, get, agreementPDF, withdraw }
