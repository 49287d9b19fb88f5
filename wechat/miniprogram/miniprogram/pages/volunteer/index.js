// 公益海口: my certification and hours at a glance, the invitations waiting
// for my answer, the teams I belong to (退出团队 from one, once asked), and
// the ways in; the organiser's pages for whoever administers a team.
const { volunteer, organiser, user: account } = require('../../services/index')
const { formatDate } = require('../../utils/format')
const { pendingCount } = require('../../utils/match')
const labels = require('../../utils/labels')
const { showError, toast, confirm } = require('../../utils/ui')

// teamRow is one of my teams: an admin steps down (团队管理) before leaving.
function teamRow(t) {
  const admin = t.my_role === 'admin'
  return {
    id: t.id,
    name: t.name,
    roleText: labels.teamRole[t.my_role] || t.my_role,
    roleType: admin ? 'primary' : 'default',
    label: admin ? '管理员须先在团队管理中取消管理员身份，才能退出' : [t.district, t.members ? `${t.members} 名队员` : ''].filter(Boolean).join(' · '),
    admin,
  }
}

Component({
  data: { loaded: false, me: null, hours: null, error: '', organiser: false, pending: 0, teams: [], busy: false },
  methods: {
    // now is the clock an invitation's expiry is judged by (tests set their own).
    now() {
      return Date.now()
    },
    onShow() {
      this.load()
      this.loadTeams()
    },
    // Not being able to tell hides the organiser's way in and the teams; nothing else depends on them.
    loadTeams() {
      return organiser.myTeams().then((teams) => this.setData({
        organiser: teams.some((t) => t.my_role === 'admin'),
        teams: teams.map(teamRow),
      }), () => {})
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
    onTeam(e) {
      const { id, admin } = e.currentTarget.dataset
      if (admin) wx.navigateTo({ url: `/pages/organiser/team?id=${id}` })
    },
    async onLeave(e) {
      if (this.data.busy) return
      const id = Number(e.currentTarget.dataset.id)
      const { name } = e.currentTarget.dataset
      const ok = await confirm({
        title: '退出团队',
        content: `确定退出「${name}」？已报名的活动仍然有效，已记录的志愿时长和服务证明不受影响。`,
        confirmText: '退出',
        cancelText: '再想想',
      })
      if (!ok) return
      this.setData({ busy: true })
      try {
        await organiser.removeMember(id, await account.myId()) // a leave: my signups, hours and certificates stay
        toast(`已退出${name}`)
        await this.loadTeams()
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },
  },
})
