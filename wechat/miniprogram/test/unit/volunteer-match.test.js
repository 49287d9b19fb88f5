// 公益海口 精准匹配 for volunteers: 我的技能与服务意愿 (skills from the
// catalogue, verified ones marked, the area from WeChat's map, opting in to
// being found) and 活动邀请 (on their own page, on the activity's page where
// the invitation's message opens, and counted on 公益海口). Times are built
// around a fixed "now" given to the pages.
const { at, open: openPage, requests } = require('../support/volunteering')
const { render, flush, text, tap } = require('../support/render')
const match = require('../../miniprogram/utils/match')
const { wgs84ToGcj02 } = require('../../miniprogram/utils/coord')

const TEAM = '龙华区青年志愿者协会'
const CATALOGUE = { skills: [{ name: '急救', certificate: true }, { name: '外语', certificate: false }, { name: '驾驶', certificate: true }, { name: '摄影', certificate: false }] }

function activity(id, extra = {}) {
  return {
    id, team_id: 2, team: TEAM, title: '万绿园净滩护绿行动', description: '清理海岸线垃圾', address: '海口市龙华区滨海大道万绿园',
    lat: 20.0405, lng: 110.3222, radius_m: 300, status: 'published', start_at: at(24 * 60), end_at: at(27 * 60), signup_deadline: at(23 * 60),
    capacity: 30, confirmed: 12, waitlisted: 0, ...extra,
  }
}

function invitation(id, activityId, extra = {}) {
  return { id, activity_id: activityId, volunteer_id: 3, status: 'pending', expires_at: at(23 * 60), created_at: at(-60), ...extra }
}

const SUBSCRIPTIONS = { subscriptions: [
  { template: 'signup_confirmed', template_id: 'tpl-su', remaining: 0 },
  { template: 'activity_reminder', template_id: 'tpl-rem', remaining: 0 },
  { template: 'activity_changed', template_id: 'tpl-chg', remaining: 0 },
  { template: 'volunteer_invitation', template_id: 'tpl-inv', remaining: 0 },
] }

const open = (page, query, routes, setup) =>
  openPage(page, query, { 'GET /api/v1/wechat/subscriptions': SUBSCRIPTIONS, 'POST /api/v1/wechat/subscriptions': { recorded: 3 }, ...routes }, setup)

const toasts = (fake) => fake.called('showToast').map((c) => c.args.title)
const modals = (fake) => fake.called('showModal').map((c) => c.args)
const has = (comp, selector) => !!comp.querySelector(selector)
const shown = (comp, selector) => comp.querySelector(selector).dom.textContent.replace(/\s+/g, ' ')

describe('我的技能与服务意愿', () => {
  // 王小明's profile as the server keeps it: 急救 verified by his team, an area in WGS-84.
  const MINE = {
    skills: [{ skill: '急救', verified: true, verified_at: at(-1440) }, { skill: '驾驶', verified: false }],
    availability: '周末', findable: false, lat: 20.032, lng: 110.331, radius_m: 3000,
  }
  function skillsPage(routes = {}, mine = MINE) {
    const puts = []
    const opened = open('pages/volunteer/skills', {}, {
      'GET /api/v1/volunteer/skills': CATALOGUE,
      'GET /api/v1/volunteer/me/skills': mine,
      'PUT /api/v1/volunteer/me/skills': (req) => {
        puts.push(req.data)
        return { skills: req.data.skills.map((skill) => ({ skill, verified: skill === '急救' })), availability: req.data.availability,
          findable: req.data.findable, lat: req.data.lat === undefined ? null : 20.032, lng: req.data.lng === undefined ? null : 110.331,
          radius_m: req.data.radius_m || 0 }
      },
      ...routes,
    })
    return { ...opened, puts }
  }

  test('the catalogue with my skills ticked; those needing a certificate say whether a team verified them', async () => {
    const { comp } = skillsPage()
    await flush(20)
    const rows = [0, 1, 2, 3].map((i) => shown(comp, `#skill-${i}`))
    expect(rows[0]).toContain('急救')
    expect(rows[0]).toContain('需证书 · 已由队伍核验')
    expect(rows[1]).toContain('外语')
    expect(rows[1]).not.toContain('需证书')
    expect(rows[2]).toContain('需证书 · 待所在队伍的管理员查看证书后核验')
    expect(rows[3]).toContain('摄影')
    expect(comp.instance.data.skills.map((sk) => sk.chosen)).toEqual([true, false, true, false])
    expect(shown(comp, '#choose-location')).toContain('已在地图上选定')
    expect(shown(comp, '#radius')).toContain('3 公里内')
    expect(comp.instance.data.availability).toBe('周末')
    expect(comp.instance.data.findable).toBe(false)
    // The area comes back to the map as GCJ-02.
    const g = wgs84ToGcj02(20.032, 110.331)
    expect(comp.instance.data.location.latitude).toBeCloseTo(g.latitude, 6)
    // Being findable is explained in plain words: roughly where I live.
    expect(shown(comp, '#findable-hint')).toContain('大致住在哪里')
    expect(shown(comp, '#findable-hint')).toContain('默认关闭')
  })

  test('save sends the skills chosen, the area picked on the map as GCJ-02 with coord_system, the distance and findable', async () => {
    const { comp, fake, puts } = skillsPage()
    await flush(20)
    tap(comp, '#skill-1') // 外语 on
    tap(comp, '#skill-2') // 驾驶 off
    fake.state.location = { latitude: 20.0301, longitude: 110.3352 } // what wx.chooseLocation answers: GCJ-02
    tap(comp, '#choose-location')
    await flush(10)
    expect(shown(comp, '#choose-location')).toContain('海南省海口市龙华区 测试地点')
    comp.instance.onRadius({ detail: { value: 3 } }) // 10 公里
    comp.instance.onAvailability({ detail: '周末全天，工作日晚上' })
    comp.instance.onFindable({ detail: true })
    await flush(10)
    expect(modals(fake)[0]).toMatchObject({ title: '允许被组织者找到', confirmText: '允许' })
    expect(modals(fake)[0].content).toContain('约 500 米区域')
    expect(modals(fake)[0].content).toContain('姓名在您接受邀请后才显示')
    tap(comp, '#save')
    await flush(20)
    expect(puts).toEqual([{
      skills: ['急救', '外语'], availability: '周末全天，工作日晚上', findable: true,
      lat: 20.0301, lng: 110.3352, coord_system: 'gcj02', radius_m: 10000,
    }])
    expect(toasts(fake)).toContain('已保存，组织者可以找到您')
    expect(shown(comp, '#skill-0')).toContain('已由队伍核验') // as the server answered
  })

  test('finding stays off when the explanation is declined; on without an area, it asks for one and sends nothing', async () => {
    const { comp, fake, puts } = skillsPage({}, { ...MINE, lat: null, lng: null, radius_m: 0 })
    await flush(20)
    expect(shown(comp, '#choose-location')).toContain('地图选点')
    fake.state.modalConfirm = false
    comp.instance.onFindable({ detail: true })
    await flush(10)
    expect(comp.instance.data.findable).toBe(false)
    fake.state.modalConfirm = true
    comp.instance.onFindable({ detail: true })
    await flush(10)
    expect(comp.instance.data.findable).toBe(true)
    expect(shown(comp, '#error-area')).toContain('请先在地图上选择常驻位置')
    tap(comp, '#save')
    await flush(20)
    expect(puts).toEqual([])
    expect(toasts(fake)).toContain('请检查标红的项目')
    comp.instance.onFindable({ detail: false }) // off again: no area needed
    await flush(5)
    expect(has(comp, '#error-area')).toBe(false)
    tap(comp, '#save')
    await flush(20)
    expect(puts).toEqual([{ skills: ['急救', '驾驶'], availability: '周末', findable: false }])
  })

  test('清除位置 forgets the area and switches finding off', async () => {
    const { comp, puts } = skillsPage({}, { ...MINE, findable: true })
    await flush(20)
    tap(comp, '#clear-area')
    await flush(5)
    expect(comp.instance.data.findable).toBe(false)
    tap(comp, '#save')
    await flush(20)
    expect(puts).toEqual([{ skills: ['急救', '驾驶'], availability: '周末', findable: false }])
    expect(shown(comp, '#choose-location')).toContain('地图选点')
  })

  test.each([
    ['skills', '“飞行”不在技能目录中', '#error-skills'],
    ['lat', '服务区域须在海口市内', '#error-area'],
    ['coord_system', 'coord_system 须为 wgs84 或 gcj02', '#error-area'],
    ['radius_m', 'radius_m 须在 0 到 50000 之间', '#error-radius_m'],
    ['availability', '可服务时间不能超过 200 字', '#availability'],
  ])('the server’s refusal of %s lands next to its field, in its words', async (field, message, selector) => {
    const { comp, fake } = skillsPage({
      'PUT /api/v1/volunteer/me/skills': { status: 400, body: { error: { code: 'invalid', message, field } } },
    })
    await flush(20)
    tap(comp, '#save')
    await flush(20)
    expect(shown(comp, selector)).toContain(message)
    expect(toasts(fake).concat(modals(fake).map((m) => m.content))).toContain(message)
  })

  test('not certified yet: the server’s reason, and the way to 实名认证', async () => {
    const { comp, fake } = skillsPage({
      'GET /api/v1/volunteer/me/skills': { status: 403, body: { error: { code: 'forbidden', message: '请先完成实名认证' } } },
    })
    await flush(20)
    expect(text(comp)).toContain('请先完成实名认证')
    tap(comp, '#certify')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/volunteer/certify')
  })

  test('utils: the distance shown is the choice nearest to the one kept', () => {
    expect(match.TRAVEL_RADII[match.travelIndex(0)]).toBe(5000)
    expect(match.TRAVEL_RADII[match.travelIndex(3000)]).toBe(3000)
    expect(match.TRAVEL_RADII[match.travelIndex(12000)]).toBe(10000)
    expect(match.TRAVEL_RADII[match.travelIndex(50000)]).toBe(50000)
    expect(match.checkSkillsForm({ availability: '周'.repeat(201) }).availability).toContain('200')
  })
})

describe('活动邀请', () => {
  const A5 = activity(5)
  const A6 = activity(6, { title: '金牛岭公园义务植树', address: '海口市龙华区金牛岭公园', start_at: at(7 * 1440), end_at: at(7 * 1440 + 180),
    confirmed: 50, capacity: 50, my_signup: { status: 'waitlisted', position: 2 } })
  const A7 = activity(7, { title: '骑楼老街文明引导', address: '海口市龙华区中山路骑楼老街', start_at: at(-600), end_at: at(-420) })
  const A8 = activity(8, { title: '海甸溪清淤', status: 'cancelled' })
  // The list answers each invitation with its activity, as the API sums it up.
  const summary = (a) => ({ id: a.id, team_id: a.team_id, team: a.team, title: a.title, address: a.address, start_at: a.start_at,
    end_at: a.end_at, signup_deadline: a.signup_deadline, status: a.status })
  const to = (id, a, extra = {}) => invitation(id, a.id, { activity: summary(a), ...extra })
  const INVITATIONS = [
    to(14, A8),
    to(13, A5),
    to(12, A6, { status: 'accepted', decided_at: at(-30), signup_id: 4 }),
    to(11, A7, { status: 'expired', expires_at: at(-660) }),
    to(10, A7, { status: 'declined', decided_at: at(-1440), expires_at: at(-660) }), // an older one, to the same activity
  ]
  // My signups: where I stand on the activities of the invitations I accepted.
  const SIGNUPS = { signups: [
    { id: 4, activity_id: 6, user_id: 7, status: 'waitlisted', position: 2, created_at: at(-30) },
    { id: 3, activity_id: 6, user_id: 7, status: 'cancelled', created_at: at(-90) },
  ] }
  function invitationsPage(routes = {}, invitations = INVITATIONS) {
    const sent = []
    let list = invitations.map((inv) => ({ ...inv }))
    const answer = (status, body) => (req) => {
      const id = Number(req.path.split('/')[6])
      sent.push({ path: req.path, key: req.header['Idempotency-Key'] })
      list = list.map((inv) => (inv.id === id ? { ...inv, status, decided_at: at(0) } : inv))
      return body(list.find((inv) => inv.id === id))
    }
    const opened = open('pages/volunteer/invitations', {}, {
      'GET /api/v1/volunteer/me/invitations': () => ({ invitations: list }),
      'GET /api/v1/volunteer/me/signups': SIGNUPS,
      'POST /api/v1/volunteer/me/invitations/13/accept': answer('accepted', (inv) => ({ invitation: inv, signup: { id: 9, activity_id: 5, status: 'confirmed' } })),
      'POST /api/v1/volunteer/me/invitations/13/decline': answer('declined', (inv) => inv),
      ...routes,
    })
    return { ...opened, sent }
  }

  test('each with its activity (time, place, team) and where it stands; those open first; no activity read one by one', async () => {
    const { comp, fake } = invitationsPage()
    await flush(30)
    expect(shown(comp, '#open-title')).toContain('待回复 1')
    const open13 = shown(comp, '#inv-13')
    for (const w of ['万绿园净滩护绿行动', TEAM, '时间：2026-04-12 08:40 至 11:40', '地点：海口市龙华区滨海大道万绿园', '待回复', '请在 2026-04-12 07:40（报名截止）前回复', '接受并报名', '谢绝']) {
      expect(open13).toContain(w)
    }
    expect(shown(comp, '#inv-12')).toContain('已接受邀请：候补第 2 位')
    expect(shown(comp, '#inv-11')).toContain('已过期')
    expect(shown(comp, '#inv-11')).toContain('报名已截止，邀请已过期')
    expect(shown(comp, '#inv-10')).toContain('已于 04-10 08:40 谢绝')
    // Cancelled meanwhile: no longer to be answered.
    expect(shown(comp, '#inv-14')).toContain('已取消')
    expect(has(comp, '#accept-14')).toBe(false)
    expect(['#accept-13', '#accept-12', '#accept-11', '#accept-10'].filter((s) => has(comp, s))).toEqual(['#accept-13'])
    expect(comp.instance.data.items.map((r) => r.id)).toEqual([13, 14, 12, 11, 10])
    expect(requests(fake, 'GET', '/api/v1/activities')).toHaveLength(0) // the list answered every activity
    expect(requests(fake, 'GET', '/api/v1/volunteer/me/signups')).toHaveLength(1)
    tap(comp, '#open-13')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/volunteer/activity?id=5')
  })

  test('one still pending past its time (the page was left open) shows expired, with no answer offered', async () => {
    const { comp, fake } = invitationsPage({}, [to(13, A5, { expires_at: at(-1) })])
    await flush(30)
    expect(shown(comp, '#open-title')).toContain('待回复 0')
    expect(shown(comp, '#inv-13')).toContain('已过期')
    expect(has(comp, '#accept-13')).toBe(false)
    expect(requests(fake, 'GET', '/api/v1/volunteer/me/signups')).toHaveLength(0) // none accepted: nothing to ask
  })

  test('接受并报名 asks for the signup’s messages from the tap, signs up with an Idempotency-Key, and says how it went', async () => {
    const { comp, fake, sent } = invitationsPage()
    await flush(30)
    const before = fake.calls.length
    tap(comp, '#accept-13')
    for (let i = 0; i < 20; i++) await Promise.resolve()
    expect(fake.calls.slice(before).map((c) => c.name)[0]).toBe('requestSubscribeMessage')
    expect(fake.calls[before].args.tmplIds).toEqual(['tpl-su', 'tpl-rem', 'tpl-chg'])
    await flush(40)
    expect(sent).toEqual([{ path: '/api/v1/volunteer/me/invitations/13/accept', key: expect.any(String) }])
    expect(toasts(fake)).toContain('已接受，报名成功')
    expect(shown(comp, '#open-title')).toContain('待回复 0')
    expect(shown(comp, '#inv-13')).toContain('已接受')
  })

  test('full: accepted onto the waitlist, and told the place', async () => {
    const { comp, fake } = invitationsPage({
      'POST /api/v1/volunteer/me/invitations/13/accept': { invitation: to(13, A5, { status: 'accepted' }), signup: { id: 9, status: 'waitlisted', position: 3 } },
    })
    await flush(30)
    tap(comp, '#accept-13')
    await flush(40)
    expect(toasts(fake)).toContain('已接受，候补第 3 位')
  })

  test('谢绝 asks first; declined, it is sent once and listed as such', async () => {
    const { comp, fake, sent } = invitationsPage()
    await flush(30)
    fake.state.modalConfirm = false
    tap(comp, '#decline-13')
    await flush(20)
    expect(sent).toEqual([])
    fake.state.modalConfirm = true
    tap(comp, '#decline-13')
    await flush(40)
    expect(modals(fake)[1]).toMatchObject({ title: '谢绝邀请', confirmText: '谢绝' })
    expect(sent).toEqual([{ path: '/api/v1/volunteer/me/invitations/13/decline', key: expect.any(String) }])
    expect(toasts(fake)).toContain('已谢绝邀请')
    expect(shown(comp, '#inv-13')).toContain('已谢绝')
  })

  test('the server’s refusal is shown as it is, and the list read again', async () => {
    const { comp, fake } = invitationsPage({
      'POST /api/v1/volunteer/me/invitations/13/accept': { status: 422, body: { error: { code: 'unprocessable', message: '邀请已于 2026-04-12 07:40 过期' } } },
    })
    await flush(30)
    const reads = requests(fake, 'GET', '/api/v1/volunteer/me/invitations').length
    tap(comp, '#accept-13')
    await flush(40)
    expect(toasts(fake).concat(modals(fake).map((m) => m.content))).toContain('邀请已于 2026-04-12 07:40 过期')
    expect(requests(fake, 'GET', '/api/v1/volunteer/me/invitations').length).toBe(reads + 1)
  })

  test('none yet', async () => {
    const { comp } = invitationsPage({}, [])
    await flush(20)
    expect(text(comp)).toContain('还没有收到活动邀请')
  })
})

describe('the invitation on 公益海口 and on the activity’s page', () => {
  const ME = { id: 1, number: 'HK000001', name: '王小明', certified_at: at(-90 * 1440) }
  const HOURS = { total_hours: 3, credit_hours: 3, honor_hours: 0, month_hours: 0, entries: [] }

  test('公益海口 counts the invitations waiting for an answer, and leads to them and to 我的技能', async () => {
    const { comp, fake } = open('pages/volunteer/index', {}, {
      'GET /api/v1/volunteer/me': ME,
      'GET /api/v1/volunteer/me/hours': HOURS,
      'GET /api/v1/teams': { teams: [] },
      'GET /api/v1/volunteer/me/invitations': { invitations: [
        invitation(3, 5), invitation(2, 6), invitation(1, 7, { expires_at: at(-1) }), invitation(0, 8, { status: 'declined' }),
      ] },
    })
    await flush(30)
    expect(shown(comp, '#pending-invitations')).toContain('您有 2 个活动邀请待回复')
    expect(shown(comp, '#invitations')).toContain('活动邀请')
    expect(shown(comp, '#invitations')).toContain('2')
    expect(shown(comp, '#skills')).toContain('我的技能')
    tap(comp, '#pending-invitations')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/volunteer/invitations')
  })

  test('no count when none waits', async () => {
    const { comp } = open('pages/volunteer/index', {}, {
      'GET /api/v1/volunteer/me': ME,
      'GET /api/v1/volunteer/me/hours': HOURS,
      'GET /api/v1/teams': { teams: [] },
      'GET /api/v1/volunteer/me/invitations': { invitations: [invitation(1, 7, { status: 'expired' })] },
    })
    await flush(30)
    expect(has(comp, '#pending-invitations')).toBe(false)
  })

  function activityPage(a, invitations, routes = {}) {
    let current = a
    const sent = []
    const opened = open('pages/volunteer/activity', { id: String(a.id) }, {
      [`GET /api/v1/activities/${a.id}`]: () => current,
      [`GET /api/v1/activities/${a.id}/photos`]: { photos: [] },
      'GET /api/v1/volunteer/me/invitations': { invitations },
      'POST /api/v1/volunteer/me/invitations/13/accept': (req) => {
        sent.push({ path: req.path, key: req.header['Idempotency-Key'] })
        current = { ...current, confirmed: current.confirmed + 1, my_signup: { id: 9, status: 'confirmed' } }
        return { invitation: invitation(13, a.id, { status: 'accepted' }), signup: { id: 9, status: 'confirmed' } }
      },
      'POST /api/v1/volunteer/me/invitations/13/decline': (req) => {
        sent.push({ path: req.path, key: req.header['Idempotency-Key'] })
        return invitation(13, a.id, { status: 'declined' })
      },
      ...routes,
    })
    return { ...opened, sent }
  }

  test('the activity the invitation’s message opens offers it: accepting signs up, and the page shows the place', async () => {
    const { comp, fake, sent } = activityPage(activity(5), [invitation(13, 5), invitation(12, 6)])
    await flush(30)
    expect(shown(comp, '#invitation')).toContain(`${TEAM} 邀请您参加本活动`)
    expect(shown(comp, '#invitation')).toContain('请在 2026-04-12 07:40（报名截止）前回复')
    expect(has(comp, '#signup')).toBe(false) // the invitation's answer is the way to sign up
    tap(comp, '#accept-invitation')
    await flush(40)
    expect(fake.called('requestSubscribeMessage')[0].args.tmplIds).toEqual(['tpl-su', 'tpl-rem', 'tpl-chg'])
    expect(sent).toEqual([{ path: '/api/v1/volunteer/me/invitations/13/accept', key: expect.any(String) }])
    expect(toasts(fake)).toContain('已接受，报名成功')
    expect(shown(comp, '#my-status')).toContain('已报名（名额已确认）')
  })

  test('full: accepting means the waitlist, and it says so beforehand', async () => {
    const { comp } = activityPage(activity(5, { confirmed: 30 }), [invitation(13, 5)])
    await flush(30)
    expect(shown(comp, '#invitation')).toContain('名额已满，将进入候补')
  })

  test('谢绝 on the activity page, after asking; the ordinary signup stays', async () => {
    const { comp, fake, sent } = activityPage(activity(5), [invitation(13, 5)], {
      'GET /api/v1/volunteer/me/invitations': () => ({ invitations: [invitation(13, 5, { status: sent.length ? 'declined' : 'pending' })] }),
    })
    await flush(30)
    tap(comp, '#decline-invitation')
    await flush(40)
    expect(modals(fake)[0].content).toContain('谢绝后仍可自行报名')
    expect(sent).toEqual([{ path: '/api/v1/volunteer/me/invitations/13/decline', key: expect.any(String) }])
    expect(has(comp, '#invitation')).toBe(false)
    expect(has(comp, '#signup')).toBe(true)
  })

  test.each([
    ['to another activity', [invitation(12, 6)]],
    ['expired', [invitation(13, 5, { expires_at: at(-1) })]],
    ['answered', [invitation(13, 5, { status: 'declined' })]],
  ])('no invitation offered when the only one is %s', async (_, invitations) => {
    const { comp } = activityPage(activity(5), invitations)
    await flush(30)
    expect(has(comp, '#invitation')).toBe(false)
    expect(has(comp, '#signup')).toBe(true)
  })
})
