// 15分钟便民生活圈: the page asks WeChat for a GCJ-02 position, sends it as
// such, and shows each kind's nearest places with minutes on foot and the
// kinds there are none of within 15 minutes.
const { install } = require('../support/fakewx')
const { render, flush, text } = require('../support/render')

const WALK = { minutes: 15, speed_mps: 1.2, detour_factor: 1.3, walked_m: 1080, straight_m: 831 }
const place = (id, name, minutes, walk) => ({ id, name, address: '龙华区滨海大道', lat: 20.03, lng: 110.33, straight_m: Math.round(walk / 1.3), walk_m: walk, minutes })

function open(answer) {
  let asked = null
  install({
    'GET /api/v1/poi/nearby': (req) => {
      asked = req.query
      return answer
    },
  })
  const page = render('pages/info/life-circle')
  page.instance.onLoad({})
  return { page, asked: () => asked }
}

test('asks with the GCJ-02 position and lists kinds nearest first, with the missing ones', async () => {
  const { page, asked } = open({
    coord_system: 'gcj02', walk: WALK,
    kinds: [
      { code: 'service_station', name: '便民服务站', places: [place(1, '滨海社区党群服务中心', 3, 180)] },
      { code: 'market', name: '菜市场', places: [place(2, '滨海农贸市场', 6, 400), place(3, '龙华生鲜菜市场', 14, 1000)] },
      { code: 'toilet', name: '公厕', places: [] },
    ],
    missing: [{ code: 'toilet', name: '公厕' }, { code: 'school', name: '学校' }],
  })
  await flush(20)
  expect(global.wx.called('getLocation')[0].args.type).toBe('gcj02')
  expect(asked()).toEqual({ lat: '20.0028', lng: '110.2999', coord_system: 'gcj02' })
  const shown = text(page)
  expect(shown).toContain('步行约 3 分钟 · 180 米')
  expect(shown.indexOf('滨海农贸市场')).toBeLessThan(shown.indexOf('龙华生鲜菜市场'))
  expect(shown).toContain('步行约 14 分钟 · 1.0 公里')
  expect(page.querySelector('#missing').dom.textContent).toContain('公厕、学校')
  expect(page.querySelector('#kind-toilet')).toBeFalsy() // a kind with nothing near is in the missing list only
  expect(shown).toContain('1.3 的绕行系数')
})

test('says so when nothing is missing', async () => {
  const { page } = open({ coord_system: 'gcj02', walk: WALK, kinds: [{ code: 'market', name: '菜市场', places: [place(2, '滨海农贸市场', 6, 400)] }], missing: [] })
  await flush(20)
  expect(page.querySelector('#missing').dom.textContent).toContain('各类便民设施步行 15 分钟内都有')
})

test('without the location permission it says how to give it, and asks the server nothing', async () => {
  install({})
  global.wx.state.locationError = { errMsg: 'getLocation:fail auth deny' }
  const page = render('pages/info/life-circle')
  page.instance.onLoad({})
  await flush(20)
  expect(page.querySelector('#error').dom.textContent).toContain('允许使用位置信息')
  expect(global.wx.called('request')).toHaveLength(0)
})

test('a server error is shown as the server says it', async () => {
  const { page } = open({ status: 400, body: { error: { code: 'invalid', message: '坐标 (20.0028, 110.2999) 不在海口市范围内', field: 'lat' } } })
  await flush(20)
  expect(page.querySelector('#error').dom.textContent).toContain('不在海口市范围内')
})
