// Checking in or out on site: take the phone's position (wx.getLocation,
// GCJ-02), scan the organiser's rotating QR code (wx.scanCode) and send
// both. Answers {signup} on success, {error} with what to tell the volunteer
// (the server's message as is: an expired code, outside the geofence…), or
// {cancelled} when they closed the scanner.
const { volunteer } = require('../services/index')
const { wxp, cancelled } = require('./wxp')
const { parseToken } = require('./activity')

async function scanCheck({ mode = 'checkin', activityId } = {}) {
  // The position first: the code changes every 30 seconds, and a first-time
  // location prompt or a slow high-accuracy fix could outlast a scanned one.
  let loc
  try {
    loc = await wxp('getLocation', { type: 'gcj02', isHighAccuracy: true })
  } catch (e) {
    return { error: '需要您的位置才能签到，请在「设置」中允许小程序使用位置信息', needsLocation: true }
  }
  let result
  try {
    result = (await wxp('scanCode', { onlyFromCamera: true, scanType: ['qrCode'] })).result
  } catch (e) {
    return cancelled(e) ? { cancelled: true } : { error: '扫码失败，请重试' }
  }
  const token = parseToken(result)
  if (!token) return { error: '这不是活动签到码，请扫描组织者出示的签到二维码' }
  const id = activityId || Number(token.split('.')[0])
  try {
    const out = await volunteer[mode === 'checkout' ? 'checkout' : 'checkin'](id, { token, latitude: loc.latitude, longitude: loc.longitude })
    return { activityId: id, signup: out.signup || out, hours: out.hours }
  } catch (e) {
    return { error: e.message, field: e.field }
  }
}

module.exports = { scanCheck }
