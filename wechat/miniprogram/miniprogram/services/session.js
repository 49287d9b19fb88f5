// The login kept in storage: the bearer token and who it is. Logging out
// sets a flag so the next call does not sign in again by itself.
const KEY = 'guanjia.session'
const OUT = 'guanjia.loggedOut'

function load() {
  try {
    return wx.getStorageSync(KEY) || null
  } catch (e) {
    return null
  }
}

function token() {
  const s = load()
  return (s && s.token) || ''
}

function save(s) {
  wx.setStorageSync(KEY, { token: s.token, role: s.role, user_id: s.user_id, openid: s.openid })
  wx.removeStorageSync(OUT)
}

function clear() {
  wx.removeStorageSync(KEY)
}

function markLoggedOut() {
  clear()
  wx.setStorageSync(OUT, true)
}

function loggedOut() {
  try {
    return !!wx.getStorageSync(OUT)
  } catch (e) {
    return false
  }
}

module.exports = { load, token, save, clear, markLoggedOut, loggedOut }
