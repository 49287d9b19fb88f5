// 15分钟便民生活圈: what is within a 15-minute walk. Public, no login. The
// position goes as wx.getLocation gives it (GCJ-02) and places come back in
// the same system.
const { request } = require('./request')

function nearby({ latitude, longitude }) {
  return request({ path: '/api/v1/poi/nearby', params: { lat: latitude, lng: longitude, coord_system: 'gcj02' }, auth: false })
}

module.exports = { nearby }
