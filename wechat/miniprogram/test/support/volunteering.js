// The fixtures of the 公益海口 organiser and volunteer page tests: a fixed
// "now" (given to the pages), a certified team the user administers, an
// activity of it, a page opened with the API's answers faked, and the
// requests a page made.
const { install } = require('./fakewx')
const { render } = require('./render')

const NOW = Date.parse('2026-04-11T00:40:00Z') // 08:40 in Haikou
const at = (min) => new Date(NOW + min * 60000).toISOString()
const TEAM = { id: 2, name: '龙华区青年志愿者协会', status: 'certified', my_role: 'admin' }

function activity(extra = {}) {
  return {
    id: 5, team_id: 2, team: TEAM.name, title: '万绿园净滩护绿行动', description: '清理海岸线垃圾', address: '海口市龙华区滨海大道万绿园',
    lat: 20.0405, lng: 110.3222, radius_m: 300, status: 'published', start_at: at(6 * 60), end_at: at(9 * 60), signup_deadline: at(5 * 60),
    capacity: 30, confirmed: 12, waitlisted: 0, can_edit: true, ...extra,
  }
}

function open(page, query, routes, setup = () => {}) {
  const fake = install(routes)
  fake.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const comp = render(page)
  comp.instance.now = () => NOW
  setup(comp, fake)
  if (comp.instance.onLoad) comp.instance.onLoad(query)
  if (comp.instance.onShow) comp.instance.onShow()
  return { comp, fake }
}

const requests = (fake, method, path) => fake.called('request').filter((c) => (c.args.method || 'GET') === method && c.args.url.includes(path))

module.exports = { NOW, at, TEAM, activity, open, requests }
