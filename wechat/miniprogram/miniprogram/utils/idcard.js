// 居民身份证号 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check
// character. Checked here before sending, so a typo is caught at once.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECKS = '10X98765432'

function checkChar(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECKS[sum % 11]
}

// validateIDNumber answers '' for a valid number, or what is wrong, in
// Chinese. As on the server, the birth date is a real day, not after today
// and at most 130 years back.
function validateIDNumber(value, now = Date.now()) {
  const id = String(value || '').trim().toUpperCase()
  if (!id) return '请填写身份证号码'
  if (!/^\d{17}[\dX]$/.test(id)) return '身份证号码应为 18 位（最后一位可以是 X）'
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const born = new Date(Date.UTC(y, m - 1, d))
  if (checkChar(id) !== id[17]) return '身份证号码校验位不正确，请核对'
  const thisYear = new Date(now + 8 * 3600 * 1000).getUTCFullYear()
  if (born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d || born.getTime() > now || y < thisYear - 130) {
    return '身份证号码中的出生日期不正确'
  }
  return ''
}

// maskIDNumber shows a number as 4601**********123X.
function maskIDNumber(value) {
  const id = String(value || '')
  return id.length === 18 ? `${id.slice(0, 4)}**********${id.slice(14)}` : id
}

module.exports = { validateIDNumber, checkChar, maskIDNumber }
