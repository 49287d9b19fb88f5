// An activity: when, where, places left and my status (confirmed, waitlist
// position…), sign up and cancel (with the cut-off explained), check in and
// out by scanning the organiser's QR code on site.
const { volunteer, wechat } = require('../../services/index')
const { signupView } = require('../../utils/activity')
const { scanCheck } = require('../../utils/checkin')
const { formatTime } = require('../../utils/format')
const { wgs84ToGcj02 } = require('../../utils/coord')
const { showError, toast, confirm } = require('../../utils/ui')
const idem = require('../../utils/idem')

const CONSENT = ['signup_confirmed', 'activity_reminder', 'activity_changed']
// 志愿时长到账 comes after 签退: asked on that tap (a popup takes three at most).
const CHECKOUT_CONSENT = ['hours_credited']

Component({
  data: { id: 0, a: null, view: null, when: '', deadline: '', error: '', checkError: '', busy: false, templateIds: [], checkoutTemplateIds: [] },
  methods: {
    // now is the clock deadlines and windows are judged by (tests set their own).
    now() {
      return Date.now()
    },
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
      wechat.templateIds(...CONSENT).then((templateIds) => this.setData({ templateIds }))
      wechat.templateIds(...CHECKOUT_CONSENT).then((checkoutTemplateIds) => this.setData({ checkoutTemplateIds }))
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        this.show(await volunteer.activity(this.data.id))
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    // show renders activity a as my status makes it look at now.
    show(a, now = this.now()) {
      this.setData({
        a,
        error: '',
        view: signupView(a, now),
        when: `${formatTime(a.start_at)} 至 ${formatTime(a.end_at)}`,
        deadline: formatTime(a.signup_deadline),
      })
    },

    async onSignup() {
      if (this.data.busy) return
      this.setData({ busy: true, checkError: '' })
      // The reminder and changes reach me only with consent: ask straight from the tap.
      await wechat.askConsent(this.data.templateIds).catch(() => [])
      try {
        const su = await idem.send(this, { signup: this.data.id }, (key) => volunteer.signup(this.data.id, key))
        toast(su.status === 'waitlisted' ? `已进入候补，第 ${su.position} 位` : '报名成功')
        await this.load()
      } catch (e) {
        if (e.status === 403 && /实名/.test(e.message)) {
          if (await confirm({ content: e.message, confirmText: '去认证' })) wx.navigateTo({ url: '/pages/volunteer/certify' })
        } else {
          showError(e)
        }
      }
      this.setData({ busy: false })
    },

    async onCancel() {
      if (!(await confirm({ content: '确定取消报名吗？取消后名额将让给候补的志愿者。', confirmText: '取消报名', cancelText: '再想想' }))) return
      this.setData({ busy: true })
      try {
        await volunteer.cancelSignup(this.data.id)
        toast('已取消报名')
        await this.load()
      } catch (e) {
        showError(e)
      }
      this.setData({ busy: false })
    },

    async onScan(e) {
      const mode = e.currentTarget.dataset.mode
      this.setData({ busy: true, checkError: '' })
      // From the tap, before anything is awaited (WeChat refuses the popup otherwise).
      if (mode === 'checkout') await wechat.askConsent(this.data.checkoutTemplateIds).catch(() => [])
      const res = await scanCheck({ mode, activityId: this.data.id })
      this.setData({ busy: false })
      if (res.cancelled) return
      if (res.error) {
        this.setData({ checkError: res.error })
        if (res.needsLocation) {
          if (await confirm({ content: res.error, confirmText: '去设置' })) wx.openSetting({})
        } else {
          showError({ message: res.error })
        }
        return
      }
      toast(mode === 'checkout' ? '签退成功' : '签到成功')
      await this.load()
    },

    onNavigate() {
      const { a } = this.data
      const p = wgs84ToGcj02(a.lat, a.lng)
      wx.openLocation({ ...p, name: a.title, address: a.address, scale: 17 })
    },
  },
})
