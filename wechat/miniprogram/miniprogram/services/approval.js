// 行政审批查询: progress by 受理编号 and the applicant's phone tail (public,
// throttled per address); following needs the login.
const { request } = require('./request')

function lookup(number, phoneTail) {
  return request({ path: `/api/v1/approvals/${encodeURIComponent(number)}`, params: { phone_tail: phoneTail }, auth: false })
}

function follow(number, phoneTail) {
  return request({ method: 'POST', path: `/api/v1/approvals/${encodeURIComponent(number)}/follow`, data: { phone_tail: phoneTail } })
}

function unfollow(number) {
  return request({ method: 'DELETE', path: `/api/v1/approvals/${encodeURIComponent(number)}/follow` })
}

function followed() {
  return request({ path: '/api/v1/approvals/followed' }).then((d) => d.approvals || [])
}

module.exports = { lookup, follow, unfollow, followed }
