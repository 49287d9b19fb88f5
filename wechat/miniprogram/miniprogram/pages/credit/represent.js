// Standing for a credit subject, which 信用修复 requires: its 法定代表人 binds
// with name and ID number (checked here with the GB 11643 check character,
// then against the registered ones by the server); anyone else files a
// 授权委托书 (PDF or photo) for a 失信 record, reviewed by the department.
const { credit, wechat } = require('../../services/index')
const { validateIDNumber } = require('../../utils/idcard')
const { wxp, cancelled } = require('../../utils/wxp')
const { showError, toast } = require('../../utils/ui')
const { formatTime } = require('../../utils/format')
const idem = require('../../utils/idem')

const BASIS = { legal_rep: '法定代表人', power_of_attorney: '授权委托' }
const STATUS = { accepted: '已认可', pending: '待部门审核', refused: '未通过' }

// Who binds to a subject, by its kind: a company's 法定代表人, a 个体工商户's
// 经营者, a person themself (the server checks name and ID number alike).
const ROLE = { legal: '法定代表人', business: '经营者', person: '本人' }

Component({
  data: {
    code: '', subjectName: '', role: ROLE.legal, entryId: 0,
    name: '', idNumber: '', errors: {}, binding: false,
    agentName: '', file: null, filing: false,
    mine: [],
    templateIds: [], // 授权委托审核结果, asked for on 提交授权委托书
  },
  methods: {
    onLoad(query) {
      this.setData({
        code: decodeURIComponent(query.code || ''),
        subjectName: decodeURIComponent(query.name || ''),
        role: ROLE[query.kind] || ROLE.legal,
        entryId: Number(query.entry || 0),
      })
      this.loadMine()
      if (query.entry) wechat.templateIds('credit_agent_decided').then((templateIds) => this.setData({ templateIds }))
    },
    async loadMine() {
      try {
        const list = await credit.representatives()
        this.setData({
          mine: list.map((r) => ({
            id: r.id,
            title: r.subject ? r.subject.name : `主体 ${r.id}`,
            label: [BASIS[r.basis] || r.basis, formatTime(r.created_at), r.decision_note].filter(Boolean).join(' · '),
            status: STATUS[r.status] || r.status,
          })),
        })
      } catch (e) {
        this.setData({ mine: [] })
      }
    },
    onField(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ [key]: e.detail, [`errors.${key}`]: '' })
    },

    async onBind() {
      const { code, name, idNumber } = this.data
      const errors = { name: name.trim() ? '' : '请填写法定代表人姓名', idNumber: validateIDNumber(idNumber) }
      if (errors.name || errors.idNumber) {
        this.setData({ errors })
        return
      }
      const body = { name: name.trim(), idNumber: idNumber.trim().toUpperCase() }
      this.setData({ binding: true })
      try {
        await idem.send(this, body, (key) => credit.bindLegalRep(code, body, key))
        toast('已绑定为法定代表人')
        this.setData({ name: '', idNumber: '' })
        this.loadMine()
      } catch (e) {
        if (e.field === 'id_number') this.setData({ 'errors.idNumber': e.message })
        else if (e.field === 'name') this.setData({ 'errors.name': e.message })
        showError(e)
      }
      this.setData({ binding: false })
    },

    // onChooseFile takes the 授权委托书 as a PDF from a chat, or a photo of it.
    async onChooseFile() {
      try {
        const res = await wxp('chooseMessageFile', { count: 1, type: 'all', extension: ['pdf', 'jpg', 'jpeg', 'png'] })
        const f = res.tempFiles[0]
        this.setData({ file: { path: f.path, name: f.name }, 'errors.file': '' })
      } catch (e) {
        if (cancelled(e)) return
        try {
          const res = await wxp('chooseMedia', { count: 1, mediaType: ['image'], sizeType: ['compressed'] })
          this.setData({ file: { path: res.tempFiles[0].tempFilePath, name: '授权委托书照片' }, 'errors.file': '' })
        } catch (err) {
          if (!cancelled(err)) toast('无法选择文件')
        }
      }
    },
    async onFile() {
      const { entryId, agentName, file } = this.data
      const errors = { agentName: agentName.trim() ? '' : '请填写受托人（您本人）的姓名', file: file ? '' : '请选择授权委托书文件或照片' }
      if (errors.agentName || errors.file) {
        this.setData({ errors })
        return
      }
      this.setData({ filing: true })
      // WeChat shows the subscribe popup only straight from a tap: ask before anything is awaited.
      await wechat.askConsent(this.data.templateIds).catch(() => [])
      try {
        await credit.filePowerOfAttorney(entryId, { filePath: file.path, name: agentName.trim() })
        toast('已提交，等待部门审核')
        this.setData({ file: null })
        this.loadMine()
      } catch (e) {
        if (e.field === 'file') this.setData({ 'errors.file': e.message })
        else if (e.field === 'name') this.setData({ 'errors.agentName': e.message })
        showError(e)
      }
      this.setData({ filing: false })
    },
  },
})
