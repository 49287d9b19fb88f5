// 台风 / 积水 / 我的地点: the typhoon page draws the track in GCJ-02 (the map
// component's datum) with the forecast dotted and its cone circles in metres;
// the waterlogging page lists the deepest point first with its camera; a
// citizen saves a place picked on WeChat's map (sent as GCJ-02), removes one
// after confirming, sees the alerts over their places and subscribes to them.
const { install } = require('../support/fakewx')
const { render, flush, text } = require('../support/render')
const { wgs84ToGcj02 } = require('../../miniprogram/utils/coord')

const iso = (min) => new Date(Date.now() + min * 60000).toISOString()
const yagi = {
  id: 1, number: '2411', name_zh: '摩羯', name_en: 'YAGI', active: true, last_at: iso(-60), cone: null,
  observed: [
    { time: iso(-360), lat: 19.6, lng: 111.7, intensity: 'SuperTY', wind_ms: 65, pressure_hpa: 915 },
    { time: iso(-60), lat: 19.95, lng: 110.95, intensity: 'SuperTY', wind_ms: 62, pressure_hpa: 915 },
  ],
  forecast: [
    { time: iso(1380), lat: 21.0, lng: 107.8, intensity: 'STY', wind_ms: 45, radius_km: 70 },
    { time: iso(2820), lat: 21.6, lng: 105.5, intensity: 'TS', wind_ms: 20, radius_km: 120 },
  ],
}
const alert = { id: 3, kind: 'rainstorm', kind_name: '暴雨', level: 'orange', level_name: '橙色', title: '海口市暴雨橙色预警',
  body: '低洼路段易积水，请减少外出', valid_until: iso(600), places: ['家'] }

test('the typhoon page draws the track in GCJ-02 with the forecast dotted and the cone in metres', async () => {
  install({ 'GET /api/v1/typhoons': { typhoons: [yagi] }, 'GET /api/v1/alerts': { alerts: [alert] } })
  const page = render('pages/info/typhoon')
  page.instance.onLoad({})
  await flush(20)
  const d = page.instance.data
  const landfall = wgs84ToGcj02(19.95, 110.95)
  expect(d.polyline[0].points).toHaveLength(2)
  expect(d.polyline[0].points[1]).toEqual(landfall)
  expect(d.polyline[0].points[1].latitude).not.toBe(19.95) // converted, not drawn 500 m off
  expect(d.polyline[1].dottedLine).toBe(true)
  expect(d.polyline[1].points[0]).toEqual(landfall) // the forecast starts where the typhoon is
  expect(d.circles.map((c) => c.radius)).toEqual([70000, 120000])
  expect(d.center).toEqual(landfall)
  const shown = text(page)
  expect(shown).toContain('2411 摩羯（YAGI）')
  expect(shown).toContain('超强台风 · 最大风速 62 米/秒 · 中心气压 915 百帕')
  expect(shown).toContain('暴雨橙色预警')
  expect(shown).toContain('低洼路段易积水')
})

test('the typhoon page says so when there is no typhoon', async () => {
  install({ 'GET /api/v1/typhoons': { typhoons: [] }, 'GET /api/v1/alerts': { alerts: [] } })
  const page = render('pages/info/typhoon')
  page.instance.onLoad({})
  await flush(20)
  expect(text(page)).toContain('暂无台风')
})

test('the waterlogging page lists the deepest first and copies a camera link', async () => {
  install({
    'GET /api/v1/waterlogging': {
      points: [
        { code: 'HK-WL-003', name: '滨海大道万绿园段', lat: 20.045, lng: 110.33, depth_cm: 12, band: 'normal', measured_at: iso(-10) },
        { code: 'HK-WL-002', name: '海秀快速路金盘下穿', lat: 20.019, lng: 110.315, depth_cm: 58, band: 'danger', measured_at: iso(-10), video_url: 'https://camera.haikou.example/2.m3u8' },
        { code: 'HK-WL-010', name: '白驹大道', lat: 20.025, lng: 110.37, depth_cm: null, band: 'normal' },
      ],
      reports: [{ complaint_id: 9, lat: 20.03, lng: 110.33, status: 'dispatched', reported_at: iso(-30) }],
    },
  })
  global.wx.setClipboardData = jest.fn((o) => o.success && o.success())
  const page = render('pages/info/waterlogging')
  page.instance.onLoad({})
  await flush(20)
  const shown = text(page)
  expect(shown.indexOf('海秀快速路金盘下穿')).toBeLessThan(shown.indexOf('滨海大道万绿园段'))
  expect(shown.indexOf('滨海大道万绿园段')).toBeLessThan(shown.indexOf('白驹大道'))
  expect(page.querySelector('#point-HK-WL-002').dom.textContent).toContain('禁止通行')
  expect(page.querySelector('#point-HK-WL-010').dom.textContent).toContain('暂无读数')
  expect(page.querySelector('#point-HK-WL-003 .video')).toBeFalsy()
  expect(page.instance.data.markers[0]).toMatchObject(wgs84ToGcj02(20.019, 110.315))
  expect(shown).toContain('另有 1 处')
  page.instance.onVideo({ currentTarget: { dataset: { url: 'https://camera.haikou.example/2.m3u8' } } })
  expect(global.wx.setClipboardData.mock.calls[0][0].data).toBe('https://camera.haikou.example/2.m3u8')
})

test('a point whose sensor stopped reporting says its depth is old and is listed after the live ones', async () => {
  install({
    'GET /api/v1/waterlogging': {
      points: [
        { code: 'HK-WL-003', name: '滨海大道万绿园段', lat: 20.045, lng: 110.33, depth_cm: 12, band: 'normal', measured_at: iso(-10) },
        { code: 'HK-WL-002', name: '海秀快速路金盘下穿', lat: 20.019, lng: 110.315, depth_cm: 58, band: 'danger', measured_at: iso(-3 * 3600), stale: true },
      ],
      reports: [],
    },
  })
  const page = render('pages/info/waterlogging')
  page.instance.onLoad({})
  await flush(20)
  const shown = text(page)
  expect(shown.indexOf('滨海大道万绿园段')).toBeLessThan(shown.indexOf('海秀快速路金盘下穿'))
  const old = page.querySelector('#point-HK-WL-002').dom.textContent
  expect(old).toContain('读数已超过 1 小时未更新')
  expect(old).toContain('读数过期')
  expect(old).not.toContain('禁止通行')
  expect(page.instance.data.markers[1].callout.display).toBe('BYCLICK')
})

function openPlaces(routes = {}) {
  let added = null
  let removed = null
  const places = [{ id: 1, name: '家', lat: 20.029, lng: 110.326, created_at: iso(-600) }]
  install({
    'GET /api/v1/me/places': () => ({ places, max: 5 }),
    'POST /api/v1/me/places': (req) => {
      added = req.data
      places.push({ id: 2, name: req.data.name, lat: 20.0, lng: 110.3, created_at: iso(0) })
      return { status: 201, body: places[1] }
    },
    'DELETE /api/v1/me/places/1': () => {
      removed = 1
      places.shift()
      return { status: 204, body: null }
    },
    'GET /api/v1/me/alerts': { alerts: [alert] },
    'GET /api/v1/wechat/subscriptions': { subscriptions: [{ template: 'weather_alert', template_id: 'tpl-weather', remaining: 0 }] },
    'POST /api/v1/wechat/subscriptions': { recorded: 1 },
    ...routes,
  })
  global.wx.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const page = render('pages/mine/places')
  page.instance.onLoad({})
  return { page, added: () => added, removed: () => removed }
}

test('a place is saved where it was picked on the map, as GCJ-02', async () => {
  const { page, added } = openPlaces()
  await flush(20)
  expect(text(page)).toContain('影响您的地点：家')
  page.instance.onSuggest({ currentTarget: { dataset: { name: '单位' } } })
  await page.instance.onAdd()
  await flush(20)
  expect(added()).toEqual({ name: '单位', lat: 20.0028, lng: 110.2999, coord_system: 'gcj02' })
  expect(text(page)).toContain('单位')
})

test('a place needs a name before the map opens', async () => {
  const { page, added } = openPlaces()
  await flush(20)
  await page.instance.onAdd()
  await flush(5)
  expect(global.wx.called('chooseLocation')).toHaveLength(0)
  expect(added()).toBe(null)
})

test('removing a place asks first', async () => {
  const { page, removed } = openPlaces()
  await flush(20)
  global.wx.state.modalConfirm = false
  await page.instance.onRemove({ currentTarget: { dataset: { id: 1, name: '家' } } })
  expect(removed()).toBe(null)
  global.wx.state.modalConfirm = true
  await page.instance.onRemove({ currentTarget: { dataset: { id: 1, name: '家' } } })
  await flush(20)
  expect(removed()).toBe(1)
})

test('subscribing asks WeChat for the alert template', async () => {
  const { page } = openPlaces()
  await flush(20)
  await page.instance.onSubscribe()
  await flush(10)
  expect(global.wx.called('requestSubscribeMessage')[0].args.tmplIds).toEqual(['tpl-weather'])
})

test('the server refusing a place is said as the server says it', async () => {
  const { page } = openPlaces({ 'POST /api/v1/me/places': { status: 409, body: { error: { code: 'conflict', message: '已有名为 "家" 的地点', field: 'name' } } } })
  await flush(20)
  page.instance.onSuggest({ currentTarget: { dataset: { name: '家' } } })
  await page.instance.onAdd()
  await flush(20)
  const said = global.wx.called('showToast').concat(global.wx.called('showModal')).map((c) => c.args.title || c.args.content)
  expect(said.join()).toContain('已有名为')
})
