// Telling the user: errors are the server's Chinese message, as it is.
function messageOf(err) {
  return (err && err.message) || '操作失败，请稍后重试'
}

function showError(err) {
  const msg = messageOf(err)
  if (msg.length <= 14) {
    wx.showToast({ title: msg, icon: 'none', duration: 2500 })
  } else {
    wx.showModal({ title: '提示', content: msg, showCancel: false, confirmText: '知道了' })
  }
}

function toast(title) {
  wx.showToast({ title, icon: 'none', duration: 2000 })
}

// confirm shows a modal and answers whether the user pressed the confirm button.
function confirm({ title = '提示', content, confirmText = '确定', cancelText = '取消' }) {
  return new Promise((resolve) => {
    wx.showModal({ title, content, confirmText, cancelText, success: (r) => resolve(!!r.confirm), fail: () => resolve(false) })
  })
}

// prompt asks for a line of text in a modal (a reason, say): the text typed
// on confirm, null when cancelled.
function prompt({ title, placeholder = '', confirmText = '确定', cancelText = '取消' }) {
  return new Promise((resolve) => {
    wx.showModal({
      title, editable: true, placeholderText: placeholder, confirmText, cancelText,
      success: (r) => resolve(r.confirm ? String(r.content || '') : null),
      fail: () => resolve(null),
    })
  })
}

module.exports = { showError, toast, confirm, prompt, messageOf }
