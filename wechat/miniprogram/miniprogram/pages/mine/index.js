// 我的: phone binding (getPhoneNumber, shown masked), subscriptions, my
// reports, signups and 信用修复 applications, log out (and in again).
const { auth, user, wechat } = require('../../services/index')
const session = require('../../services/session')
const { showError, toast, confirm } = require('../../utils/ui')

Component({
  data: { signedIn: false, me: null, binding: false },
  methods: {
    onShow() {
      this.load()
    },
    async load() {
      if (session.loggedOut()) {
        this.setData({ signedIn: false, me: null })
        return
      }
      try {
        const me = await user.me()
        this.setData({ signedIn: true, me })
      } catch (e) {
        this.setData({ signedIn: false, me: null })
        showError(e)
      }
    },
    async onLogin() {
      try {
        await auth.login()
        await this.load()
        toast('已登录')
      } catch (e) {
        showError(e)
      }
    },
    // onPhone receives getPhoneNumber's code; the server asks WeChat for the number.
    async onPhone(e) {
      const code = e.detail && e.detail.code
      if (!code) {
        toast('未授权手机号')
        return
      }
      this.setData({ binding: true })
      try {
        const phone = await wechat.bindPhone(code)
        this.setData({ 'me.phone': phone })
        toast('手机号已绑定')
      } catch (err) {
        showError(err)
      }
      this.setData({ binding: false })
    },
    async onLogout() {
      if (!(await confirm({ content: '退出后，需要重新登录才能反映问题和查看进度。确定退出吗？', confirmText: '退出' }))) return
      await auth.logout()
      this.setData({ signedIn: false, me: null })
      toast('已退出登录')
    },
    go(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },
    goTab(e) {
      wx.switchTab({ url: e.currentTarget.dataset.url })
    },
  },
})
