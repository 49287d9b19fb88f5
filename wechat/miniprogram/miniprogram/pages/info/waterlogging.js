// 积水点: the watched low spots with their latest depth (deepest first) and
// camera video where there is one, on the map and as a list, with the open
// 道路积水 reports.
const { weather } = require('../../services/index')
const { wgs84ToGcj02, HAIKOU } = require('../../utils/coord')
const { formatTime } = require('../../utils/format')
const labels = require('../../utils/labels')
const { toast } = require('../../utils/ui')

Component({
  data: { points: [], reports: 0, markers: [], center: HAIKOU, loaded: false, error: '' },
  methods: {
    onLoad() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const out = await weather.waterlogging()
        const points = out.points
          .map((p) => ({
            code: p.code, name: p.name, address: p.address || '', video: p.video_url || '', lat: p.lat, lng: p.lng,
            // A reading over an hour old is not the water now: listed after
            // the live ones, and said to be old rather than coloured.
            depth: p.depth_cm == null || p.stale ? -1 : p.depth_cm,
            depthText: p.depth_cm == null ? '暂无读数' : `${p.depth_cm} 厘米${p.stale ? '（读数已超过 1 小时未更新）' : ''}`,
            band: p.stale ? 'stale' : p.band, bandText: labels.waterBand[p.stale ? 'stale' : p.band] || '',
            at: p.measured_at ? formatTime(p.measured_at) : '',
          }))
          .sort((a, b) => b.depth - a.depth)
        const markers = points.map((p, i) => ({ id: i, ...wgs84ToGcj02(p.lat, p.lng), width: 24, height: 30,
          callout: { content: `${p.name} ${p.depthText}`, display: p.band === 'danger' ? 'ALWAYS' : 'BYCLICK' } }))
        this.setData({ points, markers, reports: out.reports.length, error: '' })
      } catch (e) {
        this.setData({ error: e.message || '加载失败，请下拉刷新重试' })
      }
      this.setData({ loaded: true })
    },
    // The mini-program cannot open a web page outside its business domains:
    // the camera link is copied for the browser.
    onVideo(e) {
      const url = e.currentTarget.dataset.url
      wx.setClipboardData({ data: url, success: () => toast('视频链接已复制') })
    },
  },
})
