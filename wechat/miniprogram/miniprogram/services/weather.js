// 台风 / 气象 / 积水: typhoon tracks, waterlogging points and alerts are
// public; saved places (家, 单位) and the alerts over them need the login.
// Positions come back in WGS-84; a place is saved as wx.chooseLocation gives
// it (GCJ-02) and the server converts it.
const { request } = require('./request')

const typhoons = () => request({ path: '/api/v1/typhoons', auth: false }).then((d) => d.typhoons || [])
const waterlogging = () => request({ path: '/api/v1/waterlogging', auth: false })
const alerts = () => request({ path: '/api/v1/alerts', auth: false }).then((d) => d.alerts || [])
const places = () => request({ path: '/api/v1/me/places' })
const addPlace = ({ name, latitude, longitude }) =>
  request({ method: 'POST', path: '/api/v1/me/places', data: { name, lat: latitude, lng: longitude, coord_system: 'gcj02' } })
const removePlace = (id) => request({ method: 'DELETE', path: `/api/v1/me/places/${id}` })
const myAlerts = () => request({ path: '/api/v1/me/alerts' }).then((d) => d.alerts || [])

module.exports = { typhoons, waterlogging, alerts, places, addPlace, removePlace, myAlerts }
