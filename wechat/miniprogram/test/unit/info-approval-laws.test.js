// 行政审批查询 and 法律法规 in the mini-program: progress by 受理编号 and phone
// tail (checked on the phone first), following with the subscribe consent,
// and searching the law library with the matching article shown.
const { install } = require('../support/fakewx')
const { render, flush, text, tap } = require('../support/render')

const APPROVAL = {
  number: 'HKSP-2026-000102', matter: '公共场所卫生许可', department: '海口市行政审批服务局', applicant: '陈*强',
  status: 'supplement', label: '补正材料', final: false, version: 2, note: '请补交从业人员健康证明', changed_at: '2026-03-03T02:00:00Z',
  timeline: [
    { version: 1, to: 'received', label: '已受理', source: 'push', at: '2026-03-01T01:30:00Z', created_at: '2026-03-01T01:30:00Z' },
    { version: 2, from: 'received', to: 'supplement', label: '补正材料', note: '请补交从业人员健康证明', source: 'push', at: '2026-03-03T02:00:00Z', created_at: '2026-03-03T02:00:00Z' },
  ],
}
// The first render compiles every page's WXML: slow on a busy machine.
jest.setTimeout(30000)

const NOT_FOUND = { status: 404, body: { error: { code: 'not_found', message: '未找到该受理编号和手机尾号对应的审批事项' } } }

function openApproval(routes = {}, query = {}) {
  install(routes)
  global.wx.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const page = render('pages/info/approval')
  page.instance.onLoad(query)
  return page
}
const lookups = () => global.wx.called('request').filter((c) => c.args.url.includes('/api/v1/approvals/') && !c.args.url.includes('follow'))

test('a tail that is not four digits is caught on the phone and nothing is asked', async () => {
  const page = openApproval()
  page.instance.onNumber({ detail: 'hksp-2026-000102' })
  page.instance.onTail({ detail: '12' })
  tap(page, '#search')
  await flush(10)
  expect(page.querySelector('#error').dom.textContent).toContain('手机号码的后四位')
  expect(lookups()).toHaveLength(0)
})

test('shows the progress, newest step first, and follows with the consent popup', async () => {
  let asked = null
  let followed = null
  const page = openApproval({
    'GET /api/v1/approvals/HKSP-2026-000102': (req) => {
      asked = req.query
      return APPROVAL
    },
    'GET /api/v1/wechat/subscriptions': { subscriptions: [{ template: 'approval_update', template_id: 'tpl-ap', remaining: 0 }] },
    'POST /api/v1/wechat/subscriptions': { ok: true },
    'POST /api/v1/approvals/HKSP-2026-000102/follow': (req) => {
      followed = req.data
      return APPROVAL
    },
  })
  page.instance.onNumber({ detail: 'hksp-2026-000102' })
  page.instance.onTail({ detail: '0987' })
  tap(page, '#search')
  await flush(20)
  expect(asked).toEqual({ phone_tail: '0987' })
  const shown = text(page)
  expect(shown).toContain('公共场所卫生许可')
  expect(shown).toContain('陈*强')
  expect(shown.indexOf('补正材料')).toBeLessThan(shown.indexOf('已受理'))
  tap(page, '#follow')
  await flush(20)
  expect(global.wx.called('requestSubscribeMessage')[0].args.tmplIds).toEqual(['tpl-ap'])
  expect(followed).toEqual({ phone_tail: '0987' })
  expect(page.querySelector('#unfollow')).toBeTruthy()
})

test('a consent that cannot be recorded does not stop 关注', async () => {
  let followed = null
  const page = openApproval({
    'GET /api/v1/approvals/HKSP-2026-000102': APPROVAL,
    'GET /api/v1/wechat/subscriptions': { subscriptions: [{ template: 'approval_update', template_id: 'tpl-ap', remaining: 0 }] },
    'POST /api/v1/wechat/subscriptions': { status: 503, body: { error: { code: 'unavailable', message: '服务暂时不可用，请稍后重试' } } },
    'POST /api/v1/approvals/HKSP-2026-000102/follow': (req) => {
      followed = req.data
      return APPROVAL
    },
  })
  page.instance.onNumber({ detail: 'HKSP-2026-000102' })
  page.instance.onTail({ detail: '0987' })
  tap(page, '#search')
  await flush(20)
  tap(page, '#follow')
  await flush(20)
  expect(global.wx.called('requestSubscribeMessage')).toHaveLength(1)
  expect(followed).toEqual({ phone_tail: '0987' })
  expect(page.querySelector('#unfollow')).toBeTruthy()
  expect(global.wx.called('showToast').map((c) => c.args.title)).toContain('已关注，进度变化将通知您')
})

test('a wrong pair shows the server\'s one answer', async () => {
  const page = openApproval({ 'GET /api/v1/approvals/HKSP-2026-000102': NOT_FOUND })
  page.instance.onNumber({ detail: 'HKSP-2026-000102' })
  page.instance.onTail({ detail: '1111' })
  tap(page, '#search')
  await flush(20)
  expect(page.querySelector('#error').dom.textContent).toContain('未找到该受理编号和手机尾号对应的审批事项')
  expect(page.querySelector('#result')).toBeFalsy()
})

test('opened from a subscribe message it shows the followed application', async () => {
  const page = openApproval({ 'GET /api/v1/approvals/followed': { approvals: [APPROVAL] } }, { id: 'HKSP-2026-000102' })
  await flush(20)
  expect(text(page)).toContain('请补交从业人员健康证明')
  expect(page.querySelector('#unfollow')).toBeTruthy()
})

const HIT = {
  id: 1, title: '中华人民共和国人民调解法', authority: '全国人民代表大会常务委员会', level: 'law', level_label: '法律',
  published_on: '2010-08-28', effective_on: '2011-01-01', status: 'in_force', status_label: '现行有效', updated_at: '2026-03-01T00:00:00Z',
  title_match: false, matches: [{ id: 3, number: '第七条', snippet: '人民调解委员会是依法设立的调解民间纠纷的群众性组织。' }], more_matching: 2,
}

test('searches the library in Chinese and reads a law', async () => {
  let asked = null
  install({
    'GET /api/v1/laws': (req) => {
      asked = req.query
      return { q: req.query.q, laws: [HIT], total: 1 }
    },
    'GET /api/v1/laws/1': { ...HIT, articles: [{ id: 3, seq: 1, number: '第七条', text: '人民调解委员会是依法设立的调解民间纠纷的群众性组织。' }] },
  })
  const page = render('pages/info/laws')
  page.instance.onLoad({})
  page.instance.onChange({ detail: '民间纠纷' })
  page.instance.onSearch()
  await flush(20)
  expect(asked).toEqual({ q: '民间纠纷' })
  const shown = text(page)
  expect(shown).toContain('《中华人民共和国人民调解法》')
  expect(shown).toContain('第七条')
  expect(shown).toContain('另有 2 条相关条文')
  page.instance.onOpen({ currentTarget: { dataset: { id: 1 } } })
  await flush(20)
  expect(page.querySelector('#law').dom.textContent).toContain('2011-01-01 施行')
})

test('an empty search asks for a word and sends nothing', async () => {
  install({})
  const page = render('pages/info/laws')
  page.instance.onLoad({})
  page.instance.onSearch()
  await flush(10)
  expect(page.querySelector('#error').dom.textContent).toContain('请输入法规名称')
  expect(global.wx.called('request')).toHaveLength(0)
})
