// 团队管理: the team's members with their roles and skills (设为管理员 and
// 取消管理员, 移出团队, and 核验 of a skill that needs a certificate, once
// the admin has seen it), and the team's hours: totals and the ledger,
// newest first. A team keeps one admin at least, and an admin steps down
// before leaving: the server says so, and the page offers only what it allows.
const { organiser, volunteer, user: account } = require('../../services/index')
const { memberRow, ledgerRow } = require('../../utils/organiser')
const { showError, toast, confirm } = require('../../utils/ui')
const idem = require('../../utils/idem')

// withActions adds what an admin may do with a member's row: 取消管理员
// beside an admin while another admin remains, 移出团队 beside a member.
function withActions(row, admins, me) {
  const isAdmin = row.role === 'admin'
  return { ...row, me: row.userId === me, canDemote: isAdmin && admins > 1, canRemove: !isAdmin }
}

Component({
  data: { id: 0, name: '', tab: 0, members: [], admins: 0, hours: null, entries: [], loaded: false, error: '', busy: false },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    onTab(e) {
      this.setData({ tab: e.detail.index })
    },
    async load() {
      const { id } = this.data
      try {
        const [team, members, hours, catalogue] = await Promise.all([
          volunteer.team(id), organiser.members(id), organiser.teamHours(id), organiser.skillCatalogue(),
        ])
        this._certified = catalogue.filter((sk) => sk.certificate).map((sk) => sk.name)
        this._members = members
        this._me = await account.myId().catch(() => 0)
        const names = {}
        members.forEach((m) => {
          names[m.user_id] = m.name
        })
        const admins = members.filter((m) => m.role === 'admin').length
        this.setData({
          name: team.name,
          members: members.map((m) => this.row(m, admins)),
          admins,
          hours,
          // The ledger comes oldest first; the latest are what an admin checks.
          entries: (hours.entries || []).slice().reverse().map((e) => ledgerRow(e, names)),
          loaded: true,
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    row(m, admins) {
      return withActions(memberRow(m, this._certified), admins, this._me)
    },

    async onMakeAdmin(e) {
      if (this.data.busy) return
      const user = Number(e.currentTarget.dataset.user)
      const { name } = e.currentTarget.dataset
      const ok = await confirm({
        title: '设为管理员',
        content: `设 ${name} 为队伍管理员？管理员可以发布和管理活动、查看队员和志愿时长。`,
        confirmText: '设为管理员',
      })
      if (!ok) return
      this.setData({ busy: true })
      try {
        await idem.send(this, { admin: user }, (key) => organiser.makeAdmin(this.data.id, user, key))
        toast(`已设 ${name} 为管理员`)
        await this.load()
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },

    // onRemoveAdmin takes an admin's role away, or the admin steps down;
    // stepped down, the page is no longer theirs.
    async onRemoveAdmin(e) {
      if (this.data.busy) return
      const user = Number(e.currentTarget.dataset.user)
      const { name } = e.currentTarget.dataset
      const self = user === this._me
      const ok = await confirm(self
        ? { title: '取消管理员', content: '确定不再担任本队管理员？您仍是队员，但不能再管理本队的活动和队员。', confirmText: '取消管理员', cancelText: '再想想' }
        : { title: '取消管理员', content: `取消 ${name} 的管理员身份？${name} 仍是本队队员。`, confirmText: '取消管理员', cancelText: '再想想' })
      if (!ok) return
      this.setData({ busy: true })
      try {
        await organiser.removeAdmin(this.data.id, user)
        toast(self ? '您已不再是管理员' : `已取消 ${name} 的管理员`)
        if (self) {
          wx.navigateBack()
        } else {
          await this.load()
        }
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },

    // onRemoveMember takes a member off the team; their signups and hours stay.
    async onRemoveMember(e) {
      if (this.data.busy) return
      const user = Number(e.currentTarget.dataset.user)
      const { name } = e.currentTarget.dataset
      const ok = await confirm({
        title: '移出团队',
        content: `将 ${name} 移出团队？已报名的活动仍然有效，已记录的志愿时长不受影响。`,
        confirmText: '移出',
        cancelText: '再想想',
      })
      if (!ok) return
      this.setData({ busy: true })
      try {
        await organiser.removeMember(this.data.id, user)
        toast(`已将 ${name} 移出团队`)
        await this.load()
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },

    // onVerify marks a skill verified after the admin saw the certificate, or takes it back.
    async onVerify(e) {
      if (this.data.busy) return
      const { name, skill } = e.currentTarget.dataset
      const user = Number(e.currentTarget.dataset.user)
      const verified = !e.currentTarget.dataset.verified
      const ok = await confirm(verified
        ? { title: '核验技能', content: `已查看 ${name} 的「${skill}」相关证书原件，确认核验？`, confirmText: '核验通过' }
        : { title: '撤销核验', content: `撤销 ${name} 的「${skill}」核验？`, confirmText: '撤销核验' })
      if (!ok) return
      this.setData({ busy: true })
      try {
        const skills = await organiser.verifySkill(this.data.id, user, skill, verified)
        const i = this._members.findIndex((m) => m.user_id === user)
        if (i >= 0) {
          this._members[i] = { ...this._members[i], skills }
          this.setData({ [`members[${i}]`]: this.row(this._members[i], this.data.admins) })
        }
        toast(verified ? '已核验' : '已撤销核验')
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },
  },
})
