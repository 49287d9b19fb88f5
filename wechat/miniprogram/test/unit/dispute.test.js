// 大调解 in the mini-program: applying for mediation (checked on the phone
// before anything is sent), and following the case to its agreement.
const { install } = require('../support/fakewx')
const { render, flush, text, tap } = require('../support/render')
const { checkChar } = require('../../miniprogram/utils/idcard')

// An ID number of someone 30 years old today, whatever today is.
const first17 = `460100${new Date().getFullYear() - 30}0101002`
const ID = first17 + checkChar(first17)
const BAD_ID = first17 + (ID[17] === '0' ? '1' : '0')
const iso = (min) => new Date(Date.now() + min * 60000).toISOString()

const TYPES = { types: [{ code: 'neighbour', name: '邻里纠纷', specialised: false }, { code: 'property', name: '物业纠纷', specialised: false }] }

function openNew(routes = {}) {
  install({ 'GET /api/v1/disputes/types': TYPES, ...routes })
  global.wx.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const page = render('pages/dispute/new')
  page.instance.onLoad({})
  return page
}
const field = (page, key, value) => page.instance.onField({ currentTarget: { dataset: { key } }, detail: value })
const posts = () => global.wx.called('request').filter((c) => c.args.method === 'POST' && c.args.url.includes('/disputes'))

test('an empty application says what is missing and sends nothing', async () => {
  const page = openNew()
  await flush(10)
  tap(page, '#submit')
  await flush(10)
  const shown = text(page)
  for (const msg of ['请选择纠纷类型', '请用一句话说明纠纷', '请说明纠纷经过和您的请求', '请在地图上选择纠纷发生地', '请填写您的姓名', '请填写对方姓名']) {
    expect(shown).toContain(msg)
  }
  expect(posts()).toHaveLength(0)
})

test('a wrong ID number or credit code is caught on the phone', async () => {
  const page = openNew()
  await flush(10)
  field(page, 'idNumber', BAD_ID)
  page.instance.onOtherKind({ detail: 'organisation' })
  await flush(5)
  field(page, 'otherCode', '91350100M000100Y44')
  tap(page, '#submit')
  await flush(10)
  expect(page.querySelector('#id-number').dom.textContent).toContain('身份证号码校验位不正确，请核对')
  expect(page.querySelector('#other-code').dom.textContent).toContain('统一社会信用代码校验位不正确')
  expect(text(page)).toContain('请填写对方单位名称')
  expect(posts()).toHaveLength(0)
})

test('a complete application is sent as the API reads it and opens its progress', async () => {
  let sent = null
  const page = openNew({
    'POST /api/v1/disputes': (req) => {
      sent = req
      return { status: 201, body: { id: 31, number: 'HK-TJ-2026-000031', status: 'reported' } }
    },
    'GET /api/v1/wechat/subscriptions': { subscriptions: [
      { template: 'complaint_update', template_id: 'tpl-c', remaining: 0 },
      { template: 'dispute_update', template_id: 'tpl-du', remaining: 0 },
      { template: 'dispute_session', template_id: 'tpl-ds', remaining: 0 }] },
    'POST /api/v1/wechat/subscriptions': (req) => ({ recorded: req.data.template_ids.length }),
  })
  await flush(10)
  page.instance.onType({ detail: { value: '1' } })
  field(page, 'summary', ' 物业费争议 ')
  field(page, 'description', '物业公司停水催缴，双方协商未果')
  field(page, 'name', '王海')
  field(page, 'phone', '13800001111')
  field(page, 'idNumber', ID.toLowerCase())
  page.instance.onOtherKind({ detail: 'organisation' })
  field(page, 'otherName', '海口鸿泰物业服务有限公司')
  field(page, 'otherCode', '91350100M000100Y43')
  await page.instance.onChooseLocation()
  await flush(10)
  expect(text(page)).toContain('物业纠纷')
  tap(page, '#submit')
  await flush(10)
  expect(sent.data).toEqual({
    type: 'property', summary: '物业费争议', description: '物业公司停水催缴，双方协商未果',
    address: '海南省海口市龙华区 测试地点', lat: 20.0028, lng: 110.2999, coord_system: 'gcj02',
    parties: [
      { role: 'applicant', kind: 'person', name: '王海', phone: '13800001111', id_number: ID },
      { role: 'respondent', kind: 'organisation', name: '海口鸿泰物业服务有限公司', credit_code: '91350100M000100Y43' },
    ],
  })
  expect(sent.header['Idempotency-Key']).toBeTruthy()
  expect(global.wx.called('redirectTo')[0].args.url).toBe('/pages/dispute/detail?id=31')
  // The tap asked for the dispute's own messages (progress, session reminder), not the complaint's.
  expect(global.wx.called('requestSubscribeMessage')[0].args.tmplIds).toEqual(['tpl-du', 'tpl-ds'])
})

test('the server’s refusal is shown on its field', async () => {
  const page = openNew({
    'POST /api/v1/disputes': { status: 400, body: { error: { code: 'invalid', message: '纠纷发生地不在海口市服务范围内', field: 'lat' } } },
  })
  await flush(10)
  page.instance.onType({ detail: { value: '0' } })
  field(page, 'summary', '噪音')
  field(page, 'description', '楼下酒吧深夜噪音')
  field(page, 'name', '王海')
  field(page, 'otherName', '李某')
  await page.instance.onChooseLocation()
  tap(page, '#submit')
  await flush(10)
  expect(text(page)).toContain('纠纷发生地不在海口市服务范围内')
  expect(global.wx.called('redirectTo')).toHaveLength(0)
})

// The server names a party's field without saying whose.
test.each([
  { field: 'id_number', message: '身份证号码校验位不正确', input: '#id-number' },
  { field: 'credit_code', message: '统一社会信用代码校验位不正确', input: '#other-code' },
  { field: 'phone', message: '当事人电话不是电话号码', input: '#other-phone' }, // the applicant's phone is fine
  { field: 'name', message: '名称过长', input: '#other-name', otherName: '海'.repeat(60) },
])('the server’s refusal of $field is shown under its input', async (c) => {
  const page = openNew({
    'POST /api/v1/disputes': { status: 400, body: { error: { code: 'invalid', message: c.message, field: c.field } } },
  })
  await flush(10)
  page.instance.onType({ detail: { value: '0' } })
  field(page, 'summary', '噪音')
  field(page, 'description', '楼下酒吧深夜噪音')
  field(page, 'name', '王海')
  field(page, 'phone', '13800001111')
  field(page, 'idNumber', ID)
  page.instance.onOtherKind({ detail: 'organisation' })
  await flush(5)
  field(page, 'otherName', c.otherName || '海口某酒吧')
  field(page, 'otherCode', '91350100M000100Y43')
  field(page, 'otherPhone', '0898-1234')
  await page.instance.onChooseLocation()
  tap(page, '#submit')
  await flush(10)
  expect(page.querySelector(c.input).dom.textContent).toContain(c.message)
})

test('我的调解 goes on past the first 20 as the citizen reaches the bottom', async () => {
  const row = (i) => ({ id: i, type: 'neighbour', type_name: '邻里纠纷', status: 'mediating', status_name: '调解中', summary: `纠纷${i}`, created_at: iso(-600 - i) })
  const asked = []
  install({
    'GET /api/v1/disputes': (req) => {
      asked.push(req.query.page)
      return req.query.page === '2'
        ? { disputes: [row(20)], total: 21, page: 2 }
        : { disputes: Array.from({ length: 20 }, (_, i) => row(i)), total: 21, page: 1 }
    },
  })
  const page = render('pages/mine/disputes')
  page.instance.onShow()
  await flush(10)
  expect(text(page)).toContain('纠纷19')
  expect(text(page)).not.toContain('纠纷20')
  expect(page.querySelector('#more').dom.textContent).toContain('上拉加载更多')
  await page.instance.onReachBottom()
  await flush(10)
  expect(text(page)).toContain('纠纷0')
  expect(text(page)).toContain('纠纷20')
  expect(page.querySelector('#more').dom.textContent).toContain('没有更多了')
  await page.instance.onReachBottom()
  expect(asked).toEqual(['1', '2'])
})

function detail(d) {
  install({ 'GET /api/v1/disputes/6': { id: 6, number: 'HK-TJ-2026-000006', type: 'neighbour', type_name: '邻里纠纷', summary: '楼上漏水赔偿', address: '美兰区', committee: { code: 'hd', name: '海甸街道人民调解委员会', level: 'town' }, mediators: [], sessions: [], parties: [], created_at: iso(-9000), events: [], actions: [], ...d } })
  const page = render('pages/dispute/detail')
  page.instance.onLoad({ id: '6' })
  return page
}

test('调解成功: the agreement number, its terms, and the PDF opens', async () => {
  const page = detail({
    status: 'succeeded', status_name: '调解成功',
    outcome: { result: 'success', agreement_number: 'HK-XY-2026-000006', terms: '楼上住户赔偿维修费 3000 元' },
    confirmation: { court: '海口市美兰区人民法院', status: 'confirmed', note: '' },
    events: [{ at: iso(-100), action: 'succeed', from: 'mediating', to: 'succeeded' },
      { at: iso(-3000), action: 'schedule', from: 'accepted', to: 'mediating', note: '请携带维修票据' }],
  })
  await flush(10)
  const shown = text(page)
  expect(shown).toContain('HK-XY-2026-000006')
  expect(shown).toContain('楼上住户赔偿维修费 3000 元')
  expect(shown).toContain('人民法院已确认调解协议有效')
  expect(shown).toContain('调解成功，已签订调解协议')
  expect(shown).toContain('请携带维修票据') // the API answers the applicant only the notes meant for them
  expect(shown).not.toContain('调解期限') // the clock stopped with the outcome
  tap(page, '#open-agreement')
  await flush(10)
  expect(global.wx.called('downloadFile')[0].args.url).toContain('/api/v1/disputes/6/agreement.pdf')
  expect(global.wx.called('openDocument')[0].args).toMatchObject({ fileType: 'pdf' })
})

test('调解不成: the way to go on, and no agreement to open', async () => {
  const page = detail({ status: 'failed', status_name: '调解不成', outcome: { result: 'failure', advice: 'litigation', note: '双方分歧较大' } })
  await flush(10)
  expect(text(page)).toContain('可以向人民法院提起诉讼')
  expect(page.querySelector('#open-agreement')).toBeFalsy()
})

test('a withdrawn dispute shows the session it called off as 已取消, not 待调解', async () => {
  const page = detail({
    status: 'withdrawn', status_name: '已撤回',
    sessions: [{ id: 1, at: iso(-5000), place: '海甸街道调解室', status: 'held' }, { id: 2, at: iso(86400), place: '海甸街道调解室', status: 'cancelled' }],
  })
  await flush(10)
  expect(page.instance.data.sessions.map((s) => s.status)).toEqual(['已调解', '已取消'])
  expect(text(page)).not.toContain('待调解')
})

test('the applicant withdraws while the API allows it', async () => {
  let withdrawn = null
  install({
    'GET /api/v1/disputes/6': () => ({ id: 6, status: withdrawn ? 'withdrawn' : 'accepted', status_name: withdrawn ? '已撤回' : '已受理', summary: '噪音', accepted_at: iso(-60), due_at: iso(30 * 1440), events: [], actions: withdrawn ? [] : ['withdraw'] }),
    'POST /api/v1/disputes/6/withdraw': (req) => { withdrawn = req.data; return { id: 6 } },
  })
  const page = render('pages/dispute/detail')
  page.instance.onLoad({ id: '6' })
  await flush(10)
  expect(text(page)).toContain('调解期限')
  tap(page, '#withdraw')
  await flush(20)
  expect(withdrawn).toEqual({ note: '申请人撤回' })
  expect(text(page)).toContain('已撤回')
  expect(page.querySelector('#withdraw')).toBeFalsy()
})
