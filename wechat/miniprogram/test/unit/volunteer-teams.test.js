// 公益海口's 我的队伍: the teams I belong to, with my role; 退出团队 from a
// team where I am a member, once asked; an admin is told to step down in
// 团队管理 first and is led there. Times are built around a fixed "now".
const { at, open } = require('../support/volunteering')
const { flush, text, tap } = require('../support/render')

const ME = { id: 1, number: 'HK000001', name: '王小明', certified_at: at(-90 * 1440) }
const HOURS = { total_hours: 3, credit_hours: 3, honor_hours: 0, month_hours: 0, entries: [] }
const LONGHUA = { id: 2, name: '龙华区青年志愿者协会', status: 'certified', district: '龙华区', members: 12, my_role: 'member' }
const MEILAN = { id: 3, name: '美兰助老服务队', status: 'certified', district: '美兰区', members: 5, my_role: 'admin' }

const toasts = (fake) => fake.called('showToast').map((c) => c.args.title)
const modals = (fake) => fake.called('showModal').map((c) => c.args)
const has = (comp, selector) => !!comp.querySelector(selector)

function home(routes = {}) {
  let teams = [LONGHUA, MEILAN]
  const left = []
  const opened = open('pages/volunteer/index', {}, {
    'GET /api/v1/volunteer/me': ME,
    'GET /api/v1/volunteer/me/hours': HOURS,
    'GET /api/v1/volunteer/me/invitations': { invitations: [] },
    'GET /api/v1/teams': () => ({ teams }),
    'DELETE /api/v1/teams/2/members/7': (req) => {
      left.push(req.path)
      teams = teams.filter((t) => t.id !== 2)
      return { status: 204, body: '' }
    },
    ...routes,
  })
  return { ...opened, left }
}

test('my teams with my role; 退出团队 where I am a member, not where I am an admin', async () => {
  const { comp, fake } = home()
  await flush(30)
  const shown = text(comp)
  for (const w of ['我的队伍', '龙华区青年志愿者协会', '队员', '龙华区 · 12 名队员', '美兰助老服务队', '管理员', '须先在团队管理中取消管理员身份', '我组织的活动']) {
    expect(shown).toContain(w)
  }
  expect(has(comp, '#leave-2')).toBe(true)
  expect(has(comp, '#leave-3')).toBe(false)
  tap(comp, '#team-3')
  await flush(5)
  expect(fake.called('navigateTo')[0].args.url).toBe('/pages/organiser/team?id=3')
})

test('退出团队 asks first; confirmed, I leave with my own id and the team is gone from the list', async () => {
  const { comp, fake, left } = home()
  await flush(30)
  fake.state.modalConfirm = false
  tap(comp, '#leave-2')
  await flush(20)
  expect(left).toEqual([])
  fake.state.modalConfirm = true
  tap(comp, '#leave-2')
  await flush(30)
  expect(modals(fake)[1]).toMatchObject({ title: '退出团队', confirmText: '退出' })
  expect(modals(fake)[1].content).toContain('龙华区青年志愿者协会')
  expect(modals(fake)[1].content).toContain('已报名的活动仍然有效')
  expect(left).toEqual(['/api/v1/teams/2/members/7'])
  expect(toasts(fake)).toContain('已退出龙华区青年志愿者协会')
  expect(has(comp, '#team-2')).toBe(false)
  expect(has(comp, '#team-3')).toBe(true)
})

test('the server’s refusal is shown as it is and the team stays', async () => {
  const { comp, fake } = home({
    'DELETE /api/v1/teams/2/members/7': { status: 409, body: { error: { code: 'conflict', message: '管理员不能直接退出团队' } } },
  })
  await flush(30)
  tap(comp, '#leave-2')
  await flush(30)
  expect(toasts(fake).concat(modals(fake).map((m) => m.content))).toContain('管理员不能直接退出团队')
  expect(has(comp, '#team-2')).toBe(true)
})

test('no teams, no list', async () => {
  const { comp } = home({ 'GET /api/v1/teams': { teams: [] } })
  await flush(30)
  expect(has(comp, '#my-teams')).toBe(false)
  expect(text(comp)).not.toContain('我组织的活动')
})
