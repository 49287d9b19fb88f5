// 团队管理: the team's members with their roles and skills (设为管理员, and
// 核验 of a skill that needs a certificate, once the admin has seen it), and
// the team's hours: totals and the ledger, newest first.
const { organiser, volunteer } = require('../../services/index')
const { memberRow, ledgerRow } = require('../../utils/organiser')
const { showError, toast, confirm } = require('../../utils/ui')
const idem = require('../../utils/idem')

Component({
  data: { id: 0, name: '', tab: 0, members: [], hours: null, entries: [], loaded: false, error: '', busy: false },
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
        const names = {}
        members.forEach((m) => {
          names[m.user_id] = m.name
        })
        this.setData({
          name: team.name,
          members: members.map((m) => memberRow(m, this._certified)),
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
          this.setData({ [`members[${i}]`]: memberRow(this._members[i], this._certified) })
        }
        toast(verified ? '已核验' : '已撤销核验')
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },
  },
})
