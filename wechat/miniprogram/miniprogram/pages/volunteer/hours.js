// 我的时长: 信用时长 (timed by check-in and check-out) and 荣誉时长 (entered by
// organisers), with the ledger.
const { volunteer } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatDate } = require('../../utils/format')

Component({
  data: { sum: null, entries: [], error: '' },
  methods: {
    async onLoad() {
      try {
        const sum = await volunteer.hours()
        const entries = (sum.entries || []).map((e) => ({
          id: e.id,
          title: `${labels.hoursKind[e.kind] || e.kind} ${e.hours > 0 ? '+' : ''}${e.hours} 小时`,
          label: [formatDate(e.created_at), labels.hoursSource[e.source] || e.source, e.reason].filter(Boolean).join(' · '),
        }))
        this.setData({ sum, entries, error: '' })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
  },
})
