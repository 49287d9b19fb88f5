// 我的报名, and 扫码签到 from anywhere: the code names its activity.
const { volunteer } = require('../../services/index')
const labels = require('../../utils/labels')
const { scanCheck } = require('../../utils/checkin')
const { formatShort } = require('../../utils/format')
const { showError, toast } = require('../../utils/ui')

Component({
  data: { items: [], loaded: false, error: '', checkError: '' },
  methods: {
    onLoad(query) {
      this.load()
      if (query && query.scan) this.onScan()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const signups = await volunteer.mySignups()
        const items = []
        for (const su of signups) {
          let a = null
          try {
            a = await volunteer.activity(su.activity_id)
          } catch (e) {
            // an activity no longer visible is listed by its number
          }
          items.push({
            id: su.id,
            activityId: su.activity_id,
            title: a ? a.title : `活动 ${su.activity_id}`,
            when: a ? formatShort(a.start_at) : '',
            status: su.status === 'waitlisted' ? `候补第 ${su.position} 位` : labels.signupStatus[su.status] || su.status,
          })
        }
        this.setData({ items, loaded: true, error: '' })
      } catch (e) {
        this.setData({ loaded: true, error: e.message })
      }
    },
    async onScan() {
      this.setData({ checkError: '' })
      const res = await scanCheck({ mode: 'checkin' })
      if (res.cancelled) return
      if (res.error) {
        this.setData({ checkError: res.error })
        showError({ message: res.error })
        return
      }
      toast('签到成功')
      this.load()
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/volunteer/activity?id=${e.currentTarget.dataset.id}` })
    },
  },
})
