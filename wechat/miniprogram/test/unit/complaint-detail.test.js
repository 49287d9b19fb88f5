// 我的反映 → detail: the status in Chinese, the timeline of each stage, the
// deadlines the citizen was promised, and the rating once resolved.
const { install } = require('../support/fakewx')
const { render, flush, text, tap } = require('../support/render')

// Times are built around a fixed now and the page is told that now:
// nothing here depends on the day the test runs.
const NOW = Date.parse('2026-03-02T02:00:00Z') // 10:00 in Haikou
const at = (min) => new Date(NOW + min * 60000).toISOString()

const EVENTS = [
  { action: 'create', to: 'submitted', at: at(-50) },
  { action: 'dispatch', from: 'submitted', to: 'dispatched', at: at(-50) },
  { action: 'accept', from: 'dispatched', to: 'accepted', at: at(-45) },
  { action: 'arrive', from: 'accepted', to: 'on_site', at: at(-30) },
  { action: 'resolve', from: 'on_site', to: 'resolved', note: '垃圾已清运 [照片: p2,p3]', at: at(-10) },
  { action: 'close', from: 'resolved', to: 'closed', at: at(-5) },
]

function complaint(status, eventCount, extra = {}) {
  return {
    id: 42, category: '1101', description: '路口有一堆垃圾', address: '龙华区', status,
    arrive_by: at(-20), resolve_by: at(24 * 60), created_at: at(-50),
    arrived_at: eventCount > 3 ? at(-30) : undefined,
    resolved_at: eventCount > 4 ? at(-10) : undefined,
    events: EVENTS.slice(0, eventCount), photos: [], actions: [], ...extra,
  }
}

function open(c, routes = {}) {
  install({
    'GET /api/v1/categories': { categories: [{ code: '1101', name: '暴露垃圾', major: '市容环境' }] },
    'GET /api/v1/complaints/42': c,
    ...routes,
  })
  const page = render('pages/complaint/detail')
  page.instance.now = () => NOW
  page.instance.onLoad({ id: '42' })
  return page
}

const steps = (page) => Array.from(page.querySelector('.card').dom.querySelectorAll('.van-step__title, [class*="van-step__title"]')).map((n) => n.textContent.replace(/\s+/g, ' ').trim())

test.each([
  ['submitted', 1, '已受理', ['受理']],
  ['dispatched', 2, '已派遣', ['派遣', '受理']],
  ['accepted', 3, '已签收', ['签收', '派遣', '受理']],
  ['on_site', 4, '处置中', ['到场', '签收', '派遣', '受理']],
  ['resolved', 5, '已处置', ['办结', '到场', '签收', '派遣', '受理']],
  ['closed', 6, '已办结', ['结案', '办结', '到场', '签收', '派遣', '受理']],
])('%s: status and timeline', async (status, n, label, want) => {
  const page = open(complaint(status, n))
  await flush(10)
  expect(page.querySelector('#status').dom.textContent).toContain(label)
  const shown = text(page.querySelector('.card'))
  let pos = -1
  for (const title of want) {
    const i = shown.indexOf(title, pos + 1)
    expect(i).toBeGreaterThan(pos) // newest first
    pos = i
  }
  if (n >= 5) expect(shown).toContain('说明：垃圾已清运') // what was done, without the photo ids
  expect(shown).not.toContain('[照片')
})

test('deadlines: the on-site promise and the resolve deadline, judged at now', async () => {
  const page = open(complaint('accepted', 3))
  await flush(10)
  const d = page.querySelectorAll('.deadline').map((n) => n.dom.textContent.replace(/\s+/g, ' '))
  expect(d[0]).toContain('承诺到场')
  expect(d[0]).toContain('2026-03-02 09:40')
  expect(d[0]).toContain('已超时 20 分钟')
  expect(d[1]).toContain('处置时限')
  expect(d[1]).toContain('剩余 1 天')
})

test('returned, rejected and merged reports read as such', async () => {
  let page = open(complaint('returned', 3, { events: [...EVENTS.slice(0, 3), { action: 'return', from: 'accepted', to: 'returned', note: '不属本单位', at: at(-40) }] }))
  await flush(10)
  expect(text(page)).toContain('重新派遣中')
  expect(text(page)).toContain('已退回指挥中心重新派遣')
  expect(text(page)).not.toContain('不属本单位') // a staff note the citizen need not read

  page = open(complaint('rejected', 1, { events: [EVENTS[0], { action: 'reject', from: 'submitted', to: 'rejected', note: '不属于城市管理范围', at: at(-40) }] }))
  await flush(10)
  expect(text(page)).toContain('不予受理')
  expect(text(page)).toContain('说明：不属于城市管理范围')

  page = open(complaint('duplicate', 1, { duplicate_of: 7, events: [EVENTS[0], { action: 'merge', from: 'submitted', to: 'duplicate', note: '同一问题已在处理: #7', at: at(-50) }] }))
  await flush(10)
  expect(text(page)).toContain('已合并')
  expect(text(page)).toContain('同一问题已在处理')
})

test('a followed report says it is someone else’s and shows progress only', async () => {
  const page = open({ id: 42, view: 'follower', category: '1101', status: 'accepted', events: EVENTS.slice(0, 3), created_at: at(-50), resolve_by: at(60) })
  await flush(10)
  expect(text(page)).toContain('这是您关注的问题')
  expect(page.querySelector('#rate-form')).toBeFalsy()
})

test('the rating: asked once resolved, both answers required, then shown', async () => {
  let rated = null
  const c = complaint('closed', 6, { actions: ['rate'] })
  const page = open(c, {
    'POST /api/v1/complaints/42/rate': (req) => {
      rated = req
      return { ...c, actions: ['rate'], rating: req.data.score, rating_comment: req.data.comment }
    },
  })
  await flush(10)
  expect(page.querySelector('#rate-form')).toBeTruthy()
  tap(page, '#rate-submit')
  await flush(10)
  expect(text(page)).toContain('请选择问题是否解决')
  expect(text(page)).toContain('请选择满意度')
  expect(rated).toBeNull()

  page.instance.onSolved({ detail: 'yes' })
  page.instance.onScore({ detail: 2 })
  page.instance.onComment({ detail: ' 处理及时 ' })
  await flush(5)
  expect(text(page)).toContain('基本满意')
  tap(page, '#rate-submit')
  await flush(10)
  expect(rated.data).toEqual({ score: 2, solved: true, comment: '处理及时' })
  expect(rated.header['Idempotency-Key']).toBeTruthy()
  expect(page.querySelector('#rate-form')).toBeFalsy()
  expect(page.querySelector('#my-rating').dom.textContent).toContain('基本满意')
})

test('a report that cannot be opened shows the server’s message', async () => {
  install({ 'GET /api/v1/complaints/9': { status: 404, body: { error: { code: 'not_found', message: '工单 9 不存在' } } } })
  const page = render('pages/complaint/detail')
  page.instance.onLoad({ id: '9' })
  await flush(10)
  expect(text(page)).toContain('工单 9 不存在')
})
