// WeChat account features: phone binding, subscribe-message consents.
const { request } = require('./request')
const { wxp } = require('../utils/wxp')

// subscriptions lists the subscribe messages the server publishes, with the
// template id wx.requestSubscribeMessage needs and the consents left.
function subscriptions() {
  return request({ path: '/api/v1/wechat/subscriptions' }).then((d) => d.subscriptions || [])
}

// templateIds answers the template ids of the named subscribe messages, for
// askConsent; [] when they cannot be had: the page goes on without the
// consent popup, and no message will come.
function templateIds(...names) {
  return subscriptions()
    .then((subs) => subs.filter((s) => names.includes(s.template)).map((s) => s.template_id))
    .catch(() => [])
}

function recordConsents(templateIds) {
  return request({ method: 'POST', path: '/api/v1/wechat/subscriptions', data: { template_ids: templateIds } })
}

// askConsent shows WeChat's subscribe popup for up to three template ids and
// records the ones accepted. It must be called from a tap handler, before
// anything else is awaited (WeChat refuses the popup otherwise). It answers
// the accepted ids; a refusal or a popup WeChat would not show is not an error.
async function askConsent(templateIds) {
  const ids = (templateIds || []).filter(Boolean).slice(0, 3)
  if (!ids.length) return []
  let res
  try {
    res = await wxp('requestSubscribeMessage', { tmplIds: ids })
  } catch (e) {
    return []
  }
  const accepted = ids.filter((id) => res[id] === 'accept')
  if (accepted.length) await recordConsents(accepted)
  return accepted
}

// bindPhone stores the number behind a getPhoneNumber code; answers it masked.
function bindPhone(code) {
  return request({ method: 'POST', path: '/api/v1/wechat/phone', data: { code } }).then((d) => d.phone)
}

module.exports = { subscriptions, templateIds, recordConsents, askConsent, bindPhone }
