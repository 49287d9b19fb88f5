// 求助: a request still waiting when the time help was needed has passed is
// shown to its requester as 已过期 (the server decides it when read), with
// nothing left to withdraw.
const { at, open } = require('../support/volunteering')
const { flush, text } = require('../support/render')

const LAPSED = { id: 9, requester_id: 7, title: '独居老人需要陪同就医', description: '周三上午', address: '秀英区', needed_at: at(-1440),
  status: 'expired', events: [{ action: 'create', to: 'submitted', at: at(-2880) }, { action: 'approve', to: 'published', at: at(-2800) }] }

test('my help request whose time passed shows 已过期, in my list and on its page, with no 撤回', async () => {
  const list = open('pages/volunteer/help', {}, { 'GET /api/v1/help-requests': { help_requests: [LAPSED] } })
  await flush(20)
  expect(text(list.comp)).toContain('已过期')

  const { comp } = open('pages/volunteer/help-detail', { id: '9' }, { 'GET /api/v1/help-requests/9': LAPSED })
  await flush(20)
  expect(text(comp)).toContain('已过期')
  expect(text(comp)).not.toContain('撤回求助')
})

test("another's request reads 认领后可见详细地址 where the API leaves the address out", async () => {
  const published = { ...LAPSED, requester_id: 0, address: '', status: 'published', needed_at: at(1440) }
  const list = open('pages/volunteer/help', {}, { 'GET /api/v1/help-requests': { help_requests: [published] } })
  await flush(20)
  expect(text(list.comp)).toContain('认领后可见详细地址')
  const { comp } = open('pages/volunteer/help-detail', { id: '9' }, { 'GET /api/v1/help-requests/9': published })
  await flush(20)
  expect(text(comp)).toContain('认领后可见详细地址')
  expect(text(comp)).not.toContain('撤回求助')
})
