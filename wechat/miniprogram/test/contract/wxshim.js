// A small wx for Node over real HTTP: what the mini-program's services/ call
// (request, uploadFile, downloadFile, login, storage) does what WeChat does,
// against the server the test started. Nothing here answers for the server.
const fs = require('fs')
const os = require('os')
const path = require('path')

function createWx({ user = 'contract-citizen' } = {}) {
  const storage = new Map()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-files-'))
  let codes = 0
  let files = 0
  const stats = { login: 0, request: 0 }
  const done = (opts, fn) => {
    Promise.resolve()
      .then(fn)
      .then((res) => opts.success && opts.success(res), (err) => opts.fail && opts.fail({ errMsg: `fail ${err && err.message}` }))
      .finally(() => opts.complete && opts.complete())
  }
  const headers = (h) => Object.fromEntries(Object.entries(h || {}).filter(([, v]) => v !== undefined))
  const body = async (res) => {
    const text = await res.text()
    return (res.headers.get('content-type') || '').includes('json') && text ? JSON.parse(text) : text
  }
  const wx = {
    stats,
    // wx.request: an object body is sent as JSON; a GET's data goes in the query.
    request(opts) {
      stats.request++
      done(opts, async () => {
        const method = (opts.method || 'GET').toUpperCase()
        let url = opts.url
        let payload
        if (opts.data !== undefined && opts.data !== null) {
          if (method === 'GET') url += (url.includes('?') ? '&' : '?') + new URLSearchParams(opts.data)
          else payload = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data)
        }
        const res = await fetch(url, { method, headers: headers(opts.header), body: payload })
        return { statusCode: res.status, data: await body(res), header: Object.fromEntries(res.headers) }
      })
    },
    // wx.uploadFile: multipart with the file under name and formData beside it; data is text.
    uploadFile(opts) {
      done(opts, async () => {
        const form = new FormData()
        Object.entries(opts.formData || {}).forEach(([k, v]) => form.append(k, String(v)))
        const bytes = fs.readFileSync(opts.filePath)
        form.append(opts.name, new Blob([bytes]), path.basename(opts.filePath))
        const res = await fetch(opts.url, { method: 'POST', headers: headers(opts.header), body: form })
        return { statusCode: res.status, data: await res.text() }
      })
    },
    // wx.downloadFile: the body saved to a temporary file.
    downloadFile(opts) {
      done(opts, async () => {
        const res = await fetch(opts.url, { headers: headers(opts.header) })
        const file = path.join(tmp, `download-${++files}`)
        fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()))
        return { statusCode: res.status, tempFilePath: file }
      })
    },
    // wx.login: a fresh one-time code each time; the WeChat fake turns the
    // part before "." into the same openid, so the same person signs in again.
    login(opts) {
      stats.login++
      done(opts, () => ({ code: `${user}.${++codes}`, errMsg: 'login:ok' }))
    },
    // The user taps 允许 in the subscribe popup.
    requestSubscribeMessage(opts) {
      done(opts, () => Object.fromEntries([['errMsg', 'requestSubscribeMessage:ok'], ...opts.tmplIds.map((id) => [id, 'accept'])]))
    },
    getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k, v) => storage.set(k, JSON.parse(JSON.stringify(v))),
    removeStorageSync: (k) => storage.delete(k),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop' } }),
    cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }),
  }
  return wx
}

module.exports = { createWx }
