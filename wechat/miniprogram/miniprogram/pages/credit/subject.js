// A subject's public credit information: red and black lists, 行政许可 and
// 行政处罚 (双公示) records. A 失信 record may be repaired (信用修复).
const { credit } = require('../../services/index')

// entryView shows an entry; negative is the set of 失信 record types (the
// server's list), whose entries may be repaired.
function entryView(e, negative) {
  const lines = [
    e.list_name && `名单：${e.list_name}`,
    e.reason && `事由：${e.reason}`,
    e.document_no && `文书号：${e.document_no}`,
    `决定机关：${e.authority || e.department}`,
    `决定日期：${e.decided_on}`,
    e.valid_until && `有效期至：${e.valid_until}`,
    `公示截止：${e.public_until}`,
    e.repairable_from && `可申请修复：${e.repairable_from} 起`,
  ].filter(Boolean)
  return { id: e.id, title: e.type_name || e.type, text: lines.join('\n'), repairable: negative.has(e.type) }
}

Component({
  data: { s: null, groups: [], open: [], error: '' },
  methods: {
    async onLoad(query) {
      try {
        // Without the types (the request failed) the records still show, without 申请信用修复.
        const [d, types] = await Promise.all([credit.subject(decodeURIComponent(query.code || '')), credit.types().catch(() => [])])
        const negative = new Set(types.filter((t) => t.negative).map((t) => t.code))
        const view = (e) => entryView(e, negative)
        const records = d.records || []
        const groups = [
          { key: 'red', title: '红名单（守信激励）', items: (d.red || []).map(view) },
          { key: 'black', title: '黑名单（失信惩戒）', items: (d.black || []).map(view) },
          { key: 'license', title: '行政许可', items: records.filter((e) => e.type === 'license').map(view) },
          { key: 'penalty', title: '行政处罚', items: records.filter((e) => e.type === 'penalty').map(view) },
          { key: 'other', title: '其他信息', items: records.filter((e) => !['license', 'penalty'].includes(e.type)).map(view) },
        ].filter((g) => g.key !== 'other' || g.items.length)
        this.setData({ s: d.subject, groups, error: '' })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    onCollapse(e) {
      this.setData({ open: e.detail })
    },
    onRepresent() {
      const key = this.data.s.credit_code || String(this.data.s.id)
      wx.navigateTo({ url: `/pages/credit/represent?code=${encodeURIComponent(key)}&name=${encodeURIComponent(this.data.s.name)}&kind=${this.data.s.kind || ''}` })
    },
    onRepair(e) {
      wx.navigateTo({ url: `/pages/credit/repair?entry=${e.currentTarget.dataset.id}` })
    },
  },
})
