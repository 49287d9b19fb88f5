// 公益海口: my certification and hours at a glance, and the ways in.
const { volunteer } = require('../../services/index')
const { formatDate } = require('../../utils/format')

Component({
  data: { loaded: false, me: null, hours: null, error: '' },
  methods: {
    onShow() {
      this.load()
    },
    async load() {
      try {
        const me = await volunteer.me()
        const hours = me ? await volunteer.hours() : null
        this.setData({ me: me && { ...me, since: formatDate(me.certified_at) }, hours, error: '', loaded: true })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    go(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },
  },
})
