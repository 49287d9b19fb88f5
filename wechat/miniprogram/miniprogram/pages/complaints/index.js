// 我的反映: my reports (and the ones I follow), newest first, status in Chinese.
const { complaints } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatTime } = require('../../utils/format')

Component({
  data: { items: [], page: 1, total: 0, loading: false, error: '', loaded: false },
  methods: {
    onShow() {
      this.load(1)
    },
    onPullDownRefresh() {
      this.load(1).then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (this.data.items.length < this.data.total) this.load(this.data.page + 1)
    },

    async load(page) {
      if (this.data.loading) return
      this.setData({ loading: true })
      try {
        const [res, cats] = await Promise.all([complaints.list({ page }), complaints.categories().catch(() => [])])
        const names = {}
        cats.forEach((c) => {
          names[c.code] = c.name
        })
        const rows = (res.complaints || []).map((c) => ({
          id: c.id,
          title: names[c.category] || c.category,
          label: [formatTime(c.created_at), c.view === 'follower' ? '我关注的问题' : c.address].filter(Boolean).join(' · '),
          status: labels.complaintStatus[c.status] || c.status,
          type: labels.complaintStatusType[c.status] || 'default',
        }))
        this.setData({ items: page === 1 ? rows : this.data.items.concat(rows), page, total: res.total || 0, error: '', loaded: true })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
      this.setData({ loading: false })
    },

    onOpen(e) {
      wx.navigateTo({ url: `/pages/complaint/detail?id=${e.currentTarget.dataset.id}` })
    },
    onReport() {
      wx.navigateTo({ url: '/pages/report/index' })
    },
  },
})
