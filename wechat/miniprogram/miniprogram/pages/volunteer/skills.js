// 我的技能与服务意愿 (精准匹配): skills from the platform's catalogue (those
// needing a certificate say whether a team verified them), the area I serve
// (a point on WeChat's map, GCJ-02, and how far I will travel), when I am
// free, and whether organisers may find me: off until I switch it on, since
// a search shows them roughly where I live. The server's refusals are shown
// on the field they name.
const { volunteer } = require('../../services/index')
const { TRAVEL_RADII, DEFAULT_TRAVEL_INDEX, travelIndex, skillRows, withChoice, checkSkillsForm, skillsField } = require('../../utils/match')
const { wgs84ToGcj02 } = require('../../utils/coord')
const { wxp, cancelled } = require('../../utils/wxp')
const { showError, toast, confirm } = require('../../utils/ui')

const FIELDS = ['skills', 'availability', 'area', 'radius_m']

Component({
  data: {
    loaded: false, error: '', needsCertify: false, skills: [], availability: '', findable: false,
    location: null, address: '', radii: TRAVEL_RADII.map((m) => `${m / 1000} 公里内`), radiusIndex: DEFAULT_TRAVEL_INDEX,
    errors: {}, saving: false,
  },
  methods: {
    onLoad() {
      this.load()
    },
    async load() {
      try {
        const [catalogue, mine] = await Promise.all([volunteer.skillCatalogue(), volunteer.mySkills()])
        this._catalogue = catalogue
        this.fill(mine)
        this.setData({ loaded: true, error: '' })
      } catch (e) {
        this.setData({ loaded: true, error: e.message, needsCertify: e.status === 403 })
      }
    },
    // fill shows what the server keeps; its area (WGS-84) goes back to GCJ-02 for the map.
    fill(p) {
      const hasArea = p.lat !== null && p.lat !== undefined
      this.setData({
        skills: skillRows(this._catalogue, p.skills),
        availability: p.availability || '',
        findable: !!p.findable,
        location: hasArea ? wgs84ToGcj02(p.lat, p.lng) : null,
        radiusIndex: hasArea ? travelIndex(p.radius_m) : DEFAULT_TRAVEL_INDEX,
      })
    },
    onCertify() {
      wx.navigateTo({ url: '/pages/volunteer/certify' })
    },

    onToggleSkill(e) {
      const i = Number(e.currentTarget.dataset.index)
      const row = this.data.skills[i]
      this.setData({ [`skills[${i}]`]: withChoice(row, !row.chosen), 'errors.skills': '' })
    },
    onAvailability(e) {
      this.setData({ availability: e.detail, 'errors.availability': '' })
    },
    async onChooseLocation() {
      const at = this.data.location
      try {
        const res = await wxp('chooseLocation', at ? { latitude: at.latitude, longitude: at.longitude } : {})
        this.setData({
          location: { latitude: res.latitude, longitude: res.longitude },
          address: [res.address, res.name].filter(Boolean).join(' '),
          'errors.area': '',
        })
      } catch (e) {
        if (!cancelled(e)) toast('无法打开地图选点，请检查位置权限')
      }
    },
    // Without an area nobody can find me: clearing it switches finding off too.
    onClearArea() {
      this.setData({ location: null, address: '', findable: false, 'errors.area': '' })
    },
    onRadius(e) {
      this.setData({ radiusIndex: Number(e.detail.value), 'errors.radius_m': '' })
    },
    // Switching finding on says first what organisers will see.
    async onFindable(e) {
      const on = !!e.detail
      if (on) {
        const ok = await confirm({
          title: '允许被组织者找到',
          content: '打开后，认证志愿队伍的管理员按技能查找志愿者时能看到您：技能、可服务时间、服务记录，以及您常驻位置所在约 500 米区域与活动地点的距离。姓名在您接受邀请后才显示。可随时关闭。',
          confirmText: '允许',
          cancelText: '暂不',
        })
        if (!ok) return
      }
      // On, an area is needed (said at once); off, its error goes.
      this.setData({ findable: on, 'errors.area': checkSkillsForm({ findable: on, location: this.data.location }).area })
    },

    // showRefusal puts the server's message on the field it names, and says it.
    showRefusal(e) {
      const field = skillsField(e.field)
      if (FIELDS.includes(field)) this.setData({ [`errors.${field}`]: e.message })
      showError(e)
    },

    async onSave() {
      if (this.data.saving) return
      const { skills, availability, findable, location, radiusIndex } = this.data
      const errors = checkSkillsForm({ availability, findable, location })
      if (Object.keys(errors).some((k) => errors[k])) {
        this.setData({ errors })
        toast('请检查标红的项目')
        return
      }
      const input = {
        skills: skills.filter((sk) => sk.chosen).map((sk) => sk.name),
        availability: availability.trim(),
        findable,
        location,
        radiusM: TRAVEL_RADII[radiusIndex],
      }
      this.setData({ saving: true, errors: {} })
      try {
        this.fill(await volunteer.setSkills(input))
        toast(findable ? '已保存，组织者可以找到您' : '已保存')
      } catch (err) {
        this.showRefusal(err)
      }
      this.setData({ saving: false })
    },
  },
})
