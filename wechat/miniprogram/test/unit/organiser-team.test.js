// 公益海口 for a team's admins, continued: 团队管理 (members, admins, skills
// verified, the hours ledger), 邀请志愿者 (精准匹配: the search, choosing,
// inviting, the answers) and the activity's album (上传照片). Times are built
// around a fixed "now" given to the pages.
const { NOW, at, TEAM, activity, open, requests } = require('../support/volunteering')
const { render, flush, text, tap } = require('../support/render')
const rules = require('../../miniprogram/utils/organiser')

const CATALOGUE = { skills: [{ name: '急救', certificate: true }, { name: '外语', certificate: false }, { name: '驾驶', certificate: true }, { name: '摄影', certificate: false }] }

const queryOf = (call) => Object.fromEntries(new URL(call.args.url).searchParams)
const toasts = (fake) => fake.called('showToast').map((c) => c.args.title)
const modals = (fake) => fake.called('showModal').map((c) => c.args)
const has = (comp, selector) => !!comp.querySelector(selector)

describe('团队管理', () => {
  const MEMBERS = [
    { team_id: 2, user_id: 7, name: '陈海燕', role: 'admin', joined_at: at(-90 * 1440), skills: [{ skill: '急救', verified: false }] },
    { team_id: 2, user_id: 8, name: '王小明', role: 'member', joined_at: at(-30 * 1440), skills: [{ skill: '急救', verified: false }, { skill: '摄影', verified: false }] },
    { team_id: 2, user_id: 9, name: '林晓琳', role: 'member', joined_at: at(-10 * 1440), skills: [{ skill: '驾驶', verified: true, verified_at: at(-5 * 1440) }] },
  ]
  const HOURS = {
    team_id: 2, total_hours: 7.5, credit_hours: 6, honor_hours: 1.5, month_hours: 3,
    entries: [
      { id: 1, user_id: 8, team_id: 2, kind: 'credit', source: 'checkin', hours: 3, minutes: 180, created_at: at(-20 * 1440) },
      { id: 2, user_id: 9, team_id: 2, kind: 'credit', source: 'manual', hours: 3, minutes: 180, created_at: at(-2 * 1440) },
      { id: 3, user_id: 9, team_id: 2, kind: 'honor', source: 'entry', hours: 1.5, minutes: 90, reason: '活动策划', created_at: at(-1440) },
    ],
  }
  function team(routes = {}) {
    let members = MEMBERS.map((m) => ({ ...m }))
    const sent = []
    const opened = open('pages/organiser/team', { id: '2' }, {
      'GET /api/v1/teams/2': TEAM,
      'GET /api/v1/teams/2/members': () => ({ members }),
      'GET /api/v1/teams/2/hours': HOURS,
      'GET /api/v1/volunteer/skills': CATALOGUE,
      'PUT /api/v1/teams/2/members/8/skills': (req) => {
        sent.push({ put: req.data })
        members = members.map((m) => (m.user_id === 8 ? { ...m, skills: m.skills.map((s) => (s.skill === req.data.skill ? { ...s, verified: req.data.verified } : s)) } : m))
        return { skills: members.find((m) => m.user_id === 8).skills }
      },
      'POST /api/v1/teams/2/admins': (req) => {
        sent.push({ post: req.data, key: req.header['Idempotency-Key'] })
        members = members.map((m) => (m.user_id === req.data.user_id ? { ...m, role: 'admin' } : m))
        return members.find((m) => m.user_id === req.data.user_id)
      },
      ...routes,
    })
    return { ...opened, sent }
  }

  test('我组织的活动 leads to the chosen team’s 团队管理', async () => {
    const { comp, fake } = open('pages/organiser/activities', {}, {
      'GET /api/v1/teams': { teams: [TEAM] },
      'GET /api/v1/activities': { activities: [activity()] },
    })
    await flush(20)
    tap(comp, '#team-manage')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/organiser/team?id=2')
  })

  test('members by name with their role; 设为管理员 for members; 核验 only for skills that need a certificate', async () => {
    const { comp } = team()
    await flush(20)
    const shown = text(comp)
    for (const w of ['龙华区青年志愿者协会', '队员 3', '陈海燕', '管理员', '王小明', '林晓琳', '摄影', '驾驶 · 已核验']) expect(shown).toContain(w)
    expect(['#admin-7', '#admin-8', '#admin-9'].filter((s) => has(comp, s))).toEqual(['#admin-8', '#admin-9'])
    // 王小明: 急救 needs a certificate, 摄影 does not; 林晓琳's 驾驶 may be taken back.
    expect(['#verify-8-0', '#verify-8-1', '#verify-9-0'].filter((s) => has(comp, s))).toEqual(['#verify-8-0', '#verify-9-0'])
    expect(comp.querySelector('#verify-8-0').dom.textContent).toContain('核验证书')
    expect(comp.querySelector('#verify-9-0').dom.textContent).toContain('撤销核验')
  })

  test('核验证书 asks first, then sends the skill verified and shows it so; cancelled, nothing is sent', async () => {
    const { comp, fake, sent } = team()
    await flush(20)
    fake.state.modalConfirm = false
    tap(comp, '#verify-8-0')
    await flush(20)
    expect(sent).toEqual([])
    fake.state.modalConfirm = true
    tap(comp, '#verify-8-0')
    await flush(20)
    expect(modals(fake)[1]).toMatchObject({ confirmText: '核验通过' })
    expect(modals(fake)[1].content).toContain('王小明')
    expect(sent).toEqual([{ put: { skill: '急救', verified: true } }])
    expect(toasts(fake)).toContain('已核验')
    expect(comp.querySelector('#skill-8-0').dom.textContent).toContain('急救 · 已核验')
    expect(comp.querySelector('#verify-8-0').dom.textContent).toContain('撤销核验')
    expect(comp.querySelector('#member-8').dom.textContent).toContain('加入') // the row keeps its join date
  })

  test('设为管理员 asks, sends the member with an Idempotency-Key, and the list shows the new admin', async () => {
    const { comp, fake, sent } = team()
    await flush(20)
    tap(comp, '#admin-9')
    await flush(30)
    expect(modals(fake)[0]).toMatchObject({ confirmText: '设为管理员' })
    expect(sent).toEqual([{ post: { user_id: 9 }, key: expect.any(String) }])
    expect(toasts(fake)).toContain('已设 林晓琳 为管理员')
    expect(has(comp, '#admin-9')).toBe(false)
    expect(comp.querySelector('#member-9').dom.textContent).toContain('管理员')
  })

  test('the server’s refusal is shown as it is', async () => {
    const { comp, fake } = team({
      'POST /api/v1/teams/2/admins': { status: 422, body: { error: { code: 'invalid', message: '该用户不是本队队员', field: 'user_id' } } },
    })
    await flush(20)
    tap(comp, '#admin-8')
    await flush(30)
    expect(toasts(fake).concat(modals(fake).map((m) => m.content))).toContain('该用户不是本队队员')
    expect(has(comp, '#admin-8')).toBe(true)
  })

  // The team as the server keeps it, for 取消管理员 and 移出团队: each DELETE
  // changes it and is recorded; a refusal answers as the server would.
  function managed(members, routes = {}) {
    let current = members.map((m) => ({ ...m }))
    const deleted = []
    const opened = team({
      'GET /api/v1/teams/2/members': () => ({ members: current }),
      'DELETE /api/v1/teams/2/admins/7': (req) => demote(req),
      'DELETE /api/v1/teams/2/admins/8': (req) => demote(req),
      'DELETE /api/v1/teams/2/members/9': (req) => {
        deleted.push(req.path)
        current = current.filter((m) => m.user_id !== 9)
        return { status: 204, body: '' }
      },
      ...routes,
    })
    function demote(req) {
      deleted.push(req.path)
      const user = Number(req.path.split('/').pop())
      current = current.map((m) => (m.user_id === user ? { ...m, role: 'member' } : m))
      return current.find((m) => m.user_id === user)
    }
    return { ...opened, deleted }
  }
  const TWO_ADMINS = MEMBERS.map((m) => (m.user_id === 8 ? { ...m, role: 'admin' } : m))

  test('移出团队 beside members only; no 取消管理员 beside the last admin, and the page says why', async () => {
    const { comp } = team()
    await flush(20)
    expect(['#demote-7', '#demote-8', '#demote-9'].filter((sel) => has(comp, sel))).toEqual([])
    expect(['#remove-7', '#remove-8', '#remove-9'].filter((sel) => has(comp, sel))).toEqual(['#remove-8', '#remove-9'])
    expect(comp.querySelector('#last-admin').dom.textContent).toContain('团队至少要有一名管理员')
  })

  test('取消管理员 beside each admin while another remains', async () => {
    const { comp } = managed(TWO_ADMINS)
    await flush(20)
    expect(['#demote-7', '#demote-8', '#demote-9'].filter((sel) => has(comp, sel))).toEqual(['#demote-7', '#demote-8'])
    expect(['#remove-7', '#remove-8', '#remove-9'].filter((sel) => has(comp, sel))).toEqual(['#remove-9'])
    expect(has(comp, '#last-admin')).toBe(false)
  })

  test('取消管理员 asks first; confirmed, the admin is a member again and the last admin keeps the role', async () => {
    const { comp, fake, deleted } = managed(TWO_ADMINS)
    await flush(20)
    fake.state.modalConfirm = false
    tap(comp, '#demote-8')
    await flush(20)
    expect(deleted).toEqual([])
    fake.state.modalConfirm = true
    tap(comp, '#demote-8')
    await flush(30)
    expect(modals(fake)[1]).toMatchObject({ title: '取消管理员', confirmText: '取消管理员' })
    expect(modals(fake)[1].content).toContain('王小明')
    expect(deleted).toEqual(['/api/v1/teams/2/admins/8'])
    expect(toasts(fake)).toContain('已取消 王小明 的管理员')
    expect(comp.querySelector('#member-8').dom.textContent).toContain('队员')
    expect(has(comp, '#admin-8')).toBe(true) // may be appointed again
    expect(has(comp, '#demote-7')).toBe(false) // 陈海燕 is the last admin now
  })

  test('an admin who steps down leaves the page, which is no longer theirs', async () => {
    const { comp, fake, deleted } = managed(TWO_ADMINS)
    await flush(20)
    tap(comp, '#demote-7') // user 7 is the one signed in
    await flush(30)
    expect(modals(fake)[0].content).toContain('确定不再担任本队管理员')
    expect(deleted).toEqual(['/api/v1/teams/2/admins/7'])
    expect(toasts(fake)).toContain('您已不再是管理员')
    expect(fake.called('navigateBack')).toHaveLength(1)
  })

  test('移出团队 asks first, sends the member, and the list no longer has them', async () => {
    const { comp, fake, deleted } = managed(MEMBERS)
    await flush(20)
    tap(comp, '#remove-9')
    await flush(30)
    expect(modals(fake)[0]).toMatchObject({ title: '移出团队', confirmText: '移出' })
    expect(modals(fake)[0].content).toContain('林晓琳')
    expect(modals(fake)[0].content).toContain('已报名的活动仍然有效')
    expect(deleted).toEqual(['/api/v1/teams/2/members/9'])
    expect(toasts(fake)).toContain('已将 林晓琳 移出团队')
    expect(has(comp, '#member-9')).toBe(false)
    expect(text(comp)).toContain('队员 2')
  })

  test('the server’s refusal to take away an admin is shown as it is', async () => {
    const refused = { status: 409, body: { error: { code: 'conflict', message: '团队至少要有一名管理员：请先任命其他管理员，再取消该管理员' } } }
    const { comp, fake } = managed(TWO_ADMINS, { 'DELETE /api/v1/teams/2/admins/8': refused })
    await flush(20)
    tap(comp, '#demote-8')
    await flush(30)
    expect(toasts(fake).concat(modals(fake).map((m) => m.content))).toContain('团队至少要有一名管理员：请先任命其他管理员，再取消该管理员')
    expect(comp.querySelector('#member-8').dom.textContent).toContain('管理员')
  })

  test('志愿时长: the totals and the ledger, newest first, by member name', async () => {
    const { comp } = team()
    await flush(20)
    comp.instance.onTab({ detail: { index: 1 } })
    await flush(10)
    expect(comp.querySelector('#hours-totals').dom.textContent.replace(/\s+/g, '')).toContain('累计志愿时长7.5小时')
    const ledger = comp.querySelector('#ledger').dom.textContent.replace(/\s+/g, ' ')
    const order = ['林晓琳 荣誉时长 +1.5 小时', '林晓琳 信用时长 +3 小时', '王小明 信用时长 +3 小时'].map((w) => ledger.indexOf(w))
    expect(order.every((i) => i >= 0)).toBe(true)
    expect(order).toEqual(order.slice().sort((x, y) => x - y))
    expect(ledger).toContain('荣誉时长录入 · 活动策划')
  })

  test('someone who is not the team’s admin is told so by the server', async () => {
    const refused = { status: 403, body: { error: { code: 'forbidden', message: '只有队伍管理员可以查看队员' } } }
    const { comp } = team({ 'GET /api/v1/teams/2/members': refused })
    await flush(20)
    expect(text(comp)).toContain('只有队伍管理员可以查看队员')
  })
})

describe('邀请志愿者 (精准匹配)', () => {
  const candidate = (id, extra = {}) => ({
    volunteer_id: id, name: '陈**', skills: [{ skill: '急救', verified: false }], verified: false, availability: '',
    distance_m: 1500, hours: 0, activities_completed: 0, no_shows: 0, score: 0.5, ...extra,
  })
  const FOUND = [
    candidate(11, { name: '王**', skills: [{ skill: '急救', verified: true }, { skill: '摄影', verified: false }], verified: true, distance_m: 1200,
      hours: 36.5, activities_completed: 4, no_shows: 1, availability: '周末' }),
    candidate(12, { name: '林**', distance_m: 800 }),
    candidate(13, { name: '张**', invitation: 'pending', distance_m: 2600 }),
  ]
  function invitePage(routes = {}, extra = {}) {
    const sent = []
    const opened = open('pages/organiser/invite', { id: '5' }, {
      'GET /api/v1/activities/5': activity(extra),
      'GET /api/v1/volunteer/skills': CATALOGUE,
      'GET /api/v1/activities/5/invitations': { invitations: [{ id: 1, activity_id: 5, volunteer_id: 13, name: '张**', status: 'pending', expires_at: at(300), created_at: at(-60) }] },
      'GET /api/v1/volunteers/search': (req) => ({ volunteers: req.query.page === '1' ? FOUND : [], total: 3, page: Number(req.query.page) }),
      'POST /api/v1/activities/5/invitations': (req) => {
        sent.push({ data: req.data, key: req.header['Idempotency-Key'] })
        const invs = [13, ...req.data.volunteer_ids].map((v, i) => ({
          id: i + 1, activity_id: 5, volunteer_id: v, name: v === 13 ? '张**' : FOUND.find((c) => c.volunteer_id === v).name,
          status: 'pending', expires_at: at(300), created_at: at(i ? 0 : -60),
        }))
        return { status: 201, body: { invitations: invs } }
      },
      ...routes,
    })
    return { ...opened, sent }
  }

  test('offered while signup is open: on the activity page, and not once it has closed', async () => {
    expect(rules.organiserView(activity(), NOW).canInvite).toBe(true)
    expect(rules.organiserView(activity({ signup_deadline: at(-1) }), NOW).canInvite).toBe(false)
    expect(rules.organiserView(activity({ status: 'submitted' }), NOW).canInvite).toBe(false)
    const { comp, fake } = open('pages/organiser/activity', { id: '5' }, { 'GET /api/v1/activities/5': activity(), 'GET /api/v1/activities/5/photos': { photos: [] } })
    await flush(20)
    tap(comp, '#invite')
    await flush(5)
    expect(fake.called('navigateTo')[0].args.url).toBe('/pages/organiser/invite?id=5')

    const closed = invitePage({}, { signup_deadline: at(-10) })
    await flush(20)
    expect(has(closed.comp, '#closed')).toBe(true)
    expect(has(closed.comp, '#search')).toBe(false)
  })

  test('searches by skill and distance around the activity; shows the ranking as given, names masked, verified skills and record', async () => {
    const { comp, fake } = invitePage()
    await flush(20)
    comp.instance.onSkill({ detail: { value: 1 } }) // 急救
    comp.instance.onRadius({ detail: { value: 1 } }) // 3 公里
    await flush(5)
    tap(comp, '#search')
    await flush(20)
    const [call] = requests(fake, 'GET', '/api/v1/volunteers/search')
    expect(queryOf(call)).toEqual({ activity: '5', skill: '急救', radius_m: '3000', page: '1', per_page: '20' })
    const first = comp.querySelector('#cand-11').dom.textContent.replace(/\s+/g, ' ')
    for (const w of ['1.', '王**', '1.2 公里', '技能已核验', '急救 ✓', '摄影', '服务 36.5 小时 · 完成 4 次 · 缺席 1 次 · 守约率 80%', '周末']) expect(first).toContain(w)
    expect(comp.querySelector('#cand-12').dom.textContent).toContain('暂无活动记录')
    // The server's order stands, though 林** is nearer.
    const shown = text(comp)
    expect(shown.indexOf('王**')).toBeLessThan(shown.indexOf('林**'))
    expect(comp.querySelector('#cand-13').dom.textContent).toContain('待回复')
    expect(comp.querySelector('#found').dom.textContent).toContain('找到 3 位，已选 0 / 50')
  })

  test('choose and invite: volunteer_ids with an Idempotency-Key; the rows and the list then show the answers', async () => {
    const { comp, fake, sent } = invitePage()
    await flush(20)
    tap(comp, '#search')
    await flush(20)
    tap(comp, '#cand-11')
    tap(comp, '#cand-12')
    tap(comp, '#cand-13') // invited already: not chosen again
    tap(comp, '#cand-12') // let go again
    tap(comp, '#cand-12')
    await flush(5)
    expect(comp.querySelector('#found').dom.textContent).toContain('已选 2 / 50')
    tap(comp, '#invite')
    await flush(30)
    expect(modals(fake)[0].content).toContain('2 位志愿者')
    expect(sent).toEqual([{ data: { volunteer_ids: [11, 12] }, key: expect.any(String) }])
    expect(toasts(fake)).toContain('已邀请 2 人')
    expect(comp.querySelector('#cand-11').dom.textContent).toContain('待回复')
    expect(comp.querySelector('#found').dom.textContent).toContain('已选 0 / 50')
    comp.instance.onTab({ detail: { index: 1 } })
    await flush(10)
    const list = comp.querySelector('#invitations').dom.textContent
    for (const w of ['王**', '林**', '张**', '待回复']) expect(list).toContain(w)
  })

  test('the invitations sent and their answers; a name is shown once its volunteer accepts', async () => {
    const { comp } = invitePage({
      'GET /api/v1/activities/5/invitations': { invitations: [
        { id: 1, activity_id: 5, volunteer_id: 11, name: '王小明', status: 'accepted', expires_at: at(300), created_at: at(-120), decided_at: at(-30), signup_id: 4 },
        { id: 2, activity_id: 5, volunteer_id: 12, name: '林**', status: 'declined', expires_at: at(300), created_at: at(-120), decided_at: at(-20) },
        { id: 3, activity_id: 5, volunteer_id: 13, name: '张**', status: 'expired', expires_at: at(-1), created_at: at(-120) },
      ] },
    })
    await flush(20)
    expect(text(comp)).toContain('已发邀请 3')
    comp.instance.onTab({ detail: { index: 1 } })
    await flush(10)
    expect(comp.querySelector('#inv-11').dom.textContent).toContain('王小明')
    expect(comp.querySelector('#inv-11').dom.textContent).toContain('已接受')
    expect(comp.querySelector('#inv-11').dom.textContent).toContain('回复于 04-11 08:10')
    expect(comp.querySelector('#inv-12').dom.textContent).toContain('已谢绝')
    expect(comp.querySelector('#inv-13').dom.textContent).toContain('已过期')
  })

  test('at most 50 chosen at once, the API’s limit; 加载更多 asks the next page, the ranking continuing', async () => {
    const many = Array.from({ length: 51 }, (_, i) => candidate(100 + i))
    const { comp, fake } = invitePage({
      'GET /api/v1/volunteers/search': (req) => ({ volunteers: req.query.page === '1' ? many.slice(0, 20) : many.slice(20, 51), total: 51, page: Number(req.query.page) }),
    })
    await flush(20)
    tap(comp, '#search')
    await flush(20)
    tap(comp, '#more')
    await flush(20)
    expect(requests(fake, 'GET', '/api/v1/volunteers/search').map((c) => queryOf(c).page)).toEqual(['1', '2'])
    expect(comp.querySelector('#cand-150').dom.textContent).toContain('51.')
    many.forEach((c) => comp.instance.onToggle({ currentTarget: { dataset: { id: c.volunteer_id } } }))
    await flush(5)
    expect(comp.instance.data.selectedCount).toBe(50)
    expect(toasts(fake)).toContain('一次最多邀请 50 人')
  })

  test('the server’s refusals land next to the field they name, in its words', async () => {
    const { comp } = invitePage({
      'GET /api/v1/volunteers/search': { status: 400, body: { error: { code: 'invalid', message: '“飞行”不在技能目录中', field: 'skill' } } },
    })
    await flush(20)
    tap(comp, '#search')
    await flush(20)
    expect(comp.querySelector('#error-skill').dom.textContent).toContain('“飞行”不在技能目录中')

    const second = invitePage({
      'POST /api/v1/activities/5/invitations': { status: 400, body: { error: { code: 'invalid', message: '志愿者 12 无法邀请', field: 'volunteer_ids' } } },
    })
    await flush(20)
    tap(second.comp, '#search')
    await flush(20)
    tap(second.comp, '#cand-12')
    await flush(5)
    tap(second.comp, '#invite')
    await flush(30)
    expect(second.comp.querySelector('#error-volunteer_ids').dom.textContent).toContain('志愿者 12 无法邀请')
  })

  test('someone who does not run the activity is told so', async () => {
    const { comp } = invitePage({}, { can_edit: false })
    await flush(20)
    expect(text(comp)).toContain('只有活动所属队伍的管理员可以邀请志愿者')
  })
})

describe('活动相册', () => {
  const photo = (id) => ({ id, activity_id: 5, content_type: 'image/jpeg', size: 2048, url: `/api/v1/activities/5/photos/${id}`, uploaded_by: 7, created_at: at(-5) })
  function album(routes = {}) {
    let photos = [photo('va-1')]
    const uploads = []
    const opened = open('pages/organiser/activity', { id: '5' }, {
      'GET /api/v1/activities/5': activity({ status: 'finished', start_at: at(-400), end_at: at(-300), settled_at: at(-180) }),
      'GET /api/v1/activities/5/photos': () => ({ photos }),
      'UPLOAD /api/v1/activities/5/photos': (req) => {
        uploads.push(req.filePath)
        const p = photo(`va-${photos.length + 1}`)
        photos = photos.concat(p)
        return { status: 201, body: p }
      },
      ...routes,
    })
    return { ...opened, uploads }
  }
  const downloaded = (fake) => fake.called('downloadFile').map((c) => new URL(c.args.url).pathname)

  test('the album is fetched with the login and shown; a photo is downloaded once, shown again or not', async () => {
    const { comp, fake } = album()
    await flush(20)
    expect(comp.querySelectorAll('.album-photo')).toHaveLength(1)
    expect(downloaded(fake)).toEqual(['/api/v1/activities/5/photos/va-1'])
    expect(fake.called('downloadFile')[0].args.header.Authorization).toBe('Bearer tok-1')
    comp.instance.onShow() // back from the preview
    await flush(20)
    expect(downloaded(fake)).toHaveLength(1)
    comp.querySelector('.album-photo').dispatchEvent('tap')
    await flush(5)
    expect(fake.called('previewImage')[0].args.urls).toHaveLength(1)
  })

  test('上传照片: the chosen images go one by one, each with its own key, then the album shows them', async () => {
    const { comp, fake, uploads } = album()
    await flush(20)
    fake.state.media = ['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg']
    tap(comp, '#upload-photos')
    await flush(40)
    expect(fake.called('chooseMedia')[0].args).toMatchObject({ mediaType: ['image'], sizeType: ['compressed'] })
    expect(uploads).toEqual(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg'])
    const keys = fake.called('uploadFile').map((c) => c.args.header['Idempotency-Key'])
    expect(keys).toHaveLength(2)
    expect(new Set(keys).size).toBe(2)
    expect(fake.called('uploadFile')[0].args.name).toBe('file')
    expect(toasts(fake)).toContain('已上传 2 张照片')
    expect(comp.querySelectorAll('.album-photo')).toHaveLength(3)
  })

  test('a refused image is said in the server’s words and the others still go; cancelling the picker sends nothing', async () => {
    let n = 0
    const { comp, fake } = album({
      'UPLOAD /api/v1/activities/5/photos': () => (n++ === 0
        ? { status: 413, body: { error: { code: 'too_large', message: '照片不能超过 10 MB' } } }
        : { status: 201, body: photo('va-2') }),
    })
    await flush(20)
    fake.state.mediaError = { errMsg: 'chooseMedia:fail cancel' }
    tap(comp, '#upload-photos')
    await flush(20)
    expect(fake.called('uploadFile')).toHaveLength(0)
    expect(toasts(fake)).toEqual([])
    fake.state.mediaError = null
    fake.state.media = ['wxfile://tmp/big.jpg', 'wxfile://tmp/ok.jpg']
    tap(comp, '#upload-photos')
    await flush(40)
    expect(fake.called('uploadFile')).toHaveLength(2)
    expect(modals(fake).map((m) => m.content)).toContain('已上传 1 张，1 张未上传：照片不能超过 10 MB')
  })
})
