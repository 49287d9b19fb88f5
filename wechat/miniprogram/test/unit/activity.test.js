// 公益海口 activity detail: what a volunteer sees and may do in each signup
// state, and what the check-in flow tells them when it goes wrong.
const { install } = require('../support/fakewx')
const { render, flush, text, tap } = require('../support/render')

const NOW = Date.parse('2026-04-11T00:40:00Z') // 08:40 in Haikou
const at = (min) => new Date(NOW + min * 60000).toISOString()

function activity(extra = {}) {
  return {
    id: 5, team: '龙华区青年志愿者协会', title: '万绿园净滩护绿行动', description: '清理海岸线垃圾',
    address: '海口市龙华区滨海大道万绿园', lat: 20.0405, lng: 110.3222, radius_m: 300, status: 'published',
    start_at: at(6 * 60), end_at: at(9 * 60), signup_deadline: at(5 * 60), capacity: 30, confirmed: 12, waitlisted: 0,
    ...extra,
  }
}

function open(a, routes = {}) {
  const fake = install({
    'GET /api/v1/activities/5': a,
    'GET /api/v1/wechat/subscriptions': { subscriptions: [
      { template: 'signup_confirmed', template_id: 'tpl-su', remaining: 0 },
      { template: 'activity_reminder', template_id: 'tpl-rem', remaining: 0 },
      { template: 'activity_changed', template_id: 'tpl-chg', remaining: 0 },
      { template: 'complaint_update', template_id: 'tpl-cu', remaining: 0 },
    ] },
    'POST /api/v1/wechat/subscriptions': { recorded: 3 },
    ...routes,
  })
  const page = render('pages/volunteer/activity')
  page.instance.now = () => NOW
  page.instance.onLoad({ id: '5' })
  return { page, fake }
}

const buttons = (page) => ['#signup', '#cancel', '#checkin', '#checkout'].filter((s) => page.querySelector(s))

test.each([
  ['not signed up, places left', {}, '未报名', ['#signup'], ['剩余 18 个名额', '报名截止：2026-04-11 13:40']],
  ['not signed up, full: the waitlist', { confirmed: 30, waitlisted: 4 }, '未报名', ['#signup'], ['名额已满（共 30 个），4 人候补', '报名候补']],
  ['signup closed', { signup_deadline: at(-5) }, '报名已截止', [], []],
  ['confirmed, before the cut-off', { my_signup: { status: 'confirmed' } }, '已报名（名额已确认）', ['#cancel'],
    ['请在 2026-04-11 12:40（活动开始前 2 小时）前取消报名', '签到将于 2026-04-11 14:10 开放']],
  ['confirmed, past the cut-off', { start_at: at(60), end_at: at(180), signup_deadline: at(-10), my_signup: { status: 'confirmed' } }, '已报名（名额已确认）', [],
    ['已过取消截止时间 2026-04-11 07:40（活动开始前 2 小时），如不能参加请联系组织者']],
  ['confirmed, check-in open', { start_at: at(20), end_at: at(200), signup_deadline: at(-30), my_signup: { status: 'confirmed' } }, '已报名（名额已确认）', ['#checkin'], []],
  ['waitlisted', { confirmed: 30, my_signup: { status: 'waitlisted', position: 3 } }, '候补第 3 位', ['#cancel'], ['按候补顺序递补']],
  ['checked in before the start', { start_at: at(20), end_at: at(200), signup_deadline: at(-30), my_signup: { status: 'checked_in', checkin_at: at(-5) } },
    '已签到（2026-04-11 08:35）', [], ['签退将于活动开始（2026-04-11 09:00）后开放']],
  ['checked in', { start_at: at(-30), end_at: at(60), my_signup: { status: 'checked_in', checkin_at: at(-25) } }, '已签到（2026-04-11 08:15）', ['#checkout'], []],
  ['checked out', { start_at: at(-200), end_at: at(-20), status: 'finished', my_signup: { status: 'checked_out' } }, '已签退，志愿时长已记录', [], []],
  ['cancelled earlier: may sign up again', { my_signup: { status: 'cancelled' } }, '未报名', ['#signup'], []],
])('%s', async (_, extra, status, want, notes) => {
  const { page } = open(activity(extra))
  await flush(10)
  expect(page.querySelector('#my-status').dom.textContent).toContain(status)
  expect(buttons(page)).toEqual(want)
  for (const n of notes) expect(text(page)).toContain(n)
})

test('signing up asks for the activity messages from the tap, then answers the waitlist place', async () => {
  const a = activity({ confirmed: 30 })
  let signedUp = false
  const { page } = open(a, {
    'POST /api/v1/activities/5/signup': () => {
      signedUp = true
      return { status: 201, body: { id: 1, status: 'waitlisted', position: 2 } }
    },
  })
  await flush(10)
  const wx = global.wx
  const before = wx.calls.length
  tap(page, '#signup')
  for (let i = 0; i < 20; i++) await Promise.resolve()
  expect(wx.calls.slice(before).map((c) => c.name)).toEqual(['requestSubscribeMessage'])
  expect(wx.calls[before].args.tmplIds).toEqual(['tpl-su', 'tpl-rem', 'tpl-chg'])
  await flush(20)
  expect(signedUp).toBe(true)
  expect(wx.called('showToast').map((c) => c.args.title)).toContain('已进入候补，第 2 位')
})

describe('check-in', () => {
  const a = activity({ start_at: at(20), end_at: at(200), signup_deadline: at(-30), my_signup: { status: 'confirmed' } })
  const refuse = (status, message, field) => () => ({ status, body: { error: { code: status === 422 ? 'unprocessable' : 'invalid', message, field } } })

  async function scan(result, route, setup = () => {}) {
    const calls = []
    const { page } = open(a, { 'POST /api/v1/activities/5/checkin': (req) => (calls.push(req), route(req)) })
    global.wx.state.scan = result
    setup(global.wx)
    await flush(10)
    tap(page, '#checkin')
    await flush(20)
    return { page, calls, wx: global.wx }
  }

  test('an expired code: the server says to scan again', async () => {
    const { page, calls, wx } = await scan('5.1775867200.abcDEF', refuse(422, '签到码已过期，请重新扫描屏幕', 'token'))
    expect(calls[0].data).toEqual({ token: '5.1775867200.abcDEF', lat: 20.0028, lng: 110.2999, coord_system: 'gcj02' })
    expect(page.querySelector('#check-error').dom.textContent).toContain('签到码已过期，请重新扫描屏幕')
    expect(wx.called('scanCode')[0].args).toMatchObject({ onlyFromCamera: true, scanType: ['qrCode'] })
  })

  test('outside the geofence: how far, and how near to come', async () => {
    const { page } = await scan('5.1775867200.abcDEF', refuse(422, '您距活动地点 1250 米，请在 300 米范围内签到', 'lat'))
    expect(page.querySelector('#check-error').dom.textContent).toContain('您距活动地点 1250 米，请在 300 米范围内签到')
  })

  test('something that is not a check-in code is not sent', async () => {
    const { page, calls } = await scan('https://weixin.qq.com/r/abc', () => ({}))
    expect(calls).toHaveLength(0)
    expect(page.querySelector('#check-error').dom.textContent).toContain('这不是活动签到码')
  })

  test('no position: say why it is needed and offer the settings', async () => {
    const { page, calls, wx } = await scan('5.1775867200.abcDEF', () => ({}), (w) => {
      w.state.locationError = { errMsg: 'getLocation:fail auth deny' }
    })
    expect(calls).toHaveLength(0)
    expect(page.querySelector('#check-error').dom.textContent).toContain('需要您的位置才能签到')
    expect(wx.called('showModal')[0].args.confirmText).toBe('去设置')
  })

  test('closing the scanner is no error', async () => {
    const { page, calls } = await scan(null, () => ({}), (w) => {
      w.state.scanError = { errMsg: 'scanCode:fail cancel' }
    })
    expect(calls).toHaveLength(0)
    expect(page.querySelector('#check-error')).toBeFalsy()
  })

  test('checked in', async () => {
    const { wx } = await scan('5.1775867200.abcDEF', () => ({ id: 1, status: 'checked_in' }))
    expect(wx.called('showToast').map((c) => c.args.title)).toContain('签到成功')
  })
})
