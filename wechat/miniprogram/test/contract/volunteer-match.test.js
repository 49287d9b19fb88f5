/**
 * @jest-environment node
 */
// 精准匹配 from the volunteer's side: the mini-program's services/volunteer.js
// and utils/match.js against a real guanjia (built from this repository, demo
// data). The demo volunteer2 (林晓琳) records skills and an area picked on
// WeChat's map and switches being found on; the demo team admin (team-lead)
// finds her by skill with services/organiser.js and invites her; she sees
// the invitation as 活动邀请 reads it, accepts and is signed up; a second
// invitation she declines. As in organiser.test.js, the demo accounts'
// phones keep the token of a password login.
const { start } = require('./server')
const { accounts, caught } = require('./accounts')

jest.setTimeout(60000)

const CHINESE = /[\u4e00-\u9fa5]/

let server
let s // the mini-program's services
let match
let coord

// as runs a step on a demo account's phone (signed in once and kept).
const { as, call, hangUp } = accounts(() => server.url)

// The platform admin reviews through the API, as the console does.
const admin = (...a) => call('admin', ...a)

beforeAll(async () => {
  server = await start()
  s = require('../../miniprogram/services/index')
  s.config.setBaseURL(server.url)
  match = require('../../miniprogram/utils/match')
  coord = require('../../miniprogram/utils/coord')
}, 15 * 60 * 1000)

afterAll(async () => {
  hangUp()
  if (server) await server.stop()
})

describe('volunteer2 is found by skill, invited, and answers', () => {
  let team
  let tomorrow // the demo's activity open for signup
  let found
  let invitation

  beforeAll(async () => {
    ;[team] = await as('team-lead', () => s.organiser.adminTeams())
    const now = Date.now()
    tomorrow = (await as('team-lead', () => s.organiser.activities(team.id, ['published']))).find((a) => Date.parse(a.signup_deadline) > now)
    expect(tomorrow).toBeTruthy()
  })

  test('not findable until she opts in: the demo’s skills are the catalogue’s, and a search for 外语 finds nobody', async () => {
    const mine = await as('volunteer2', () => s.volunteer.mySkills())
    expect(mine.findable).toBe(false)
    const catalogue = (await as('volunteer2', () => s.volunteer.skillCatalogue())).map((sk) => sk.name)
    expect(mine.skills.length).toBeGreaterThan(0)
    for (const sk of mine.skills) expect(catalogue).toContain(sk.skill)
    const before = await as('team-lead', () => s.organiser.searchVolunteers(tomorrow.id, { skill: '外语', radiusM: 5000 }))
    expect(before.total).toBe(0)
  })

  test('records skills, an area picked on the map (GCJ-02) and switches being found on', async () => {
    const rows = match.skillRows(await as('volunteer2', () => s.volunteer.skillCatalogue()), [])
    expect(rows.find((r) => r.name === '急救').label).toBe('需证书')
    // About 1 km south of the activity, as wx.chooseLocation gives it.
    const home = coord.wgs84ToGcj02(tomorrow.lat - 0.009, tomorrow.lng)
    const refused = await as('volunteer2', () => caught(s.volunteer.setSkills({ skills: ['飞行'], availability: '', findable: true, location: home, radiusM: 5000 })))
    expect(refused.field).toBe('skills')
    expect(refused.message).toMatch(CHINESE)
    const away = await as('volunteer2', () => caught(s.volunteer.setSkills({
      skills: ['外语'], availability: '', findable: true, location: { latitude: 39.9, longitude: 116.4 }, radiusM: 5000, // Beijing
    })))
    expect(match.skillsField(away.field)).toBe('area')
    expect(away.message).toMatch(CHINESE)

    const saved = await as('volunteer2', () => s.volunteer.setSkills({ skills: ['外语', '摄影'], availability: '周末、工作日晚上', findable: true, location: home, radiusM: 5000 }))
    expect(saved).toMatchObject({ findable: true, availability: '周末、工作日晚上', radius_m: 5000 })
    expect(saved.skills.map((sk) => sk.skill).sort()).toEqual(['外语', '摄影'].sort())
    // Kept in WGS-84: back on the map it is where she put it.
    const back = coord.wgs84ToGcj02(saved.lat, saved.lng)
    expect(back.latitude).toBeCloseTo(home.latitude, 5)
    expect(back.longitude).toBeCloseTo(home.longitude, 5)
    expect(saved.lat).toBeCloseTo(tomorrow.lat - 0.009, 5)
    expect(await as('volunteer2', () => s.volunteer.mySkills())).toMatchObject({ findable: true, radius_m: 5000 })
  })

  test('team-lead searches 外语 around the activity and finds her, name masked; invites her', async () => {
    const res = await as('team-lead', () => s.organiser.searchVolunteers(tomorrow.id, { skill: '外语', radiusM: 5000 }))
    expect(res.total).toBe(1)
    found = res.volunteers[0]
    expect(found).toMatchObject({ name: '林**', availability: '周末、工作日晚上' })
    expect(found.distance_m).toBeGreaterThan(500) // about 1 km, placed only to its cell
    expect(found.distance_m).toBeLessThan(2000)
    const sent = await as('team-lead', () => s.organiser.invite(tomorrow.id, [found.volunteer_id]))
    expect(sent.find((inv) => inv.volunteer_id === found.volunteer_id)).toMatchObject({ status: 'pending', name: '林**' })
  })

  test('she sees it as 活动邀请 does, with the activity, and accepts: signed up through the ordinary path', async () => {
    const invitations = await as('volunteer2', () => s.volunteer.myInvitations())
    invitation = invitations.find((inv) => inv.activity_id === tomorrow.id)
    expect(invitation).toMatchObject({ status: 'pending' })
    expect(match.pendingCount(invitations, Date.now())).toBe(1) // the count on 公益海口
    // The list answers the activity itself: 活动邀请 reads no activity one by one.
    expect(invitation.activity).toEqual({ id: tomorrow.id, team_id: team.id, team: team.name, title: tomorrow.title, address: tomorrow.address,
      start_at: tomorrow.start_at, end_at: tomorrow.end_at, signup_deadline: tomorrow.signup_deadline, status: 'published' })
    const row = match.invitationView(invitation, invitation.activity, Date.now())
    expect(row).toMatchObject({ canAnswer: true, title: tomorrow.title, team: team.name, place: tomorrow.address, statusText: '待回复' })
    expect(row.when).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d 至 /)

    const accepted = await as('volunteer2', () => s.volunteer.acceptInvitation(invitation.id))
    expect(accepted.invitation).toMatchObject({ id: invitation.id, status: 'accepted' })
    expect(accepted.signup).toMatchObject({ activity_id: tomorrow.id, status: 'confirmed' })
    expect(match.acceptedText(accepted.signup)).toBe('已接受，报名成功')
    const signups = await as('volunteer2', () => s.volunteer.mySignups())
    expect(signups.find((su) => su.activity_id === tomorrow.id)).toMatchObject({ status: 'confirmed' })
    const after = await as('volunteer2', () => s.volunteer.activity(tomorrow.id))
    expect(after.my_signup).toMatchObject({ status: 'confirmed' })
    const answered = (await as('volunteer2', () => s.volunteer.myInvitations())).find((inv) => inv.id === invitation.id)
    expect(match.invitationView(answered, after, Date.now())).toMatchObject({ canAnswer: false, statusText: '已接受', note: '已接受邀请：已报名（名额已确认）' })
    // The organiser now reads her name, and she is on the roster.
    const list = await as('team-lead', () => s.organiser.invitations(tomorrow.id))
    expect(list.find((inv) => inv.id === invitation.id)).toMatchObject({ status: 'accepted', name: '林晓琳' })
    const roster = await as('team-lead', () => s.organiser.signups(tomorrow.id))
    expect(roster.find((su) => su.name === '林晓琳')).toMatchObject({ status: 'confirmed' })
    // Answered once: a second answer is refused, in Chinese.
    const again = await as('volunteer2', () => caught(s.volunteer.declineInvitation(invitation.id)))
    expect(again.status).toBe(409)
    expect(again.message).toMatch(CHINESE)
  })

  test('a second invitation, to the activity waiting for review once published, she declines: recorded', async () => {
    const now = Date.now()
    const submitted = await as('team-lead', () => s.organiser.activities(team.id, ['submitted']))
    const nextWeek = submitted.find((a) => Date.parse(a.signup_deadline) > now)
    expect(nextWeek).toBeTruthy()
    await admin('POST', `/api/v1/activities/${nextWeek.id}/review`, { approve: true })
    await as('team-lead', () => s.organiser.invite(nextWeek.id, [found.volunteer_id]))

    const invitations = await as('volunteer2', () => s.volunteer.myInvitations())
    const second = invitations.find((inv) => inv.activity_id === nextWeek.id)
    expect(second).toMatchObject({ status: 'pending' })
    expect(match.pendingCount(invitations, Date.now())).toBe(1)
    const declined = await as('volunteer2', () => s.volunteer.declineInvitation(second.id))
    expect(declined).toMatchObject({ id: second.id, status: 'declined' })
    expect(declined.decided_at).toBeTruthy()

    const mine = await as('volunteer2', () => s.volunteer.myInvitations())
    expect(mine.find((inv) => inv.id === second.id).status).toBe('declined')
    expect(match.pendingCount(mine, Date.now())).toBe(0)
    const list = await as('team-lead', () => s.organiser.invitations(nextWeek.id))
    expect(list.find((inv) => inv.id === second.id)).toMatchObject({ status: 'declined', name: '林**' }) // no name unless accepted
    const a = await as('volunteer2', () => s.volunteer.activity(nextWeek.id))
    expect(a.my_signup).toBeUndefined() // declining signs nobody up
    const late = await as('volunteer2', () => caught(s.volunteer.acceptInvitation(second.id)))
    expect(late.status).toBe(409)
  })
})
