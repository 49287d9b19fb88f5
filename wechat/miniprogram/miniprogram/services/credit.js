// 诚信海口: lookups are public (no login); 信用修复 needs the login.
const { request, upload } = require('./request')

let typeList = null

// types are the record types [{code, name, list, negative, columns}], fetched
// once per launch: negative ones are 失信 information, which may be repaired.
function types() {
  if (!typeList) {
    typeList = request({ path: '/api/v1/credit/types', auth: false }).then((d) => d.types || [])
    typeList.catch(() => {
      typeList = null
    })
  }
  return typeList
}

// search by name, 统一社会信用代码 or ID number.
function search(q, page = 1) {
  return request({ path: '/api/v1/credit/subjects', params: { q, page }, auth: false })
}

// subject answers {subject, red, black, records} by code or subject id.
function subject(code) {
  return request({ path: `/api/v1/credit/subjects/${encodeURIComponent(code)}`, auth: false })
}

// list is a page of the current red or black list.
function list(kind, page = 1) {
  return request({ path: `/api/v1/credit/lists/${kind}`, params: { page }, auth: false })
}

function entry(id) {
  return request({ path: `/api/v1/credit/entries/${id}`, auth: false })
}

function applyRepair({ entryId, reason, evidence }, idempotencyKey) {
  return request({
    method: 'POST',
    path: '/api/v1/credit/repairs',
    data: { entry_id: entryId, reason, evidence },
    idempotencyKey,
  })
}

function myRepairs() {
  return request({ path: '/api/v1/credit/repairs' }).then((d) => d.repairs || [])
}

// bindLegalRep binds my account to a subject as its 法定代表人: the name and
// ID number are checked against the registered ones (a mismatch is refused
// and counted; too many and binding is locked for a day).
function bindLegalRep(code, { name, idNumber }, idempotencyKey) {
  return request({
    method: 'POST',
    path: `/api/v1/credit/subjects/${encodeURIComponent(code)}/representatives`,
    data: { name, id_number: idNumber },
    idempotencyKey,
  })
}

// filePowerOfAttorney uploads an agent's 授权委托书 (PDF, JPEG or PNG) for the
// subject of a 失信 entry; it waits for the publishing department's review.
function filePowerOfAttorney(entryId, { filePath, name }) {
  return upload({ path: `/api/v1/credit/entries/${entryId}/power-of-attorney`, filePath, formData: { name } })
}

// representatives: the subjects I stand for, and my 授权委托书 with their review.
function representatives() {
  return request({ path: '/api/v1/credit/representatives' }).then((d) => d.representatives || [])
}

module.exports = { types, search, subject, list, entry, applyRepair, myRepairs, bindLegalRep, filePowerOfAttorney, representatives }
