// Every page of app.json opens against a server answering in the API's
// shapes, and shows what a citizen would look for on it.
const fs = require('fs')
const path = require('path')
const { install } = require('../support/fakewx')
const { render, flush, text, tap, ROOT } = require('../support/render')

const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))
const iso = (min) => new Date(Date.now() + min * 60000).toISOString()
const { checkChar } = require('../../miniprogram/utils/idcard')
// An ID number of someone 30 years old today, whatever today is.
const first17 = `110105${new Date().getFullYear() - 30}0101002`
const ID = first17 + checkChar(first17)
const BAD_ID = first17 + (ID[17] === '0' ? '1' : '0')

const subject = { id: 3, kind: 'legal', credit_code: '91350100M000100Y43', name: '海口鸿泰贸易有限公司', legal_rep: '王某', address: '海口市龙华区' }
const penalty = { id: 11, type: 'penalty', type_name: '行政处罚', reason: '未按规定公示年报', authority: '海口市市场监督管理局', decided_on: '2026-01-05', public_until: '2027-01-05', repairable_from: '2026-04-05', status: 'public', fields: {}, subject }
const ROUTES = {
  'GET /api/v1/notices': { notices: [{ id: 1, kind: 'typhoon', title: '台风“海燕”预警', body: '请市民减少外出', area: '全市', valid_from: iso(-60), valid_until: iso(600) }] },
  'GET /api/v1/categories': { categories: [{ code: '1101', name: '暴露垃圾', major: '市容环境' }] },
  'GET /api/v1/wechat/subscriptions': { subscriptions: [{ template: 'complaint_update', template_id: 'tpl-1', remaining: 2 }] },
  'GET /api/v1/complaints': { complaints: [{ id: 42, category: '1101', status: 'on_site', created_at: iso(-30), address: '龙华区' }], total: 1, page: 1 },
  'GET /api/v1/complaints/42': { id: 42, category: '1101', status: 'dispatched', description: '垃圾', created_at: iso(-5), events: [{ action: 'create', at: iso(-5) }], photos: [], actions: [] },
  'GET /api/v1/me': { id: 7, role: 'citizen', phone: '138****5678' },
  'GET /api/v1/volunteer/me': { id: 1, number: 'HK000001', name: '王小明', certified_at: iso(-9000) },
  'GET /api/v1/volunteer/me/hours': { total_hours: 3.5, credit_hours: 3, honor_hours: 0.5, month_hours: 1, entries: [{ id: 1, team_id: 2, kind: 'credit', source: 'checkin', hours: 3, created_at: iso(-600) }] },
  'GET /api/v1/volunteer/me/signups': { signups: [{ id: 1, activity_id: 5, status: 'waitlisted', position: 2 }] },
  // Near me for a volunteer; a team's own (drafts too) for its organiser.
  'GET /api/v1/activities': (req) => (req.query.team_id
    ? { activities: [{ id: 5, team_id: 2, title: '万绿园净滩护绿行动', address: '万绿园', status: 'published', start_at: iso(600), end_at: iso(780), capacity: 30, confirmed: 3 }] }
    : { activities: [{ id: 5, title: '万绿园净滩护绿行动', address: '万绿园', lat: 20.04, lng: 110.32, start_at: iso(600), end_at: iso(780), capacity: 30, confirmed: 3, distance_m: 1200 }] }),
  'GET /api/v1/activities/5': { id: 5, team_id: 2, team: '龙华区青年志愿者协会', title: '万绿园净滩护绿行动', address: '万绿园', lat: 20.04, lng: 110.32, radius_m: 300, status: 'published', start_at: iso(600), end_at: iso(780), signup_deadline: iso(500), capacity: 30, confirmed: 3, waitlisted: 0, can_edit: true },
  'GET /api/v1/activities/5/signups': { signups: [{ id: 1, activity_id: 5, user_id: 8, name: '王小明', status: 'confirmed', created_at: iso(-60) }] },
  'GET /api/v1/activities/5/checkin-token': { token: '5.1775867200.abcDEF', expires_at: iso(0.5), qr_png: 'data:image/png;base64,iVBORw0KGgo=' },
  'GET /api/v1/activities/5/photos': { photos: [{ id: 'va-1', activity_id: 5, content_type: 'image/jpeg', size: 2048, url: '/api/v1/activities/5/photos/va-1', uploaded_by: 7, created_at: iso(-5) }] },
  'GET /api/v1/activities/5/invitations': { invitations: [{ id: 1, activity_id: 5, volunteer_id: 3, name: '王**', status: 'pending', expires_at: iso(500), created_at: iso(-60) }] },
  'GET /api/v1/volunteer/skills': { skills: [{ name: '急救', certificate: true }, { name: '摄影', certificate: false }] },
  'GET /api/v1/volunteer/me/skills': { skills: [{ skill: '急救', verified: true }], availability: '周末', findable: true, lat: 20.032, lng: 110.331, radius_m: 5000 },
  'GET /api/v1/volunteer/me/invitations': { invitations: [{ id: 1, activity_id: 5, volunteer_id: 3, status: 'pending', expires_at: iso(500), created_at: iso(-60),
    activity: { id: 5, team_id: 2, team: '龙华区青年志愿者协会', title: '万绿园净滩护绿行动', address: '万绿园', start_at: iso(600), end_at: iso(780), signup_deadline: iso(500), status: 'published' } }] },
  'GET /api/v1/teams': { teams: [{ id: 2, name: '龙华区青年志愿者协会', status: 'certified', my_role: 'admin' }] },
  'GET /api/v1/teams/2/members': { members: [{ team_id: 2, user_id: 7, name: '陈海燕', role: 'admin', joined_at: iso(-9000) },
    { team_id: 2, user_id: 8, name: '王小明', role: 'member', joined_at: iso(-900), skills: [{ skill: '急救', verified: false }] }] },
  'GET /api/v1/teams/2/hours': { team_id: 2, total_hours: 3, credit_hours: 3, honor_hours: 0, month_hours: 3, entries: [{ id: 1, user_id: 8, team_id: 2, kind: 'credit', source: 'checkin', hours: 3, created_at: iso(-600) }] },
  'GET /api/v1/teams/2': { id: 2, name: '龙华区青年志愿者协会' },
  'GET /api/v1/help-requests': { help_requests: [{ id: 9, title: '独居老人需要陪同就医', address: '秀英区', needed_at: iso(1440), status: 'published' }] },
  'GET /api/v1/help-requests/9': { id: 9, requester_id: 7, title: '独居老人需要陪同就医', description: '周三上午', address: '秀英区', needed_at: iso(1440), status: 'submitted', events: [{ action: 'create', to: 'submitted', at: iso(-10) }] },
  'GET /api/v1/credit/lists/red': { entries: [{ id: 20, type: 'redlist', list_name: '纳税信用A级', decided_on: '2026-01-01', subject }], total: 1 },
  'GET /api/v1/credit/subjects/91350100M000100Y43': { subject, red: [], black: [], records: [penalty] },
  'GET /api/v1/credit/types': { types: [{ code: 'license', name: '行政许可', negative: false }, { code: 'penalty', name: '行政处罚', negative: true }] },
  'GET /api/v1/credit/entries/11': { entry: penalty },
  'GET /api/v1/credit/repairs': { repairs: [] },
  'GET /api/v1/credit/representatives': { representatives: [{ id: 4, basis: 'power_of_attorney', status: 'pending', subject, created_at: iso(-60) }] },
  'GET /api/v1/poi/nearby': { coord_system: 'gcj02', walk: { minutes: 15, speed_mps: 1.2, detour_factor: 1.3, walked_m: 1080, straight_m: 831 },
    kinds: [{ code: 'market', name: '菜市场', places: [{ id: 1, name: '滨海农贸市场', lat: 20.03, lng: 110.33, straight_m: 400, walk_m: 520, minutes: 8 }] }],
    missing: [{ code: 'toilet', name: '公厕' }] },
  'GET /api/v1/typhoons': { typhoons: [{ id: 1, number: '2411', name_zh: '摩羯', name_en: 'YAGI', active: false, last_at: iso(-60),
    observed: [{ time: iso(-120), lat: 19.8, lng: 111.1, intensity: 'SuperTY', wind_ms: 62, pressure_hpa: 915 }, { time: iso(-60), lat: 19.95, lng: 110.95, intensity: 'SuperTY', wind_ms: 62, pressure_hpa: 915 }],
    forecast: [{ time: iso(1380), lat: 21.0, lng: 107.8, intensity: 'STY', wind_ms: 45, radius_km: 70 }], cone: null }] },
  'GET /api/v1/alerts': { alerts: [] },
  'GET /api/v1/waterlogging': { points: [{ code: 'HK-WL-002', name: '海秀快速路金盘下穿', lat: 20.019, lng: 110.315, depth_cm: 58, band: 'danger', measured_at: iso(-10), video_url: 'https://camera.haikou.example/2.m3u8' }], reports: [] },
  'GET /api/v1/me/places': { places: [{ id: 1, name: '家', lat: 20.029, lng: 110.326, created_at: iso(-600) }], max: 5 },
  'GET /api/v1/me/alerts': { alerts: [] },
  'GET /api/v1/disputes/types': { types: [{ code: 'neighbour', name: '邻里纠纷', specialised: false }] },
  'GET /api/v1/disputes': { disputes: [{ id: 6, number: 'HK-TJ-2026-000006', type: 'neighbour', type_name: '邻里纠纷', status: 'mediating', status_name: '调解中', summary: '楼上漏水赔偿', created_at: iso(-600), committee: { code: 'hd-rmtj', name: '海甸街道人民调解委员会', level: 'town' } }], total: 1, page: 1 },
  'GET /api/v1/disputes/6': { id: 6, number: 'HK-TJ-2026-000006', type: 'neighbour', type_name: '邻里纠纷', status: 'mediating', status_name: '调解中', summary: '楼上漏水赔偿', address: '美兰区海甸街道', committee: { code: 'hd-rmtj', name: '海甸街道人民调解委员会', level: 'town' }, mediators: [{ id: 3, name: '陈调解' }], parties: [], sessions: [{ id: 1, at: iso(600), place: '海甸街道人民调解室', status: 'scheduled' }], outcome: null, confirmation: null, accepted_at: iso(-600), due_at: iso(30 * 1440), created_at: iso(-700), events: [{ at: iso(-700), action: 'create', to: 'reported' }, { at: iso(-600), action: 'accept', from: 'reported', to: 'accepted' }], actions: ['withdraw'] },
}

// What each page must show; the query it opens with.
const PAGES = {
  'pages/index/index': [{}, ['我要反映', '便民信息', '公益海口', '诚信海口', '台风“海燕”预警']],
  'pages/complaints/index': [{}, ['暴露垃圾', '处置中']],
  'pages/mine/index': [{}, ['138****5678', '我的订阅', '退出登录']],
  'pages/info/index': [{}, ['温馨告知', '请市民减少外出', '12345 政务服务便民热线']],
  'pages/info/life-circle': [{}, ['滨海农贸市场', '步行约 8 分钟', '公厕']],
  'pages/info/typhoon': [{}, ['2411 摩羯（YAGI）', '超强台风', '半径 70 公里']],
  'pages/info/waterlogging': [{}, ['海秀快速路金盘下穿', '58 厘米', '禁止通行', '实时视频']],
  'pages/mine/places': [{}, ['我的地点', '家', '在地图上选择位置']],
  'pages/report/index': [{}, ['问题分类', '问题描述', '现场照片', '问题位置']],
  'pages/complaint/detail': [{ id: '42' }, ['已派遣', '受理']],
  'pages/volunteer/index': [{}, ['王小明', '志愿者编号 HK000001', '附近活动', '我组织的活动', '您有 1 个活动邀请待回复', '活动邀请', '我的技能', '我的队伍', '龙华区青年志愿者协会']],
  'pages/volunteer/certify': [{}, ['姓名', '身份证号', '提交认证']],
  'pages/volunteer/activities': [{}, ['万绿园净滩护绿行动', '1.2 公里', '余 27']],
  'pages/volunteer/activity': [{ id: '5' }, ['万绿园净滩护绿行动', '剩余 27 个名额', '龙华区青年志愿者协会 邀请您参加本活动', '接受邀请并报名', '活动相册（1 张）']],
  'pages/volunteer/invitations': [{}, ['待回复 1', '万绿园净滩护绿行动', '龙华区青年志愿者协会', '地点：万绿园', '接受并报名', '谢绝']],
  'pages/volunteer/skills': [{}, ['急救', '需证书 · 已由队伍核验', '摄影', '常驻位置', '已在地图上选定', '5 公里内', '可服务时间', '允许志愿队伍按技能找到我', '约 500 米', '保存']],
  'pages/volunteer/signups': [{}, ['万绿园净滩护绿行动', '候补第 2 位']],
  'pages/volunteer/hours': [{}, ['信用时长', '3 小时', '荣誉时长', '签到签退']],
  'pages/volunteer/certificates': [{}, ['龙华区青年志愿者协会', '开具']],
  'pages/volunteer/help': [{}, ['独居老人需要陪同就医', '待认领', '发布求助']],
  'pages/volunteer/help-new': [{}, ['标题', '需要帮助的时间', '提交求助']],
  'pages/volunteer/help-detail': [{ id: '9' }, ['独居老人需要陪同就医', '已提交', '撤回求助']],
  'pages/organiser/activities': [{}, ['龙华区青年志愿者协会', '万绿园净滩护绿行动', '报名中', '新建活动']],
  'pages/organiser/activity': [{ id: '5' }, ['万绿园净滩护绿行动', '报名中', '报名名单', '邀请志愿者', '改期', '取消活动', '现场签到将于', '活动相册（1 张）', '上传照片']],
  'pages/organiser/invite': [{ id: '5' }, ['万绿园净滩护绿行动', '不限技能', '5 公里内', '搜索志愿者', '已发邀请 1']],
  'pages/organiser/team': [{ id: '2' }, ['龙华区青年志愿者协会', '队员 2', '陈海燕', '管理员', '王小明', '急救', '核验证书', '设为管理员', '移出团队']],
  'pages/organiser/edit': [{ team_id: '2' }, ['活动名称', '活动地点', '签到范围（米）', '报名截止', '保存并提交审核']],
  'pages/organiser/onsite': [{ id: '5' }, ['万绿园净滩护绿行动', '已报名', '已签到', '未签到']],
  'pages/organiser/signups': [{ id: '5' }, ['王小明', '已报名', '代签到']],
  'pages/credit/index': [{}, ['红名单', '海口鸿泰贸易有限公司', '纳税信用A级']],
  'pages/credit/subject': [{ code: '91350100M000100Y43' }, ['海口鸿泰贸易有限公司', '行政处罚', '1 条']],
  'pages/credit/repair': [{ entry: '11' }, ['未按规定公示年报', '可申请修复', '提交申请']],
  'pages/mine/subscriptions': [{}, ['反映进度通知', '还可接收 2 条']],
  'pages/credit/represent': [{ code: '91350100M000100Y43', name: '海口鸿泰贸易有限公司', entry: '11' }, ['我是法定代表人：海口鸿泰贸易有限公司', '授权委托书', '待部门审核']],
  'pages/mine/disputes': [{}, ['楼上漏水赔偿', '调解中', '海甸街道人民调解委员会', '申请调解']],
  'pages/dispute/new': [{}, ['纠纷类型', '对方当事人', '提交调解申请']],
  'pages/info/approval': [{}, ['受理编号', '手机尾号', '查询']],
  'pages/info/laws': [{}, ['搜索']],
  'pages/dispute/detail': [{ id: '6' }, ['楼上漏水赔偿', '调解中', '陈调解', '海甸街道人民调解室', '调解委员会已受理', '撤回申请']],
}

test('every page of app.json is covered here', () => {
  expect(Object.keys(PAGES).sort()).toEqual(app.pages.slice().sort())
})

test.each(Object.keys(PAGES))('%s', async (page) => {
  const [query, want] = PAGES[page]
  install(ROUTES)
  global.wx.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const comp = render(page)
  if (comp.instance.onLoad) comp.instance.onLoad(query)
  if (comp.instance.onShow) comp.instance.onShow()
  await flush(30)
  const shown = text(comp)
  for (const w of want) expect(shown).toContain(w)
  expect(shown).not.toContain('测试未定义')
  const errors = global.wx.called('showModal').concat(global.wx.called('showToast')).map((c) => c.args.content || c.args.title)
  expect(errors).toEqual([])
  if (comp.instance.onUnload) comp.instance.onUnload()
})

test('the subject page offers 信用修复 on a 失信 record', async () => {
  install(ROUTES)
  const comp = render('pages/credit/subject')
  comp.instance.onLoad({ code: '91350100M000100Y43' })
  await flush(20)
  comp.instance.onCollapse({ detail: ['penalty'] })
  await flush(20)
  expect(text(comp)).toContain('申请信用修复')
})

test('the credit search checks a 统一社会信用代码 before sending it', async () => {
  install(ROUTES)
  const comp = render('pages/credit/index')
  comp.instance.onLoad({})
  comp.instance.onChange({ detail: '91350100M000100Y44' })
  comp.instance.onSearch()
  await flush(10)
  expect(comp.querySelector('#search-error').dom.textContent).toContain('统一社会信用代码校验位不正确')
  expect(global.wx.called('request').map((c) => c.args.url)).not.toContainEqual(expect.stringContaining('/credit/subjects'))
})

test('certification checks the ID number locally before sending it', async () => {
  install(ROUTES)
  const comp = render('pages/volunteer/certify')
  comp.instance.onField({ currentTarget: { dataset: { key: 'name' } }, detail: '王小明' })
  comp.instance.onField({ currentTarget: { dataset: { key: 'idNumber' } }, detail: BAD_ID })
  comp.instance.onField({ currentTarget: { dataset: { key: 'phone' } }, detail: '13800001111' })
  await flush(5)
  tap(comp, '#submit')
  await flush(10)
  expect(comp.querySelector('#idNumber').dom.textContent).toContain('身份证号码校验位不正确，请核对')
  expect(global.wx.called('request')).toHaveLength(0)
})

test('certification sends the skills picked from the catalogue, the ones organisers search by', async () => {
  let sent = null
  install({ ...ROUTES, 'POST /api/v1/volunteer/certify': (req) => {
    sent = req.data
    return { id: 1, name: '王小明', skills: req.data.skills }
  } })
  const comp = render('pages/volunteer/certify')
  await comp.instance.onLoad()
  await flush(5)
  expect(text(comp)).toContain('急救')
  expect(text(comp)).toContain('摄影')
  tap(comp, '#skill-1')
  comp.instance.onField({ currentTarget: { dataset: { key: 'name' } }, detail: '王小明' })
  comp.instance.onField({ currentTarget: { dataset: { key: 'idNumber' } }, detail: ID })
  comp.instance.onField({ currentTarget: { dataset: { key: 'phone' } }, detail: '13800001111' })
  await flush(5)
  tap(comp, '#submit')
  await flush(10)
  expect(sent).not.toBeNull()
  expect(sent.skills).toEqual(['摄影'])
})

test('binding the phone shows it masked', async () => {
  install({ ...ROUTES, 'GET /api/v1/me': { id: 7, role: 'citizen' }, 'POST /api/v1/wechat/phone': (req) => ({ phone: req.data.code === 'phone-code' ? '139****0000' : '' }) })
  global.wx.setStorageSync('guanjia.session', { token: 'tok-1', role: 'citizen', user_id: 7 })
  const comp = render('pages/mine/index')
  comp.instance.onShow()
  await flush(10)
  expect(text(comp)).toContain('未绑定手机号')
  comp.instance.onPhone({ detail: { code: 'phone-code' } })
  await flush(10)
  expect(comp.querySelector('#phone').dom.textContent).toContain('手机号 139****0000')
})

test('binding as 法定代表人 checks the ID number locally, then shows the server’s refusal on the field', async () => {
  let sent = null
  install({ ...ROUTES, 'POST /api/v1/credit/subjects/91350100M000100Y43/representatives': (req) => {
    sent = req.data
    return { status: 403, body: { error: { code: 'forbidden', message: '证件号码与账号的实名认证不一致', field: 'id_number' } } }
  } })
  const comp = render('pages/credit/represent')
  comp.instance.onLoad({ code: '91350100M000100Y43' })
  comp.instance.onField({ currentTarget: { dataset: { key: 'name' } }, detail: '王某' })
  comp.instance.onField({ currentTarget: { dataset: { key: 'idNumber' } }, detail: BAD_ID })
  await flush(5)
  tap(comp, '#bind')
  await flush(10)
  expect(comp.querySelector('#rep-id').dom.textContent).toContain('身份证号码校验位不正确，请核对')
  expect(sent).toBeNull()
  comp.instance.onField({ currentTarget: { dataset: { key: 'idNumber' } }, detail: ID.toLowerCase() })
  tap(comp, '#bind')
  await flush(10)
  expect(sent).toEqual({ name: '王某', id_number: ID })
  expect(comp.querySelector('#rep-id').dom.textContent).toContain('证件号码与账号的实名认证不一致')
})
