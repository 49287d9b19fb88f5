// The pages use Vant Weapp from /miniprogram_npm, which WeChat DevTools makes
// with 工具 → 构建 npm. For the tests, link it to the installed package when
// it is not there (the build output and the package's lib/ are the same files).
const fs = require('fs')
const path = require('path')

module.exports = function linkNpm() {
  const root = path.resolve(__dirname, '../..')
  const target = path.join(root, 'miniprogram/miniprogram_npm/@vant/weapp')
  if (fs.existsSync(path.join(target, 'button/index.js'))) return
  fs.mkdirSync(path.dirname(target), { recursive: true })
  try {
    fs.rmSync(target, { recursive: true, force: true })
  } catch (e) {
    // nothing there
  }
  fs.symlinkSync(path.join(root, 'node_modules/@vant/weapp/lib'), target, 'dir')
}
