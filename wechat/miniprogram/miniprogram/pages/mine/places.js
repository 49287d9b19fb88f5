// 我的地点: the places (家, 单位…) I am alerted about. A place is picked on
// WeChat's map (GCJ-02, converted by the server); an alert whose area covers
// one of them reaches me once, by subscribe message when I have subscribed,
// else in my messages. The alerts over my places in force now are shown on top.
const { weather, wechat } = require('../../services/index')
const { wxp, cancelled } = require('../../utils/wxp')
const { formatTime } = require('../../utils/format')
const { showError, toast, confirm } = require('../../utils/ui')

const SUGGESTED = ['家', '单位', '学校', '父母家']

Component({
  data: { places: [], max: 5, alerts: [], name: '', suggested: SUGGESTED, alertTemplate: '', loaded: false, error: '' },
  methods: {
    onLoad() {
      this.load()
    },
    onShow() {
      if (this.data.loaded) this.load()
    },
    async load() {
      try {
        const [out, alerts, ids] = await Promise.all([weather.places(), weather.myAlerts(), wechat.templateIds('weather_alert')])
        this.setData({
          places: out.places.map((p) => ({ id: p.id, name: p.name, since: formatTime(p.created_at) })),
          max: out.max,
          alerts: alerts.map((a) => ({ id: a.id, tag: `${a.kind_name}${a.level_name}预警`, title: a.title, body: a.body,
            places: (a.places || []).join('、'), until: formatTime(a.valid_until) })),
          alertTemplate: ids[0] || '',
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message || '加载失败' })
      }
      this.setData({ loaded: true })
    },
    onName(e) {
      this.setData({ name: e.detail })
    },
    onSuggest(e) {
      this.setData({ name: e.currentTarget.dataset.name })
    },
    async onAdd() {
      const name = this.data.name.trim()
      if (!name) {
        toast('请先填写地点名称，如“家”')
        return
      }
      let where
      try {
        where = await wxp('chooseLocation', {})
      } catch (e) {
        if (!cancelled(e)) showError({ message: '无法选择位置，请在设置中允许使用位置信息' })
        return
      }
      try {
        await weather.addPlace({ name, latitude: where.latitude, longitude: where.longitude })
        toast(`已添加“${name}”`)
        this.setData({ name: '' })
        await this.load()
      } catch (e) {
        showError(e)
      }
    },
    async onRemove(e) {
      const { id, name } = e.currentTarget.dataset
      if (!(await confirm({ content: `删除“${name}”后，这里的预警将不再通知您。`, confirmText: '删除' }))) return
      try {
        await weather.removePlace(id)
        toast('已删除')
        await this.load()
      } catch (err) {
        showError(err)
      }
    },
    // onSubscribe must call WeChat's popup straight from the tap.
    async onSubscribe() {
      const accepted = await wechat.askConsent([this.data.alertTemplate]).catch((err) => {
        showError(err)
        return null
      })
      if (accepted) toast(accepted.length ? '已订阅预警通知' : '未订阅')
    },
  },
})
