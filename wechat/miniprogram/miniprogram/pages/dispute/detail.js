// A mediation application as its applicant follows it: status, the
// committee and mediators, the sessions, the outcome with the agreement
// (人民调解协议书, to open as a PDF) or the way to go on, 司法确认, and the
// steps so far. The applicant may withdraw while the API allows it.
const { dispute } = require('../../services/index')
const { wxp } = require('../../utils/wxp')
const { formatTime, formatDate } = require('../../utils/format')
const { showError, toast, confirm } = require('../../utils/ui')

const STEP = {
  create: '已提交申请', accept: '调解委员会已受理', route: '已分流至调解委员会', assign: '已指派调解员', schedule: '已安排调解',
  record: '已进行调解', succeed: '调解成功，已签订调解协议', fail: '调解未达成协议', withdraw: '已撤回申请',
  request_confirmation: '已申请司法确认', confirm: '司法确认结果', follow_up: '已回访', close: '已结案',
  warn: '调解期限临近', escalate: '调解超期，已督办',
}
const ADVICE = { litigation: '可以向人民法院提起诉讼', arbitration: '可以申请仲裁', administrative: '可以通过行政途径解决' }
const SESSION = { scheduled: '待调解', held: '已调解', cancelled: '已取消' }
const CONFIRMATION = { requested: '已申请，等待法院确认', confirmed: '人民法院已确认调解协议有效', rejected: '人民法院不予确认' }

Component({
  data: { id: 0, d: null, steps: [], sessions: [], canWithdraw: false, error: '' },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      return this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const d = await dispute.get(this.data.id)
        const steps = (d.events || [])
          .slice()
          .reverse()
          .map((e) => ({ text: STEP[e.action] || e.action, desc: [formatTime(e.at), e.note].filter(Boolean).join('　') })) // the API sends only the notes meant for the applicant
        const sessions = (d.sessions || []).map((s, i) => ({
          id: s.id, title: `第 ${i + 1} 次调解`, label: `${formatTime(s.at)} ${s.place || ''}`, status: SESSION[s.status] || '待调解',
        }))
        const o = d.outcome
        this.setData({
          d: {
            number: d.number, status: d.status_name || d.status, type: d.type_name || d.type, summary: d.summary, address: d.address,
            committee: d.committee ? d.committee.name : '等待分流', mediators: (d.mediators || []).map((m) => m.name).join('、'),
            due: d.due_at && ['accepted', 'routed', 'mediating'].includes(d.status) ? formatDate(d.due_at) : '',
            success: !!o && o.result === 'success', failure: !!o && o.result === 'failure',
            agreement: (o && o.agreement_number) || '', terms: (o && o.terms) || '',
            advice: o && o.advice ? ADVICE[o.advice] || o.advice : '',
            confirmation: d.confirmation ? CONFIRMATION[d.confirmation.status] || d.confirmation.status : '',
            court: d.confirmation ? d.confirmation.court : '',
          },
          steps,
          sessions,
          canWithdraw: (d.actions || []).includes('withdraw'),
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    async onAgreement() {
      wx.showLoading({ title: '正在打开' })
      try {
        const filePath = await dispute.agreementPDF(this.data.id)
        await wxp('openDocument', { filePath, fileType: 'pdf', showMenu: true })
      } catch (e) {
        showError(e)
      } finally {
        wx.hideLoading()
      }
    },
    async onWithdraw() {
      if (!(await confirm({ content: '撤回后调解委员会将不再调解此纠纷。确定撤回申请吗？', confirmText: '撤回' }))) return
      try {
        await dispute.withdraw(this.data.id, '申请人撤回')
        toast('已撤回')
        await this.load()
      } catch (e) {
        showError(e)
      }
    },
  },
})
