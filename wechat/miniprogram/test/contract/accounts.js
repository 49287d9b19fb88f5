// The demo's password accounts (team-lead, admin, dispatcher, crew, …) as the
// contract tests use them: a password login, a phone signed in as one (kept,
// and a step run on it), and a call of the API with one's token, as the
// console does; and caught, for the
// error a call ends with. urlOf answers the server's address, known once it
// has started.
const { createWx } = require('./wxshim')

const PASSWORD = 'haikou2026' // every demo account's (see the top-level README)

function accounts(urlOf) {
  const tokens = {}

  // passwordLogin answers POST /api/v1/auth/login for user: { token, role, … }.
  async function passwordLogin(user) {
    const res = await fetch(`${urlOf()}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: PASSWORD }),
    })
    const data = await res.json()
    if (!res.ok) throw new Error(`${user} cannot sign in: ${JSON.stringify(data)}`)
    return data
  }

  // phoneOf answers a phone signed in as user: its storage holds the login as
  // services/session.js keeps it (these accounts have no WeChat).
  async function phoneOf(user) {
    const wx = createWx({ user: `${user}-${process.pid}` })
    const login = await passwordLogin(user)
    wx.setStorageSync('guanjia.session', { token: login.token, role: login.role })
    return wx
  }

  // call sends method pathname (with body as JSON, if any) as user, signed in
  // once and the token kept; it answers the JSON, or null for a 204.
  async function call(user, method, pathname, body) {
    if (!tokens[user]) tokens[user] = (await passwordLogin(user)).token
    const res = await fetch(`${urlOf()}${pathname}`, {
      method,
      headers: { Authorization: `Bearer ${tokens[user]}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const data = res.status === 204 ? null : await res.json()
    if (!res.ok) throw new Error(`${user} ${method} ${pathname}: ${res.status} ${JSON.stringify(data)}`)
    return data
  }

  // phone answers user's phone, signed in once (phoneOf) and kept.
  const phones = {}
  async function phone(user) {
    if (!phones[user]) phones[user] = await phoneOf(user)
    return phones[user]
  }

  // as runs fn on user's phone: the services find wx where WeChat puts it.
  async function as(user, fn) {
    const before = global.wx
    global.wx = await phone(user)
    try {
      return await fn()
    } finally {
      global.wx = before
    }
  }

  // hangUp clears the storage of every phone handed out.
  const hangUp = () => Object.values(phones).forEach((wx) => wx.cleanup())

  return { passwordLogin, phoneOf, call, phone, as, hangUp }
}

// caught answers the error (the services' ApiError) a call ends with.
async function caught(promise) {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error('the call succeeded')
}

module.exports = { accounts, caught }
