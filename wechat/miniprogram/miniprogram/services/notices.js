// 温馨告知 (typhoon, waterlogging, holiday notices): public, no login.
const { request } = require('./request')

function current() {
  return request({ path: '/api/v1/notices', auth: false }).then((d) => d.notices || [])
}

module.exports = { current }
