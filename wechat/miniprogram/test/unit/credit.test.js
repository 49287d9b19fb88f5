// 诚信海口 in the mini-program: the red and black lists and the search page
// on as the citizen scrolls; 信用修复 leads to 法定代表人 binding and the
// 授权委托书 for the record's subject, asks for the decision's message, and a
// refusal is not kept for the next try.
const { install } = require('../support/fakewx')
const { render, flush, text, tap } = require('../support/render')

// The first render compiles every page's WXML: slow on a busy machine.
jest.setTimeout(30000)

const subject = { id: 3, kind: 'legal', credit_code: '91350100M000100Y43', name: '海口鸿泰贸易有限公司', legal_rep: '王某', address: '海口市龙华区' }
const penalty = { id: 11, type: 'penalty', type_name: '行政处罚', reason: '未按规定公示年报', authority: '海口市市场监督管理局', decided_on: '2026-01-05', public_until: '2027-01-05', repairable_from: '2026-04-05', status: 'public', fields: {}, subject }
// As GET /api/v1/credit/types answers (credit/types.go), without the columns.
const TYPES = { types: [
  ['license', '行政许可', false], ['penalty', '行政处罚', true], ['redlist', '红名单', false], ['blacklist', '黑名单', true],
  ['judicial', '司法信息', true], ['construction', '建设领域不良行为', true], ['environment', '环境违法曝光', true],
  ['quality', '质量监督抽查不合格', true], ['tax_arrears', '欠税公告', true],
].map(([code, name, negative]) => ({ code, name, list: code.endsWith('list'), negative, columns: [] })) }
const SUBSCRIPTIONS = { subscriptions: [
  { template: 'complaint_update', template_id: 'tpl-cu', remaining: 0 },
  { template: 'credit_repair_decided', template_id: 'tpl-repair', remaining: 0 },
  { template: 'credit_agent_decided', template_id: 'tpl-agent', remaining: 0 },
] }

function open(page, query, routes) {
  install({
    'GET /api/v1/wechat/subscriptions': SUBSCRIPTIONS,
    'POST /api/v1/wechat/subscriptions': { recorded: 1 },
    'GET /api/v1/credit/entries/11': { entry: penalty },
    'GET /api/v1/credit/repairs': { repairs: [] },
    'GET /api/v1/credit/representatives': { representatives: [] },
    'GET /api/v1/credit/types': TYPES,
    ...routes,
  })
  global.wx.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const comp = render(page)
  comp.instance.onLoad(query)
  return comp
}

const microtasks = async (n = 20) => {
  for (let i = 0; i < n; i++) await Promise.resolve()
}
const asked = (path) => global.wx.called('request').filter((c) => new URL(c.args.url).pathname === path).map((c) => Object.fromEntries(new URL(c.args.url).searchParams))

// The server answers 20 a page (api/credit.go): the lists with their total, the search with more.
describe('the lists and the search go on past the first 20', () => {
  const entry = (i) => ({ id: 100 + i, type: 'redlist', list_name: '纳税信用A级', decided_on: '2026-01-01', subject: { ...subject, id: 200 + i, credit_code: '', name: `红名单企业${i}` } })
  const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i)

  test('红名单: the next page as the citizen reaches the bottom, until there is no more', async () => {
    const page = open('pages/credit/index', {}, {
      'GET /api/v1/credit/lists/red': (req) => (req.query.page === '2'
        ? { entries: range(20, 25).map(entry), total: 25, page: 2 }
        : { entries: range(0, 20).map(entry), total: 25, page: 1 }),
    })
    await flush(20)
    expect(text(page)).toContain('红名单企业19')
    expect(text(page)).not.toContain('红名单企业20')
    expect(page.querySelector('#red-more').dom.textContent).toContain('上拉加载更多')
    page.instance.onReachBottom()
    await microtasks(2)
    expect(page.querySelector('#red-more').dom.textContent).toContain('加载中')
    await flush(20)
    expect(text(page)).toContain('红名单企业0')
    expect(text(page)).toContain('红名单企业24')
    expect(page.querySelector('#red-more').dom.textContent).toContain('没有更多了')
    page.instance.onReachBottom()
    await flush(10)
    expect(asked('/api/v1/credit/lists/red').map((q) => q.page)).toEqual(['1', '2'])
  })

  test('黑名单 pages on its own', async () => {
    const black = (i) => ({ ...entry(i), type: 'blacklist', list_name: '严重失信主体名单', subject: { ...entry(i).subject, name: `黑名单企业${i}` } })
    const page = open('pages/credit/index', {}, {
      'GET /api/v1/credit/lists/red': { entries: [entry(0)], total: 1, page: 1 },
      'GET /api/v1/credit/lists/black': (req) => (req.query.page === '2'
        ? { entries: [black(20)], total: 21, page: 2 }
        : { entries: range(0, 20).map(black), total: 21, page: 1 }),
    })
    await flush(20)
    page.instance.onTab({ detail: { index: 1 } })
    await flush(20)
    page.instance.onReachBottom()
    await flush(20)
    expect(text(page)).toContain('黑名单企业20')
    expect(page.querySelector('#black-more').dom.textContent).toContain('没有更多了')
    expect(asked('/api/v1/credit/lists/red').map((q) => q.page)).toEqual(['1']) // the other tab stays as it was
  })

  test('a name search: the next results for the same name, until there is no more', async () => {
    const found = (i) => ({ ...subject, id: 300 + i, credit_code: '', name: `海口贸易公司${i}`, red: 0, black: 0 })
    const page = open('pages/credit/index', {}, {
      'GET /api/v1/credit/lists/red': { entries: [], total: 0, page: 1 },
      'GET /api/v1/credit/subjects': (req) => (req.query.page === '2'
        ? { subjects: range(20, 23).map(found), page: 2, more: false }
        : { subjects: range(0, 20).map(found), page: 1, more: true }),
    })
    page.instance.onChange({ detail: '海口贸易' })
    page.instance.onSearch()
    await flush(20)
    expect(text(page)).not.toContain('海口贸易公司20')
    expect(page.querySelector('#search-more').dom.textContent).toContain('上拉加载更多')
    page.instance.onChange({ detail: '海口贸易公司1' }) // typing on does not change what is paged
    page.instance.onReachBottom()
    await flush(20)
    expect(text(page)).toContain('海口贸易公司0')
    expect(text(page)).toContain('海口贸易公司22')
    expect(page.querySelector('#search-more').dom.textContent).toContain('没有更多了')
    page.instance.onReachBottom()
    await flush(10)
    expect(asked('/api/v1/credit/subjects')).toEqual([{ q: '海口贸易', page: '1' }, { q: '海口贸易', page: '2' }])
  })
})

describe('信用修复', () => {
  test('every 失信 record offers 申请信用修复, as the server marks them; a 行政许可 or 红名单 does not', async () => {
    const record = (id, type, type_name) => ({ ...penalty, id, type, type_name, reason: `${type_name}事由` })
    const page = open('pages/credit/subject', { code: subject.credit_code }, {
      [`GET /api/v1/credit/subjects/${subject.credit_code}`]: {
        subject,
        red: [record(20, 'redlist', '红名单')],
        black: [record(21, 'blacklist', '黑名单')],
        records: [record(22, 'license', '行政许可'), record(23, 'penalty', '行政处罚'), record(24, 'judicial', '司法信息'),
          record(25, 'construction', '建设领域不良行为'), record(26, 'environment', '环境违法曝光'),
          record(27, 'quality', '质量监督抽查不合格'), record(28, 'tax_arrears', '欠税公告')],
      },
    })
    await flush(20)
    page.instance.onCollapse({ detail: ['red', 'black', 'license', 'penalty', 'other'] })
    await flush(20)
    const offered = [...page.dom.querySelectorAll('.main--entry')].filter((e) => e.textContent.includes('申请信用修复'))
    expect(offered.map((e) => e.querySelector('.main--entry-title').textContent)).toEqual(['黑名单', '行政处罚', '司法信息', '建设领域不良行为', '环境违法曝光', '质量监督抽查不合格', '欠税公告'])
  })

  test('an application another one overtook reads 已由其他申请修复', async () => {
    const page = open('pages/credit/repair', {}, {
      'GET /api/v1/credit/repairs': { repairs: [{ id: 5, entry_id: 11, entry: penalty, status: 'superseded', created_at: '2026-03-01T02:00:00Z' }] },
    })
    await flush(20)
    expect(text(page)).toContain('已由其他申请修复')
    expect(text(page)).not.toContain('superseded')
  })

  function fill(page) {
    page.instance.onField({ currentTarget: { dataset: { key: 'reason' } }, detail: '已补报年报' })
    page.instance.onField({ currentTarget: { dataset: { key: 'evidence' } }, detail: '年报回执' })
  }
  // query is what WeChat gives onLoad for url: the values as they are in it.
  const query = (url) => Object.fromEntries(url.split('?')[1].split('&').map((kv) => kv.split('=')))

  test('asks for 信用修复结果通知 straight from the 提交申请 tap', async () => {
    let posted = null
    const page = open('pages/credit/repair', { entry: '11' }, {
      'POST /api/v1/credit/repairs': (req) => {
        posted = req.data
        return { status: 201, body: { id: 5, status: 'pending' } }
      },
    })
    await flush(20)
    fill(page)
    const before = global.wx.calls.length
    tap(page, '#submit')
    await microtasks()
    expect(global.wx.calls.slice(before).map((c) => c.name)).toEqual(['requestSubscribeMessage'])
    expect(global.wx.calls[before].args.tmplIds).toEqual(['tpl-repair'])
    await flush(20)
    expect(posted).toEqual({ entry_id: 11, reason: '已补报年报', evidence: '年报回执' })
    expect(global.wx.called('showToast').map((c) => c.args.title)).toContain('已提交，等待审核')
  })

  test('not standing for the subject: 去办理 offers 法定代表人 binding for it, and once bound 提交申请 again is filed', async () => {
    let standing = false
    const kept = new Map() // the server keeps its answer under the Idempotency-Key (not 5xx, 409, 429)
    const page = open('pages/credit/repair', { entry: '11' }, {
      'POST /api/v1/credit/repairs': (req) => {
        const key = req.header['Idempotency-Key']
        if (!kept.has(key)) {
          kept.set(key, standing
            ? { status: 201, body: { id: 5, status: 'pending' } }
            : { status: 403, body: { error: { code: 'forbidden', message: '您还不是该主体的法定代表人或经认可的代理人' } } })
        }
        return kept.get(key)
      },
    })
    await flush(20)
    fill(page)
    tap(page, '#submit')
    await flush(20)
    expect(global.wx.called('showModal')[0].args).toMatchObject({ content: '您还不是该主体的法定代表人或经认可的代理人', confirmText: '去办理' })
    const url = global.wx.called('navigateTo')[0].args.url
    expect(url).toBe(`/pages/credit/represent?entry=11&code=91350100M000100Y43&name=${encodeURIComponent('海口鸿泰贸易有限公司')}&kind=legal`)

    // The represent page opened so offers the binding, not only the 授权委托书.
    const wx = global.wx
    const repRoutes = { 'POST /api/v1/credit/subjects/91350100M000100Y43/representatives': { status: 201, body: { id: 4, basis: 'legal_rep', status: 'accepted' } } }
    const represent = open('pages/credit/represent', query(url), repRoutes)
    await flush(20)
    expect(text(represent)).toContain('我是法定代表人：海口鸿泰贸易有限公司')
    expect(text(represent)).toContain('我受委托办理（授权委托书）')
    expect(represent.querySelector('#bind')).toBeTruthy()
    standing = true

    // Back on the repair page: the same application, now filed.
    global.wx = wx
    tap(page, '#submit')
    await flush(20)
    expect(kept.size).toBe(2) // a new attempt, not the refusal kept under the first key
    expect(global.wx.called('showToast').map((c) => c.args.title)).toContain('已提交，等待审核')
  })

  test('the link to the representation page names the subject too', async () => {
    const page = open('pages/credit/repair', { entry: '11' }, {})
    await flush(20)
    tap(page, '#represent')
    await flush()
    expect(global.wx.called('navigateTo')[0].args.url).toBe(`/pages/credit/represent?entry=11&code=91350100M000100Y43&name=${encodeURIComponent('海口鸿泰贸易有限公司')}&kind=legal`)
  })

  test('a subject without a credit code is named by its id', async () => {
    const person = { ...subject, id: 8, kind: 'person', credit_code: '', name: '李某' }
    const page = open('pages/credit/repair', { entry: '11' }, { 'GET /api/v1/credit/entries/11': { entry: { ...penalty, subject: person } } })
    await flush(20)
    tap(page, '#represent')
    await flush()
    const url = global.wx.called('navigateTo')[0].args.url
    expect(url).toBe(`/pages/credit/represent?entry=11&code=8&name=${encodeURIComponent('李某')}&kind=person`)
    // A person binds as themself, not as a company's 法定代表人.
    const represent = open('pages/credit/represent', query(url), {})
    await flush(20)
    expect(text(represent)).toContain('我是本人：李某')
    expect(text(represent)).not.toContain('法定代表人')
  })

  test('asks for 授权委托审核结果通知 straight from the 提交授权委托书 tap', async () => {
    let filed = null
    const page = open('pages/credit/represent', { entry: '11' }, {
      'UPLOAD /api/v1/credit/entries/11/power-of-attorney': (req) => {
        filed = req
        return { status: 201, body: { id: 4, basis: 'power_of_attorney', status: 'pending' } }
      },
    })
    await flush(20)
    page.instance.onField({ currentTarget: { dataset: { key: 'agentName' } }, detail: '李海南' })
    page.setData({ file: { path: 'wxfile://tmp/poa.pdf', name: 'poa.pdf' } })
    await flush()
    const before = global.wx.calls.length
    tap(page, '#file')
    await microtasks()
    expect(global.wx.calls.slice(before).map((c) => c.name)).toEqual(['requestSubscribeMessage'])
    expect(global.wx.calls[before].args.tmplIds).toEqual(['tpl-agent'])
    await flush(20)
    expect(filed).toMatchObject({ filePath: 'wxfile://tmp/poa.pdf', formData: { name: '李海南' } })
    expect(global.wx.called('showToast').map((c) => c.args.title)).toContain('已提交，等待部门审核')
  })
})
