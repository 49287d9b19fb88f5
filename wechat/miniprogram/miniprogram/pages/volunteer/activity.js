// An activity: when, where, places left and my status (confirmed, waitlist
// position…), sign up and cancel (with the cut-off explained), check in and
// out by scanning the organiser's QR code on site; a team's invitation to it
// answered here (the invitation's message opens this page); and its album,
// where whoever checked in adds photos.
const { volunteer, wechat } = require('../../services/index')
const { signupView, SIGNUP_CONSENT } = require('../../utils/activity')
const { invitationView } = require('../../utils/match')
const { acceptInvitation, declineInvitation } = require('../../utils/invitation')
const { scanCheck } = require('../../utils/checkin')
const { formatTime } = require('../../utils/format')
const { wgs84ToGcj02 } = require('../../utils/coord')
const { showError, toast, confirm } = require('../../utils/ui')
const album = require('../../utils/album')
const idem = require('../../utils/idem')

// 志愿时长到账 comes after 签退: asked on that tap (a popup takes three at most).
const CHECKOUT_CONSENT = ['hours_credited']

Component({
  data: {
    id: 0, a: null, view: null, when: '', deadline: '', error: '', checkError: '', busy: false, templateIds: [], checkoutTemplateIds: [],
    invitation: null, canUpload: false, photos: [], albumError: '', uploading: false, uploadText: '',
  },
  methods: {
    // now is the clock deadlines and windows are judged by (tests set their own).
    now() {
      return Date.now()
    },
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
      wechat.templateIds(...SIGNUP_CONSENT).then((templateIds) => this.setData({ templateIds }))
      wechat.templateIds(...CHECKOUT_CONSENT).then((checkoutTemplateIds) => this.setData({ checkoutTemplateIds }))
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      let a
      try {
        a = await volunteer.activity(this.data.id)
        this.show(a)
      } catch (e) {
        this.setData({ error: e.message })
        return
      }
      await Promise.all([this.loadInvitation(a), album.loadAlbum(this, this.data.id)])
    },
    // show renders activity a as my status makes it look at now.
    show(a, now = this.now()) {
      this.setData({
        a,
        error: '',
        view: signupView(a, now),
        when: `${formatTime(a.start_at)} 至 ${formatTime(a.end_at)}`,
        deadline: formatTime(a.signup_deadline),
        // The server takes photos from whoever checked in, and from the organisers.
        canUpload: !!((a.my_signup && a.my_signup.checkin_at) || a.can_edit),
      })
    },

    // loadInvitation finds an invitation to this activity I may still answer.
    async loadInvitation(a) {
      let invitation = null
      try {
        const inv = (await volunteer.myInvitations()).find((i) => i.activity_id === this.data.id)
        const view = inv && invitationView(inv, a, this.now())
        if (view && view.canAnswer) invitation = { id: inv.id, team: a.team || '组织者', note: view.note }
      } catch (e) {
        // not knowing leaves the ordinary 报名, which signs up just the same
      }
      this.setData({ invitation })
    },
    async onAcceptInvitation() {
      if (this.data.busy || !this.data.invitation) return
      this.setData({ busy: true, checkError: '' })
      await acceptInvitation(this, this.data.invitation.id, this.data.templateIds)
      await this.load()
      this.setData({ busy: false })
    },
    async onDeclineInvitation() {
      if (this.data.busy || !this.data.invitation) return
      this.setData({ busy: true })
      if (await declineInvitation(this, this.data.invitation.id)) await this.load()
      this.setData({ busy: false })
    },

    onPreview(e) {
      album.previewPhoto(this, e.currentTarget.dataset.src)
    },
    onUploadPhotos() {
      return album.uploadPhotos(this, this.data.id)
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
