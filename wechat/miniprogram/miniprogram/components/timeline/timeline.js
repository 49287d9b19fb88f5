// The timeline of a report as its citizen reads it: 受理, 派遣, 签收, 到场,
// 办结, 结案…, newest first, with what was done where it matters.
const { timeline } = require('../../utils/labels')

Component({
  properties: {
    events: { type: Array, value: [] },
  },
  data: { steps: [], active: 0 },
  observers: {
    events(events) {
      const steps = timeline(events)
        .reverse()
        .map((s) => ({ text: s.title, desc: [s.time, s.text, s.note && `说明：${s.note}`].filter(Boolean).join('　') }))
      this.setData({ steps, active: 0 })
    },
  },
})
