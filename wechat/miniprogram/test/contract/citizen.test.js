/**
 * @jest-environment node
 */
// The contract: the mini-program's own services/ layer, run in Node over a
// real-HTTP wx, against a real guanjia (built from this repository and
// started in demo mode). Staff do their part through the API as the console
// and the crew page would. A change of the API that breaks the mini-program
// fails here.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { start } = require('./server')
const { createWx } = require('./wxshim')
const { writePNG } = require('./png')
const { accounts, caught } = require('./accounts')

jest.setTimeout(60000)

const CHINESE = /[\u4e00-\u9fa5]/
const HOUR = 3600 * 1000

let server
let s // the mini-program's services
let labels
let coord
let idcard
let creditcode
let activityRules
let tmp

beforeAll(async () => {
  server = await start()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-contract-'))
  global.wx = createWx({ user: `citizen-${process.pid}` })
  s = require('../../miniprogram/services/index')
  s.config.setBaseURL(server.url)
  labels = require('../../miniprogram/utils/labels')
  coord = require('../../miniprogram/utils/coord')
  idcard = require('../../miniprogram/utils/idcard')
  creditcode = require('../../miniprogram/utils/creditcode')
  activityRules = require('../../miniprogram/utils/activity')
}, 15 * 60 * 1000)

afterAll(async () => {
  if (global.wx && global.wx.cleanup) global.wx.cleanup()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
  if (server) await server.stop()
})

// Staff sign in with their passwords, as on the console, and call the API.
const { call: staff } = accounts(() => server.url)

async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

// 城市管家: report, follow, rate.
describe('a citizen reports a problem and follows it to the end', () => {
  const place = { latitude: 20.0014, longitude: 110.29429 } // GCJ-02, as wx.getLocation gives it: grid lh01
  let session
  let complaint
  let templateId

  test('signs in with wx.login', async () => {
    session = await s.auth.login()
    expect(session.role).toBe('citizen')
    expect(session.token).toBeTruthy()
    expect(session.openid).toBeTruthy()
    const me = await s.user.me()
    expect(me.role).toBe('citizen')
  })

  test('reads the 温馨告知 and the catalogue', async () => {
    expect(Array.isArray(await s.notices.current())).toBe(true)
    const cats = await s.complaints.categories()
    const rubbish = cats.find((c) => c.code === '1101')
    expect(rubbish).toMatchObject({ code: '1101' })
    expect(rubbish.name).toMatch(CHINESE)
    expect(cats.every((c) => c.major || c.kind)).toBe(true) // the picker groups by them
  })

  test('15分钟生活圈: near 国贸, from a GCJ-02 position, the nearest places first and the kinds missing', async () => {
    const out = await s.poi.nearby({ latitude: 20.0249, longitude: 110.3235 }) // as wx.getLocation({type: 'gcj02'}) gives it
    const market = out.kinds.find((k) => k.code === 'market')
    expect(market.name).toMatch(CHINESE)
    expect(market.places.length).toBeGreaterThan(0)
    const minutes = market.places.map((p) => p.minutes)
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b))
    expect(minutes.every((m) => m >= 0 && m <= 15)).toBe(true)
    expect(out.missing.every((k) => k.name.match(CHINESE) && !out.kinds.find((x) => x.code === k.code).places.length)).toBe(true)
  })

  test('智能分类: a description gets its likeliest categories, all from the catalogue', async () => {
    const codes = new Set((await s.complaints.categories()).map((c) => c.code))
    const got = await s.complaints.suggestCategories('小区门口的路灯晚上一直不亮，走路很危险')
    expect(got.length).toBeGreaterThan(0)
    expect(got.length).toBeLessThanOrEqual(3)
    for (const g of got) {
      expect(codes.has(g.code)).toBe(true)
      expect(g.name).toMatch(CHINESE)
      expect(typeof g.score).toBe('number')
    }
    const scores = got.map((g) => g.score)
    expect(scores).toEqual(scores.slice().sort((a, b) => b - a)) // best first
  })

  test('consents to progress messages with the template id the server publishes', async () => {
    const subs = await s.wechat.subscriptions()
    const progress = subs.find((x) => x.template === 'complaint_update')
    expect(progress.template_id).toBeTruthy()
    templateId = progress.template_id
    for (const x of subs) expect(labels.subscriptionTitle[x.template]).toMatch(CHINESE)
    expect(await s.wechat.askConsent([templateId])).toEqual([templateId])
    const after = await s.wechat.subscriptions()
    expect(after.find((x) => x.template === 'complaint_update').remaining).toBe(progress.remaining + 1)
  })

  test('the content check refuses words on the description field, in Chinese', async () => {
    const e = await caught(s.complaints.create({ category: '1101', description: '这里有人聚众赌博', ...place, address: '' }))
    expect(e.field).toBe('description')
    expect(e.message).toMatch(CHINESE)
  })

  test('files the report: dispatched at once, to the grid crew; a retry with the key is the same report', async () => {
    const before = await s.complaints.openNearby({ category: '1101', ...place })
    expect(before).toEqual({ open_nearby: false, will_merge: false, radius_m: expect.any(Number) })
    const body = { category: '1101', description: '路口有一堆垃圾，无人清理', ...place, address: '龙华区金贸街道' }
    const key = `contract-${Date.now()}`
    complaint = await s.complaints.create(body, key)
    expect(complaint.status).toBe('dispatched')
    expect(complaint.grid).toBe('lh01')
    expect(complaint.assignee).toBeTruthy()
    expect(complaint.reported_coord_system).toBe('gcj02')
    expect(complaint.arrive_by).toBeTruthy()
    const again = await s.complaints.create(body, key)
    expect(again.id).toBe(complaint.id)
    // Someone about to report the same thing here is told, and nothing more.
    const now = await s.complaints.openNearby({ category: '1101', ...place })
    expect(now).toEqual({ open_nearby: true, will_merge: true, radius_m: expect.any(Number) })
  })

  test('adds a photo after the report exists, and can look at it', async () => {
    const photo = await s.complaints.uploadPhoto(complaint.id, writePNG(path.join(tmp, 'rubbish.png')), 'report')
    expect(photo).toMatchObject({ kind: 'report' })
    const d = await s.complaints.get(complaint.id)
    expect(d.photos).toHaveLength(1)
    const file = await s.complaints.photoFile(d.photos[0])
    expect(fs.statSync(file).size).toBeGreaterThan(0)
  })

  test('the crew accepts, arrives, resolves; the command center closes', async () => {
    const crewTasks = await staff('crew-lh01-hw', 'GET', '/api/v1/complaints')
    expect(crewTasks.complaints.map((c) => c.id)).toContain(complaint.id)
    await staff('crew-lh01-hw', 'POST', `/api/v1/complaints/${complaint.id}/accept`, {})
    const detail = await s.complaints.get(complaint.id)
    await staff('crew-lh01-hw', 'POST', `/api/v1/complaints/${complaint.id}/arrive`, { lat: detail.lat, lng: detail.lng, coord_system: detail.coord_system })
    await staff('crew-lh01-hw', 'POST', `/api/v1/complaints/${complaint.id}/resolve`, { note: '垃圾已清运，路面已冲洗' })
    await staff('dispatcher', 'POST', `/api/v1/complaints/${complaint.id}/close`, {})
  })

  test('sees the whole timeline and the deadlines kept, in Chinese', async () => {
    const d = await s.complaints.get(complaint.id)
    expect(d.status).toBe('closed')
    expect(labels.complaintStatus[d.status]).toBe('已办结')
    const steps = labels.timeline(d.events).map((x) => x.title)
    for (const title of ['受理', '派遣', '签收', '到场', '办结', '结案']) expect(steps).toContain(title)
    expect(labels.timeline(d.events).find((x) => x.action === 'resolve').note).toBe('垃圾已清运，路面已冲洗')
    for (const e of d.events) expect(labels.complaintEvent[e.action]).toBeDefined()
    const deadlines = labels.deadlines(d, Date.now())
    expect(deadlines.map((x) => x.text)).toEqual(['已按时到场', '已按时处置'])
    expect(d.actions).toContain('rate')
    const mine = await s.complaints.list()
    expect(mine.complaints.map((c) => c.id)).toContain(complaint.id)
  })

  test('the progress reached the phone on the one message consented to', async () => {
    const got = await until('a subscribe message', async () => {
      const all = await fetch(`${server.url}/__fake/wechat/messages`).then((r) => r.json())
      const mine = all.filter((m) => m.kind === 'subscribe' && m.touser === session.openid && m.template_id === templateId)
      return mine.length ? mine : null
    })
    expect(got.length).toBe(1)
    expect(got[0].page).toContain('pages/complaint/detail')
    expect(fs.existsSync(path.join(__dirname, '../../miniprogram', `${got[0].page.split('?')[0]}.js`))).toBe(true)
  })

  test('rates it: solved, 满意, with a comment', async () => {
    const rated = await s.complaints.rate(complaint.id, { score: 3, solved: true, comment: '处理很及时，谢谢' })
    expect(rated.rating).toBe(3)
    expect(labels.ratingScore[rated.rating]).toBe('满意')
    expect(rated.rating_comment).toBe('处理很及时，谢谢')
    // Rated once: the page then shows the rating instead of the form; the server refuses a second.
    const e = await caught(s.complaints.rate(complaint.id, { score: 1, solved: false, comment: '' }))
    expect(e.status).toBe(409)
    expect(e.message).toMatch(CHINESE)
  })

  test('a report of the same thing nearby joins it and follows its progress', async () => {
    // (the first is closed now: a fresh one here is filed on its own)
    const first = await s.complaints.create({ category: '1101', description: '垃圾又堆起来了', ...place, address: '' })
    const metoo = await s.complaints.create({ category: '1101', description: '同一个地方的垃圾', ...place, address: '' })
    expect(metoo.status).toBe('duplicate')
    expect(metoo.duplicate_of).toBe(first.id)
    expect(labels.complaintStatus[metoo.status]).toBe('已合并')
  })
})

// 公益海口: certify, sign up, check in with the organiser's code.
describe('a citizen volunteers', () => {
  let act
  let point

  test('certifies with a name and an ID number (checked before sending)', async () => {
    expect(await s.volunteer.me()).toBeNull()
    const first17 = '46010619900307123'
    const id = first17 + idcard.checkChar(first17)
    expect(idcard.validateIDNumber(id)).toBe('')
    const bad = await caught(s.volunteer.certify({ name: '李海南', idNumber: `${first17}${id[17] === '0' ? '1' : '0'}`, phone: '13876005566' }))
    expect(bad.field).toBe('id_number')
    expect(bad.message).toMatch(CHINESE)
    const v = await s.volunteer.certify({ name: '李海南', idNumber: id, phone: '13876005566', skills: ['急救'], availability: '周末' })
    expect(v.id_number).toBe(idcard.maskIDNumber(id))
    expect((await s.volunteer.me()).name).toBe('李海南')
  })

  test('the organiser publishes an activity starting soon', async () => {
    const teams = await staff('team-lead', 'GET', '/api/v1/teams')
    const team = teams.teams.find((t) => t.status === 'certified')
    point = { lat: 20.0440, lng: 110.3200 } // WGS-84, 秀英区
    // It starts in half a minute: signing up and checking in come before the
    // start, checking out (final) after it.
    const now = Date.now()
    act = await staff('team-lead', 'POST', '/api/v1/activities', {
      team_id: team.id, title: '海口湾清洁行动', description: '清理海口湾沿岸垃圾', address: '海口市秀英区滨海大道',
      lat: point.lat, lng: point.lng, coord_system: 'wgs84', radius_m: 300, capacity: 10,
      start_at: new Date(now + 30000).toISOString(), end_at: new Date(now + 60 * 60000).toISOString(),
      signup_deadline: new Date(now + 20000).toISOString(),
    })
    await staff('team-lead', 'POST', `/api/v1/activities/${act.id}/submit`, {})
    await staff('admin', 'POST', `/api/v1/activities/${act.id}/review`, { approve: true })
  })

  test('finds it nearby on the map and signs up', async () => {
    const here = coord.wgs84ToGcj02(point.lat, point.lng)
    const near = await s.volunteer.activities({ ...here, radius: 5000 })
    const found = near.find((a) => a.id === act.id)
    expect(found.distance_m).toBeLessThan(5)
    const before = await s.volunteer.activity(act.id)
    expect(activityRules.signupView(before, Date.now())).toMatchObject({ canSignup: true, placesLeft: 10 })
    const su = await s.volunteer.signup(act.id)
    expect(su.status).toBe('confirmed')
    const after = await s.volunteer.activity(act.id)
    expect(after.my_signup.status).toBe('confirmed')
    // It starts within 2 hours: cancelling is closed; check-in is open (30 minutes before).
    expect(activityRules.signupView(after, Date.now())).toMatchObject({ canCancel: false, canCheckin: true, statusText: '已报名（名额已确认）' })
    const cancel = await caught(s.volunteer.cancelSignup(act.id))
    expect(cancel.message).toMatch(CHINESE)
  })

  test('checks in with the organiser’s QR token: refused far away or with a forged code, then in', async () => {
    const { token } = await staff('team-lead', 'GET', `/api/v1/activities/${act.id}/checkin-token`)
    expect(activityRules.parseToken(token)).toBe(token)
    const far = coord.wgs84ToGcj02(point.lat + 0.02, point.lng) // about 2 km north
    const away = await caught(s.volunteer.checkin(act.id, { token, ...far }))
    expect(away.field).toBe('lat')
    expect(away.message).toMatch(/米/)
    const forged = await caught(s.volunteer.checkin(act.id, { token: `${token.slice(0, -2)}xx`, ...coord.wgs84ToGcj02(point.lat, point.lng) }))
    expect(forged.field).toBe('token')
    expect(forged.message).toMatch(CHINESE)
    const su = await s.volunteer.checkin(act.id, { token, ...coord.wgs84ToGcj02(point.lat, point.lng) })
    expect(su.status).toBe('checked_in')
    expect(labels.signupStatus[su.status]).toBe('已签到')
    const now = Date.now()
    const view = activityRules.signupView(await s.volunteer.activity(act.id), now)
    expect(view.canCheckout).toBe(now >= Date.parse(act.start_at)) // check-out opens at the start
  })

  test('checks out once it has started, and the hours are in the ledger', async () => {
    const wait = Date.parse(act.start_at) - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 500))
    const { token } = await staff('team-lead', 'GET', `/api/v1/activities/${act.id}/checkin-token`)
    const out = await s.volunteer.checkout(act.id, { token, ...coord.wgs84ToGcj02(point.lat, point.lng) })
    expect(out.signup.status).toBe('checked_out')
    const hours = await s.volunteer.hours()
    expect(hours).toMatchObject({ credit_hours: expect.any(Number), honor_hours: expect.any(Number), total_hours: expect.any(Number) })
    expect(Array.isArray(hours.entries)).toBe(true)
    expect((await s.volunteer.mySignups()).map((x) => x.activity_id)).toContain(act.id)
  })

  test('signs up for a demo activity and cancels before the cut-off', async () => {
    const now = Date.now()
    const all = await s.volunteer.activities()
    const later = all.find((a) => a.id !== act.id && a.status === 'published' &&
      Date.parse(a.signup_deadline) > now + 60000 && Date.parse(a.start_at) > now + activityRules.CANCEL_CUTOFF_MS + HOUR / 2)
    expect(later).toBeTruthy()
    const su = await s.volunteer.signup(later.id)
    expect(['confirmed', 'waitlisted']).toContain(su.status)
    expect(activityRules.signupView(await s.volunteer.activity(later.id), Date.now()).canCancel).toBe(true)
    const cancelled = await s.volunteer.cancelSignup(later.id)
    expect(cancelled.status).toBe('cancelled')
  })

  test('asks for help and withdraws the request', async () => {
    const h = await s.volunteer.createHelpRequest({
      title: '独居老人需要陪同就医', description: '周三上午陪同到市人民医院复诊', address: '海口市秀英区',
      latitude: 20.0419, longitude: 110.3243, neededAt: Date.now() + 24 * HOUR,
    })
    expect(labels.helpStatus[h.status]).toBeDefined()
    expect((await s.volunteer.helpRequests({ mine: true })).map((x) => x.id)).toContain(h.id)
    const withdrawn = await s.volunteer.cancelHelpRequest(h.id, '求助人撤回')
    expect(withdrawn.status).toBe('cancelled')
  })
})

// 诚信海口: public lookups; 信用修复 is for who stands for the subject.
describe('a citizen looks up credit', () => {
  test('searches by name and by a checked code, and opens the subject', async () => {
    const byName = await s.credit.search('海口')
    expect(byName.subjects.length).toBeGreaterThan(0)
    const withCode = byName.subjects.find((x) => x.credit_code)
    expect(creditcode.validateCreditCode(withCode.credit_code)).toBe('')
    const byCode = await s.credit.search(withCode.credit_code)
    expect(byCode.subjects.map((x) => x.id)).toContain(withCode.id)
    const d = await s.credit.subject(withCode.credit_code)
    expect(d.subject.name).toBe(withCode.name)
    for (const k of ['red', 'black', 'records']) expect(Array.isArray(d[k])).toBe(true)
  })

  test('the black list leads to a subject with its 失信 record; a stranger may not repair it', async () => {
    const black = await s.credit.list('black')
    expect(black.entries.length).toBeGreaterThan(0)
    const entry = black.entries[0]
    const d = await s.credit.subject(entry.subject.credit_code || String(entry.subject.id))
    expect(d.black.map((e) => e.id)).toContain(entry.id)
    // The subject page offers 申请信用修复 on the types the server marks negative.
    expect((await s.credit.types()).filter((t) => t.negative).map((t) => t.code)).toContain(entry.type)
    const e = await caught(s.credit.applyRepair({ entryId: entry.id, reason: '已整改', evidence: '整改报告' }))
    expect(e.status).toBe(403) // the repair page then offers to bind or file a 授权委托书
    expect(e.message).toMatch(CHINESE)
    expect(Array.isArray(await s.credit.myRepairs())).toBe(true)
  })

  test('stands for a subject: a wrong 法定代表人 is refused; a 授权委托书 waits for the department', async () => {
    const black = await s.credit.list('black')
    const entry = black.entries.find((x) => x.subject && x.subject.credit_code)
    const first17 = '46010619800101001'
    const notTheRep = await caught(s.credit.bindLegalRep(entry.subject.credit_code, { name: '张三', idNumber: first17 + idcard.checkChar(first17) }))
    // 403 when the registered 法定代表人 differs, 422 when none is registered: both shown as the server says.
    expect([403, 422]).toContain(notTheRep.status)
    expect(notTheRep.message).toMatch(CHINESE)
    const poa = await s.credit.filePowerOfAttorney(entry.id, { filePath: writePNG(path.join(tmp, 'poa.png')), name: '李海南' })
    expect(poa).toMatchObject({ basis: 'power_of_attorney', status: 'pending' })
    const mine = await s.credit.representatives()
    expect(mine.find((r) => r.id === poa.id)).toMatchObject({ status: 'pending', subject: { name: entry.subject.name } })
    const early = await caught(s.credit.applyRepair({ entryId: entry.id, reason: '已整改', evidence: '整改报告' }))
    expect(early.status).toBe(403)
    expect(early.message).toMatch(CHINESE)
  })
})

// 信用修复 end to end: refused while not standing for the subject, then the
// department accepts a 授权委托书 and the same application is filed (the
// refusal is not replayed under the old Idempotency-Key); both decisions
// reach the phone as subscribe messages.
describe('a citizen repairs a 失信 record as an agent', () => {
  const idem = require('../../miniprogram/utils/idem')
  let entry
  let tpl
  const page = {} // the repair page's Idempotency-Key holder
  const body = () => ({ entryId: entry.id, reason: '已足额支付拖欠工资', evidence: '工资支付凭证' })
  const messages = (templateId) => until(`a ${templateId} message`, async () => {
    const openid = global.wx.getStorageSync('guanjia.session').openid
    const all = await fetch(`${server.url}/__fake/wechat/messages`).then((r) => r.json())
    const mine = all.filter((m) => m.kind === 'subscribe' && m.touser === openid && m.template_id === templateId)
    return mine.length ? mine : null
  })

  test('the decisions are published for consent, and consented to', async () => {
    const subs = await s.wechat.subscriptions()
    tpl = {}
    for (const name of ['credit_repair_decided', 'credit_agent_decided']) {
      const sub = subs.find((x) => x.template === name)
      expect(sub && sub.template_id).toBeTruthy()
      tpl[name] = sub.template_id
    }
    expect(await s.wechat.askConsent(Object.values(tpl))).toEqual(Object.values(tpl))
  })

  test('not standing for the subject: refused; once the 授权委托书 is accepted, 提交申请 again is filed', async () => {
    const today = new Date(Date.now() + 8 * HOUR).toISOString().slice(0, 10) // Haikou's date
    const mine = (await s.credit.representatives()).map((r) => r.subject && r.subject.id)
    for (let p = 1; !entry; p++) {
      const list = await s.credit.list('black', p)
      expect(list.entries.length).toBeGreaterThan(0)
      entry = list.entries.find((e) => e.subject && e.subject.credit_code && !mine.includes(e.subject.id) && (!e.repairable_from || e.repairable_from <= today))
    }
    const refused = await caught(idem.send(page, body(), (key) => s.credit.applyRepair(body(), key)))
    expect(refused.status).toBe(403)
    expect(refused.message).toMatch(CHINESE)

    const poa = await s.credit.filePowerOfAttorney(entry.id, { filePath: writePNG(path.join(tmp, 'poa-2.png')), name: '李海南' })
    await staff('admin', 'POST', `/api/v1/credit/representatives/${poa.id}/decide`, { accept: true, note: '' })
    const [agentMsg] = await messages(tpl.credit_agent_decided)
    expect(agentMsg.errcode).toBe(0)
    expect(agentMsg.data.character_string1).toBe(String(poa.id))

    const repair = await idem.send(page, body(), (key) => s.credit.applyRepair(body(), key))
    expect(repair).toMatchObject({ entry_id: entry.id, status: 'pending' })
    await staff('admin', 'POST', `/api/v1/credit/repairs/${repair.id}/decide`, { approve: false, note: '证明材料不全，请补充银行转账记录' })
    const [repairMsg] = await messages(tpl.credit_repair_decided)
    expect(repairMsg.errcode).toBe(0)
    expect(repairMsg.data).toMatchObject({ character_string1: String(repair.id), thing3: '证明材料不全，请补充银行转账记录' })
  })
})

// 我的: phone, a lost token, logging out.
describe('the account', () => {
  test('binds the phone from getPhoneNumber and shows it masked', async () => {
    expect(await s.wechat.bindPhone('13812345678.1')).toBe('138****5678')
    expect((await s.user.me()).phone).toBe('138****5678')
  })

  test('a token the server no longer takes is replaced through wx.login', async () => {
    const me = await s.user.me()
    const logins = global.wx.stats.login
    const kept = global.wx.getStorageSync('guanjia.session')
    global.wx.setStorageSync('guanjia.session', { ...kept, token: `${kept.token}x` })
    expect((await s.user.me()).id).toBe(me.id)
    expect(global.wx.stats.login).toBe(logins + 1)
  })

  test('logs out: nothing signs in by itself; public lookups work; signing in again is the same person', async () => {
    const me = await s.user.me()
    await s.auth.logout()
    const e = await caught(s.complaints.list())
    expect(e.code).toBe('logged_out')
    expect((await s.credit.search('海口')).subjects.length).toBeGreaterThan(0)
    await s.auth.login()
    expect((await s.user.me()).id).toBe(me.id)
  })
})
