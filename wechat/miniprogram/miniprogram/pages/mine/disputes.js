// 我的调解: the citizen's mediation applications with their status, and the
// way to a new one.
const { dispute } = require('../../services/index')
const { formatDate } = require('../../utils/format')

Component({
  data: { items: [], loaded: false, error: '' },
  methods: {
    onShow() {
      return this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const out = await dispute.mine()
        this.setData({
          items: (out.disputes || []).map((d) => ({
            id: d.id, title: d.summary, status: d.status_name || d.status,
            label: `${d.type_name || d.type} · ${formatDate(d.created_at)}${d.committee ? ` · ${d.committee.name}` : ''}`,
          })),
          loaded: true,
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/dispute/detail?id=${e.currentTarget.dataset.id}` })
    },
    onNew() {
      wx.navigateTo({ url: '/pages/dispute/new' })
    },
  },
})
