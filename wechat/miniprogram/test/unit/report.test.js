// 我要反映: the form says what is missing, asks for subscribe consent straight
// from the tap and before the report is sent, and puts a content-check
// refusal on the field it names.
const { install } = require('../support/fakewx')
const { render, flush, text, tap, type, waitFor } = require('../support/render')

const CATEGORIES = [
  { code: '1101', name: '暴露垃圾', major: '市容环境' },
  { code: '1102', name: '积存垃圾渣土', major: '市容环境' },
  { code: '0101', name: '井盖破损', major: '公用设施' },
]

function setup(extra = {}) {
  const posted = []
  const wx = install({
    'GET /api/v1/categories': { categories: CATEGORIES },
    'GET /api/v1/wechat/subscriptions': { subscriptions: [{ template: 'complaint_update', template_id: 'tpl-progress', remaining: 0 }] },
    'GET /api/v1/complaints/open-nearby': { open_nearby: false, will_merge: false, radius_m: 300 },
    'POST /api/v1/categories/suggest': { suggestions: [] },
    'POST /api/v1/wechat/subscriptions': (req) => ({ recorded: req.data.template_ids.length }),
    'POST /api/v1/complaints': (req) => {
      posted.push(req)
      return { status: 201, body: { id: 42, status: 'dispatched', photos: [] } }
    },
    'UPLOAD /api/v1/complaints/42/photos': { status: 201, body: { id: 'p1', kind: 'report' } },
    ...extra,
  })
  const page = render('pages/report/index')
  page.instance.onLoad({})
  return { wx: global.wx, page, posted, fake: wx }
}

const microtasks = async (n = 20) => {
  for (let i = 0; i < n; i++) await Promise.resolve()
}

const createKeys = (wx) => wx.called('request').filter((c) => c.args.method === 'POST' && c.args.url.endsWith('/api/v1/complaints')).map((c) => c.args.header['Idempotency-Key'])
const order = (wx) => wx.calls.filter((c) => c.name !== 'showToast').map((c) => (c.name === 'request' ? `${c.args.method || 'GET'} ${new URL(c.args.url).pathname}` : c.name))

test('an empty form says what is missing and asks nothing of WeChat', async () => {
  const { wx, page } = setup()
  await flush()
  tap(page, '#submit')
  await flush()
  expect(text(page)).toContain('请选择问题分类')
  expect(page.querySelector('#description').dom.textContent).toContain('请描述您看到的问题')
  expect(wx.called('requestSubscribeMessage')).toHaveLength(0)
  expect(order(wx)).not.toContain('POST /api/v1/complaints')
})

test('consent first, from the tap; then the report with an Idempotency-Key and the GCJ-02 place; then the photos', async () => {
  const { wx, page, posted } = setup()
  await flush()
  page.instance.onPickCategory({ detail: CATEGORIES[0] })
  type(page, '#description', '  路口有一堆垃圾  ')
  page.instance.onAfterRead({ detail: { file: [{ url: 'wxfile://tmp/a.jpg' }, { url: 'wxfile://tmp/b.jpg' }] } })
  await flush()
  const before = wx.calls.length
  tap(page, '#submit')
  // WeChat refuses the popup unless it is asked in the tap itself: before any
  // answer from WeChat or the server (they come later, as macrotasks) is awaited.
  await microtasks()
  expect(wx.calls.slice(before).map((c) => c.name)).toEqual(['requestSubscribeMessage'])
  expect(wx.called('requestSubscribeMessage')[0].args.tmplIds).toEqual(['tpl-progress'])
  await flush(20)
  const steps = order(wx)
  const consent = steps.indexOf('requestSubscribeMessage')
  expect(steps.indexOf('POST /api/v1/wechat/subscriptions')).toBeGreaterThan(consent)
  expect(steps.indexOf('POST /api/v1/complaints')).toBeGreaterThan(steps.indexOf('POST /api/v1/wechat/subscriptions'))
  expect(wx.called('uploadFile').map((c) => c.args.filePath)).toEqual(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg'])
  expect(wx.called('uploadFile')[0].args.formData).toEqual({ kind: 'report' })

  expect(posted).toHaveLength(1)
  expect(posted[0].data).toEqual({
    category: '1101', description: '路口有一堆垃圾', lat: 20.0028, lng: 110.2999, coord_system: 'gcj02', address: '',
  })
  expect(posted[0].header['Idempotency-Key']).toMatch(/^mp-/)
  expect(posted[0].header.Authorization).toBe('Bearer tok-1')
  expect(wx.called('redirectTo')[0].args.url).toBe('/pages/complaint/detail?id=42')
})

test('a refused consent does not stop the report', async () => {
  const { wx, page, posted } = setup()
  wx.state.subscribe = { 'tpl-progress': 'reject' }
  await flush()
  page.instance.onPickCategory({ detail: CATEGORIES[0] })
  type(page, '#description', '路灯不亮')
  tap(page, '#submit')
  await flush(20)
  expect(order(wx)).not.toContain('POST /api/v1/wechat/subscriptions')
  expect(posted).toHaveLength(1)
})

test('the server refusing the words shows its message on the description', async () => {
  const refusal = { error: { code: 'unprocessable', message: '内容含有违规信息，请修改后重新提交', field: 'description' } }
  const { wx, page } = setup({ 'POST /api/v1/complaints': { status: 422, body: refusal } })
  await flush()
  page.instance.onPickCategory({ detail: CATEGORIES[0] })
  type(page, '#description', '这里有人赌博')
  tap(page, '#submit')
  await flush(20)
  expect(page.querySelector('#description').dom.textContent).toContain('内容含有违规信息，请修改后重新提交')
  expect(wx.called('redirectTo')).toHaveLength(0)
  expect(wx.called('uploadFile')).toHaveLength(0)

  // The refusal is the server's answer, kept under that key: tapping again is
  // a new attempt, with a new key (the old one would only replay the refusal).
  tap(page, '#submit')
  await flush(20)
  expect(createKeys(wx)).toHaveLength(2)
  expect(createKeys(wx)[1]).not.toBe(createKeys(wx)[0])
})

test('no answer from the server: tapping again retries the same create, with the same key', async () => {
  const { wx, page } = setup({ 'POST /api/v1/complaints': { status: 503, body: { error: { code: 'unavailable', message: '服务暂时不可用，请稍后重试' } } } })
  await flush()
  page.instance.onPickCategory({ detail: CATEGORIES[0] })
  type(page, '#description', '路口有一堆垃圾')
  tap(page, '#submit')
  await flush(20)
  tap(page, '#submit')
  await flush(20)
  expect(createKeys(wx)).toHaveLength(2)
  expect(createKeys(wx)[1]).toBe(createKeys(wx)[0])
})

// Photos are sent once the report exists; one that fails is not lost on the
// way to the detail page (it has no uploader): the citizen retries or skips.
describe('a photo that fails to upload', () => {
  async function file(uploadRoute) {
    const { wx, page } = setup({ 'UPLOAD /api/v1/complaints/42/photos': uploadRoute })
    await flush()
    page.instance.onPickCategory({ detail: CATEGORIES[0] })
    type(page, '#description', '路口有一堆垃圾')
    page.instance.onAfterRead({ detail: { file: [{ url: 'wxfile://tmp/a.jpg' }, { url: 'wxfile://tmp/b.jpg' }] } })
    await flush()
    tap(page, '#submit')
    await flush(30)
    return { wx, page }
  }
  const flaky = () => {
    let failB = true
    return (req) => {
      if (req.filePath.endsWith('b.jpg') && failB) {
        failB = false
        return { status: 503, body: { error: { code: 'unavailable', message: '服务暂时不可用，请稍后重试' } } }
      }
      return { status: 201, body: { id: 'p', kind: 'report' } }
    }
  }

  test('keeps the citizen here with 重试上传, which sends only that photo, then opens the report', async () => {
    const { wx, page } = await file(flaky())
    expect(wx.called('redirectTo')).toHaveLength(0)
    expect(wx.called('showModal')[0].args).toMatchObject({ title: '部分照片未上传', content: '第 2 张：服务暂时不可用，请稍后重试' })
    expect(page.querySelector('#photo-retry').dom.textContent).toContain('反映已提交，1 张照片未上传')
    expect(page.data.files.map((f) => f.status)).toEqual(['done', 'failed'])
    expect(page.querySelector('#submit')).toBeFalsy() // the report is filed: not a second time
    tap(page, '#retry-photos')
    await flush(30)
    expect(wx.called('uploadFile').map((c) => c.args.filePath)).toEqual(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg', 'wxfile://tmp/b.jpg'])
    expect(wx.called('showToast').map((c) => c.args.title)).toContain('照片已上传')
    expect(wx.called('redirectTo')[0].args.url).toBe('/pages/complaint/detail?id=42')
    expect(order(wx).filter((x) => x === 'POST /api/v1/complaints')).toHaveLength(1)
  })

  test('跳过 opens the report without the photo', async () => {
    const { wx, page } = await file({ status: 413, body: { error: { code: 'too_large', message: '照片太大' } } })
    expect(wx.called('redirectTo')).toHaveLength(0)
    expect(page.querySelector('#photo-retry').dom.textContent).toContain('2 张照片未上传')
    tap(page, '#skip-photos')
    await flush()
    expect(wx.called('redirectTo')[0].args.url).toBe('/pages/complaint/detail?id=42')
    expect(wx.called('uploadFile')).toHaveLength(2)
  })
})

test('an open report nearby is announced, and filing joins it', async () => {
  const { page } = setup({ 'GET /api/v1/complaints/open-nearby': (req) => {
    expect(req.query).toEqual({ category: '1101', lat: '20.0028', lng: '110.2999', coord_system: 'gcj02' })
    return { open_nearby: true, will_merge: true, radius_m: 300 }
  } })
  await flush()
  page.instance.onPickCategory({ detail: CATEGORIES[0] })
  await flush()
  expect(page.querySelector('#nearby').dom.textContent).toContain('附近已有同类问题正在处理')
  expect(page.querySelector('#submit').dom.textContent).toContain('提交并关注处理进度')
})

test('without a position the place must be chosen on the map', async () => {
  const { wx, page } = setup()
  wx.state.locationError = { errMsg: 'getLocation:fail auth deny' }
  page.instance.locate()
  await flush()
  expect(page.querySelector('#location-error').dom.textContent).toContain('地图选点')
  tap(page, '#location')
  await flush()
  expect(wx.called('chooseLocation')).toHaveLength(1)
  expect(page.data.address).toBe('海南省海口市龙华区 测试地点')
  expect(page.data.errors.location).toBe('')
})

test('moving the pin off the chosen place drops its address; a typed one stays', async () => {
  const { page } = setup()
  await flush()
  tap(page, '#location') // 地图选点: 测试地点, with its address
  await flush()
  expect(page.data.address).toBe('海南省海口市龙华区 测试地点')
  page.instance.onMapTap({ detail: { latitude: 20.0118, longitude: 110.2999 } }) // about 1 km away, where the problem is
  await flush()
  expect(page.data.location).toEqual({ latitude: 20.0118, longitude: 110.2999 })
  expect(page.data.address).toBe('')
  page.instance.onAddress({ detail: '龙昆南路与海秀路口东侧' })
  page.instance.onMapTap({ detail: { latitude: 20.0119, longitude: 110.2999 } })
  await flush()
  expect(page.data.address).toBe('龙昆南路与海秀路口东侧')
})

test('the category picker groups by 大类 and searches', async () => {
  const { page } = setup()
  await flush()
  tap(page, '#category')
  const picker = page.querySelector('#picker')
  await waitFor(() => text(picker).includes('市容环境')) // after the popup's transition
  expect(text(picker)).toContain('市容环境')
  expect(text(picker)).toContain('公用设施')
  picker.instance.onSearch({ detail: '井盖' })
  await flush()
  expect(text(picker)).toContain('井盖破损')
  expect(text(picker)).not.toContain('暴露垃圾')
})

// 智能分类: once typing pauses, the likeliest categories show as chips.
const SUGGESTIONS = [
  { code: '0101', name: '井盖破损', score: 0.81 },
  { code: '1101', name: '暴露垃圾', score: 0.12 },
  { code: '1102', name: '积存垃圾渣土', score: 0.04 },
]
const suggestCalls = (wx) => wx.called('request').filter((c) => c.args.method === 'POST' && c.args.url.endsWith('/api/v1/categories/suggest'))

test('suggestions show as chips once typing pauses, and the first is pre-selected when none was chosen', async () => {
  const { wx, page } = setup({ 'POST /api/v1/categories/suggest': { suggestions: SUGGESTIONS } })
  await flush()
  type(page, '#description', '路口')
  type(page, '#description', '路口的井盖破了一个大洞')
  await flush()
  expect(suggestCalls(wx)).toHaveLength(0) // not while typing
  await waitFor(() => page.querySelector('#suggestions'))
  expect(suggestCalls(wx)).toHaveLength(1) // debounced: one call for the last text
  expect(suggestCalls(wx)[0].args.data).toEqual({ description: '路口的井盖破了一个大洞' })
  const chips = text(page.querySelector('#suggestions'))
  expect(chips).toContain('可能是')
  expect(chips).toContain('井盖破损')
  expect(chips).toContain('暴露垃圾')
  expect(chips).toContain('积存垃圾渣土')
  expect(page.data.category).toMatchObject({ code: '0101', name: '井盖破损', major: '公用设施' })
  expect(page.querySelector('#category').dom.textContent).toContain('井盖破损')

  // Tapping a chip chooses it.
  tap(page, '#suggestion-1102')
  await flush()
  expect(page.data.category.code).toBe('1102')
  expect(page.querySelector('#category').dom.textContent).toContain('积存垃圾渣土')
})

test('a too-short description asks for no suggestion', async () => {
  const { wx, page } = setup({ 'POST /api/v1/categories/suggest': { suggestions: SUGGESTIONS } })
  await flush()
  type(page, '#description', '井盖')
  await new Promise((r) => setTimeout(r, 800))
  await flush()
  expect(suggestCalls(wx)).toHaveLength(0)
  expect(page.querySelector('#suggestions')).toBeFalsy()
})

test('suggestions never replace a category the citizen chose', async () => {
  const { wx, page } = setup({ 'POST /api/v1/categories/suggest': { suggestions: SUGGESTIONS } })
  await flush()
  page.instance.onPickCategory({ detail: CATEGORIES[0] })
  type(page, '#description', '路口的井盖破了一个大洞')
  await waitFor(() => page.querySelector('#suggestions'))
  expect(suggestCalls(wx)).toHaveLength(1)
  expect(text(page.querySelector('#suggestions'))).toContain('井盖破损')
  expect(page.data.category.code).toBe('1101')
  expect(page.querySelector('#category').dom.textContent).toContain('暴露垃圾')
})

test('a failing suggestion is silent: no error, no chips, the category still picked by hand', async () => {
  const failure = { status: 503, body: { error: { code: 'unavailable', message: '服务暂不可用' } } }
  const { wx, page } = setup({ 'POST /api/v1/categories/suggest': failure })
  await flush()
  type(page, '#description', '路口的井盖破了一个大洞')
  await waitFor(() => suggestCalls(wx).length === 1)
  await flush()
  expect(page.querySelector('#suggestions')).toBeFalsy()
  expect(page.data.category).toBeNull()
  expect(wx.called('showToast')).toHaveLength(0)
  expect(wx.called('showModal')).toHaveLength(0)
  expect(text(page)).not.toContain('服务暂不可用')
  page.instance.onPickCategory({ detail: CATEGORIES[2] })
  await flush()
  expect(page.querySelector('#category').dom.textContent).toContain('井盖破损')
})

test('a retired category is not offered in the picker', async () => {
  const retired = { code: '1201', name: '占道经营', major: '街面秩序', retired: true }
  const { page } = setup({ 'GET /api/v1/categories': { categories: [...CATEGORIES, retired] } })
  await flush()
  tap(page, '#category')
  const picker = page.querySelector('#picker')
  await waitFor(() => text(picker).includes('市容环境')) // after the popup's transition
  expect(text(picker)).toContain('暴露垃圾')
  expect(text(picker)).toContain('井盖破损')
  expect(text(picker)).not.toContain('占道经营')
  expect(text(picker)).not.toContain('街面秩序')
  picker.instance.onSearch({ detail: '占道' })
  await flush()
  expect(text(picker)).not.toContain('占道经营')
})
