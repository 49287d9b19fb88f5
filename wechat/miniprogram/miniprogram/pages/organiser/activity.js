// An activity as its organiser manages it: where it stands (a refusal with
// its reason), and the steps its status allows: edit, 提交审核, 现场签到,
// 报名名单, 邀请志愿者, 改期, 取消活动; and its album, where the organisers
// may add photos at any time (volunteers once they checked in).
const { organiser } = require('../../services/index')
const { organiserView } = require('../../utils/organiser')
const { formatTime } = require('../../utils/format')
const { showError, toast, confirm, prompt } = require('../../utils/ui')
const album = require('../../utils/album')
const idem = require('../../utils/idem')

Component({
  data: {
    id: 0, a: null, view: null, when: '', deadline: '', error: '', busy: false,
    photos: [], albumError: '', uploading: false, uploadText: '',
  },
  methods: {
    // now is the clock the steps are judged by (tests set their own).
    now() {
      return Date.now()
    },
    onLoad(query) {
      this.setData({ id: Number(query.id) })
    },
    // Shown again after editing or rescheduling: read it afresh.
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const a = await organiser.activity(this.data.id)
        if (!a.can_edit) {
          this.setData({ a: null, error: '只有活动所属队伍的管理员可以管理该活动' })
          return
        }
        this.setData({
          a,
          view: organiserView(a, this.now()),
          when: `${formatTime(a.start_at)} 至 ${formatTime(a.end_at)}`,
          deadline: formatTime(a.signup_deadline),
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message })
        return
      }
      await this.loadAlbum()
    },

    // The album: each photo downloaded once, uploads one by one (utils/album).
    loadAlbum() {
      return album.loadAlbum(this, this.data.id)
    },
    onPreview(e) {
      album.previewPhoto(this, e.currentTarget.dataset.src)
    },
    onUploadPhotos() {
      return album.uploadPhotos(this, this.data.id)
    },
    go(e) {
      wx.navigateTo({ url: `${e.currentTarget.dataset.url}?id=${this.data.id}${e.currentTarget.dataset.extra || ''}` })
    },

    async onSubmit() {
      if (this.data.busy) return
      if (!(await confirm({ content: '提交后由平台审核，审核期间不能修改。确定提交吗？', confirmText: '提交审核' }))) return
      this.setData({ busy: true })
      try {
        await idem.send(this, { submit: this.data.id }, (key) => organiser.submit(this.data.id, key))
        toast('已提交审核')
        await this.load()
      } catch (e) {
        showError(e)
      }
      this.setData({ busy: false })
    },

    async onCancel() {
      if (this.data.busy) return
      const { a } = this.data
      const signedUp = (a.confirmed || 0) + (a.waitlisted || 0)
      const reason = await prompt({
        title: '取消活动',
        placeholder: signedUp ? `取消原因（将通知已报名的 ${signedUp} 人）` : '取消原因',
        confirmText: '取消活动',
        cancelText: '再想想',
      })
      if (reason === null) return
      if (!reason.trim()) {
        toast('请填写取消原因')
        return
      }
      this.setData({ busy: true })
      try {
        await idem.send(this, { cancel: this.data.id, reason: reason.trim() }, (key) => organiser.cancel(this.data.id, reason.trim(), key))
        toast('活动已取消')
        await this.load()
      } catch (e) {
        showError(e)
      }
      this.setData({ busy: false })
    },
  },
})
