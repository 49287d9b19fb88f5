// A report: status, the deadlines the citizen was promised, the timeline,
// photos before and after, and the 回访 once it is resolved: 问题是否解决
// (solved) and 满意度 (3 满意, 2 基本满意, 1 不满意) with a comment.
const { complaints } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatTime } = require('../../utils/format')
const { showError, toast } = require('../../utils/ui')
const idem = require('../../utils/idem')

const PHOTO_KINDS = [
  ['report', '现场照片'],
  ['before', '处置前'],
  ['after', '处置后'],
]

Component({
  data: {
    id: 0,
    c: null,
    error: '',
    categoryName: '',
    statusText: '',
    statusType: 'primary',
    createdAt: '',
    deadlines: [],
    photoGroups: [],
    canRate: false,
    ratingText: '',
    solved: '',
    score: 0,
    comment: '',
    rateErrors: {},
    rating: false,
  },
  methods: {
    // now is the clock deadlines and windows are judged by (tests set their own).
    now() {
      return Date.now()
    },
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },

    async load() {
      let c
      try {
        c = await complaints.get(this.data.id)
      } catch (e) {
        this.setData({ error: e.message })
        return
      }
      this.show(c)
      complaints
        .categories()
        .then((cats) => {
          const cat = cats.find((x) => x.code === c.category)
          this.setData({ categoryName: cat ? cat.name : c.category })
        })
        .catch(() => this.setData({ categoryName: c.category }))
      this.loadPhotos(c.photos || [])
    },

    // show renders complaint c as it now is; now is when its deadlines are judged.
    show(c, now = this.now()) {
      this.setData({
        c,
        error: '',
        statusText: labels.complaintStatus[c.status] || c.status,
        statusType: labels.complaintStatusType[c.status] || 'default',
        createdAt: formatTime(c.created_at),
        deadlines: labels.deadlines(c, now),
        canRate: (c.actions || []).includes('rate') && !c.rating,
        ratingText: c.rating ? labels.ratingScore[c.rating] : '',
      })
    },

    async loadPhotos(photos) {
      const groups = []
      for (const [kind, title] of PHOTO_KINDS) {
        const list = photos.filter((p) => (p.kind || 'report') === kind)
        if (!list.length) continue
        const paths = []
        for (const p of list) {
          try {
            paths.push(await complaints.photoFile(p))
          } catch (e) {
            // a photo that cannot be fetched now is left out
          }
        }
        if (paths.length) groups.push({ kind, title, paths })
      }
      this.setData({ photoGroups: groups })
    },

    onPreview(e) {
      const { kind, src } = e.currentTarget.dataset
      const group = this.data.photoGroups.find((g) => g.kind === kind)
      wx.previewImage({ current: src, urls: group ? group.paths : [src] })
    },

    onOpenOriginal() {
      wx.navigateTo({ url: `/pages/complaint/detail?id=${this.data.c.duplicate_of}` })
    },

    onSolved(e) {
      this.setData({ solved: e.detail, 'rateErrors.solved': '' })
    },
    onScore(e) {
      this.setData({ score: e.detail, 'rateErrors.score': '' })
    },
    onComment(e) {
      this.setData({ comment: e.detail })
    },

    async onRate() {
      const { solved, score, comment } = this.data
      const rateErrors = { solved: solved ? '' : '请选择问题是否解决', score: score ? '' : '请选择满意度' }
      if (rateErrors.solved || rateErrors.score) {
        this.setData({ rateErrors })
        return
      }
      const body = { score, solved: solved === 'yes', comment: comment.trim() }
      this.setData({ rating: true })
      try {
        const c = await idem.send(this, body, (key) => complaints.rate(this.data.id, body, key))
        this.show(c)
        toast('感谢您的评价')
      } catch (e) {
        if (e.field === 'comment') this.setData({ 'rateErrors.comment': e.message })
        showError(e)
      }
      this.setData({ rating: false })
    },
  },
})
