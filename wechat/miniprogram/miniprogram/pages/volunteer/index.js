// 公益海口: my certification and hours at a glance, the invitations waiting
// for my answer, and the ways in; the organiser's pages for whoever
// administers a team.
const { volunteer, organiser } = require('../../services/index')
const { formatDate } = require('../../utils/format')
const { pendingCount } = require('../../utils/match')

Component({
  data: { loaded: false, me: null, hours: null, error: '', organiser: false, pending: 0 },
  methods: {
    // now is the clock an invitation's expiry is judged by (tests set their own).
    now() {
      return Date.now()
    },
    onShow() {
      this.load()
      // Not being able to tell hides the organiser's way in; nothing else depends on it.
      organiser.adminTeams().then((teams) => this.setData({ organiser: teams.length > 0 }), () => {})
    },
    async load() {
      try {
        const me = await volunteer.me()
        const hours = me ? await volunteer.hours() : null
        this.setData({ me: me && { ...me, since: formatDate(me.certified_at) }, hours, error: '', loaded: true })
        // Not knowing shows no count; the invitations page says why.
        if (me) volunteer.myInvitations().then((invs) => this.setData({ pending: pendingCount(invs, this.now()) }), () => {})
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    go(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },
  },
})
