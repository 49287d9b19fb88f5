// One request layer for every API call: base URL from configuration, the
// token from storage (signing in with wx.login when there is none, and again
// once when the server answers 401), an Idempotency-Key on every POST, and
// the server's Chinese error message on failure (ApiError).
const { baseURL } = require('./config')
const session = require('./session')
const { ApiError, fromResponse, networkError } = require('./errors')

let keySeq = 0

// newIdempotencyKey makes a key for one create; a retry of the same create
// sends the same key, so the server answers the original instead of a copy.
function newIdempotencyKey() {
  keySeq = (keySeq + 1) % 1e6
  const rand = () => Math.random().toString(36).slice(2, 10)
  return `mp-${Date.now().toString(36)}-${keySeq.toString(36)}-${rand()}${rand()}`
}

function query(params) {
  if (!params) return ''
  const parts = []
  Object.keys(params).forEach((k) => {
    const v = params[k]
    if (v === undefined || v === null || v === '') return
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
  })
  return parts.length ? `?${parts.join('&')}` : ''
}

function url(path, params) {
  const base = baseURL()
  if (!base) {
    throw new ApiError({ code: 'config', message: '未配置服务地址，请在 config.js 中填写' })
  }
  return /^https?:\/\//.test(path) ? path + query(params) : base + path + query(params)
}

function send(options) {
  return new Promise((resolve, reject) => {
    wx.request({
      timeout: 20000,
      ...options,
      success: resolve,
      fail: (err) => reject(networkError(err)),
    })
  })
}

function auth() {
  return require('./auth') // auth signs in through this module: required late
}

// authorized runs call(headers) with the login's token, signing in first when
// needed and once more when the server says the token is no longer good.
async function authorized(call) {
  const a = auth()
  await a.ensureLogin()
  let res = await call({ Authorization: `Bearer ${session.token()}` })
  if (res.statusCode === 401) {
    session.clear()
    await a.login()
    res = await call({ Authorization: `Bearer ${session.token()}` })
  }
  return res
}

// request calls the API and answers the JSON body. Options: method, path,
// params (query), data (JSON body), auth (default true), idempotencyKey (a
// POST gets a fresh one when none is given), headers (extra).
async function request({ method = 'GET', path, params, data, auth: signed = true, idempotencyKey, headers: extraHeaders } = {}) {
  const headers = { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN', ...extraHeaders }
  if (method === 'POST') headers['Idempotency-Key'] = idempotencyKey || newIdempotencyKey()
  const target = url(path, params)
  const call = (extra) => send({ url: target, method, data: data === undefined ? undefined : data, header: { ...headers, ...extra } })
  const res = signed ? await authorized(call) : await call({})
  if (res.statusCode < 200 || res.statusCode >= 300) throw fromResponse(res.statusCode, res.data)
  return res.data
}

// upload sends a local file (wx.chooseMedia's tempFilePath) with wx.uploadFile.
async function upload({ path, filePath, name = 'file', formData, idempotencyKey }) {
  const target = url(path)
  const headers = { 'Accept-Language': 'zh-CN', 'Idempotency-Key': idempotencyKey || newIdempotencyKey() }
  const call = (extra) =>
    new Promise((resolve, reject) => {
      wx.uploadFile({
        url: target, filePath, name, formData, header: { ...headers, ...extra }, timeout: 60000,
        success: resolve,
        fail: (err) => reject(networkError(err)),
      })
    })
  const res = await authorized(call)
  if (res.statusCode < 200 || res.statusCode >= 300) throw fromResponse(res.statusCode, res.data)
  return typeof res.data === 'string' ? JSON.parse(res.data) : res.data
}

// download fetches a file that needs the login (photos, certificate PDFs)
// with wx.downloadFile and answers its temporary path.
async function download(path) {
  const target = url(path)
  const call = (extra) =>
    new Promise((resolve, reject) => {
      wx.downloadFile({
        url: target, header: { 'Accept-Language': 'zh-CN', ...extra }, timeout: 60000,
        success: resolve,
        fail: (err) => reject(networkError(err)),
      })
    })
  const res = await authorized(call)
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new ApiError({ status: res.statusCode, code: 'http', message: `文件下载失败（${res.statusCode}）` })
  }
  return res.tempFilePath
}

module.exports = { request, upload, download, newIdempotencyKey, ApiError }
