// 诚信海口: search subjects by name or 统一社会信用代码 (checked here with the
// GB 32100 check character before sending), and the current red and black lists.
const { credit } = require('../../services/index')
const { looksLikeCreditCode, validateCreditCode } = require('../../utils/creditcode')
const { showError } = require('../../utils/ui')

// The server answers 20 a page: more come as the citizen scrolls to the bottom.
const KINDS = ['red', 'black']

Component({
  data: {
    q: '', error: '', results: null, page: 1, more: false, tab: 0,
    lists: { red: [], black: [] }, pages: { red: 1, black: 1 }, totals: { red: 0, black: 0 },
    loading: false, searching: false,
  },
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
      this._q = q
      this.setData({ searching: true, error: '' })
      try {
        const res = await credit.search(q)
        this.setData({ results: res.subjects || [], page: 1, more: !!res.more })
      } catch (e) {
        this.setData({ error: e.message })
        showError(e)
      }
      this.setData({ searching: false })
    },
    onClear() {
      this._q = ''
      this.setData({ q: '', results: null, error: '', more: false })
    },
    onTab(e) {
      const kind = KINDS[e.detail.index]
      this.setData({ tab: e.detail.index })
      this.loadList(kind)
    },
    async loadList(kind, page = 1) {
      this._seq = { ...this._seq, [kind]: ((this._seq && this._seq[kind]) || 0) + 1 }
      const seq = this._seq[kind]
      let res
      try {
        res = await credit.list(kind, page)
      } catch (e) {
        if (page === 1) this.setData({ [`lists.${kind}`]: [], [`totals.${kind}`]: 0 })
        else showError(e)
        return
      }
      if (seq !== this._seq[kind]) return // the list was loaded again meanwhile
      const entries = res.entries || []
      this.setData({
        [`lists.${kind}`]: page === 1 ? entries : this.data.lists[kind].concat(entries),
        [`pages.${kind}`]: page,
        [`totals.${kind}`]: res.total || 0,
      })
    },
    // onReachBottom loads the next page of what is shown: the search results or the list.
    async onReachBottom() {
      if (this.data.loading) return
      const { results, tab, lists, pages, totals } = this.data
      if (results) {
        if (!this.data.more) return
        const q = this._q
        this.setData({ loading: true })
        try {
          const res = await credit.search(q, this.data.page + 1)
          if (q === this._q && this.data.results) {
            this.setData({ results: this.data.results.concat(res.subjects || []), page: this.data.page + 1, more: !!res.more })
          }
        } catch (e) {
          showError(e)
        }
        this.setData({ loading: false })
        return
      }
      const kind = KINDS[tab]
      if (lists[kind].length >= totals[kind]) return
      this.setData({ loading: true })
      await this.loadList(kind, pages[kind] + 1)
      this.setData({ loading: false })
    },
    onOpen(e) {
      const { key } = e.currentTarget.dataset
      wx.navigateTo({ url: `/pages/credit/subject?code=${encodeURIComponent(key)}` })
    },
  },
})
