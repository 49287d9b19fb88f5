// A wx for rendering tests: API answers come from a route table standing in
// (a route answers a body, or {status, body} for another status)
// for the server (the contract test talks to the real one), and every call
// is recorded so a test can check what the page asked WeChat to do.
function fakeWx(routes = {}) {
  const state = {
    location: { latitude: 20.0028, longitude: 110.2999 }, // GCJ-02, 龙华区
    locationError: null,
    subscribe: null, // what requestSubscribeMessage answers; null: accept all
    subscribeError: null,
    scan: null, // wx.scanCode's result string
    media: [], // the local paths wx.chooseMedia answers
    mediaError: null,
    scanError: null,
    modalConfirm: true,
    modalContent: '', // what an editable modal answers as typed
  }
  const calls = []
  const storage = new Map()
  const log = (name, args) => calls.push({ name, args })
  const later = (fn) => setTimeout(fn, 0)
  const split = (url) => {
    const u = new URL(url)
    return { path: u.pathname, query: Object.fromEntries(u.searchParams) }
  }
  const answer = (key, req) => {
    const route = routes[key]
    if (!route) return { status: 404, body: { error: { code: 'not_found', message: `测试未定义 ${key}` } } }
    const out = typeof route === 'function' ? route(req) : route
    return out && typeof out.status === 'number' && 'body' in out ? out : { status: 200, body: out }
  }
  const async = (name, fn) => (opts = {}) => {
    log(name, opts)
    later(() => {
      try {
        const res = fn(opts)
        if (res && res.fail) opts.fail && opts.fail(res.fail)
        else opts.success && opts.success(res)
      } catch (err) {
        opts.fail && opts.fail(err)
      }
      opts.complete && opts.complete()
    })
  }
  const wx = {
    state,
    calls,
    called: (name) => calls.filter((c) => c.name === name),
    request: async('request', (opts) => {
      const { path, query } = split(opts.url)
      const method = (opts.method || 'GET').toUpperCase()
      const res = answer(`${method} ${path}`, { path, query, data: opts.data, header: opts.header })
      return { statusCode: res.status, data: res.body, header: {} }
    }),
    uploadFile: async('uploadFile', (opts) => {
      const { path } = split(opts.url)
      const res = answer(`UPLOAD ${path}`, { path, filePath: opts.filePath, formData: opts.formData })
      return { statusCode: res.status, data: JSON.stringify(res.body) }
    }),
    downloadFile: async('downloadFile', (opts) => ({ statusCode: 200, tempFilePath: `wxfile://tmp/${encodeURIComponent(opts.url)}` })),
    login: async('login', () => ({ code: `test-code-${calls.length}` })),
    getLocation: async('getLocation', () => (state.locationError ? { fail: state.locationError } : { ...state.location })),
    chooseLocation: async('chooseLocation', () => ({ ...state.location, address: '海南省海口市龙华区', name: '测试地点' })),
    requestSubscribeMessage: async('requestSubscribeMessage', (opts) => {
      if (state.subscribeError) return { fail: state.subscribeError }
      const out = { errMsg: 'requestSubscribeMessage:ok' }
      opts.tmplIds.forEach((id) => {
        out[id] = state.subscribe ? state.subscribe[id] || 'reject' : 'accept'
      })
      return out
    }),
    chooseMedia: async('chooseMedia', () => (state.mediaError
      ? { fail: state.mediaError }
      : { type: 'image', tempFiles: state.media.map((p) => ({ tempFilePath: p, fileType: 'image', size: 1024 })) })),
    previewImage: (o) => log('previewImage', o),
    scanCode: async('scanCode', () => (state.scanError ? { fail: state.scanError } : { result: state.scan, scanType: 'QR_CODE' })),
    showToast: (o) => log('showToast', o),
    showModal: (o) => {
      log('showModal', o)
      later(() => o.success && o.success({ confirm: state.modalConfirm, cancel: !state.modalConfirm, content: o.editable ? state.modalContent : undefined }))
    },
    showLoading: (o) => log('showLoading', o),
    hideLoading: () => log('hideLoading', {}),
    navigateTo: (o) => log('navigateTo', o),
    redirectTo: (o) => log('redirectTo', o),
    navigateBack: (o) => log('navigateBack', o),
    setNavigationBarTitle: (o) => log('setNavigationBarTitle', o),
    setKeepScreenOn: (o) => log('setKeepScreenOn', o),
    switchTab: (o) => log('switchTab', o),
    stopPullDownRefresh: () => {},
    makePhoneCall: (o) => log('makePhoneCall', o),
    openDocument: async('openDocument', () => ({})),
    openSetting: async('openSetting', () => ({ authSetting: {} })),
    getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k, v) => storage.set(k, v),
    removeStorageSync: (k) => storage.delete(k),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop' } }),
  }
  return wx
}

// install puts a fake wx where the mini-program's code looks for it.
function install(routes) {
  const wx = fakeWx({ 'POST /api/v1/wechat/login': { token: 'tok-1', role: 'citizen', user_id: 7, openid: 'o-test' }, ...routes })
  global.wx = wx
  return wx
}

module.exports = { fakeWx, install }
