// GCJ-02 ↔ WGS-84. WeChat (wx.getLocation type gcj02, the map component)
// uses GCJ-02; guanjia answers positions in WGS-84. Markers on a map are
// converted here; positions sent to the server say coord_system "gcj02".
const A = 6378245.0
const EE = 0.00669342162296594323

function outOfChina(lat, lng) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function transformLat(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return r
}

function transformLng(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return r
}

function delta(lat, lng) {
  let dLat = transformLat(lng - 105.0, lat - 35.0)
  let dLng = transformLng(lng - 105.0, lat - 35.0)
  const radLat = (lat / 180.0) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - EE * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [dLat, dLng]
}

// wgs84ToGcj02 answers {latitude, longitude} for the map component.
function wgs84ToGcj02(lat, lng) {
  if (outOfChina(lat, lng)) return { latitude: lat, longitude: lng }
  const [dLat, dLng] = delta(lat, lng)
  return { latitude: lat + dLat, longitude: lng + dLng }
}

// gcj02ToWgs84 inverts wgs84ToGcj02 by iteration (well under a metre).
function gcj02ToWgs84(lat, lng) {
  if (outOfChina(lat, lng)) return { latitude: lat, longitude: lng }
  let wLat = lat
  let wLng = lng
  for (let i = 0; i < 5; i++) {
    const g = wgs84ToGcj02(wLat, wLng)
    wLat += lat - g.latitude
    wLng += lng - g.longitude
  }
  return { latitude: wLat, longitude: wLng }
}

// distance in metres between two points (haversine).
function distance(lat1, lng1, lat2, lng2) {
  const R = 6371000
  const toRad = (d) => (d * Math.PI) / 180
  const dLat = toRad(lat2 - lat1)
  const dLng = toRad(lng2 - lng1)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(dLng / 2) ** 2
  return 2 * R * Math.asin(Math.sqrt(h))
}

// HAIKOU is where a map of the city opens before there is anything to show.
const HAIKOU = { latitude: 20.02, longitude: 110.33 }

module.exports = { wgs84ToGcj02, gcj02ToWgs84, distance, HAIKOU }
