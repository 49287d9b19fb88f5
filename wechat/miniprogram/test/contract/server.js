// Builds guanjia once and starts it the way the README's demo runs: embedded
// SQLite and Redis, the offline WeChat and SMS fakes, Haikou demo data, in a
// temporary data directory on a free loopback port.
const { spawn, spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const REPO = path.resolve(__dirname, '../../../..')

function build(dir) {
  if (process.env.GUANJIA_BIN) return process.env.GUANJIA_BIN
  const bin = path.join(dir, 'guanjia')
  const res = spawnSync('go', ['build', '-o', bin, './cmd/guanjia'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (res.status !== 0) throw new Error(`go build ./cmd/guanjia failed:\n${res.stderr || res.error}`)
  return bin
}

async function start() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanjia-miniprogram-'))
  const bin = build(dir)
  const env = { ...process.env }
  for (const k of Object.keys(env)) {
    if (/^(DATABASE_URL|REDIS_URL|GUANJIA_|WECHAT_|WECOM_|SMS_)/.test(k)) delete env[k]
  }
  Object.assign(env, {
    GUANJIA_HTTP_ADDR: '127.0.0.1:0',
    GUANJIA_METRICS_ADDR: '127.0.0.1:0',
    GUANJIA_DATA_DIR: path.join(dir, 'data'),
    GUANJIA_LOG_LEVEL: 'warn',
  })
  const child = spawn(bin, [], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-20000)
  })
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`guanjia did not start in 180 s\n${out}\n${err}`)), 180000)
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/is running: (http:\/\/\S+)/)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`guanjia exited with ${code}\n${out}\n${err}`))
    })
  })
  child.removeAllListeners('exit')
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false)
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    dir,
    logs: () => err,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 20000)
        await exited
        clearTimeout(timer)
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

module.exports = { start }
