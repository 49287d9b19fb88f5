// ApiError carries the server's answer as the user should read it: message is
// the server's Chinese error.message, as is; field names the form field it is
// about (a content-check refusal names "description", a bad ID number "id_number").
class ApiError extends Error {
  constructor({ status = 0, code = 'network', message, field = '' }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
  }
}

const NETWORK = '网络连接失败，请检查网络后重试'

// fromResponse turns a non-2xx answer into an ApiError.
function fromResponse(statusCode, body) {
  let data = body
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data)
    } catch (e) {
      data = null
    }
  }
  const e = data && data.error
  if (e && e.message) {
    return new ApiError({ status: statusCode, code: e.code || '', message: e.message, field: e.field || '' })
  }
  return new ApiError({ status: statusCode, code: 'http', message: `服务暂时不可用（${statusCode}），请稍后重试` })
}

function networkError(err) {
  const timeout = err && /timeout/i.test(err.errMsg || '')
  return new ApiError({ code: 'network', message: timeout ? '请求超时，请稍后重试' : NETWORK })
}

module.exports = { ApiError, fromResponse, networkError }
