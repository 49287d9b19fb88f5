// 统一社会信用代码 (GB 32100-2015): 18 characters from the set below, the
// last a check character: weights 3^(i-1) mod 31, check = 31 − (Σ mod 31),
// 31 → 0. Example: 91350100M000100Y43 is valid.
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

function checkChar(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CHARS.indexOf(first17[i]) * WEIGHTS[i]
  const c = 31 - (sum % 31)
  return CHARS[c === 31 ? 0 : c]
}

// looksLikeCreditCode says whether a search is meant as a code rather than a name.
function looksLikeCreditCode(value) {
  return /^[0-9A-Z]{18}$/i.test(String(value || '').trim())
}

// validateCreditCode answers '' for a valid code, or what is wrong, in Chinese.
function validateCreditCode(value) {
  const code = String(value || '').trim().toUpperCase()
  if (code.length !== 18) return '统一社会信用代码应为 18 位'
  for (const ch of code) {
    if (CHARS.indexOf(ch) < 0) return `统一社会信用代码不含字符「${ch}」（不使用 I、O、Z、S、V）`
  }
  if (checkChar(code) !== code[17]) return '统一社会信用代码校验位不正确，请核对'
  return ''
}

module.exports = { validateCreditCode, looksLikeCreditCode, checkChar }
