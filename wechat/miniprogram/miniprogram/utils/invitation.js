// Answering an invitation, on 活动邀请 or on the activity's own page (where
// the invitation's message opens): accepting signs up, asking first for the
// signup's messages, straight from the tap; declining is asked first. Each
// answers whether it sent anything, so the page reads the state again.
const { volunteer, wechat } = require('../services/index')
const { acceptedText } = require('./match')
const { showError, toast, confirm } = require('./ui')
const idem = require('./idem')

async function acceptInvitation(holder, id, templateIds) {
  // Before anything else is awaited: WeChat refuses the popup otherwise.
  await wechat.askConsent(templateIds).catch(() => [])
  try {
    const res = await idem.send(holder, { accept: id }, (key) => volunteer.acceptInvitation(id, key))
    toast(acceptedText(res.signup))
  } catch (e) {
    showError(e) // taken or expired meanwhile: the server says which
  }
  return true
}

async function declineInvitation(holder, id) {
  const ok = await confirm({ title: '谢绝邀请', content: '确定谢绝这次活动邀请吗？谢绝后仍可自行报名该活动。', confirmText: '谢绝', cancelText: '再想想' })
  if (!ok) return false
  try {
    await idem.send(holder, { decline: id }, (key) => volunteer.declineInvitation(id, key))
    toast('已谢绝邀请')
  } catch (e) {
    showError(e)
  }
  return true
}

module.exports = { acceptInvitation, declineInvitation }
