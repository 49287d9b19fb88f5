const auth = require('./services/auth')

App({
  onLaunch() {
    // Sign in quietly (wx.login) so the first page's calls need not wait;
    // pages sign in by themselves when this has not finished or failed.
    auth.ensureLogin().catch(() => {})
  },
})
