// 附近活动: published activities near me on a map and in a list. The server
// answers WGS-84; the map takes GCJ-02, so markers are converted here.
const { volunteer } = require('../../services/index')
const { wxp } = require('../../utils/wxp')
const { wgs84ToGcj02 } = require('../../utils/coord')
const { formatShort, formatDistance } = require('../../utils/format')

const RADIUS_M = 20000

Component({
  data: { center: null, items: [], markers: [], error: '', loaded: false },
  methods: {
    onLoad() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      let here = null
      try {
        const loc = await wxp('getLocation', { type: 'gcj02' })
        here = { latitude: loc.latitude, longitude: loc.longitude }
      } catch (e) {
        // without a position: every published activity, in no particular order
      }
      try {
        const list = await volunteer.activities(here ? { ...here, radius: RADIUS_M } : {})
        const items = list.map((a) => ({
          ...a,
          when: `${formatShort(a.start_at)} - ${formatShort(a.end_at).slice(-5)}`,
          distance: formatDistance(a.distance_m),
          left: Math.max(0, a.capacity - a.confirmed),
          map: wgs84ToGcj02(a.lat, a.lng),
        }))
        const markers = items.map((a) => ({ id: a.id, ...a.map, title: a.title, width: 28, height: 36, callout: { content: a.title, display: 'BYCLICK', padding: 6, borderRadius: 4 } }))
        const center = here || (items[0] && items[0].map) || { latitude: 20.0440, longitude: 110.3500 }
        this.setData({ center, items, markers, error: '', loaded: true })
      } catch (e) {
        this.setData({ error: e.message, loaded: true })
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/volunteer/activity?id=${e.currentTarget.dataset.id}` })
    },
    onMarker(e) {
      wx.navigateTo({ url: `/pages/volunteer/activity?id=${e.detail.markerId}` })
    },
  },
})
