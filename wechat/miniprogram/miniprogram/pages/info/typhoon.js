// 台风路径: the latest typhoon's track on the map (observed solid, forecast
// dashed, each forecast position with its cone circle), its latest position
// and strength, and the weather alerts in force.
const { weather } = require('../../services/index')
const { wgs84ToGcj02, HAIKOU } = require('../../utils/coord')
const { formatTime } = require('../../utils/format')
const labels = require('../../utils/labels')

// The map component draws in GCJ-02; the server answers WGS-84.
const onMap = (p) => wgs84ToGcj02(p.lat, p.lng)

function strength(p) {
  const parts = [labels.typhoonIntensity[p.intensity] || '']
  if (p.wind_ms) parts.push(`最大风速 ${p.wind_ms} 米/秒`)
  if (p.pressure_hpa) parts.push(`中心气压 ${p.pressure_hpa} 百帕`)
  return parts.filter(Boolean).join(' · ')
}

function mapOf(t) {
  const last = t.observed[t.observed.length - 1]
  const polyline = [{ points: t.observed.map(onMap), color: '#D92D20', width: 4 }]
  if (t.forecast.length) {
    polyline.push({ points: [last, ...t.forecast].map(onMap), color: '#D92D20', width: 2, dottedLine: true })
  }
  const markers = [{ id: 0, ...onMap(last), width: 24, height: 24, callout: { content: `${t.name_zh} ${formatTime(last.time)}`, display: 'ALWAYS' } }]
  t.forecast.forEach((p, i) => markers.push({ id: i + 1, ...onMap(p), width: 12, height: 12, callout: { content: `预报 ${formatTime(p.time)}` } }))
  const circles = t.forecast.map((p) => ({ ...onMap(p), radius: p.radius_km * 1000, color: '#F7900988', fillColor: '#FDB02233', strokeWidth: 1 }))
  return { polyline, markers, circles, center: onMap(last) }
}

Component({
  data: { typhoon: null, others: [], alerts: [], center: HAIKOU, polyline: [], markers: [], circles: [], scale: 6, loaded: false, error: '' },
  methods: {
    onLoad() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const [list, alerts] = await Promise.all([weather.typhoons(), weather.alerts()])
        const data = {
          alerts: alerts.map((a) => ({ id: a.id, title: a.title, body: a.body, level: a.level, tag: `${a.kind_name}${a.level_name}预警`, until: formatTime(a.valid_until) })),
          others: list.slice(1).map((t) => ({ id: t.id, name: `${t.number} ${t.name_zh}`, last: formatTime(t.last_at) })),
          error: '',
        }
        if (list.length) {
          const t = list[0]
          const last = t.observed[t.observed.length - 1]
          Object.assign(data, mapOf(t), {
            typhoon: {
              name: `${t.number} ${t.name_zh}${t.name_en ? `（${t.name_en}）` : ''}`,
              state: t.active ? '活跃' : '已停止编号',
              at: formatTime(last.time),
              strength: strength(last),
              position: `北纬 ${last.lat}° 东经 ${last.lng}°`,
              forecast: t.forecast.map((p) => ({ time: formatTime(p.time), strength: strength(p), radius: p.radius_km })),
            },
          })
        }
        this.setData(data)
      } catch (e) {
        this.setData({ error: e.message || '加载失败，请下拉刷新重试' })
      }
      this.setData({ loaded: true })
    },
  },
})
