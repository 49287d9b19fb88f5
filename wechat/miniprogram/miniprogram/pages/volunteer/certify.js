// 实名认证: name as on the ID card and the ID number, checked here with the
// GB 11643 check character before anything is sent. Skills, optional, are
// picked from the platform's catalogue: the ones organisers search by (我的技能
// changes them later).
const { volunteer } = require('../../services/index')
const { validateIDNumber } = require('../../utils/idcard')
const { skillRows, withChoice } = require('../../utils/match')
const { showError, toast } = require('../../utils/ui')
const idem = require('../../utils/idem')

Component({
  data: { name: '', idNumber: '', phone: '', skills: [], availability: '', errors: {}, submitting: false },
  methods: {
    // The catalogue is optional here: without it the form still certifies.
    async onLoad() {
      try {
        this.setData({ skills: skillRows(await volunteer.skillCatalogue(), []) })
      } catch (e) {
        this.setData({ skills: [] })
      }
    },
    onField(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ [key]: e.detail, [`errors.${key}`]: '' })
    },
    onToggleSkill(e) {
      const i = Number(e.currentTarget.dataset.index)
      const row = this.data.skills[i]
      this.setData({ [`skills[${i}]`]: withChoice(row, !row.chosen), 'errors.skills': '' })
    },
    validate() {
      const { name, idNumber, phone } = this.data
      return {
        name: name.trim() ? '' : '请填写身份证上的姓名',
        idNumber: validateIDNumber(idNumber),
        phone: /^1\d{10}$/.test(phone.trim()) ? '' : '请填写 11 位手机号码',
      }
    },
    async onSubmit() {
      const errors = this.validate()
      if (Object.keys(errors).some((k) => errors[k])) {
        this.setData({ errors })
        return
      }
      const { name, idNumber, phone, skills, availability } = this.data
      const body = {
        name: name.trim(),
        idNumber: idNumber.trim().toUpperCase(),
        phone: phone.trim(),
        skills: skills.filter((s) => s.chosen).map((s) => s.name),
        availability: availability.trim(),
      }
      this.setData({ submitting: true })
      try {
        await idem.send(this, body, (key) => volunteer.certify(body, key))
        toast('认证成功')
        wx.navigateBack({ fail: () => wx.redirectTo({ url: '/pages/volunteer/index' }) })
      } catch (e) {
        const field = { id_number: 'idNumber', name: 'name', phone: 'phone', skills: 'skills', availability: 'availability' }[e.field]
        if (field) this.setData({ [`errors.${field}`]: e.message })
        showError(e)
      }
      this.setData({ submitting: false })
    },
  },
})
