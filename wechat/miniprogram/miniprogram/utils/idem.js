// keyFor keeps one Idempotency-Key per create while its body is unchanged:
// tapping 提交 again after a lost answer sends the same key, and the server
// answers the report already filed instead of filing a second one.
const { newIdempotencyKey } = require('../services/request')

function keyFor(holder, body) {
  const s = JSON.stringify(body)
  if (!holder._idem || holder._idem.body !== s) holder._idem = { body: s, key: newIdempotencyKey() }
  return holder._idem.key
}

function done(holder) {
  holder._idem = null
}

// definitive says whether err is the server's final answer to the request:
// a 4xx other than 409 and 429. The server keeps that answer under the key
// for a day, so a retry with the key would get it again even once the
// citizen has done what it asked (实名认证, a 授权委托书…). No answer, a 5xx,
// 409 and 429 are not final: the retry must be the same request, same key.
function definitive(err) {
  const status = (err && err.status) || 0
  return status >= 400 && status < 500 && status !== 409 && status !== 429
}

// send runs call(key) with the key for body: it keeps the key only while a
// retry must be the same request, so the next tap after an answer is a new attempt.
async function send(holder, body, call) {
  const key = keyFor(holder, body)
  try {
    const out = await call(key)
    done(holder)
    return out
  } catch (e) {
    if (definitive(e) && holder._idem && holder._idem.key === key) done(holder)
    throw e
  }
}

module.exports = { keyFor, done, definitive, send }
