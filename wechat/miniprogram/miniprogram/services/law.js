// 法律法规: search and read; public, no login.
const { request } = require('./request')

function search(q) {
  return request({ path: '/api/v1/laws', params: { q }, auth: false }).then((d) => d.laws || [])
}

function get(id) {
  return request({ path: `/api/v1/laws/${id}`, auth: false })
}

module.exports = { search, get }
