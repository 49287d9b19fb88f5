// 报名名单: who signed up and where each stands; 代签到 and 代签退 for
// someone without a phone, with a reason (kept on the record with who did it).
// Not for the organiser's own row: their hours are another admin's to enter.
const { organiser, user: account } = require('../../services/index')
const labels = require('../../utils/labels')
const { rosterCounts } = require('../../utils/organiser')
const { formatShort } = require('../../utils/format')
const { showError, toast, prompt } = require('../../utils/ui')
const idem = require('../../utils/idem')

const RUNNING = ['published', 'in_progress', 'finished']

function row(su, running, me) {
  const times = []
  if (su.checkin_at) times.push(`签到 ${formatShort(su.checkin_at).slice(-5)}${su.checkin_manual ? '（代签）' : ''}`)
  if (su.checkout_at) times.push(`签退 ${formatShort(su.checkout_at).slice(-5)}${su.checkout_manual ? '（代签）' : su.auto_checkout ? '（自动）' : ''}`)
  const open = running && ['confirmed', 'checked_in'].includes(su.status)
  const mine = su.user_id === me
  if (open && mine) times.push('本人请扫其他组织者的签到码，或由其他管理员代签')
  return {
    userId: su.user_id,
    name: su.name || `志愿者 #${su.user_id}`,
    status: su.status === 'waitlisted' ? `候补第 ${su.position} 位` : labels.signupStatus[su.status] || su.status,
    statusType: labels.signupStatusType[su.status] || 'default',
    label: times.join(' · '),
    canCheckin: open && !mine && su.status === 'confirmed',
    canCheckout: open && !mine && su.status === 'checked_in',
  }
}

Component({
  data: { id: 0, title: '', items: [], counts: null, loaded: false, error: '', busy: false },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const [a, signups, me] = await Promise.all([organiser.activity(this.data.id), organiser.signups(this.data.id), account.myId().catch(() => 0)])
        const running = RUNNING.includes(a.status)
        this.setData({
          title: a.title,
          // Those who cancelled are not coming: counted, not listed.
          items: signups.filter((su) => su.status !== 'cancelled').map((su) => row(su, running, me)),
          counts: rosterCounts(signups),
          loaded: true,
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    async onManual(e) {
      if (this.data.busy) return
      const { mode, name } = e.currentTarget.dataset
      const user = Number(e.currentTarget.dataset.user)
      const what = mode === 'checkout' ? '代签退' : '代签到'
      const reason = await prompt({ title: `为 ${name} ${what}`, placeholder: '原因，如：未带手机', confirmText: what })
      if (reason === null) return
      if (!reason.trim()) {
        toast(`请填写${what}原因`)
        return
      }
      this.setData({ busy: true })
      try {
        const call = mode === 'checkout' ? organiser.checkoutFor : organiser.checkinFor
        await idem.send(this, { user, mode, reason: reason.trim() }, (key) => call(this.data.id, user, reason.trim(), key))
        toast(`已${what}`)
        await this.load()
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },
  },
})
