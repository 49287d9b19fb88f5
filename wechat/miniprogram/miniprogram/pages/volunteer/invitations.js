// 活动邀请: the invitations teams sent me (精准匹配), each with its activity
// (time, place, team: the list answers them) and where it stands; accept
// (signed up as any signup: a place, or the waitlist when the places are
// taken) or decline while it is open; expired ones shown as such. Those
// open come first.
const { volunteer, wechat } = require('../../services/index')
const { SIGNUP_CONSENT } = require('../../utils/activity')
const { invitationView } = require('../../utils/match')
const { acceptInvitation, declineInvitation } = require('../../utils/invitation')

Component({
  data: { items: [], openCount: 0, loaded: false, error: '', busy: 0, templateIds: [] },
  methods: {
    // now is the clock expiry is judged by (tests set their own).
    now() {
      return Date.now()
    },
    onLoad() {
      wechat.templateIds(...SIGNUP_CONSENT).then((templateIds) => this.setData({ templateIds }))
    },
    // Shown again after the activity's page, where it may have been answered.
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const invitations = await volunteer.myInvitations()
        // Where I stand on the ones accepted is in my signups, read once; not
        // knowing only leaves the place unsaid.
        const signups = invitations.some((inv) => inv.status === 'accepted') ? await volunteer.mySignups().catch(() => []) : []
        const mine = {} // my signup (not cancelled) by activity
        signups.forEach((su) => {
          if (su.status !== 'cancelled' && !(su.activity_id in mine)) mine[su.activity_id] = su
        })
        const now = this.now()
        const rows = invitations.map((inv) => invitationView(inv, inv.activity && { ...inv.activity, my_signup: mine[inv.activity_id] }, now))
        const open = rows.filter((r) => r.canAnswer)
        this.setData({ items: open.concat(rows.filter((r) => !r.canAnswer)), openCount: open.length, loaded: true, error: '' })
      } catch (e) {
        this.setData({ loaded: true, error: e.message })
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/volunteer/activity?id=${e.currentTarget.dataset.activity}` })
    },
    async onAccept(e) {
      if (this.data.busy) return
      const id = Number(e.currentTarget.dataset.id)
      this.setData({ busy: id })
      await acceptInvitation(this, id, this.data.templateIds)
      await this.load()
      this.setData({ busy: 0 })
    },
    async onDecline(e) {
      if (this.data.busy) return
      const id = Number(e.currentTarget.dataset.id)
      this.setData({ busy: id })
      if (await declineInvitation(this, id)) await this.load()
      this.setData({ busy: 0 })
    },
  },
})
