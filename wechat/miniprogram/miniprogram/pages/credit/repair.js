// 信用修复: apply to have a 失信 record repaired, for a subject I represent
// (its 法定代表人, or an agent whose 授权委托书 the department accepted); the
// server decides who may and says why not. Also lists my applications.
const { credit, wechat } = require('../../services/index')
const { showError, toast, confirm } = require('../../utils/ui')
const { formatTime } = require('../../utils/format')
const idem = require('../../utils/idem')

// The server's RepairStatus (credit/machine.go); an application cannot be withdrawn.
const STATUS = { pending: '审核中', approved: '已修复', refused: '未通过', superseded: '已由其他申请修复' }

Component({
  data: { entryId: 0, entry: null, reason: '', evidence: '', errors: {}, submitting: false, mine: [], error: '', templateIds: [] },
  methods: {
    onLoad(query) {
      const entryId = Number(query.entry || 0)
      this.setData({ entryId })
      if (entryId) {
        credit
          .entry(entryId)
          .then((d) => this.setData({ entry: d.entry || d }))
          .catch((e) => this.setData({ error: e.message }))
      }
      this.loadMine()
      // The decision reaches me only with consent: asked on 提交申请.
      wechat.templateIds('credit_repair_decided').then((templateIds) => this.setData({ templateIds }))
    },
    async loadMine() {
      try {
        const list = await credit.myRepairs()
        this.setData({
          mine: list.map((r) => ({
            id: r.id,
            title: r.entry ? `${r.entry.type_name} · ${r.entry.subject ? r.entry.subject.name : ''}` : `记录 ${r.entry_id}`,
            label: [formatTime(r.created_at), r.decision_note].filter(Boolean).join(' · '),
            status: STATUS[r.status] || r.status,
          })),
        })
      } catch (e) {
        this.setData({ mine: [] })
      }
    },
    // representURL opens 法定代表人 binding (it needs the subject's code) and
    // the 授权委托书 for this record.
    representURL() {
      const { entryId, entry } = this.data
      const s = entry && entry.subject
      if (!s) return `/pages/credit/represent?entry=${entryId}`
      const code = s.credit_code || String(s.id)
      return `/pages/credit/represent?entry=${entryId}&code=${encodeURIComponent(code)}&name=${encodeURIComponent(s.name || '')}&kind=${s.kind || ''}`
    },
    onRepresent() {
      wx.navigateTo({ url: this.representURL() })
    },
    onField(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ [key]: e.detail, [`errors.${key}`]: '' })
    },
    async onSubmit() {
      const { entryId, reason, evidence } = this.data
      const errors = { reason: reason.trim() ? '' : '请说明已经纠正失信行为的情况', evidence: evidence.trim() ? '' : '请说明证明材料，如整改报告、缴款凭证' }
      if (errors.reason || errors.evidence) {
        this.setData({ errors })
        return
      }
      const body = { entryId, reason: reason.trim(), evidence: evidence.trim() }
      this.setData({ submitting: true })
      // WeChat shows the subscribe popup only straight from a tap: ask before anything is awaited.
      await wechat.askConsent(this.data.templateIds).catch(() => [])
      try {
        await idem.send(this, body, (key) => credit.applyRepair(body, key))
        toast('已提交，等待审核')
        this.setData({ reason: '', evidence: '' })
        this.loadMine()
      } catch (e) {
        if (e.field === 'reason' || e.field === 'evidence') this.setData({ [`errors.${e.field}`]: e.message })
        if (e.status === 403 && (await confirm({ content: e.message, confirmText: '去办理', cancelText: '知道了' }))) {
          // Not (yet) standing for the subject: bind as 法定代表人 or file a 授权委托书.
          wx.navigateTo({ url: this.representURL() })
        } else if (e.status !== 403) {
          showError(e)
        }
      }
      this.setData({ submitting: false })
    },
  },
})
