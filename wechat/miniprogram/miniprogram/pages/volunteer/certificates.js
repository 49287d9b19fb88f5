// 我的证书: a certificate of my service with each team I served, issued on
// request, opened as PDF (wx.downloadFile with the login, then
// wx.openDocument). The API lists no issued certificates, so the ones issued
// on this phone are remembered in storage.
const { volunteer } = require('../../services/index')
const { formatDate } = require('../../utils/format')
const { showError } = require('../../utils/ui')
const { wxp } = require('../../utils/wxp')

const KEY = 'guanjia.certificates'

Component({
  data: { teams: [], issued: [], loaded: false, error: '', busy: false },
  methods: {
    async onLoad() {
      this.setData({ issued: wx.getStorageSync(KEY) || [] })
      try {
        const sum = await volunteer.hours()
        const ids = [...new Set((sum.entries || []).map((e) => e.team_id).filter(Boolean))]
        const teams = []
        for (const id of ids) {
          try {
            const t = await volunteer.team(id)
            teams.push({ id, name: t.name })
          } catch (e) {
            teams.push({ id, name: `团队 ${id}` })
          }
        }
        this.setData({ teams, loaded: true })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    async onIssue(e) {
      const teamId = e.currentTarget.dataset.id
      this.setData({ busy: true })
      try {
        const cert = await volunteer.issueCertificate(teamId)
        const issued = [{ number: cert.number, code: cert.code, team: cert.team, issuedAt: formatDate(cert.issued_at), hours: cert.total_hours }]
          .concat(this.data.issued.filter((c) => c.number !== cert.number))
          .slice(0, 50)
        wx.setStorageSync(KEY, issued)
        this.setData({ issued })
        await this.open(cert.number)
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: false })
    },
    onOpen(e) {
      this.open(e.currentTarget.dataset.number).catch(showError)
    },
    async open(number) {
      wx.showLoading({ title: '正在打开' })
      try {
        const filePath = await volunteer.certificatePDF(number)
        await wxp('openDocument', { filePath, fileType: 'pdf', showMenu: true })
      } finally {
        wx.hideLoading()
      }
    },
  },
})
