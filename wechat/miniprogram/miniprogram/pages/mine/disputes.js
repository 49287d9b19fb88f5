// 我的调解: the citizen's mediation applications with their status, newest
// first, a page at a time, and the way to a new one.
const { dispute } = require('../../services/index')
const { formatDate } = require('../../utils/format')

Component({
  data: { items: [], page: 1, total: 0, loading: false, loaded: false, error: '' },
  methods: {
    onShow() {
      return this.load(1)
    },
    onPullDownRefresh() {
      this.load(1).then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (this.data.items.length < this.data.total) return this.load(this.data.page + 1)
    },
    async load(page) {
      if (this.data.loading) return
      this.setData({ loading: true })
      try {
        const out = await dispute.mine({ page })
        const rows = (out.disputes || []).map((d) => ({
          id: d.id, title: d.summary, status: d.status_name || d.status,
          label: `${d.type_name || d.type} · ${formatDate(d.created_at)}${d.committee ? ` · ${d.committee.name}` : ''}`,
        }))
        this.setData({ items: page === 1 ? rows : this.data.items.concat(rows), page, total: out.total || 0, loaded: true, error: '' })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
      this.setData({ loading: false })
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/dispute/detail?id=${e.currentTarget.dataset.id}` })
    },
    onNew() {
      wx.navigateTo({ url: '/pages/dispute/new' })
    },
  },
})
