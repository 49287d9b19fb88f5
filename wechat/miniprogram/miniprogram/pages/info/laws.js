// 法律法规: search laws and local regulations by a word of their title or
// text (each match with its article), and read one (?id=).
const { law } = require('../../services/index')
const { showError } = require('../../utils/ui')

Component({
  data: { q: '', error: '', results: null, law: null, searching: false },
  methods: {
    onLoad(query) {
      if (query && query.id) this.open(query.id)
    },
    onChange(e) {
      this.setData({ q: e.detail, error: '' })
    },
    async onSearch() {
      const q = String(this.data.q || '').trim()
      if (!q) {
        this.setData({ error: '请输入法规名称或条文中的词语' })
        return
      }
      this.setData({ searching: true, error: '', law: null })
      try {
        this.setData({ results: await law.search(q) })
      } catch (e) {
        this.setData({ error: e.message })
      }
      this.setData({ searching: false })
    },
    onClear() {
      this.setData({ q: '', results: null, error: '' })
    },
    onOpen(e) {
      this.open(e.currentTarget.dataset.id)
    },
    async open(id) {
      try {
        this.setData({ law: await law.get(id) })
        wx.setNavigationBarTitle({ title: this.data.law.title })
      } catch (e) {
        showError(e)
      }
    },
    onBack() {
      this.setData({ law: null })
    },
  },
})
