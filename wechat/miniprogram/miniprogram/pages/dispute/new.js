// 申请调解: a citizen asks a people's mediation committee to mediate a
// dispute — its type, what happened, where, and the other party. The
// committee takes it in (受理) and mediates, normally within a month.
const { dispute, wechat } = require('../../services/index')
const { wxp, cancelled } = require('../../utils/wxp')
const { validateIDNumber } = require('../../utils/idcard')
const { validateCreditCode } = require('../../utils/creditcode')
const { showError, toast } = require('../../utils/ui')
const idem = require('../../utils/idem')

const MAX_NAME = 50 // the server's bound on a party's name
// validPhone is the server's test of a party's phone.
const validPhone = (s) => /^\+?[0-9-]{6,19}$/.test(s) && s.length <= 20

// inputFor is the input on this page that shows the server's error on field.
// The server names a party's field without saying whose: only the applicant
// gives an ID number here and only the other side a credit code; a name or
// a phone is the other side's when the applicant's passes the server's test.
function inputFor(field, d) {
  switch (field) {
    case 'lat': case 'lng': return 'address'
    case 'id_number': return 'idNumber'
    case 'credit_code': return 'otherCode'
    case 'name': return d.name.trim().length <= MAX_NAME && d.otherName.trim().length > MAX_NAME ? 'otherName' : 'name'
    case 'phone': return !d.phone.trim() || validPhone(d.phone.trim()) ? 'otherPhone' : 'phone'
    default: return field
  }
}

Component({
  data: {
    types: [], typeIndex: -1, typeName: '',
    summary: '', description: '', address: '', location: null,
    name: '', phone: '', idNumber: '',
    otherKind: 'person', otherName: '', otherPhone: '', otherCode: '',
    errors: {}, submitting: false, loadError: '',
    templateIds: [], // 调解进度 and 调解会提醒, asked for on submit
  },
  methods: {
    async onLoad() {
      wechat.templateIds('dispute_update', 'dispute_session').then((templateIds) => this.setData({ templateIds }))
      try {
        const types = await dispute.types()
        this.setData({ types, loadError: '' })
      } catch (e) {
        this.setData({ loadError: e.message })
      }
    },
    onField(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ [key]: e.detail, [`errors.${key}`]: '' })
    },
    onType(e) {
      const i = Number(e.detail.value)
      const t = this.data.types[i]
      if (t) this.setData({ typeIndex: i, typeName: t.name, 'errors.type': '' })
    },
    onOtherKind(e) {
      this.setData({ otherKind: e.detail, 'errors.otherCode': '', 'errors.otherName': '' })
    },
    async onChooseLocation() {
      try {
        const res = await wxp('chooseLocation', {})
        this.setData({ location: { latitude: res.latitude, longitude: res.longitude }, address: [res.address, res.name].filter(Boolean).join(' '), 'errors.address': '' })
      } catch (e) {
        if (!cancelled(e)) toast('无法打开地图选点，请检查位置权限')
      }
    },
    // check answers the errors of the form as the user would read them; none: {}.
    check() {
      const d = this.data
      const errors = {
        type: d.typeIndex >= 0 ? '' : '请选择纠纷类型',
        summary: d.summary.trim() ? '' : '请用一句话说明纠纷',
        description: d.description.trim() ? '' : '请说明纠纷经过和您的请求',
        address: d.location ? '' : '请在地图上选择纠纷发生地',
        name: d.name.trim() ? '' : '请填写您的姓名',
        idNumber: d.idNumber.trim() ? validateIDNumber(d.idNumber) : '',
        otherName: d.otherName.trim() ? '' : d.otherKind === 'organisation' ? '请填写对方单位名称' : '请填写对方姓名',
        otherCode: d.otherKind === 'organisation' && d.otherCode.trim() ? validateCreditCode(d.otherCode) : '',
      }
      Object.keys(errors).forEach((k) => errors[k] || delete errors[k])
      return errors
    },
    body() {
      const d = this.data
      const applicant = { name: d.name.trim() }
      if (d.phone.trim()) applicant.phone = d.phone.trim()
      if (d.idNumber.trim()) applicant.id_number = d.idNumber.trim().toUpperCase()
      const respondent = { kind: d.otherKind, name: d.otherName.trim() }
      if (d.otherPhone.trim()) respondent.phone = d.otherPhone.trim()
      if (d.otherKind === 'organisation' && d.otherCode.trim()) respondent.credit_code = d.otherCode.trim().toUpperCase()
      return {
        type: d.types[d.typeIndex].code, summary: d.summary.trim(), description: d.description.trim(),
        address: d.address.trim(), ...d.location, applicant, respondent,
      }
    },
    async onSubmit() {
      const errors = this.check()
      if (Object.keys(errors).length) {
        this.setData({ errors })
        return
      }
      const body = this.body()
      this.setData({ submitting: true })
      // WeChat shows the subscribe popup only straight from a tap: ask before anything is awaited.
      await wechat.askConsent(this.data.templateIds).catch(() => [])
      try {
        const created = await idem.send(this, body, (key) => dispute.apply(body, key))
        toast('申请已提交')
        wx.redirectTo({ url: `/pages/dispute/detail?id=${created.id}` })
      } catch (e) {
        if (e.field) this.setData({ [`errors.${inputFor(e.field, this.data)}`]: e.message })
        showError(e)
      }
      this.setData({ submitting: false })
    },
  },
})
