// 公益海口 for a team's admins: who sees the organiser's pages, the list of
// their activities in every status, the activity form and its refusals,
// 提交审核 and 取消活动, the rotating on-site code and 代签到 / 代签退.
// Times are built around a fixed "now" given to the pages.
const { NOW, at, TEAM, activity, open, requests } = require('../support/volunteering')
const { render, flush, text, tap, type } = require('../support/render')
const rules = require('../../miniprogram/utils/organiser')

const QR1 = 'data:image/png;base64,AAAA'
const QR2 = 'data:image/png;base64,BBBB'

const toasts = (fake) => fake.called('showToast').map((c) => c.args.title)
const buttons = (comp, ids) => ids.filter((s) => comp.querySelector(s))

describe('what an organiser may do with an activity, by its status and the time', () => {
  const ALL = ['canEdit', 'canSubmit', 'canCancel', 'canReschedule', 'canOnsite', 'canRoster']
  test.each([
    ['a draft', { status: 'draft' }, ['canEdit', 'canSubmit', 'canCancel'], '草稿'],
    ['under review', { status: 'submitted' }, ['canCancel'], '已提交审核'],
    ['refused: the reason, and it may be edited and sent again', { status: 'refused', review_note: '活动地点不在服务范围' },
      ['canEdit', 'canSubmit', 'canCancel'], '未通过审核：活动地点不在服务范围。修改后可重新提交'],
    ['published, check-in not open yet: may be moved', {}, ['canCancel', 'canReschedule', 'canRoster'], '现场签到将于 2026-04-11 14:10 开放'],
    ['published, check-in open: the code, no more moving', { start_at: at(20), end_at: at(200) }, ['canCancel', 'canOnsite', 'canRoster'], ''],
    ['in progress', { status: 'in_progress', start_at: at(-30), end_at: at(60) }, ['canOnsite', 'canRoster'], ''],
    ['finished, check-out still open', { status: 'finished', start_at: at(-200), end_at: at(-20) }, ['canOnsite', 'canRoster'], '签退将于 2026-04-11 10:20 关闭'],
    ['finished and settled', { status: 'finished', start_at: at(-400), end_at: at(-300), settled_at: at(-180) }, ['canRoster'], '签到签退已关闭'],
    ['cancelled', { status: 'cancelled', review_note: '台风预警' }, [], '活动已取消：台风预警'],
  ])('%s', (_, extra, allowed, note) => {
    const view = rules.organiserView(activity(extra), NOW)
    expect(ALL.filter((k) => view[k])).toEqual(allowed)
    if (note) expect(view.note).toContain(note)
    else expect(view.note).toBe('')
  })

  test('counts: signed up holds a place; checked in counts whoever arrived', () => {
    const st = ['confirmed', 'confirmed', 'checked_in', 'checked_out', 'no_show', 'waitlisted', 'cancelled']
    expect(rules.rosterCounts(st.map((status) => ({ status })))).toEqual({
      signedUp: 5, checkedIn: 2, checkedOut: 1, notYet: 2, waitlisted: 1, cancelled: 1,
    })
  })

  test('the next code is fetched 5 s before the shown one expires, by the server’s clock, not the phone’s', () => {
    const issued = 1775867200
    const answer = { token: `5.${issued}.abcDEF`, expires_at: new Date((issued + 30) * 1000).toISOString() }
    expect(rules.refreshDelay(answer)).toBe(25000)
    expect(rules.refreshDelay({ ...answer, expires_at: new Date((issued + 4) * 1000).toISOString() })).toBe(2000) // never a busy loop
    expect(rules.refreshDelay({ token: 'garbled', expires_at: 'garbled' })).toBe(25000)
  })

  test('the form is checked as the server would, field by field', () => {
    const form = { ...rules.newActivityForm(2, NOW), capacity: '0', radius_m: '10' }
    expect(form.start_at).toBe(Date.parse('2026-04-12T01:00:00Z')) // tomorrow, the next full hour
    expect(rules.checkForm(form, NOW)).toEqual({
      title: '请填写活动名称', address: '请在地图上选择活动地点', capacity: '名额须为 1 至 100000 之间的整数', radius_m: '签到范围须为 20 至 5000 米',
      start_at: '', end_at: '', signup_deadline: '',
    })
    const late = { ...form, end_at: form.start_at + 25 * 3600000, signup_deadline: form.start_at + 60000 }
    expect(rules.checkTimes(late, NOW)).toEqual({ start_at: '', end_at: '一次活动最长 24 小时，更长的服务请分为多次活动', signup_deadline: '报名截止时间不能晚于开始时间' })
    expect(rules.checkTimes({ ...form, start_at: NOW - 1 }, NOW).start_at).toBe('开始时间须晚于现在')
  })
})

describe('who is shown the organiser pages', () => {
  const routes = (role) => ({
    'GET /api/v1/volunteer/me': { id: 1, number: 'HK000001', name: '陈海燕', certified_at: at(-9000) },
    'GET /api/v1/volunteer/me/hours': { total_hours: 0, credit_hours: 0, honor_hours: 0, entries: [] },
    'GET /api/v1/teams': (req) => ({ teams: req.query.mine === 'true' ? [{ ...TEAM, my_role: role }] : [] }),
  })

  test('a team admin finds 我组织的活动 on 公益海口', async () => {
    const { comp, fake } = open('pages/volunteer/index', {}, routes('admin'))
    await flush(20)
    expect(requests(fake, 'GET', '/api/v1/teams?mine=true')).toHaveLength(1)
    tap(comp, '#organiser')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/organiser/activities')
  })

  test('a member who administers nothing does not', async () => {
    const { comp } = open('pages/volunteer/index', {}, routes('member'))
    await flush(20)
    expect(comp.querySelector('#organiser')).toBeFalsy()
    expect(text(comp)).not.toContain('我组织的活动')
  })
})

describe('我组织的活动', () => {
  const list = [
    activity({ id: 1, title: '金牛岭公园义务植树', status: 'draft' }),
    activity({ id: 2, title: '骑楼老街文明引导', status: 'submitted' }),
    activity({ id: 3, title: '海口湾清洁行动', status: 'refused', review_note: '请补充安全保障措施' }),
    activity({ id: 5 }),
  ]
  const routes = (queries) => ({
    'GET /api/v1/teams': { teams: [TEAM, { id: 9, name: '别的队伍', status: 'certified', my_role: 'member' }] },
    'GET /api/v1/activities': (req) => (queries.push(req.query), { activities: req.query.status.includes('draft') ? list : [activity({ id: 8, title: '去年的净滩', status: 'finished' })] }),
  })

  test('every status of my team’s activities, a refusal with its reason', async () => {
    const queries = []
    const { comp } = open('pages/organiser/activities', {}, routes(queries))
    await flush(20)
    expect(queries[0]).toEqual({ team_id: '2', status: 'draft,submitted,refused,published,in_progress' })
    const shown = text(comp)
    for (const w of ['龙华区青年志愿者协会', '金牛岭公园义务植树', '草稿', '审核中', '未通过', '未通过：请补充安全保障措施', '报名中']) expect(shown).toContain(w)
    expect(shown).not.toContain('别的队伍') // a member there, not an organiser
  })

  test('已结束 asks for the finished and cancelled ones', async () => {
    const queries = []
    const { comp } = open('pages/organiser/activities', {}, routes(queries))
    await flush(20)
    comp.instance.onTab({ detail: { index: 1 } })
    await flush(20)
    expect(queries[1].status).toBe('finished,cancelled')
    expect(text(comp)).toContain('去年的净滩')
  })

  test('新建活动 opens the form for my team; an item opens its management page', async () => {
    const { comp, fake } = open('pages/organiser/activities', {}, routes([]))
    await flush(20)
    tap(comp, '#new')
    tap(comp, '.activity')
    await flush(5)
    expect(fake.called('navigateTo').map((c) => c.args.url)).toEqual(['/pages/organiser/edit?team_id=2', '/pages/organiser/activity?id=1'])
  })

  test('someone who administers no team is told so', async () => {
    const { comp } = open('pages/organiser/activities', {}, { 'GET /api/v1/teams': { teams: [] } })
    await flush(20)
    expect(text(comp)).toContain('您还不是志愿团队的管理员')
    expect(comp.querySelector('#new')).toBeFalsy()
  })
})

describe('新建/编辑活动', () => {
  test('checked before sending: each error next to its field, nothing sent', async () => {
    const { comp, fake } = open('pages/organiser/edit', { team_id: '2' }, {})
    await flush(10)
    tap(comp, '#save')
    await flush(10)
    expect(comp.querySelector('#title').dom.textContent).toContain('请填写活动名称')
    expect(comp.querySelector('#address').dom.textContent).toContain('请在地图上选择活动地点')
    expect(fake.called('request')).toHaveLength(0)
  })

  function fillIn(comp) {
    type(comp, '#title', '万绿园净滩护绿行动')
    type(comp, '#capacity', '30')
    tap(comp, '#choose-location')
  }

  test('a draft: the place as GCJ-02 with its coord_system, times as instants; then its page', async () => {
    let body = null
    const { comp, fake } = open('pages/organiser/edit', { team_id: '2' }, {
      'POST /api/v1/activities': (req) => (body = req.data, { status: 201, body: activity({ id: 31, status: 'draft' }) }),
    })
    await flush(10)
    fillIn(comp)
    await flush(10)
    tap(comp, '#save')
    await flush(20)
    expect(body).toEqual({
      team_id: 2, title: '万绿园净滩护绿行动', description: '', requirements: '', address: '海南省海口市龙华区 测试地点',
      lat: 20.0028, lng: 110.2999, coord_system: 'gcj02', radius_m: 200, capacity: 30,
      start_at: '2026-04-12T01:00:00.000Z', end_at: '2026-04-12T04:00:00.000Z', signup_deadline: '2026-04-12T00:00:00.000Z',
    })
    expect(toasts(fake)).toContain('草稿已保存')
    expect(fake.called('redirectTo')[0].args.url).toBe('/pages/organiser/activity?id=31')
  })

  test('the server’s refusal lands on the field it names, in its words', async () => {
    const { comp, fake } = open('pages/organiser/edit', { team_id: '2' }, {
      'POST /api/v1/activities': { status: 400, body: { error: { code: 'invalid', message: '活动名称含有违规内容', field: 'title' } } },
    })
    await flush(10)
    fillIn(comp)
    await flush(10)
    tap(comp, '#save')
    await flush(20)
    expect(comp.querySelector('#title').dom.textContent).toContain('活动名称含有违规内容')
    expect(fake.called('redirectTo')).toHaveLength(0)
  })

  test('a place outside Haikou is said on the place', async () => {
    const { comp } = open('pages/organiser/edit', { team_id: '2' }, {
      'POST /api/v1/activities': { status: 400, body: { error: { code: 'invalid', message: '活动地点不在海口市范围内', field: 'lat' } } },
    })
    await flush(10)
    fillIn(comp)
    await flush(10)
    tap(comp, '#save')
    await flush(20)
    expect(comp.querySelector('#address').dom.textContent).toContain('活动地点不在海口市范围内')
  })

  test('保存并提交审核: the draft, then its submission; refused by the review, the second tap does not draft again', async () => {
    const posted = []
    let certified = false
    const { comp, fake } = open('pages/organiser/edit', { team_id: '2' }, {
      'POST /api/v1/activities': (req) => (posted.push('create'), { status: 201, body: activity({ id: 31, status: 'draft' }) }),
      'PUT /api/v1/activities/31': (req) => (posted.push('update'), activity({ id: 31, status: 'draft' })),
      'POST /api/v1/activities/31/submit': () => (posted.push('submit'), certified
        ? activity({ id: 31, status: 'submitted' })
        : { status: 422, body: { error: { code: 'unprocessable', message: '队伍尚未通过认证，不能发布活动' } } }),
    })
    await flush(10)
    fillIn(comp)
    await flush(10)
    tap(comp, '#save-submit')
    await flush(20)
    expect(fake.called('showModal')[0].args.content).toContain('队伍尚未通过认证')
    certified = true
    tap(comp, '#save-submit')
    await flush(20)
    expect(posted).toEqual(['create', 'submit', 'update', 'submit'])
    expect(toasts(fake)).toContain('已提交审核')
  })

  test('editing a refused activity: its place back in GCJ-02, saved with PUT', async () => {
    let body = null
    const { comp, fake } = open('pages/organiser/edit', { id: '5' }, {
      'GET /api/v1/activities/5': activity({ status: 'refused', review_note: '请补充安全保障措施' }),
      'PUT /api/v1/activities/5': (req) => (body = req.data, activity({ status: 'refused' })),
    })
    await flush(20)
    expect(comp.querySelector('#title').dom.textContent).toBeDefined()
    tap(comp, '#save')
    await flush(20)
    // 万绿园 at WGS-84 20.0405, 110.3222 is 20.0384, 110.3266 on a Chinese map.
    expect(body.coord_system).toBe('gcj02')
    expect(body.lat).toBeCloseTo(20.0384, 4)
    expect(body.lng).toBeCloseTo(110.3266, 4)
    expect(body.title).toBe('万绿园净滩护绿行动')
    expect(fake.called('navigateBack')).toHaveLength(1)
  })

  test('a published activity is not edited here', async () => {
    const { comp } = open('pages/organiser/edit', { id: '5' }, { 'GET /api/v1/activities/5': activity() })
    await flush(20)
    expect(text(comp)).toContain('只有草稿或未通过审核的活动可以修改')
  })

  test('改期 needs a reason, then moves the times', async () => {
    let body = null
    const { comp, fake } = open('pages/organiser/edit', { id: '5', mode: 'reschedule' }, {
      'GET /api/v1/activities/5': activity(),
      'POST /api/v1/activities/5/reschedule': (req) => (body = req.data, activity()),
    })
    await flush(20)
    expect(comp.querySelector('#title')).toBeFalsy() // only the times move
    tap(comp, '#reschedule')
    await flush(10)
    expect(comp.querySelector('#reason').dom.textContent).toContain('请填写改期原因')
    expect(body).toBeNull()
    comp.instance.onPick({ currentTarget: { dataset: { key: 'start_at' } } })
    comp.instance.onPicked({ detail: NOW + 24 * 3600000 }) // a day later than planned: the end and deadline move along
    type(comp, '#reason', '天气原因')
    await flush(10)
    tap(comp, '#reschedule')
    await flush(20)
    expect(body).toEqual({ start_at: at(24 * 60), end_at: at(27 * 60), signup_deadline: at(23 * 60), reason: '天气原因' })
    expect(fake.called('navigateBack')).toHaveLength(1)
  })
})

describe('活动管理', () => {
  test('refused: the reason, 编辑 and 提交审核; submitting asks first', async () => {
    let submitted = 0
    const { comp, fake } = open('pages/organiser/activity', { id: '5' }, {
      'GET /api/v1/activities/5': () => activity({ status: submitted ? 'submitted' : 'refused', review_note: '请补充安全保障措施' }),
      'POST /api/v1/activities/5/submit': (req) => (submitted++, expect(req.header['Idempotency-Key']).toBeTruthy(), activity({ status: 'submitted' })),
    })
    await flush(20)
    expect(comp.querySelector('#note').dom.textContent).toContain('未通过审核：请补充安全保障措施')
    expect(buttons(comp, ['#onsite', '#roster', '#edit', '#submit', '#reschedule', '#cancel'])).toEqual(['#edit', '#submit', '#cancel'])
    tap(comp, '#submit')
    await flush(20)
    expect(fake.called('showModal')[0].args.confirmText).toBe('提交审核')
    expect(submitted).toBe(1)
    expect(toasts(fake)).toContain('已提交审核')
  })

  test('check-in open: 现场签到码 and the roster, no more 改期', async () => {
    const { comp, fake } = open('pages/organiser/activity', { id: '5' }, { 'GET /api/v1/activities/5': activity({ start_at: at(20), end_at: at(200) }) })
    await flush(20)
    expect(buttons(comp, ['#onsite', '#roster', '#edit', '#submit', '#reschedule', '#cancel'])).toEqual(['#onsite', '#roster', '#cancel'])
    tap(comp, '#onsite')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/organiser/onsite?id=5')
  })

  test('取消活动 takes a reason, sent to everyone signed up; no reason, nothing sent', async () => {
    const sent = []
    const { comp, fake } = open('pages/organiser/activity', { id: '5' }, {
      'GET /api/v1/activities/5': activity(),
      'POST /api/v1/activities/5/cancel': (req) => (sent.push(req.data), activity({ status: 'cancelled', review_note: req.data.reason })),
    })
    await flush(20)
    fake.state.modalContent = '  '
    tap(comp, '#cancel')
    await flush(20)
    expect(fake.called('showModal')[0].args).toMatchObject({ editable: true, placeholderText: '取消原因（将通知已报名的 12 人）' })
    expect(sent).toEqual([])
    expect(toasts(fake)).toContain('请填写取消原因')
    fake.state.modalContent = '台风预警，活动取消'
    tap(comp, '#cancel')
    await flush(20)
    expect(sent).toEqual([{ reason: '台风预警，活动取消' }])
    expect(toasts(fake)).toContain('活动已取消')
  })

  test('someone who does not run the activity is told so', async () => {
    const { comp } = open('pages/organiser/activity', { id: '5' }, { 'GET /api/v1/activities/5': activity({ can_edit: false }) })
    await flush(20)
    expect(text(comp)).toContain('只有活动所属队伍的管理员可以管理该活动')
  })
})

describe('现场签到', () => {
  const signups = [
    { id: 1, user_id: 8, name: '王小明', status: 'checked_in', checkin_at: at(-5) },
    { id: 2, user_id: 9, name: '林晓琳', status: 'confirmed' },
  ]
  function onsite(tokenRoute) {
    const timers = []
    const cleared = []
    const { comp, fake } = open('pages/organiser/onsite', { id: '5' }, {
      'GET /api/v1/activities/5': activity({ status: 'in_progress', start_at: at(-30), end_at: at(60) }),
      'GET /api/v1/activities/5/checkin-token': tokenRoute,
      'GET /api/v1/activities/5/signups': { signups },
    }, (c) => {
      c.instance.setTimer = (fn, ms) => timers.push({ fn, ms })
      c.instance.clearTimer = (id) => cleared.push(id)
    })
    return { comp, fake, timers, cleared }
  }
  // The simulator's <image> keeps no src: what it is given is the page's qr.
  const shownQR = (comp) => comp.querySelector('#qr') && comp.instance.data.qr
  const issued = 1775867200
  const code = (n, qr) => ({ token: `5.${issued + n}.abcDEF`, expires_at: new Date((issued + n + 30) * 1000).toISOString(), qr_png: qr })

  test('the code full width, the screen kept on, the counts; the next code 5 s before this one expires', async () => {
    let n = 0
    const { comp, fake, timers } = onsite(() => (n++ === 0 ? code(0, QR1) : code(25, QR2)))
    await flush(20)
    expect(shownQR(comp)).toBe(QR1)
    expect(fake.called('setKeepScreenOn').map((c) => c.args.keepScreenOn)).toEqual([true])
    expect(comp.querySelector('#counts').dom.textContent.replace(/\s+/g, '')).toBe('2已报名1已签到0已签退1未签到')
    const refresh = timers.find((t) => t.ms === 25000)
    expect(refresh).toBeTruthy()
    expect(timers.map((t) => t.ms).sort()).toEqual([10000, 25000]) // the counts every 10 s
    refresh.fn()
    await flush(20)
    expect(shownQR(comp)).toBe(QR2)
    expect(requests(fake, 'GET', '/checkin-token')).toHaveLength(2)
  })

  test('hidden: the timers stop and the screen may sleep; an answer arriving after arms nothing', async () => {
    const { comp, fake, timers, cleared } = onsite(code(0, QR1))
    await flush(20)
    const armed = timers.length
    comp.instance.onShow() // shown again: the old run ends first
    comp.instance.onHide()
    await flush(20)
    expect(cleared.length).toBeGreaterThanOrEqual(2)
    expect(timers.length).toBe(armed) // the answers to the second run came after the hide
    expect(fake.called('setKeepScreenOn').map((c) => c.args.keepScreenOn).slice(-1)).toEqual([false])
    const before = requests(fake, 'GET', '/checkin-token').length
    timers.forEach((t) => t.fn()) // a timer that fires anyway belongs to a run that ended
    await flush(20)
    expect(timers.length).toBe(armed)
    expect(requests(fake, 'GET', '/checkin-token').length).toBe(before + 1) // fetched once, shown never
    comp.instance.onUnload()
  })

  test('no answer: keeps trying every 3 s; a refusal is shown and ends the asking', async () => {
    let n = 0
    const { comp, fake, timers } = onsite(() => (n++ === 0
      ? { status: 503, body: { error: { code: 'unavailable', message: '服务暂时不可用' } } }
      : { status: 409, body: { error: { code: 'conflict', message: '活动当前为“已取消”' } } }))
    await flush(20)
    expect(comp.querySelector('#retrying').dom.textContent).toContain('服务暂时不可用，正在重试')
    const retry = timers.find((t) => t.ms === 3000)
    retry.fn()
    await flush(20)
    expect(text(comp)).toContain('活动当前为“已取消”')
    expect(comp.querySelector('#qr')).toBeFalsy()
    expect(fake.called('setKeepScreenOn').map((c) => c.args.keepScreenOn)).toEqual([true, false])
  })
})

describe('报名名单 · 代签到', () => {
  function roster(routes) {
    let list = [
      { id: 1, user_id: 8, name: '王小明', status: 'confirmed' },
      { id: 2, user_id: 9, name: '林晓琳', status: 'checked_in', checkin_at: at(-25) },
      { id: 3, user_id: 10, name: '陈大海', status: 'waitlisted', position: 1 },
      { id: 4, user_id: 11, name: '取消的人', status: 'cancelled' },
    ]
    const sent = []
    const { comp, fake } = open('pages/organiser/signups', { id: '5' }, {
      'GET /api/v1/activities/5': activity({ status: 'in_progress', start_at: at(-30), end_at: at(60) }),
      'GET /api/v1/activities/5/signups': () => ({ signups: list }),
      'POST /api/v1/activities/5/signups/8/checkin': (req) => {
        sent.push({ path: 'checkin', data: req.data, key: req.header['Idempotency-Key'] })
        list = list.map((su) => (su.user_id === 8 ? { ...su, status: 'checked_in', checkin_at: at(0), checkin_manual: true } : su))
        return list[0]
      },
      'POST /api/v1/activities/5/signups/9/checkout': (req) => (sent.push({ path: 'checkout', data: req.data }),
      { signup: { ...list[1], status: 'checked_out' }, hours: { hours: 0 } }),
      ...routes,
    })
    return { comp, fake, sent }
  }

  test('names and statuses; 代签到 for the confirmed, 代签退 for those in; the cancelled counted, not listed', async () => {
    const { comp } = roster()
    await flush(20)
    const shown = text(comp)
    for (const w of ['王小明', '已报名', '林晓琳', '已签到', '签到 08:15', '陈大海', '候补第 1 位', '已取消 1']) expect(shown).toContain(w)
    expect(shown).not.toContain('取消的人')
    expect(buttons(comp, ['#checkin-8', '#checkout-8', '#checkin-9', '#checkout-9', '#checkin-10'])).toEqual(['#checkin-8', '#checkout-9'])
  })

  test('no 代签到 or 代签退 on my own row: another organiser checks me in, or I scan their code', async () => {
    const mine = (status) => ({ 'GET /api/v1/activities/5/signups': { signups: [
      { id: 5, user_id: 7, name: '陈队长', status },
      { id: 1, user_id: 8, name: '王小明', status: 'confirmed' },
    ] } })
    for (const status of ['confirmed', 'checked_in']) {
      const { comp } = roster(mine(status))
      await flush(20)
      expect(buttons(comp, ['#checkin-7', '#checkout-7', '#checkin-8'])).toEqual(['#checkin-8'])
      expect(text(comp)).toContain('本人请扫其他组织者的签到码，或由其他管理员代签')
    }
  })

  test('代签到 asks why, sends the reason with a key, and the list shows who was checked in by hand', async () => {
    const { comp, fake, sent } = roster()
    await flush(20)
    fake.state.modalContent = '老人未带手机'
    tap(comp, '#checkin-8')
    await flush(30)
    expect(fake.called('showModal')[0].args).toMatchObject({ title: '为 王小明 代签到', editable: true })
    expect(sent).toEqual([{ path: 'checkin', data: { reason: '老人未带手机' }, key: expect.any(String) }])
    expect(toasts(fake)).toContain('已代签到')
    expect(text(comp)).toContain('签到 08:40（代签）')
  })

  test('closing the prompt or giving no reason sends nothing', async () => {
    const { comp, fake, sent } = roster()
    await flush(20)
    fake.state.modalConfirm = false
    tap(comp, '#checkout-9')
    await flush(20)
    fake.state.modalConfirm = true
    fake.state.modalContent = ''
    tap(comp, '#checkout-9')
    await flush(20)
    expect(sent).toEqual([])
    expect(toasts(fake)).toContain('请填写代签退原因')
  })

  test('the server’s refusal is shown as it is', async () => {
    const { comp, fake } = roster({
      'POST /api/v1/activities/5/signups/9/checkout': { status: 422, body: { error: { code: 'unprocessable', message: '活动 2026-04-11 08:10 开始后才能签退' } } },
    })
    await flush(20)
    fake.state.modalContent = '提前离开'
    tap(comp, '#checkout-9')
    await flush(30)
    expect(fake.called('showModal').map((c) => c.args.content)).toContain('活动 2026-04-11 08:10 开始后才能签退')
  })
})
