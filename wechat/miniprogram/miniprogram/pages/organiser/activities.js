// 我组织的活动: the activities of the teams I administer, drafts and those
// under review or refused (with the reason) too; a new draft and the chosen
// team's 团队管理 from here.
const { organiser } = require('../../services/index')
const labels = require('../../utils/labels')
const { CURRENT, PAST } = require('../../utils/organiser')
const { formatShort } = require('../../utils/format')

Component({
  data: { teams: [], teamNames: [], teamIndex: 0, tab: 0, items: [], loaded: false, error: '' },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    onTab(e) {
      this.setData({ tab: e.detail.index })
      this.load()
    },
    onTeam(e) {
      this.setData({ teamIndex: Number(e.detail.value) })
      this.load()
    },
    async load() {
      try {
        const teams = await organiser.adminTeams()
        if (!teams.length) {
          this.setData({ teams, loaded: true, items: [], error: '您还不是志愿团队的管理员' })
          return
        }
        const teamIndex = Math.min(this.data.teamIndex, teams.length - 1)
        const team = teams[teamIndex]
        const past = this.data.tab === 1
        const list = await organiser.activities(team.id, past ? PAST : CURRENT)
        // As the server lists them: past ones newest first, current ones soonest first.
        const items = list.map((a) => ({
          id: a.id,
          title: a.title,
          label: `${formatShort(a.start_at)} · ${a.address}${a.status === 'refused' && a.review_note ? `\n未通过：${a.review_note}` : ''}`,
          status: labels.activityStatus[a.status] || a.status,
          statusType: labels.activityStatusType[a.status] || 'default',
        }))
        this.setData({
          teams: teams.map((t) => ({ id: t.id, name: t.name, certified: t.status === 'certified' })),
          teamNames: teams.map((t) => t.name),
          teamIndex,
          items,
          loaded: true,
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/organiser/activity?id=${e.currentTarget.dataset.id}` })
    },
    onManageTeam() {
      const team = this.data.teams[this.data.teamIndex]
      wx.navigateTo({ url: `/pages/organiser/team?id=${team.id}` })
    },
    onNew() {
      const team = this.data.teams[this.data.teamIndex]
      wx.navigateTo({ url: `/pages/organiser/edit?team_id=${team.id}` })
    },
  },
})
