// Times are shown in Haikou time (UTC+8) whatever the phone's time zone;
// "now" is passed in, so what a page shows never depends on when a test runs.
const CST = 8 * 3600 * 1000

function pad(n) {
  return n < 10 ? `0${n}` : `${n}`
}

function cst(t) {
  const ms = typeof t === 'number' ? t : new Date(t).getTime()
  if (Number.isNaN(ms)) return null
  return new Date(ms + CST)
}

// formatTime: 2026-05-01 09:30.
function formatTime(t) {
  const d = t && cst(t)
  if (!d) return ''
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

// formatDate: 2026-05-01.
function formatDate(t) {
  return formatTime(t).slice(0, 10)
}

// formatShort: 05-01 09:30.
function formatShort(t) {
  return formatTime(t).slice(5)
}

// formatDuration: 1 天 2 小时, 3 小时 20 分钟, 5 分钟 (at least 1 分钟).
function formatDuration(ms) {
  const min = Math.max(1, Math.round(Math.abs(ms) / 60000))
  const days = Math.floor(min / 1440)
  const hours = Math.floor((min % 1440) / 60)
  const mins = min % 60
  if (days) return hours ? `${days} 天 ${hours} 小时` : `${days} 天`
  if (hours) return mins ? `${hours} 小时 ${mins} 分钟` : `${hours} 小时`
  return `${mins} 分钟`
}

// formatDistance: 850 米, 1.2 公里.
function formatDistance(m) {
  if (m === undefined || m === null) return ''
  return m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`
}

module.exports = { formatTime, formatDate, formatShort, formatDuration, formatDistance }
