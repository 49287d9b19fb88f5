// 15分钟便民生活圈: from where I am (wx.getLocation, GCJ-02), the nearest
// places of each kind within a 15-minute walk with the minutes to walk, and
// the kinds there are none of.
const { poi } = require('../../services/index')
const { wxp } = require('../../utils/wxp')
const { formatDistance } = require('../../utils/format')

Component({
  data: { kinds: [], missing: '', model: '', loaded: false, error: '' },
  methods: {
    onLoad() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      let here
      try {
        here = await wxp('getLocation', { type: 'gcj02' })
      } catch (e) {
        this.setData({ loaded: true, error: '无法获取您的位置，请在设置中允许使用位置信息后下拉刷新' })
        return
      }
      try {
        const out = await poi.nearby(here)
        const w = out.walk
        this.setData({
          kinds: out.kinds.filter((k) => k.places.length).map((k) => ({
            code: k.code,
            name: k.name,
            places: k.places.map((p) => ({ ...p, label: `步行约 ${p.minutes} 分钟 · ${formatDistance(p.walk_m)}` })),
          })),
          missing: out.missing.map((k) => k.name).join('、'),
          model: `按直线距离 × ${w.detour_factor} 的绕行系数、每秒 ${w.speed_mps} 米的步速估算，${w.minutes} 分钟约步行 ${w.walked_m} 米。`,
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message || '加载失败，请下拉刷新重试' })
      }
      this.setData({ loaded: true })
    },
    onOpen(e) {
      const p = e.currentTarget.dataset.place
      wx.openLocation({ latitude: p.lat, longitude: p.lng, name: p.name, address: p.address || '' })
    },
  },
})
