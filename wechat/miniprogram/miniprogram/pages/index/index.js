// 首页: the four entries and the 温馨告知 in force (typhoon, waterlogging, holidays…).
const { notices } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatTime } = require('../../utils/format')

Component({
  data: { notices: [], headline: '' },
  methods: {
    onShow() {
      this.loadNotices()
    },
    onPullDownRefresh() {
      this.loadNotices().then(() => wx.stopPullDownRefresh())
    },
    async loadNotices() {
      try {
        const list = (await notices.current()).map((n) => ({
          ...n,
          kindText: labels.noticeKind[n.kind] || '告知',
          until: formatTime(n.valid_until),
        }))
        this.setData({ notices: list, headline: list.length ? `【${list[0].kindText}】${list[0].title}` : '' })
      } catch (e) {
        this.setData({ notices: [], headline: '' }) // the home page works without notices
      }
    },
    onNotice(e) {
      const n = this.data.notices.find((x) => x.id === e.currentTarget.dataset.id) || this.data.notices[0]
      if (n) wx.showModal({ title: n.title, content: `${n.body}${n.area ? `\n\n范围：${n.area}` : ''}\n有效期至 ${n.until}`, showCancel: false, confirmText: '知道了' })
    },
    onHotline() {
      wx.makePhoneCall({ phoneNumber: '12345' })
    },
  },
})
