// 诚信海口: search subjects by name or 统一社会信用代码 (checked here with the
// GB 32100 check character before sending), and the current red and black lists.
const { credit } = require('../../services/index')
const { looksLikeCreditCode, validateCreditCode } = require('../../utils/creditcode')
const { showError } = require('../../utils/ui')

Component({
  data: { q: '', error: '', results: null, tab: 0, lists: { red: [], black: [] }, searching: false },
  methods: {
    onLoad() {
      this.loadList('red')
    },
    onChange(e) {
      this.setData({ q: e.detail, error: '' })
    },
    async onSearch() {
      const q = String(this.data.q || '').trim()
      if (!q) {
        this.setData({ error: '请输入企业名称、统一社会信用代码或身份证号' })
        return
      }
      if (looksLikeCreditCode(q) && !/^\d{17}[\dX]$/i.test(q)) {
        const problem = validateCreditCode(q)
        if (problem) {
          this.setData({ error: problem })
          return
        }
      }
      this.setData({ searching: true, error: '' })
      try {
        const res = await credit.search(q)
        this.setData({ results: res.subjects || [] })
      } catch (e) {
        this.setData({ error: e.message })
        showError(e)
      }
      this.setData({ searching: false })
    },
    onClear() {
      this.setData({ q: '', results: null, error: '' })
    },
    onTab(e) {
      const kind = e.detail.index === 0 ? 'red' : 'black'
      this.setData({ tab: e.detail.index })
      this.loadList(kind)
    },
    async loadList(kind) {
      try {
        const res = await credit.list(kind)
        this.setData({ [`lists.${kind}`]: res.entries || [] })
      } catch (e) {
        this.setData({ [`lists.${kind}`]: [] })
      }
    },
    onOpen(e) {
      const { key } = e.currentTarget.dataset
      wx.navigateTo({ url: `/pages/credit/subject?code=${encodeURIComponent(key)}` })
    },
  },
})
