// 便民信息: the 温馨告知 in force in full, and the numbers citizens call.
const { notices } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatTime } = require('../../utils/format')

const PHONES = [
  { name: '12345 政务服务便民热线', number: '12345', note: '咨询、求助、投诉、建议，24 小时' },
  { name: '报警', number: '110', note: '' },
  { name: '火警', number: '119', note: '' },
  { name: '急救', number: '120', note: '' },
  { name: '交通事故', number: '122', note: '' },
]

Component({
  data: { notices: [], phones: PHONES, loaded: false },
  methods: {
    async onLoad() {
      try {
        const list = await notices.current()
        this.setData({
          notices: list.map((n) => ({ ...n, kindText: labels.noticeKind[n.kind] || '告知', from: formatTime(n.valid_from), until: formatTime(n.valid_until) })),
        })
      } catch (e) {
        this.setData({ notices: [] })
      }
      this.setData({ loaded: true })
    },
    onCall(e) {
      wx.makePhoneCall({ phoneNumber: e.currentTarget.dataset.number })
    },
  },
})
