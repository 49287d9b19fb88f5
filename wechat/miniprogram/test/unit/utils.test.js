// Pure rules the pages rely on, with public worked examples.
const { validateIDNumber, checkChar: idCheck, maskIDNumber } = require('../../miniprogram/utils/idcard')
const { validateCreditCode, looksLikeCreditCode } = require('../../miniprogram/utils/creditcode')
const { wgs84ToGcj02, gcj02ToWgs84, distance } = require('../../miniprogram/utils/coord')
const { formatTime, formatDuration, formatDistance } = require('../../miniprogram/utils/format')
const labels = require('../../miniprogram/utils/labels')
const { parseToken } = require('../../miniprogram/utils/activity')

describe('居民身份证号 (GB 11643)', () => {
  const now = Date.parse('2026-06-01T00:00:00Z')
  test.each([
    ['11010519491231002X', ''], // the standard's worked example
    ['46010820000521001' + idCheck('46010820000521001'), ''],
    ['440524188001010014', '身份证号码中的出生日期不正确'], // valid check digit, but born over 130 years ago
    ['46010820270521001' + idCheck('46010820270521001'), '身份证号码中的出生日期不正确'], // born after today
    ['110105194912310021', '身份证号码校验位不正确，请核对'],
    ['11010519491331002' + idCheck('11010519491331002'), '身份证号码中的出生日期不正确'], // 13th month
    ['1101051949123100', '身份证号码应为 18 位（最后一位可以是 X）'],
    ['', '请填写身份证号码'],
  ])('%s', (id, want) => {
    expect(validateIDNumber(id, now)).toBe(want)
  })
  test('a lower-case x is accepted and the number is masked when shown', () => {
    expect(validateIDNumber('11010519491231002x', now)).toBe('')
    expect(maskIDNumber('46010619850312002' + idCheck('46010619850312002'))).toMatch(/^4601\*{10}\d{3}[\dX]$/)
  })
})

describe('统一社会信用代码 (GB 32100)', () => {
  test.each([
    ['91350100M000100Y43', ''],
    ['91350100M000100Y44', '统一社会信用代码校验位不正确，请核对'],
    ['91350100M000100YI3', '统一社会信用代码不含字符「I」（不使用 I、O、Z、S、V）'],
    ['91350100M000100Y4', '统一社会信用代码应为 18 位'],
  ])('%s', (code, want) => {
    expect(validateCreditCode(code)).toBe(want)
  })
  test('a name is not taken for a code', () => {
    expect(looksLikeCreditCode('海口鸿泰贸易有限公司')).toBe(false)
    expect(looksLikeCreditCode('91350100m000100y43')).toBe(true)
  })
})

describe('GCJ-02 ↔ WGS-84', () => {
  // The pairs the server's geo package is tested with.
  test.each([
    ['Shanghai', 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215],
    ['Beijing Tiananmen', 39.908823, 116.39747, 39.91022649807321, 116.4037135824225],
    ['Haikou Xiuying', 20.044, 110.32, 20.041921680985258, 110.32434664635315],
  ])('%s', (_, wLat, wLng, gLat, gLng) => {
    const g = wgs84ToGcj02(wLat, wLng)
    expect(g.latitude).toBeCloseTo(gLat, 9)
    expect(g.longitude).toBeCloseTo(gLng, 9)
    const w = gcj02ToWgs84(gLat, gLng)
    expect(distance(w.latitude, w.longitude, wLat, wLng)).toBeLessThan(0.5)
  })
})

describe('times are Haikou time, whatever the phone says', () => {
  test('formatTime', () => {
    expect(formatTime('2026-05-01T01:30:00Z')).toBe('2026-05-01 09:30')
    expect(formatTime('2026-12-31T16:05:00Z')).toBe('2027-01-01 00:05')
  })
  test('durations and distances', () => {
    expect(formatDuration(25 * 60000)).toBe('25 分钟')
    expect(formatDuration(-(3 * 3600 + 20 * 60) * 1000)).toBe('3 小时 20 分钟')
    expect(formatDuration(26 * 3600 * 1000)).toBe('1 天 2 小时')
    expect(formatDistance(850)).toBe('850 米')
    expect(formatDistance(1234)).toBe('1.2 公里')
  })
})

describe('deadlines as the citizen sees them', () => {
  const now = Date.parse('2026-03-02T02:00:00Z')
  const at = (min) => new Date(now + min * 60000).toISOString()
  test('on the way: the on-site promise counts down', () => {
    const d = labels.deadlines({ status: 'accepted', arrive_by: at(25), resolve_by: at(24 * 60) }, now)
    expect(d.map((x) => [x.title, x.text])).toEqual([
      ['承诺到场', '剩余 25 分钟'],
      ['处置时限', '剩余 1 天'],
    ])
  })
  test('late and arrived late', () => {
    expect(labels.deadlines({ status: 'dispatched', arrive_by: at(-5), resolve_by: at(60) }, now)[0]).toMatchObject({ text: '已超时 5 分钟', type: 'danger' })
    expect(labels.deadlines({ status: 'on_site', arrive_by: at(-30), arrived_at: at(-20), resolve_by: at(60) }, now)[0].text).toBe('已按时到场（超时）')
  })
  test('closed: what was kept, nothing counting', () => {
    const d = labels.deadlines({ status: 'closed', arrive_by: at(-60), arrived_at: at(-70), resolve_by: at(-10), resolved_at: at(-20) }, now)
    expect(d.map((x) => x.text)).toEqual(['已按时到场', '已按时处置'])
    expect(labels.deadlines({ status: 'rejected', resolve_by: at(60) }, now)).toEqual([])
  })
})

test('the organiser QR code: the token, or a link carrying it', () => {
  expect(parseToken(' 12.1767225600.AbC_d-9 ')).toBe('12.1767225600.AbC_d-9')
  expect(parseToken('https://example.org/c?token=12.1767225600.AbC_d-9&x=1')).toBe('12.1767225600.AbC_d-9')
  expect(parseToken('https://weixin.qq.com/r/abc')).toBe('')
})
