const { request } = require('./request')

// me is the signed-in account (phone masked).
function me() {
  return request({ path: '/api/v1/me' })
}

module.exports = { me }
