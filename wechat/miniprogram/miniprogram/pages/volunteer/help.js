// 求助: requests for help published for volunteer teams to take on, and mine.
const { volunteer } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatShort } = require('../../utils/format')

Component({
  data: { tab: 0, items: [], loaded: false, error: '' },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    onTab(e) {
      this.setData({ tab: e.detail.index })
      this.load()
    },
    async load() {
      try {
        const list = await volunteer.helpRequests({ mine: this.data.tab === 1 })
        this.setData({
          items: list.map((h) => ({ id: h.id, title: h.title, label: `${formatShort(h.needed_at)} · ${h.address || '认领后可见详细地址'}`, status: labels.helpStatus[h.status] || h.status })),
          loaded: true,
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/volunteer/help-detail?id=${e.currentTarget.dataset.id}` })
    },
    onNew() {
      wx.navigateTo({ url: '/pages/volunteer/help-new' })
    },
  },
})
