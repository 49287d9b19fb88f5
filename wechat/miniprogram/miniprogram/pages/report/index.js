// 我要反映: category, description, up to 9 photos, the place (GCJ-02 from
// wx.getLocation, adjustable on the map), consent to progress messages, then
// the report; photos are uploaded once it exists (those that fail can be
// sent again from here, or skipped).
const { complaints, wechat } = require('../../services/index')
const { wxp, cancelled } = require('../../utils/wxp')
const { showError, toast } = require('../../utils/ui')
const idem = require('../../utils/idem')

const MAX_PHOTOS = 9
const MAX_DESCRIPTION = 2000
// 智能分类: asked once typing has paused this long, for a text at least this long.
const SUGGEST_DELAY_MS = 600
const SUGGEST_MIN_CHARS = 6
// Where the server's field names point on this form.
const FIELD = { category: 'category', description: 'description', lat: 'location', lng: 'location', address: 'address' }

Component({
  data: {
    categories: [],
    category: null,
    categoryChosen: false, // the citizen picked one: suggestions never replace it
    suggestions: [],
    showPicker: false,
    description: '',
    files: [],
    location: null,
    markers: [],
    address: '',
    addressFromMap: false, // the address is 地图选点's, not typed: it names the chosen place only
    nearby: null,
    templateIds: [],
    errors: {},
    submitting: false,
    pending: null, // the report filed while some of its photos are not uploaded
    failedCount: 0,
  },
  methods: {
    onLoad() {
      // A retired category (停用) is offered no more: the server refuses new
      // reports of it. The catalogue keeps it for the names of older reports.
      complaints.categories().then((all) => this.setData({ categories: all.filter((c) => !c.retired) }), showError)
      // Without templates the report goes on, without the consent popup.
      wechat.templateIds('complaint_update').then((templateIds) => this.setData({ templateIds }))
      this.locate()
    },

    async locate() {
      try {
        const loc = await wxp('getLocation', { type: 'gcj02', isHighAccuracy: true })
        this.setLocation(loc.latitude, loc.longitude)
      } catch (e) {
        this.setData({ 'errors.location': '无法获取您的位置，请点击「地图选点」选择问题位置' })
      }
    },

    setLocation(latitude, longitude) {
      this.setData({
        location: { latitude, longitude },
        markers: [{ id: 1, latitude, longitude, width: 32, height: 40 }],
        'errors.location': '',
      })
      this.checkNearby()
    },

    async onChooseLocation() {
      const from = this.data.location || {}
      try {
        const res = await wxp('chooseLocation', { latitude: from.latitude, longitude: from.longitude })
        this.setData({ address: [res.address, res.name].filter(Boolean).join(' '), addressFromMap: true })
        this.setLocation(res.latitude, res.longitude)
      } catch (e) {
        if (!cancelled(e)) toast('无法打开地图选点，请检查位置权限')
      }
    },

    onMapTap(e) {
      const d = e.detail || {}
      if (typeof d.latitude !== 'number') return
      // The pin left the place 地图选点 named: its address would send the crew there.
      if (this.data.addressFromMap) this.setData({ address: '', addressFromMap: false })
      this.setLocation(d.latitude, d.longitude)
    },

    onOpenPicker() {
      this.setData({ showPicker: true })
    },
    onClosePicker() {
      this.setData({ showPicker: false })
    },
    onPickCategory(e) {
      this.setData({ category: e.detail, categoryChosen: true, showPicker: false, 'errors.category': '' })
      this.checkNearby()
    },

    onDescription(e) {
      this.setData({ description: e.detail, 'errors.description': '' })
      this.scheduleSuggest()
    },

    // scheduleSuggest asks for suggestions once typing has paused.
    scheduleSuggest() {
      clearTimeout(this._suggestTimer)
      this._suggestTimer = setTimeout(() => this.suggest(), SUGGEST_DELAY_MS)
    },

    // suggest shows the likeliest categories of the description as chips and
    // pre-selects the first unless the citizen chose one; a failure is silent.
    async suggest() {
      const text = (this.data.description || '').trim()
      if (text.length < SUGGEST_MIN_CHARS) {
        this.setData({ suggestions: [] })
        return
      }
      const seq = (this._suggestSeq = (this._suggestSeq || 0) + 1)
      let suggestions
      try {
        suggestions = await complaints.suggestCategories(text)
      } catch (e) {
        return // the citizen can still pick by hand
      }
      if (seq !== this._suggestSeq) return // a newer text was asked about
      suggestions = (suggestions || []).filter((s) => s && s.code).slice(0, 3)
      this.setData({ suggestions })
      if (suggestions.length && !this.data.categoryChosen) {
        const first = suggestions[0]
        const current = this.data.category
        if (!current || current.code !== first.code) {
          this.setData({ category: this.fromCatalogue(first), 'errors.category': '' })
          this.checkNearby()
        }
      }
    },

    // fromCatalogue answers the catalogue's entry for a suggestion (it has the 大类).
    fromCatalogue(s) {
      return (this.data.categories || []).find((c) => c.code === s.code) || { code: s.code, name: s.name }
    },

    onTapSuggestion(e) {
      const s = this.data.suggestions[e.currentTarget.dataset.index]
      if (!s) return
      this.setData({ category: this.fromCatalogue(s), categoryChosen: true, 'errors.category': '' })
      this.checkNearby()
    },

    onUnload() {
      clearTimeout(this._suggestTimer)
    },
    onAddress(e) {
      this.setData({ address: e.detail, addressFromMap: false, 'errors.address': '' })
    },

    onAfterRead(e) {
      const picked = [].concat(e.detail.file || [])
      const files = this.data.files.concat(picked.map((f) => ({ url: f.url || f.tempFilePath, isImage: true })))
      this.setData({ files: files.slice(0, MAX_PHOTOS) })
    },
    onDeletePhoto(e) {
      if (this.data.submitting) return // the photos are being uploaded, by index
      const files = this.data.files.slice()
      files.splice(e.detail.index, 1)
      this.setData({ files })
    },

    // checkNearby asks whether the problem is already open nearby; the
    // answer tells no one else's report, only whether filing would join one.
    async checkNearby() {
      const { category, location } = this.data
      if (!category || !location) return
      try {
        const nearby = await complaints.openNearby({ category: category.code, ...location })
        this.setData({ nearby })
      } catch (e) {
        this.setData({ nearby: null })
      }
    },

    validate() {
      const { category, description, location } = this.data
      const text = description.trim()
      return {
        category: category ? '' : '请选择问题分类',
        description: !text ? '请描述您看到的问题' : text.length > MAX_DESCRIPTION ? `问题描述不能超过 ${MAX_DESCRIPTION} 字` : '',
        location: location ? '' : '请选择问题位置',
      }
    },

    async onSubmit() {
      if (this.data.submitting || this.data.pending) return
      const errors = this.validate()
      if (Object.keys(errors).some((k) => errors[k])) {
        this.setData({ errors })
        toast('请完善反映内容')
        return
      }
      this.setData({ submitting: true, errors: {} })
      // WeChat shows the subscribe popup only straight from a tap: ask before anything is awaited.
      const consent = wechat.askConsent(this.data.templateIds).catch(() => [])
      await consent
      const { category, description, location, address } = this.data
      const body = { category: category.code, description: description.trim(), ...location, address: address.trim() }
      let created
      try {
        created = await idem.send(this, body, (key) => complaints.create(body, key))
      } catch (e) {
        const field = FIELD[e.field]
        if (field) this.setData({ [`errors.${field}`]: e.message })
        this.setData({ submitting: false })
        showError(e)
        return
      }
      await this.uploadPhotos(created, created.status === 'duplicate' ? '已并入正在处理的同一问题' : '提交成功')
      this.setData({ submitting: false })
    },

    // uploadPhotos sends the photos not yet uploaded to the report filed, then
    // opens it. Photos that fail stay here, marked, with 重试上传 and 跳过: the
    // detail page has no uploader.
    async uploadPhotos(created, done) {
      const failed = []
      for (let i = 0; i < this.data.files.length; i++) {
        if (this.data.files[i].status === 'done') continue
        this.setData({ [`files[${i}].status`]: 'uploading', [`files[${i}].message`]: '上传中' })
        try {
          await complaints.uploadPhoto(created.id, this.data.files[i].url, 'report')
          this.setData({ [`files[${i}].status`]: 'done', [`files[${i}].message`]: '' })
        } catch (e) {
          this.setData({ [`files[${i}].status`]: 'failed', [`files[${i}].message`]: '上传失败' })
          failed.push(`第 ${i + 1} 张：${e.message}`)
        }
      }
      if (failed.length) {
        this.setData({ pending: created, failedCount: failed.length })
        wx.showModal({ title: '部分照片未上传', content: failed.join('\n'), showCancel: false })
        return
      }
      this.setData({ pending: null, failedCount: 0 })
      toast(done)
      this.openDetail(created)
    },
    async onRetryPhotos() {
      if (this.data.submitting || !this.data.pending) return
      this.setData({ submitting: true })
      await this.uploadPhotos(this.data.pending, '照片已上传')
      this.setData({ submitting: false })
    },
    onSkipPhotos() {
      if (this.data.submitting || !this.data.pending) return
      this.openDetail(this.data.pending)
    },
    openDetail(created) {
      wx.redirectTo({ url: `/pages/complaint/detail?id=${created.id}` })
    },
  },
})
