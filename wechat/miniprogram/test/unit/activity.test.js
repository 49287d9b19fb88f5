// 公益海口 activity detail: what a volunteer sees and may do in each signup
// state, what the check-in flow tells them when it goes wrong, and the
// activity's album, which whoever checked in adds to.
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
      { template: 'hours_credited', template_id: 'tpl-hours', remaining: 0 },
      { template: 'complaint_update', template_id: 'tpl-cu', remaining: 0 },
    ] },
    'POST /api/v1/wechat/subscriptions': { recorded: 3 },
    'GET /api/v1/volunteer/me/invitations': { invitations: [] },
    'GET /api/v1/activities/5/photos': { photos: [] },
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

// The server keeps its answer under the Idempotency-Key for a day (all but
// 5xx, 409, 429), as this route does.
function idempotent(answer) {
  const kept = new Map()
  return (req) => {
    const key = req.header['Idempotency-Key']
    if (!kept.has(key)) {
      const out = answer(req)
      if (!(out.status >= 500 || out.status === 409 || out.status === 429)) kept.set(key, out)
      return out
    }
    return kept.get(key)
  }
}

test('refused until 实名认证: once certified, 报名 again signs up (not the refusal kept under the old key)', async () => {
  let certified = false
  const { page } = open(activity(), {
    'POST /api/v1/activities/5/signup': idempotent(() => (certified
      ? { status: 201, body: { id: 1, status: 'confirmed' } }
      : { status: 403, body: { error: { code: 'forbidden', message: '请先完成实名认证' } } })),
  })
  await flush(10)
  const wx = global.wx
  tap(page, '#signup')
  await flush(20)
  expect(wx.called('showModal')[0].args).toMatchObject({ content: '请先完成实名认证', confirmText: '去认证' })
  expect(wx.called('navigateTo')[0].args.url).toBe('/pages/volunteer/certify')
  certified = true // on the certify page; then back here
  tap(page, '#signup')
  await flush(20)
  expect(wx.called('showModal')).toHaveLength(1)
  expect(wx.called('showToast').map((c) => c.args.title)).toContain('报名成功')
})

test('no answer to 报名: the retry is the same request, so a signup that went through is not doubled', async () => {
  let n = 0
  const keys = []
  const { page } = open(activity(), {
    'POST /api/v1/activities/5/signup': (req) => (keys.push(req.header['Idempotency-Key']), ++n === 1
      ? { status: 503, body: { error: { code: 'unavailable', message: '服务暂时不可用，请稍后重试' } } }
      : { status: 201, body: { id: 1, status: 'confirmed' } }),
  })
  await flush(10)
  tap(page, '#signup')
  await flush(20)
  tap(page, '#signup')
  await flush(20)
  expect(keys).toHaveLength(2)
  expect(keys[1]).toBe(keys[0])
  expect(global.wx.called('showToast').map((c) => c.args.title)).toContain('报名成功')
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

  // The code changes every 30 seconds: a first-time location prompt after
  // the scan could outlast it. The position is taken first.
  test('the position is taken before the scanner opens', async () => {
    const { wx } = await scan('5.1775867200.abcDEF', () => ({ id: 1, status: 'checked_in' }))
    const names = wx.calls.map((c) => c.name).filter((n) => n === 'getLocation' || n === 'scanCode')
    expect(names).toEqual(['getLocation', 'scanCode'])
    expect(wx.called('requestSubscribeMessage')).toHaveLength(0) // check-in asks for nothing
  })

  test('no position: the scanner does not open for a code that would expire meanwhile', async () => {
    const { wx } = await scan('5.1775867200.abcDEF', () => ({}), (w) => {
      w.state.locationError = { errMsg: 'getLocation:fail auth deny' }
    })
    expect(wx.called('scanCode')).toHaveLength(0)
  })
})

describe('check-out', () => {
  const a = activity({ start_at: at(-30), end_at: at(60), my_signup: { status: 'checked_in', checkin_at: at(-25) } })

  test('asks for 志愿时长到账通知 straight from the 扫码签退 tap, then checks out', async () => {
    let body = null
    const { page } = open(a, { 'POST /api/v1/activities/5/checkout': (req) => {
      body = req.data
      return { signup: { id: 1, status: 'checked_out' }, hours: 1.5 }
    } })
    global.wx.state.scan = '5.1775867200.abcDEF'
    await flush(10)
    const wx = global.wx
    const before = wx.calls.length
    tap(page, '#checkout')
    for (let i = 0; i < 20; i++) await Promise.resolve()
    expect(wx.calls.slice(before).map((c) => c.name)).toEqual(['requestSubscribeMessage'])
    expect(wx.calls[before].args.tmplIds).toEqual(['tpl-hours'])
    await flush(30)
    expect(body).toMatchObject({ token: '5.1775867200.abcDEF' })
    expect(wx.called('showToast').map((c) => c.args.title)).toContain('签退成功')
  })

  test('a consent that cannot be recorded does not stop the check-out', async () => {
    const { page } = open(a, {
      'POST /api/v1/wechat/subscriptions': { status: 500, body: { error: { code: 'internal', message: '服务暂时不可用' } } },
      'POST /api/v1/activities/5/checkout': { signup: { id: 1, status: 'checked_out' }, hours: 1.5 },
    })
    global.wx.state.scan = '5.1775867200.abcDEF'
    await flush(10)
    tap(page, '#checkout')
    await flush(30)
    expect(global.wx.called('showToast').map((c) => c.args.title)).toContain('签退成功')
  })
})

describe('活动相册', () => {
  const photo = (id) => ({ id, activity_id: 5, content_type: 'image/jpeg', size: 2048, url: `/api/v1/activities/5/photos/${id}`, uploaded_by: 8, created_at: at(-5) })
  const checkedIn = activity({ start_at: at(-30), end_at: at(60), my_signup: { status: 'checked_in', checkin_at: at(-25) } })
  const downloaded = (wx) => wx.called('downloadFile').map((c) => new URL(c.args.url).pathname)

  test('shown to a volunteer, each photo fetched with the login', async () => {
    const { page, fake } = open(activity(), { 'GET /api/v1/activities/5/photos': { photos: [photo('va-1'), photo('va-2')] } })
    await flush(20)
    expect(text(page)).toContain('活动相册（2 张）')
    expect(page.querySelectorAll('.album-photo')).toHaveLength(2)
    expect(downloaded(fake)).toEqual(['/api/v1/activities/5/photos/va-1', '/api/v1/activities/5/photos/va-2'])
    expect(fake.called('downloadFile')[0].args.header.Authorization).toMatch(/^Bearer /)
    page.querySelector('.album-photo').dispatchEvent('tap')
    await flush(5)
    expect(fake.called('previewImage')[0].args.urls).toHaveLength(2)
  })

  test.each([
    ['not signed up', activity(), false],
    ['signed up, not arrived', activity({ my_signup: { status: 'confirmed' } }), false],
    ['a no-show', activity({ status: 'finished', start_at: at(-300), end_at: at(-200), my_signup: { status: 'no_show' } }), false],
    ['checked in', checkedIn, true],
    ['checked out', activity({ status: 'finished', start_at: at(-300), end_at: at(-200), my_signup: { status: 'checked_out', checkin_at: at(-310), checkout_at: at(-190) } }), true],
  ])('上传照片 is offered as the server allows it: %s', async (_, a, offered) => {
    const { page } = open(a)
    await flush(20)
    expect(!!page.querySelector('#upload-photos')).toBe(offered)
    expect(!!page.querySelector('#upload-hint')).toBe(!offered)
  })

  test('checked in: the chosen images go one by one, each with its own key, and the album shows them', async () => {
    let photos = []
    const uploads = []
    const { page, fake } = open(checkedIn, {
      'GET /api/v1/activities/5/photos': () => ({ photos }),
      'UPLOAD /api/v1/activities/5/photos': (req) => {
        uploads.push({ file: req.filePath })
        const p = photo(`va-${photos.length + 1}`)
        photos = photos.concat(p)
        return { status: 201, body: p }
      },
    })
    await flush(20)
    fake.state.media = ['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg']
    tap(page, '#upload-photos')
    await flush(40)
    expect(uploads).toEqual([{ file: 'wxfile://tmp/a.jpg' }, { file: 'wxfile://tmp/b.jpg' }])
    const keys = fake.called('uploadFile').map((c) => c.args.header['Idempotency-Key'])
    expect(new Set(keys).size).toBe(2)
    expect(fake.called('showToast').map((c) => c.args.title)).toContain('已上传 2 张照片')
    expect(page.querySelectorAll('.album-photo')).toHaveLength(2)
  })

  test('the server’s refusal is said in its words', async () => {
    const { page, fake } = open(checkedIn, {
      'UPLOAD /api/v1/activities/5/photos': { status: 403, body: { error: { code: 'forbidden', message: '只有已签到的参与者和组织者可以上传照片' } } },
    })
    await flush(20)
    fake.state.media = ['wxfile://tmp/a.jpg']
    tap(page, '#upload-photos')
    await flush(40)
    expect(fake.called('showModal').map((c) => c.args.content)).toContain('只有已签到的参与者和组织者可以上传照片')
  })
})
