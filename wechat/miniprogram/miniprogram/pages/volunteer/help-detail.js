// A help request with its progress (审核, 发布, 认领, 完成); its requester may cancel it.
const { volunteer, auth } = require('../../services/index')
const labels = require('../../utils/labels')
const { formatTime } = require('../../utils/format')
const { showError, toast, confirm } = require('../../utils/ui')

const STEP = { submit: '已提交', create: '已提交', approve: '审核通过，已发布', refuse: '未通过审核', claim: '志愿团队已认领', complete: '已完成', cancel: '已取消' }

Component({
  data: { id: 0, h: null, steps: [], status: '', mine: false, error: '' },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
    },
    async load() {
      try {
        const h = await volunteer.helpRequest(this.data.id)
        const me = auth.current()
        const steps = (h.events || [])
          .slice()
          .reverse()
          .map((e) => ({ text: STEP[e.action] || labels.helpStatus[e.to] || e.action, desc: [formatTime(e.at), e.note].filter(Boolean).join('　') }))
        this.setData({
          h: { ...h, needed: formatTime(h.needed_at) },
          steps,
          status: labels.helpStatus[h.status] || h.status,
          mine: !!me && me.user_id === h.requester_id && ['submitted', 'published'].includes(h.status),
          error: '',
        })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    async onCancel() {
      if (!(await confirm({ content: '确定撤回这条求助吗？', confirmText: '撤回' }))) return
      try {
        await volunteer.cancelHelpRequest(this.data.id, '求助人撤回')
        toast('已撤回')
        this.load()
      } catch (e) {
        showError(e)
      }
    },
  },
})
