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

module.exports = { keyFor, done }
