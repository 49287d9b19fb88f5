/**
 * @jest-environment node
 */
// The organiser's contract: the mini-program's services/organiser.js and the
// rules of utils/organiser.js against a real guanjia (built from this
// repository, demo data), as the demo team admin (team-lead) uses them.
// team-lead has a password account and no WeChat, so its phone here keeps
// the token of a password login where a WeChat login would keep its own;
// the demo volunteers' phones likewise. The platform admin reviews through
// the API as the console does. Then 团队管理, 邀请志愿者 (精准匹配) and the
// activity's album.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { PNG } = require('pngjs')
const jsQR = require('jsqr')
const { start } = require('./server')
const { writePNG } = require('./png')
const { accounts, caught } = require('./accounts')

jest.setTimeout(60000)

const CHINESE = /[\u4e00-\u9fa5]/
const MIN = 60 * 1000
const HOUR = 60 * MIN

let server
let s // the mini-program's services
let rules
let coord
const ids = {}

// phone/as: a demo account's phone, and a step on it; call: the API as user, as the console does.
const { phone, as, call, hangUp } = accounts(() => server.url)
const admin = (...a) => call('admin', ...a) // the platform admin reviews

beforeAll(async () => {
  server = await start()
  for (const user of ['team-lead', 'volunteer', 'volunteer2']) await phone(user)
  global.wx = await phone('team-lead')
  s = require('../../miniprogram/services/index')
  s.config.setBaseURL(server.url)
  rules = require('../../miniprogram/utils/organiser')
  coord = require('../../miniprogram/utils/coord')
}, 15 * 60 * 1000)

afterAll(async () => {
  hangUp()
  if (server) await server.stop()
})

describe('the demo team admin organises in the mini-program', () => {
  let team
  let draft

  test('is shown the organiser pages; a volunteer of the same team is not', async () => {
    const teams = await s.organiser.adminTeams()
    expect(teams).toHaveLength(1)
    team = teams[0]
    expect(team).toMatchObject({ name: '龙华区青年志愿者协会', status: 'certified', my_role: 'admin' })
    await as('volunteer', async () => {
      expect((await s.organiser.myTeams()).map((t) => [t.id, t.my_role])).toEqual([[team.id, 'member']])
      expect(await s.organiser.adminTeams()).toEqual([])
    })
  })

  test('drafts an activity: refusals name the field in Chinese; the place goes as GCJ-02', async () => {
    const now = Date.now()
    const here = coord.wgs84ToGcj02(20.0405, 110.3222) // 万绿园, as wx.chooseLocation gives it
    const form = {
      ...rules.newActivityForm(team.id, now), title: '万绿园净滩护绿行动', address: '海口市龙华区滨海大道万绿园', location: here,
      capacity: '10', start_at: now + 3 * HOUR, end_at: now + 5 * HOUR, signup_deadline: now + 2 * HOUR,
    }
    expect(rules.hasErrors(rules.checkForm(form, now))).toBe(false)
    const noTitle = await caught(s.organiser.create({ ...form, title: '' }))
    expect(noTitle.field).toBe('title')
    expect(noTitle.message).toMatch(CHINESE)
    const away = await caught(s.organiser.create({ ...form, location: { latitude: 39.9, longitude: 116.4 } })) // Beijing
    expect(rules.formField(away.field)).toBe('address')
    expect(away.message).toMatch(CHINESE)

    draft = await s.organiser.create(form)
    expect(draft).toMatchObject({ status: 'draft', team_id: team.id, coord_system: 'gcj02', capacity: 10 })
    // Edited, the place comes back as it was chosen.
    const back = rules.formOf(await s.organiser.activity(draft.id), coord.wgs84ToGcj02)
    expect(back.location.latitude).toBeCloseTo(here.latitude, 5)
    expect(back.location.longitude).toBeCloseTo(here.longitude, 5)
    const edited = await s.organiser.update(draft.id, { ...back, title: '万绿园净滩护绿行动（第二期）' })
    expect(edited.title).toBe('万绿园净滩护绿行动（第二期）')
  })

  test('submits it; a refusal comes back with its reason; edited and sent again, it is published', async () => {
    expect((await s.organiser.submit(draft.id)).status).toBe('submitted')
    const current = await s.organiser.activities(team.id, rules.CURRENT)
    expect(current.find((a) => a.id === draft.id).status).toBe('submitted')
    await admin('POST', `/api/v1/activities/${draft.id}/review`, { approve: false, reason: '请补充安全保障措施' })
    const refused = (await s.organiser.activities(team.id, rules.CURRENT)).find((a) => a.id === draft.id)
    expect(refused).toMatchObject({ status: 'refused', review_note: '请补充安全保障措施' })
    const view = rules.organiserView(refused, Date.now())
    expect(view).toMatchObject({ canEdit: true, canSubmit: true, canOnsite: false })
    expect(view.note).toContain('请补充安全保障措施')
    const form = rules.formOf(await s.organiser.activity(draft.id), coord.wgs84ToGcj02)
    await s.organiser.update(draft.id, { ...form, requirements: '穿运动鞋，注意防晒' })
    await s.organiser.submit(draft.id)
    await admin('POST', `/api/v1/activities/${draft.id}/review`, { approve: true })
    const published = await s.organiser.activity(draft.id)
    expect(published).toMatchObject({ status: 'published', can_edit: true })
    expect(rules.organiserView(published, Date.now())).toMatchObject({ canReschedule: true, canOnsite: false, canRoster: true })
  })

  test('on site: the code is a QR picture of the token; a volunteer scans it and is checked in', async () => {
    const now = Date.now()
    const list = await s.organiser.activities(team.id, rules.CURRENT)
    // The demo's activity on now, which the demo volunteer signed up for.
    const a = list.find((x) => ['published', 'in_progress'].includes(x.status) && Date.parse(x.start_at) <= now && Date.parse(x.end_at) > now)
    expect(a).toBeTruthy()
    expect(rules.organiserView(a, now).canOnsite).toBe(true)
    const before = await s.organiser.signups(a.id)
    const mine = before.find((su) => su.name === '王小明')
    expect(mine.status).toBe('confirmed')
    ids.volunteer = mine.user_id

    const code = await s.organiser.checkinToken(a.id)
    const prefix = 'data:image/png;base64,'
    expect(code.qr_png.startsWith(prefix)).toBe(true)
    const png = PNG.sync.read(Buffer.from(code.qr_png.slice(prefix.length), 'base64'))
    expect(png.width).toBeGreaterThanOrEqual(256)
    const scanned = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
    expect(scanned.data).toBe(code.token)
    const delay = rules.refreshDelay(code)
    expect(delay).toBeGreaterThan(10000)
    expect(delay).toBeLessThan(Date.parse(code.expires_at) - Date.now() + 1000) // fetched again before it expires

    const su = await as('volunteer', () => s.volunteer.checkin(a.id, { token: scanned.data, ...coord.wgs84ToGcj02(a.lat, a.lng) }))
    expect(su.status).toBe('checked_in')
    const counts = rules.rosterCounts(await s.organiser.signups(a.id))
    expect(counts.checkedIn).toBeGreaterThanOrEqual(1)

    // Leaving without the phone: 代签退 needs a reason, then credits the time.
    const noReason = await caught(s.organiser.checkoutFor(a.id, ids.volunteer, ''))
    expect(noReason.field).toBe('reason')
    expect(noReason.message).toMatch(CHINESE)
    const out = await s.organiser.checkoutFor(a.id, ids.volunteer, '手机没电，组织者代签退')
    expect(out.signup).toMatchObject({ status: 'checked_out', checkout_manual: true })
    // A volunteer is never shown the code.
    const refused = await as('volunteer', () => caught(s.organiser.checkinToken(a.id)))
    expect(refused.status).toBe(403)
    expect(refused.message).toMatch(CHINESE)
  })

  test('改期 with a reason, 代签到 someone without a phone, then 取消活动', async () => {
    const su = await as('volunteer2', () => s.volunteer.signup(draft.id))
    expect(su.status).toBe('confirmed')
    const now = Date.now()
    const moved = { start_at: now + 10 * MIN, end_at: now + 70 * MIN, signup_deadline: now + 5 * MIN }
    const noReason = await caught(s.organiser.reschedule(draft.id, { ...moved, reason: ' ' }))
    expect(noReason.field).toBe('reason')
    const a = await s.organiser.reschedule(draft.id, { ...moved, reason: '潮汐时间调整' })
    expect(Math.abs(Date.parse(a.start_at) - moved.start_at)).toBeLessThan(1000)
    // Check-in has opened (the start is within 30 minutes): the code, no more moving.
    expect(rules.organiserView(a, Date.now())).toMatchObject({ canReschedule: false, canOnsite: true })

    const roster = await s.organiser.signups(draft.id)
    const lin = roster.find((x) => x.name === '林晓琳')
    const inByHand = await s.organiser.checkinFor(draft.id, lin.user_id, '未带手机')
    expect(inByHand).toMatchObject({ status: 'checked_in', checkin_manual: true })

    const cancelled = await s.organiser.cancel(draft.id, '台风预警，活动取消')
    expect(cancelled).toMatchObject({ status: 'cancelled', review_note: '台风预警，活动取消' })
    expect(rules.organiserView(cancelled, Date.now()).note).toContain('台风预警')
    const past = await s.organiser.activities(team.id, rules.PAST)
    expect(past.map((x) => x.id)).toContain(draft.id)
    const noCode = await caught(s.organiser.checkinToken(draft.id))
    expect(noCode.status).toBe(409)
    expect(noCode.message).toMatch(CHINESE)
  })
})

describe('the team admin runs the team, finds and invites volunteers, and fills the album', () => {
  let team
  let signupOpen // a team activity open for signup: the demo's tomorrow
  let members
  let tmp

  // The demo volunteer has switched being found on (it is opt-in), with an
  // area near the demo activities and 急救 verified by the team: the demo's
  // own data, not set up here, so the demo's search finds someone.
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'organiser-album-'))
    ;[team] = await s.organiser.adminTeams()
    const now = Date.now()
    const published = await s.organiser.activities(team.id, ['published'])
    signupOpen = published.find((a) => Date.parse(a.signup_deadline) > now)
    expect(signupOpen).toBeTruthy()
  })

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
  })

  test('团队管理: the members with their skills; 急救, verified in the demo, taken back and verified again', async () => {
    members = await s.organiser.members(team.id)
    const byName = Object.fromEntries(members.map((m) => [m.name, m]))
    expect(byName['陈海燕'].role).toBe('admin')
    expect(byName['王小明']).toMatchObject({ role: 'member', skills: expect.arrayContaining([expect.objectContaining({ skill: '急救', verified: true })]) })
    expect(byName['林晓琳'].role).toBe('member')
    const catalogue = await s.organiser.skillCatalogue()
    expect(catalogue.find((sk) => sk.name === '急救').certificate).toBe(true)
    const undone = await s.organiser.verifySkill(team.id, byName['王小明'].user_id, '急救', false)
    expect(undone.find((sk) => sk.skill === '急救').verified).toBe(false)
    const skills = await s.organiser.verifySkill(team.id, byName['王小明'].user_id, '急救', true)
    expect(skills.find((sk) => sk.skill === '急救').verified).toBe(true)
    const row = rules.memberRow((await s.organiser.members(team.id)).find((m) => m.name === '王小明'), catalogue.filter((sk) => sk.certificate).map((sk) => sk.name))
    expect(row.skills.find((sk) => sk.skill === '急救')).toEqual({ skill: '急救', verified: true, certificate: true })
    // 摄影 needs no certificate: nothing to verify.
    const refused = await caught(s.organiser.verifySkill(team.id, byName['王小明'].user_id, '摄影', true))
    expect(refused.field).toBe('skill')
    expect(refused.message).toMatch(CHINESE)
  })

  test('团队管理: 王小明 made an admin can then show a team activity’s check-in code', async () => {
    const wang = members.find((m) => m.name === '王小明')
    const before = await as('volunteer', () => caught(s.organiser.checkinToken(signupOpen.id)))
    expect(before.status).toBe(403)
    const made = await s.organiser.makeAdmin(team.id, wang.user_id)
    expect(made).toMatchObject({ user_id: wang.user_id, role: 'admin' })
    expect((await s.organiser.members(team.id)).find((m) => m.user_id === wang.user_id).role).toBe('admin')
    await as('volunteer', async () => {
      expect((await s.organiser.adminTeams()).map((t) => t.id)).toEqual([team.id])
      const code = await s.organiser.checkinToken(signupOpen.id)
      expect(code.token.startsWith(`${signupOpen.id}.`)).toBe(true)
    })
    // Someone outside the team is refused, in Chinese.
    const stranger = await caught(s.organiser.makeAdmin(team.id, 999999))
    expect(stranger.field).toBe('user_id')
    expect(stranger.message).toMatch(CHINESE)
  })

  test('团队管理: the team’s totals and ledger, each entry a member’s', async () => {
    const hours = await s.organiser.teamHours(team.id)
    for (const k of ['total_hours', 'credit_hours', 'honor_hours', 'month_hours']) expect(typeof hours[k]).toBe('number')
    const ids = new Set(members.map((m) => m.user_id))
    for (const e of hours.entries) expect(ids.has(e.user_id)).toBe(true)
  })

  test('邀请志愿者: 急救 near the activity finds 王** first, verified; invited, they see the invitation', async () => {
    const found = await s.organiser.searchVolunteers(signupOpen.id, { skill: '急救', radiusM: 5000 })
    expect(found.total).toBeGreaterThanOrEqual(1)
    const first = found.volunteers[0]
    expect(first).toMatchObject({ name: '王**', verified: true })
    expect(first.distance_m).toBeGreaterThan(500) // about 1.4 km, placed only to its cell
    expect(first.distance_m).toBeLessThan(2000)
    const row = rules.candidateRow(first, 1)
    expect(row.skills).toContainEqual({ skill: '急救', verified: true })
    expect(row.record).toMatch(/^服务 [\d.]+ 小时/)

    const invitations = await s.organiser.invite(signupOpen.id, [first.volunteer_id])
    const mine = invitations.find((inv) => inv.volunteer_id === first.volunteer_id)
    expect(mine).toMatchObject({ status: 'pending', name: '王**' })
    // Inviting again changes nothing.
    const again = await s.organiser.invite(signupOpen.id, [first.volunteer_id])
    expect(again.filter((inv) => inv.volunteer_id === first.volunteer_id)).toEqual([mine])
    expect((await s.organiser.invitations(signupOpen.id)).map((inv) => inv.id)).toContain(mine.id)
    const afterwards = await s.organiser.searchVolunteers(signupOpen.id, { skill: '急救', radiusM: 5000 })
    expect(afterwards.volunteers.find((c) => c.volunteer_id === first.volunteer_id).invitation).toBe('pending')

    const { request } = require('../../miniprogram/services/request')
    const inbox = await as('volunteer', () => request({ path: '/api/v1/volunteer/me/invitations' }))
    expect(inbox.invitations.find((inv) => inv.id === mine.id)).toMatchObject({ activity_id: signupOpen.id, status: 'pending' })

    const nobody = await caught(s.organiser.invite(signupOpen.id, []))
    expect(nobody.field).toBe('volunteer_ids')
    expect(nobody.message).toMatch(CHINESE)
  })

  test('活动相册: a photo uploaded by the organiser is in the album and downloads with the login', async () => {
    const photo = await s.organiser.uploadPhoto(signupOpen.id, writePNG(path.join(tmp, 'beach.png')))
    expect(photo).toMatchObject({ activity_id: signupOpen.id })
    const album = await s.organiser.photos(signupOpen.id)
    expect(album.map((p) => p.id)).toContain(photo.id)
    const file = await s.organiser.photoFile(album.find((p) => p.id === photo.id))
    expect(fs.statSync(file).size).toBeGreaterThan(0)
  })

  // As 团队管理 and 我的队伍 send them (DELETE, with the login).
  test('团队管理: 王小明 is an admin no longer; the last admin stays one; 林晓琳 leaves and keeps her signups', async () => {
    const { request } = require('../../miniprogram/services/request')
    const byName = Object.fromEntries(members.map((m) => [m.name, m]))
    const wang = byName['王小明']
    const lin = byName['林晓琳']
    const demoted = await request({ method: 'DELETE', path: `/api/v1/teams/${team.id}/admins/${wang.user_id}` })
    expect(demoted).toMatchObject({ user_id: wang.user_id, role: 'member' })
    const noCode = await as('volunteer', () => caught(s.organiser.checkinToken(signupOpen.id)))
    expect(noCode.status).toBe(403)
    const last = await caught(request({ method: 'DELETE', path: `/api/v1/teams/${team.id}/admins/${byName['陈海燕'].user_id}` }))
    expect(last.status).toBe(409)
    expect(last.message).toMatch(CHINESE)

    const signups = await as('volunteer2', () => s.volunteer.mySignups())
    await as('volunteer2', () => request({ method: 'DELETE', path: `/api/v1/teams/${team.id}/members/${lin.user_id}` }))
    expect((await as('volunteer2', () => s.organiser.myTeams())).map((t) => t.id)).not.toContain(team.id)
    expect(await as('volunteer2', () => s.volunteer.mySignups())).toEqual(signups)
    expect((await s.organiser.members(team.id)).map((m) => m.name)).not.toContain('林晓琳')
    const again = await as('volunteer2', () => caught(request({ method: 'DELETE', path: `/api/v1/teams/${team.id}/members/${lin.user_id}` })))
    expect(again.status).toBe(404)
    expect(again.message).toMatch(CHINESE)
  })
})
