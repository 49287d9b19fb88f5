// 新建/编辑活动, and 改期: the activity form. A draft is saved, edited and
// sent for review (保存并提交审核); a published activity's times are moved
// with a reason. The place comes from wx.chooseLocation (GCJ-02). The
// server's refusals are shown on the field they name.
const { organiser } = require('../../services/index')
const { wxp, cancelled } = require('../../utils/wxp')
const { wgs84ToGcj02 } = require('../../utils/coord')
const { formatTime } = require('../../utils/format')
const { newActivityForm, formOf, checkForm, checkTimes, hasErrors, formField } = require('../../utils/organiser')
const { showError, toast } = require('../../utils/ui')
const idem = require('../../utils/idem')

const DAY = 24 * 3600 * 1000
const TIMES = ['start_at', 'end_at', 'signup_deadline']
const TITLES = { create: '新建活动', edit: '编辑活动', reschedule: '活动改期' }

Component({
  data: {
    id: 0, mode: 'create', form: null, texts: {}, errors: {}, error: '', saving: false,
    picking: '', pickerValue: 0, minDate: 0, maxDate: 0,
  },
  methods: {
    // now is the clock the form's times are judged by (tests set their own).
    now() {
      return Date.now()
    },
    async onLoad(query) {
      const now = this.now()
      const id = Number(query.id || 0)
      const mode = query.mode === 'reschedule' ? 'reschedule' : id ? 'edit' : 'create'
      this.setData({ id, mode, minDate: now, maxDate: now + 365 * DAY })
      wx.setNavigationBarTitle({ title: TITLES[mode] })
      if (mode === 'create') {
        this.fill(newActivityForm(Number(query.team_id), now))
        return
      }
      try {
        const a = await organiser.activity(id)
        const allowed = mode === 'reschedule' ? a.status === 'published' : ['draft', 'refused'].includes(a.status)
        if (!a.can_edit || !allowed) {
          this.setData({ error: mode === 'reschedule' ? '只有已发布、尚未开始签到的活动可以改期' : '只有草稿或未通过审核的活动可以修改' })
          return
        }
        this.fill({ ...formOf(a, wgs84ToGcj02), reason: '' })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    fill(form) {
      const texts = {}
      TIMES.forEach((k) => {
        texts[k] = formatTime(form[k])
      })
      this.setData({ form, texts })
    },
    onField(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ [`form.${key}`]: e.detail, [`errors.${key}`]: '' })
    },
    async onChooseLocation() {
      const at = this.data.form.location || {}
      try {
        const res = await wxp('chooseLocation', at.latitude ? { latitude: at.latitude, longitude: at.longitude } : {})
        this.setData({
          'form.location': { latitude: res.latitude, longitude: res.longitude },
          'form.address': [res.address, res.name].filter(Boolean).join(' '),
          'errors.address': '',
        })
      } catch (e) {
        if (!cancelled(e)) toast('无法打开地图选点，请检查位置权限')
      }
    },
    onPick(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ picking: key, pickerValue: this.data.form[key] })
    },
    onClosePicker() {
      this.setData({ picking: '' })
    },
    // A new start moves the end and the signup deadline with it, keeping the
    // length and the deadline's lead; they can still be set on their own.
    onPicked(e) {
      const key = this.data.picking
      const value = Number(e.detail)
      const form = { ...this.data.form, [key]: value }
      if (key === 'start_at') {
        const delta = value - this.data.form.start_at
        form.end_at += delta
        form.signup_deadline += delta
      }
      const errors = { ...this.data.errors }
      TIMES.forEach((k) => {
        errors[k] = ''
      })
      this.fill(form)
      this.setData({ picking: '', errors })
    },

    // showRefusal puts the server's message on the field it names, and says it.
    showRefusal(e) {
      const field = formField(e.field)
      if (field && this.data.form && field in this.data.form) this.setData({ [`errors.${field}`]: e.message })
      showError(e)
    },

    async onSave(e) {
      if (this.data.saving) return
      const andSubmit = !!e.currentTarget.dataset.submit
      const { form } = this.data
      const errors = checkForm(form, this.now())
      if (hasErrors(errors)) {
        this.setData({ errors })
        toast('请检查标红的项目')
        return
      }
      this.setData({ saving: true, errors: {} })
      let created = false
      try {
        let id = this.data.id
        if (id) {
          await organiser.update(id, form)
        } else {
          const a = await idem.send(this, { create: form }, (key) => organiser.create(form, key))
          id = a.id
          created = true
          // Saved: a second tap edits this draft instead of making another.
          this.setData({ id, mode: 'edit' })
        }
        if (andSubmit) await idem.send(this, { submit: id }, (key) => organiser.submit(id, key))
        toast(andSubmit ? '已提交审核' : '草稿已保存')
        if (created) wx.redirectTo({ url: `/pages/organiser/activity?id=${id}` })
        else wx.navigateBack({ delta: 1 })
      } catch (err) {
        this.showRefusal(err)
      }
      this.setData({ saving: false })
    },

    async onReschedule() {
      if (this.data.saving) return
      const { form, id } = this.data
      const errors = { ...checkTimes(form, this.now()), reason: String(form.reason || '').trim() ? '' : '请填写改期原因' }
      if (hasErrors(errors)) {
        this.setData({ errors })
        return
      }
      const input = { start_at: form.start_at, end_at: form.end_at, signup_deadline: form.signup_deadline, reason: form.reason.trim() }
      this.setData({ saving: true, errors: {} })
      try {
        await idem.send(this, { reschedule: id, ...input }, (key) => organiser.reschedule(id, input, key))
        toast('已改期，已通知报名的志愿者')
        wx.navigateBack({ delta: 1 })
      } catch (err) {
        this.showRefusal(err)
      }
      this.setData({ saving: false })
    },
  },
})
