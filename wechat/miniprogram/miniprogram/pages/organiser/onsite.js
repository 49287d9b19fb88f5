// 现场签到: the organiser's phone shows the rotating check-in code full
// width for volunteers to scan, fetches the next one a few seconds before
// the shown one expires, keeps the screen on, and counts who has come.
// Nothing runs while the page is hidden.
const { organiser } = require('../../services/index')
const { refreshDelay, rosterCounts } = require('../../utils/organiser')

const COUNTS_EVERY_MS = 10000
const RETRY_MS = 3000

Component({
  data: { id: 0, a: null, qr: '', counts: null, error: '', retrying: '' },
  methods: {
    // The timers, so that tests can run them by hand.
    setTimer(fn, ms) {
      return setTimeout(fn, ms)
    },
    clearTimer(timer) {
      clearTimeout(timer)
    },
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      organiser.activity(Number(query.id)).then((a) => this.setData({ a }), () => {})
    },
    onShow() {
      this.start()
    },
    onHide() {
      this.stop()
    },
    onUnload() {
      this.stop()
    },
    // Each start and stop begins a new run: an answer that arrives for an
    // older run (the page was hidden meanwhile) is dropped and arms nothing.
    start() {
      this.stop()
      const run = (this._run || 0) + 1
      this._run = run
      this._live = true
      wx.setKeepScreenOn({ keepScreenOn: true })
      this.refreshCode(run)
      this.refreshCounts(run)
    },
    stop() {
      if (!this._live) return
      this._live = false
      this._run = (this._run || 0) + 1
      this.clearTimer(this._codeTimer)
      this.clearTimer(this._countsTimer)
      this._codeTimer = null
      this._countsTimer = null
      wx.setKeepScreenOn({ keepScreenOn: false })
    },
    async refreshCode(run) {
      try {
        const answer = await organiser.checkinToken(this.data.id)
        if (run !== this._run) return
        this.setData({ qr: answer.qr_png, error: '', retrying: '' })
        this._codeTimer = this.setTimer(() => this.refreshCode(run), refreshDelay(answer))
      } catch (e) {
        if (run !== this._run) return
        if (e.status >= 400 && e.status < 500 && e.status !== 429) {
          // Refused (the activity was cancelled, the code is not mine to show): asking again changes nothing.
          this.setData({ qr: '', error: e.message, retrying: '' })
          this.stop()
          return
        }
        // No answer: the code shown expires soon; keep trying.
        this.setData({ retrying: `${e.message}，正在重试…` })
        this._codeTimer = this.setTimer(() => this.refreshCode(run), RETRY_MS)
      }
    },
    async refreshCounts(run) {
      try {
        const signups = await organiser.signups(this.data.id)
        if (run !== this._run) return
        this.setData({ counts: rosterCounts(signups) })
      } catch (e) {
        // The counts shown stay until the next round.
      }
      if (run === this._run) this._countsTimer = this.setTimer(() => this.refreshCounts(run), COUNTS_EVERY_MS)
    },
    onRoster() {
      wx.navigateTo({ url: `/pages/organiser/signups?id=${this.data.id}` })
    },
  },
})
