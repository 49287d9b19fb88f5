// Rendering pages and components with miniprogram-simulate and WeChat's own
// WXML compiler, under jsdom. Pages are built with Component(), so a page is
// loaded like any component and its onLoad called with the page's query.
const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '../../miniprogram')

function walk(dir, ext, out = []) {
  for (const name of fs.readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name)
    if (fs.statSync(path.join(ROOT, rel)).isDirectory()) walk(rel, ext, out)
    else if (name.endsWith(ext)) out.push(rel)
  }
  return out
}

let lists = null
function compilerOptions() {
  if (!lists) lists = { wxmlList: walk('', '.wxml'), wxsList: walk('', '.wxs') }
  return lists
}

// render loads the page or component at rel (e.g. 'pages/report/index') with
// a fresh module registry, so services keep no state between tests.
function render(rel, properties) {
  jest.resetModules() // a fresh registry: the page's Component() runs again, services start empty
  const simulate = require('miniprogram-simulate')
  // WeChat's page stack: these tests render one page at a time, outside the stack.
  global.getCurrentPages = () => []
  // j-component lacks groupSetData (it only batches setData); Vant's tabs call it.
  const register = global.Component
  global.Component = (options) => register({ ...options, methods: { groupSetData: (cb) => cb && cb(), ...options.methods } })
  const id = simulate.load(path.join(ROOT, rel), { rootPath: ROOT, compilerOptions: compilerOptions() })
  const comp = simulate.render(id, properties)
  comp.attach(document.createElement('parent-wrapper'))
  return comp
}

// flush lets promises and setData settle.
async function flush(times = 5) {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0))
}

// text is what the user reads in a rendered tree.
function text(comp) {
  return (comp.dom.textContent || '').replace(/\s+/g, ' ').trim()
}

module.exports = { render, flush, text, ROOT }

// tap presses a Vant button or cell (their tap handler is on the inner element)
// or a plain element, as a finger would.
function tap(comp, selector) {
  const target = comp.querySelector(selector)
  if (!target) throw new Error(`nothing matches ${selector}`)
  const inner = target.querySelector('.van-button') || target.querySelector('.van-cell')
  ;(inner || target).dispatchEvent('tap')
}

// type enters text into a van-field as the keyboard would.
function type(comp, selector, value) {
  const field = comp.querySelector(selector)
  if (!field) throw new Error(`nothing matches ${selector}`)
  field.instance.onInput({ detail: { value } })
}

module.exports.tap = tap
module.exports.type = type

// waitFor polls until fn() is true: for what Vant shows after its transitions' timers.
async function waitFor(fn, ms = 3000) {
  const end = Date.now() + ms
  while (!fn()) {
    if (Date.now() > end) throw new Error(`not shown within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

module.exports.waitFor = waitFor
