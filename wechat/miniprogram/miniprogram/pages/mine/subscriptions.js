// 我的订阅: the subscribe messages the city sends, and how many of each I
// will still receive. WeChat lets one message through per "允许", so the
// count goes down as messages arrive; 订阅 asks again.
const { wechat } = require('../../services/index')
const labels = require('../../utils/labels')
const { showError, toast } = require('../../utils/ui')

Component({
  data: { items: [], error: '' },
  methods: {
    onLoad() {
      this.load()
    },
    async load() {
      try {
        const subs = await wechat.subscriptions()
        this.setData({
          items: subs.map((s) => ({ ...s, title: labels.subscriptionTitle[s.template] || s.template })),
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    // onSubscribe must call WeChat's popup straight from the tap.
    async onSubscribe(e) {
      const id = e.currentTarget.dataset.id
      const accepted = await wechat.askConsent([id]).catch((err) => {
        showError(err)
        return null
      })
      if (accepted === null) return
      toast(accepted.length ? '订阅成功' : '未订阅')
      this.load()
    },
  },
})
