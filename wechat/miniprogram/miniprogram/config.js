// 服务地址：按小程序的运行版本选择（开发版 develop、体验版 trial、正式版 release）。
// 本地调试：把 develop 改成 `go run ./cmd/guanjia` 打印的地址，并在开发者工具
// 「详情 → 本地设置」勾选「不校验合法域名……」（project.config.json 已默认关闭校验）。
// 体验版和正式版须填 HTTPS 域名，并在小程序管理后台配置为 request / uploadFile /
// downloadFile 合法域名。留空的版本使用 develop 的地址。
module.exports = {
  baseURL: {
    develop: 'http://localhost:8080',
    trial: '',
    release: '',
  },
}
