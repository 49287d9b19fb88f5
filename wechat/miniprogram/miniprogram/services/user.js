const { request } = require('./request')
const auth = require('./auth')

// me is the signed-in account (phone masked).
function me() {
  return request({ path: '/api/v1/me' })
}

// myId is the signed-in user's id: kept with a WeChat login, asked otherwise.
async function myId() {
  const s = auth.current()
  return s && s.user_id ? s.user_id : (await me()).id
}

module.exports = { me, myId }
