const config = require('../config')

let override = ''

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (e) {
    return 'develop'
  }
}

// baseURL is where the guanjia API answers: config.js by the running version,
// or what setBaseURL set (tests, a debug switch).
function baseURL() {
  const url = override || config.baseURL[envVersion()] || config.baseURL.develop
  return String(url || '').replace(/\/+$/, '')
}

function setBaseURL(url) {
  override = url || ''
}

module.exports = { baseURL, setBaseURL }
