// Signing in: wx.login gives a one-time code, POST /api/v1/wechat/login turns
// it into guanjia's token (a citizen's account is made on the first login).
const session = require('./session')
const { ApiError } = require('./errors')
const { wxp } = require('../utils/wxp')

let inflight = null

// login signs in now; calls made at the same time share one login.
function login() {
  if (inflight) return inflight
  inflight = (async () => {
    let code
    try {
      code = (await wxp('login', { timeout: 10000 })).code
    } catch (e) {
      throw new ApiError({ code: 'wx_login', message: '微信登录失败，请稍后重试' })
    }
    const { request } = require('./request')
    const data = await request({ method: 'POST', path: '/api/v1/wechat/login', data: { code }, auth: false })
    session.save(data)
    return data
  })()
  const done = () => {
    inflight = null
  }
  inflight.then(done, done)
  return inflight
}

// ensureLogin signs in unless a token is kept; after 退出登录 it refuses
// until the user signs in again from 我的.
async function ensureLogin() {
  if (session.token()) return session.load()
  if (session.loggedOut()) {
    throw new ApiError({ status: 401, code: 'logged_out', message: '您已退出登录，请在「我的」页面重新登录' })
  }
  return login()
}

// logout forgets the login on this phone and ends it on the server.
async function logout() {
  const token = session.token()
  session.markLoggedOut()
  if (!token) return
  try {
    const { request } = require('./request')
    await request({ method: 'POST', path: '/api/v1/auth/logout', auth: false, data: {}, headers: { Authorization: `Bearer ${token}` } })
  } catch (e) {
    // the phone has forgotten the token: that is the logout that matters
  }
}

module.exports = { login, ensureLogin, logout, current: session.load }
