// 邀请志愿者 (精准匹配): search findable volunteers by skill near the
// activity's place, ranked by the server (names masked, distance, verified
// skills, record), choose up to the API's limit and invite them; then the
// invitations sent and their answers. Open while signup is.
const { organiser } = require('../../services/index')
const {
  organiserView, MAX_INVITES, SEARCH_RADII, DEFAULT_RADIUS_INDEX, SEARCH_PER_PAGE, candidateRow, withInvitation, invitationRow,
} = require('../../utils/organiser')
const { showError, toast, confirm } = require('../../utils/ui')
const idem = require('../../utils/idem')

const ANY_SKILL = '不限技能'

Component({
  data: {
    id: 0, a: null, open: false, error: '', tab: 0,
    skills: [ANY_SKILL], skillIndex: 0, radii: SEARCH_RADII.map((m) => `${m / 1000} 公里内`), radiusIndex: DEFAULT_RADIUS_INDEX,
    results: [], total: 0, page: 0, searched: false, searching: false,
    selected: {}, selectedCount: 0, max: MAX_INVITES, sending: false,
    invitations: [], errors: {},
  },
  methods: {
    // now is the clock signup is judged by (tests set their own).
    now() {
      return Date.now()
    },
    async onLoad(query) {
      const id = Number(query.id)
      this.setData({ id })
      try {
        const [a, catalogue, invitations] = await Promise.all([organiser.activity(id), organiser.skillCatalogue(), organiser.invitations(id)])
        if (!a.can_edit) {
          this.setData({ error: '只有活动所属队伍的管理员可以邀请志愿者' })
          return
        }
        this.setData({
          a,
          open: organiserView(a, this.now()).canInvite,
          skills: [ANY_SKILL, ...catalogue.map((sk) => sk.name)],
          invitations: invitations.map(invitationRow),
        })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    onTab(e) {
      this.setData({ tab: e.detail.index })
    },
    onSkill(e) {
      this.setData({ skillIndex: Number(e.detail.value), 'errors.skill': '' })
    },
    onRadius(e) {
      this.setData({ radiusIndex: Number(e.detail.value), 'errors.radius_m': '' })
    },

    // onSearch asks for the first page afresh; onMore for the next.
    onSearch() {
      return this.search(1)
    },
    onMore() {
      return this.search(this.data.page + 1)
    },
    async search(page) {
      if (this.data.searching) return
      const { id, skillIndex, skills, radiusIndex } = this.data
      this.setData({ searching: true, errors: {} })
      try {
        const res = await organiser.searchVolunteers(id, {
          skill: skillIndex ? skills[skillIndex] : '', radiusM: SEARCH_RADII[radiusIndex], page, perPage: SEARCH_PER_PAGE,
        })
        const first = page === 1
        const from = first ? 0 : this.data.results.length
        const rows = (res.volunteers || []).map((c, i) => candidateRow(c, from + i + 1))
        this.setData({
          results: first ? rows : this.data.results.concat(rows),
          total: res.total || 0,
          page,
          searched: true,
          ...(first ? { selected: {}, selectedCount: 0 } : {}),
        })
      } catch (e) {
        this.showRefusal(e)
      }
      this.setData({ searching: false })
    },

    // showRefusal puts the server's message on the field it names, and says it.
    showRefusal(e) {
      const field = ['lat', 'lng'].includes(e.field) ? 'radius_m' : e.field
      if (['skill', 'radius_m', 'volunteer_ids'].includes(field)) this.setData({ [`errors.${field}`]: e.message })
      showError(e)
    },

    // onToggle chooses a volunteer or lets them go; someone invited already is not chosen again.
    onToggle(e) {
      const id = Number(e.currentTarget.dataset.id)
      const row = this.data.results.find((r) => r.id === id)
      if (!row || row.invitation) return
      const on = !this.data.selected[id]
      if (on && this.data.selectedCount >= MAX_INVITES) {
        toast(`一次最多邀请 ${MAX_INVITES} 人`)
        return
      }
      this.setData({ [`selected.${id}`]: on, selectedCount: this.data.selectedCount + (on ? 1 : -1), 'errors.volunteer_ids': '' })
    },

    async onInvite() {
      if (this.data.sending) return
      const ids = this.data.results.filter((r) => this.data.selected[r.id]).map((r) => r.id)
      if (!ids.length) {
        this.setData({ 'errors.volunteer_ids': '请先选择要邀请的志愿者' })
        return
      }
      const ok = await confirm({ title: '发送邀请', content: `向选中的 ${ids.length} 位志愿者发送活动邀请？他们将收到消息通知，可接受或谢绝。`, confirmText: '发送邀请' })
      if (!ok) return
      this.setData({ sending: true, 'errors.volunteer_ids': '' })
      try {
        const invitations = await idem.send(this, { invite: this.data.id, ids }, (key) => organiser.invite(this.data.id, ids, key))
        const status = {}
        invitations.forEach((inv) => {
          status[inv.volunteer_id] = inv.status
        })
        // The rows found now say where each invitation stands.
        const results = this.data.results.map((r) => (status[r.id] ? withInvitation(r, status[r.id]) : r))
        this.setData({ invitations: invitations.map(invitationRow), results, selected: {}, selectedCount: 0 })
        toast(`已邀请 ${ids.length} 人`)
      } catch (e) {
        this.showRefusal(e)
      }
      this.setData({ sending: false })
    },
  },
})
