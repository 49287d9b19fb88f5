// The request layer every page goes through.
const { install } = require('../support/fakewx')

function services() {
  jest.resetModules()
  return require('../../miniprogram/services/index')
}

test('signs in with wx.login on first use and sends the token', async () => {
  const wx = install({ 'GET /api/v1/me': (req) => ({ id: 7, role: 'citizen', auth: req.header.Authorization }) })
  const s = services()
  const me = await s.user.me()
  expect(me.auth).toBe('Bearer tok-1')
  expect(wx.called('login')).toHaveLength(1)
  expect(wx.called('request')[0].args.data.code).toMatch(/^test-code-/)
  await s.user.me()
  expect(wx.called('login')).toHaveLength(1) // the token is kept
})

test('a 401 signs in again once and retries; calls at the same time share the login', async () => {
  let tokens = 0
  const wx = install({
    'POST /api/v1/wechat/login': () => ({ token: `tok-${++tokens}`, role: 'citizen', user_id: 7 }),
    'GET /api/v1/me': (req) => {
      if (req.header.Authorization === 'Bearer tok-1') {
        return { status: 401, body: { error: { code: 'unauthorized', message: '登录已过期，请重新登录' } } }
      }
      return { id: 7, auth: req.header.Authorization }
    },
  })
  const s = services()
  const [a, b] = await Promise.all([s.user.me(), s.user.me()])
  expect([a.auth, b.auth]).toEqual(['Bearer tok-2', 'Bearer tok-2'])
  expect(wx.called('login')).toHaveLength(2)
})

test('a 401 after signing in again is the server’s message, not a loop', async () => {
  const wx = install({ 'GET /api/v1/me': { status: 401, body: { error: { code: 'unauthorized', message: '账号已停用' } } } })
  const s = services()
  await expect(s.user.me()).rejects.toMatchObject({ status: 401, message: '账号已停用' })
  expect(wx.called('login')).toHaveLength(2)
})

test('errors carry the server’s Chinese message and field as they are', async () => {
  install({ 'POST /api/v1/volunteer/certify': { status: 400, body: { error: { code: 'invalid', message: '身份证号码校验位错误', field: 'id_number' } } } })
  const s = services()
  await expect(s.volunteer.certify({ name: '王小明', idNumber: '460108200005210010', phone: '13800001111' })).rejects.toMatchObject({
    status: 400, code: 'invalid', message: '身份证号码校验位错误', field: 'id_number',
  })
})

test('a failure without the server’s answer says so in Chinese', async () => {
  const wx = install({ 'GET /api/v1/notices': { status: 502, body: '<html>Bad Gateway</html>' } })
  let s = services()
  await expect(s.notices.current()).rejects.toMatchObject({ message: '服务暂时不可用（502），请稍后重试' })
  wx.request = (o) => setTimeout(() => o.fail({ errMsg: 'request:fail timeout' }), 0)
  global.wx.request = wx.request
  s = services()
  await expect(s.notices.current()).rejects.toMatchObject({ code: 'network', message: '请求超时，请稍后重试' })
})

test('every POST carries an Idempotency-Key; a retry may pass the same', async () => {
  const keys = []
  install({ 'POST /api/v1/complaints': (req) => (keys.push(req.header['Idempotency-Key']), { status: 201, body: { id: 1 } }) })
  const s = services()
  const body = { category: '1101', description: 'x', latitude: 20, longitude: 110.3, address: '' }
  await s.complaints.create(body)
  await s.complaints.create(body)
  await s.complaints.create(body, 'same-key')
  await s.complaints.create(body, 'same-key')
  expect(keys[0]).not.toBe(keys[1])
  expect(keys.slice(2)).toEqual(['same-key', 'same-key'])
})

test('after 退出登录 nothing signs in by itself until asked', async () => {
  const wx = install({ 'GET /api/v1/me': { id: 7 }, 'POST /api/v1/auth/logout': { status: 204, body: null }, 'GET /api/v1/credit/subjects': { subjects: [] } })
  const s = services()
  await s.user.me()
  await s.auth.logout()
  expect(wx.called('request').pop().args.header.Authorization).toBe('Bearer tok-1') // the server ends that login
  await expect(s.user.me()).rejects.toMatchObject({ code: 'logged_out', message: '您已退出登录，请在「我的」页面重新登录' })
  await expect(s.credit.search('海口')).resolves.toEqual({ subjects: [] }) // public lookups still work
  await s.auth.login()
  await expect(s.user.me()).resolves.toEqual({ id: 7 })
})

test('templateIds answers the named subscribe templates, and none when the list cannot be had', async () => {
  install({
    'GET /api/v1/wechat/subscriptions': { subscriptions: [
      { template: 'complaint_update', template_id: 'tpl-progress', remaining: 0 },
      { template: 'signup_confirmed', template_id: 'tpl-signup', remaining: 1 },
      { template: 'activity_changed', template_id: 'tpl-changed', remaining: 0 },
    ] },
  })
  let s = services()
  expect(await s.wechat.templateIds('signup_confirmed', 'activity_changed')).toEqual(['tpl-signup', 'tpl-changed'])
  expect(await s.wechat.templateIds('weather_alert')).toEqual([])
  install({ 'GET /api/v1/wechat/subscriptions': { status: 500, body: { error: { code: 'internal', message: '服务暂不可用' } } } })
  s = services()
  expect(await s.wechat.templateIds('complaint_update')).toEqual([])
})

// The server keeps every answer but 5xx, 409 and 429 for a day under its
// Idempotency-Key: after such a final answer the next tap must be a new
// attempt (a new key), else the citizen gets the stored refusal for ever.
describe('idem.send: one key per create, kept only while a retry must be the same request', () => {
  const { networkError } = require('../../miniprogram/services/errors')
  const refusal = (status) => ({ status, body: { error: { code: 'x', message: `答复 ${status}` } } })

  test.each([
    ['400 a bad request', 400, 'a new key'],
    ['403 请先完成实名认证', 403, 'a new key'],
    ['404', 404, 'a new key'],
    ['422 a content-check refusal', 422, 'a new key'],
    ['409 the first request still running', 409, 'the same key'],
    ['429 too many requests', 429, 'the same key'],
    ['500', 500, 'the same key'],
    ['503', 503, 'the same key'],
  ])('after %s the next tap sends %s', async (_, status, want) => {
    const answer = refusal(status)
    const same = want === 'the same key'
    let calls = 0
    install({ 'POST /api/v1/activities/5/signup': () => (++calls === 1 ? answer : { status: 201, body: { id: 1, status: 'confirmed' } }) })
    const s = services()
    const idem = require('../../miniprogram/utils/idem')
    const page = {}
    const signup = () => idem.send(page, { signup: 5 }, (key) => s.volunteer.signup(5, key))
    await expect(signup()).rejects.toMatchObject({ status: answer.status })
    await expect(signup()).resolves.toMatchObject({ status: 'confirmed' })
    const keys = global.wx.called('request').filter((c) => c.args.method === 'POST' && c.args.url.endsWith('/signup')).map((c) => c.args.header['Idempotency-Key'])
    expect(keys).toHaveLength(2)
    expect(keys[1] === keys[0]).toBe(same)
    // Answered: the next create is a new one.
    await signup()
    expect(global.wx.called('request').pop().args.header['Idempotency-Key']).not.toBe(keys[1])
  })

  test('no answer at all: the retry is the same request', async () => {
    const idem = require('../../miniprogram/utils/idem')
    const page = {}
    const keys = []
    await expect(idem.send(page, { a: 1 }, (key) => Promise.reject(networkError({ errMsg: 'request:fail timeout' }), keys.push(key)))).rejects.toMatchObject({ code: 'network' })
    await idem.send(page, { a: 1 }, async (key) => keys.push(key))
    expect(keys[1]).toBe(keys[0])
  })
})
