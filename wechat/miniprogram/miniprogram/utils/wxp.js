// wxp('login', {...}) calls a callback-style wx API and answers a Promise.
function wxp(name, options = {}) {
  return new Promise((resolve, reject) => {
    const api = typeof wx !== 'undefined' && wx[name]
    if (typeof api !== 'function') {
      reject({ errMsg: `${name}:fail not supported` })
      return
    }
    api({ ...options, success: resolve, fail: reject })
  })
}

// cancelled tells a user's "cancel" (scan, choose, modal) from a failure.
function cancelled(err) {
  return !!(err && typeof err.errMsg === 'string' && /cancel/i.test(err.errMsg))
}

module.exports = { wxp, cancelled }
