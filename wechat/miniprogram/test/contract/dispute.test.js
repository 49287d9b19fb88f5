/**
 * @jest-environment node
 */
// The 大调解 contract: the mini-program's services/dispute.js against a real
// guanjia (built from this repository, demo data). A citizen applies for
// mediation; the desk and the committee's mediator work it through the API
// as the console does; the citizen reads the outcome and opens the
// agreement's PDF. A change of the dispute API that breaks the pages fails here.
const fs = require('fs')
const { start } = require('./server')
const { createWx } = require('./wxshim')
const { accounts, caught } = require('./accounts')

jest.setTimeout(60000)

const CHINESE = /[\u4e00-\u9fa5]/
let server
let s

beforeAll(async () => {
  server = await start()
  global.wx = createWx({ user: `dispute-citizen-${process.pid}` })
  s = require('../../miniprogram/services/index')
  s.config.setBaseURL(server.url)
}, 15 * 60 * 1000)

afterAll(async () => {
  if (global.wx && global.wx.cleanup) global.wx.cleanup()
  if (server) await server.stop()
})

// Staff sign in with their passwords, as on the console, and call the API.
const { call: staff } = accounts(() => server.url)

describe('a citizen applies for mediation and follows it to the agreement', () => {
  const place = { latitude: 20.0014, longitude: 110.29429 } // GCJ-02, as wx.chooseLocation gives it: grid lh01
  const application = {
    type: 'neighbour', summary: '楼上漏水赔偿', description: '楼上卫生间漏水，天花板发霉，协商未果', address: '龙华区金盘路 12 号',
    ...place, applicant: { name: '王海', phone: '13812345678' }, respondent: { kind: 'person', name: '李明' },
  }
  let dispute

  test('the types the new page offers come from the API, in Chinese', async () => {
    await s.auth.login()
    const types = await s.dispute.types()
    expect(types.find((t) => t.code === 'neighbour')).toMatchObject({ name: expect.stringMatching(CHINESE) })
  })

  test('an application without the other party is refused with a Chinese message, nothing filed', async () => {
    const before = (await s.dispute.mine()).total
    const e = await caught(s.dispute.apply({ ...application, respondent: { kind: 'person', name: '' } }))
    expect(e.status).toBe(400)
    expect(e.message).toMatch(CHINESE)
    expect((await s.dispute.mine()).total).toBe(before)
  })

  test('applies; the list under 我的 and the detail show it as the pages read it', async () => {
    dispute = await s.dispute.apply(application, 'dispute-contract-1')
    expect(dispute).toMatchObject({ id: expect.any(Number), number: expect.any(String), status: 'reported', source: 'miniprogram', grid_id: 'lh01' })
    expect(dispute.status_name).toMatch(CHINESE)
    expect(dispute.type_name).toBe('邻里纠纷')
    const again = await s.dispute.apply(application, 'dispute-contract-1') // a retried tap files nothing new
    expect(again.id).toBe(dispute.id)
    const mine = await s.dispute.mine()
    expect(mine.disputes.map((d) => d.id)).toContain(dispute.id)
    const d = await s.dispute.get(dispute.id)
    expect(d.parties.find((p) => p.role === 'applicant')).toMatchObject({ name: '王海', phone_masked: '138****5678' })
    expect(JSON.stringify(d)).not.toContain('13812345678')
    expect(d.events[0]).toMatchObject({ action: 'create', at: expect.any(String) })
    expect(d.actions).toContain('withdraw')
  })

  test('the desk and the committee mediate it; the citizen reads the outcome and opens the agreement', async () => {
    await staff('dispatcher', 'POST', `/api/v1/disputes/${dispute.id}/accept`, {})
    const routed = await staff('dispatcher', 'POST', `/api/v1/disputes/${dispute.id}/route`, {})
    const mediator = `mediator-${routed.committee.code}`
    const me = await staff(mediator, 'GET', '/api/v1/me')
    await staff(mediator, 'POST', `/api/v1/disputes/${dispute.id}/assign`, { mediators: [me.id] })
    const at = new Date(Date.now() + 86400000).toISOString()
    const scheduled = await staff(mediator, 'POST', `/api/v1/disputes/${dispute.id}/schedule`, { at, place: '金盘社区人民调解室' })
    await staff(mediator, 'POST', `/api/v1/disputes/${dispute.id}/record`, { session: scheduled.sessions[0].id, record: '双方到场', attended: '王海、李明' })

    let d = await s.dispute.get(dispute.id)
    expect(d).toMatchObject({ status: 'mediating', committee: { code: routed.committee.code, name: expect.stringMatching(CHINESE) } })
    expect(d.mediators.map((m) => m.id)).toEqual([me.id])
    expect(d.sessions[0]).toMatchObject({ place: '金盘社区人民调解室', status: 'held', at: expect.any(String) })
    expect(new Date(d.due_at) > new Date(d.accepted_at)).toBe(true)

    await staff(mediator, 'POST', `/api/v1/disputes/${dispute.id}/succeed`, { terms: '李明修复防水并赔偿 2000 元' })
    d = await s.dispute.get(dispute.id)
    expect(d.outcome).toMatchObject({ result: 'success', agreement_number: expect.any(String), terms: '李明修复防水并赔偿 2000 元' })
    expect(d.actions || []).not.toContain('withdraw') // no actions: the API leaves the field out
    const file = await s.dispute.agreementPDF(dispute.id)
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-')
  })
})
