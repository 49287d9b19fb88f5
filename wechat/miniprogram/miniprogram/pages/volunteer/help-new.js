// 发布求助: what help is needed, where and when. It is reviewed before teams see it.
const { volunteer } = require('../../services/index')
const { wxp, cancelled } = require('../../utils/wxp')
const { formatTime } = require('../../utils/format')
const { showError, toast } = require('../../utils/ui')
const idem = require('../../utils/idem')

const DAY = 24 * 3600 * 1000

Component({
  data: {
    title: '', description: '', address: '', location: null, neededAt: 0, neededText: '',
    showTime: false, minDate: 0, maxDate: 0, errors: {}, submitting: false,
  },
  methods: {
    onLoad() {
      const now = Date.now()
      const neededAt = now + DAY
      this.setData({ minDate: now, maxDate: now + 90 * DAY, neededAt, neededText: formatTime(neededAt) })
    },
    onField(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ [key]: e.detail, [`errors.${key}`]: '' })
    },
    async onChooseLocation() {
      try {
        const res = await wxp('chooseLocation', {})
        this.setData({ location: { latitude: res.latitude, longitude: res.longitude }, address: [res.address, res.name].filter(Boolean).join(' '), 'errors.address': '' })
      } catch (e) {
        if (!cancelled(e)) toast('无法打开地图选点，请检查位置权限')
      }
    },
    onOpenTime() {
      this.setData({ showTime: true })
    },
    onCloseTime() {
      this.setData({ showTime: false })
    },
    onTime(e) {
      this.setData({ neededAt: e.detail, neededText: formatTime(e.detail), showTime: false, 'errors.needed_at': '' })
    },
    async onSubmit() {
      const { title, description, address, location, neededAt } = this.data
      const errors = {
        title: title.trim() ? '' : '请填写求助标题',
        description: description.trim() ? '' : '请说明需要什么帮助',
        address: location ? '' : '请在地图上选择地点',
      }
      if (Object.keys(errors).some((k) => errors[k])) {
        this.setData({ errors })
        return
      }
      const body = { title: title.trim(), description: description.trim(), address: address.trim(), ...location, neededAt }
      this.setData({ submitting: true })
      try {
        const h = await idem.send(this, body, (key) => volunteer.createHelpRequest(body, key))
        toast('已提交，审核后发布')
        wx.redirectTo({ url: `/pages/volunteer/help-detail?id=${h.id}` })
      } catch (e) {
        if (e.field) this.setData({ [`errors.${e.field === 'lat' ? 'address' : e.field}`]: e.message })
        showError(e)
      }
      this.setData({ submitting: false })
    },
  },
})
