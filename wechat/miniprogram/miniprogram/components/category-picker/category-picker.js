// Choosing a category from the catalogue: grouped by 大类, searchable.
Component({
  properties: {
    show: { type: Boolean, value: false },
    categories: { type: Array, value: [] },
  },
  data: { keyword: '', groups: [] },
  observers: {
    'categories, keyword'(categories, keyword) {
      this.setData({ groups: group(categories, keyword) })
    },
  },
  methods: {
    onSearch(e) {
      this.setData({ keyword: String(e.detail || '').trim() })
    },
    onPick(e) {
      const code = e.currentTarget.dataset.code
      const category = this.data.categories.find((c) => c.code === code)
      if (category) this.triggerEvent('select', category)
    },
    onClose() {
      this.triggerEvent('close')
    },
  },
})

function group(categories, keyword) {
  const kw = (keyword || '').toLowerCase()
  const groups = []
  const byName = {}
  ;(categories || []).forEach((c) => {
    const major = c.major || c.kind || '其他'
    if (kw && ![c.name, major, c.code].some((v) => String(v || '').toLowerCase().includes(kw))) return
    if (!byName[major]) {
      byName[major] = { title: major, items: [] }
      groups.push(byName[major])
    }
    byName[major].items.push(c)
  })
  return groups
}
