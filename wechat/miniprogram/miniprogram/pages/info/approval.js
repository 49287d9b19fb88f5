// 行政审批查询: the applicant (or whoever they gave both to) enters the 受理编号
// and the last four digits of the phone on the application, sees the
// progress, and may follow it to get a subscribe message at each change.
// Opened from such a message (?id=受理编号) it shows the followed application.
const { approval, wechat } = require('../../services/index')
const { showError, toast } = require('../../utils/ui')
const { formatTime } = require('../../utils/format')

function view(a) {
  return {
    ...a,
    timeline: (a.timeline || []).slice().reverse().map((e) => ({ ...e, when: formatTime(e.at) })),
  }
}

Component({
  data: { number: '', tail: '', error: '', result: null, following: false, templateIds: [], searching: false },
  methods: {
    async onLoad(query) {
      // Following works without the popup; no message will come then.
      wechat.templateIds('approval_update').then((templateIds) => this.setData({ templateIds }))
      const number = (query && query.id) || ''
      if (!number) return
      this.setData({ number })
      try {
        const list = await approval.followed()
        const a = list.find((x) => x.number === number)
        if (a) this.setData({ result: view(a), following: true })
      } catch (e) {
        showError(e)
      }
    },
    onNumber(e) {
      this.setData({ number: String(e.detail || '').trim().toUpperCase(), error: '' })
    },
    onTail(e) {
      this.setData({ tail: String(e.detail || '').trim(), error: '' })
    },
    async onSearch() {
      const { number, tail } = this.data
      if (!number) {
        this.setData({ error: '请输入受理编号' })
        return
      }
      if (!/^\d{4}$/.test(tail)) {
        this.setData({ error: '请输入申请时所留手机号码的后四位' })
        return
      }
      this.setData({ searching: true, error: '', result: null })
      try {
        const a = await approval.lookup(number, tail)
        this.setData({ result: view(a), following: false })
      } catch (e) {
        this.setData({ error: e.message })
      }
      this.setData({ searching: false })
    },
    async onFollow() {
      // The consent popup first: WeChat shows it only straight from a tap. A
      // consent that cannot be recorded does not stop the follow.
      await wechat.askConsent(this.data.templateIds).catch(() => [])
      try {
        const a = await approval.follow(this.data.result.number, this.data.tail)
        this.setData({ result: view(a), following: true })
        toast('已关注，进度变化将通知您')
      } catch (e) {
        showError(e)
      }
    },
    async onUnfollow() {
      try {
        await approval.unfollow(this.data.result.number)
        this.setData({ following: false })
        toast('已取消关注')
      } catch (e) {
        showError(e)
      }
    },
  },
})
