// How fast the web application is usable on loopback (issue 5: "first page
// usable in under 1 s"), and how an inbox of 10,000 requests scrolls.
//
//   node bench/web_load.mjs --bin build/release/src/app/xietong [--rounds 5] [--requests 10000] [--scroll-rounds N]
//
// Creates a demo city in a temporary folder, adds REQUESTS received requests
// through the API as the operator (not timed), starts `serve`, and in Debian's
// Chromium (cold cache each round) measures: the login page until its form is
// usable; signing in as the street handler until the inbox shows its rows;
// and the inbox scrolled from top to bottom (frames slower than 50 ms while
// scrolling). Prints the median and the worst of the rounds.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(join(here, '..', 'web', 'package.json'))
const { chromium } = require('playwright-core')
const args = process.argv.slice(2)
const arg = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d)
const bin = resolve(arg('--bin', 'build/release/src/app/xietong'))
const rounds = Number(arg('--rounds', 5))
const requests = Number(arg('--requests', 10000))
// Scrolling takes ~40 s a round; more load rounds need not scroll every time.
const scrollRounds = Number(arg('--scroll-rounds', rounds))
const dist = resolve(here, '..', 'web', 'dist')

const dir = mkdtempSync(join(tmpdir(), 'xietong-webload-'))
const demo = spawnSync(bin, ['demo', '--data-dir', dir, '--admin-password', 'bench-admin-1'], { encoding: 'utf8' })
if (demo.status !== 0) throw new Error(demo.stderr)
const server = spawn(bin, ['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--web-root', dist], {
  stdio: ['ignore', 'pipe', 'pipe'],
})
let log = ''
const base = await new Promise((ok) => {
  const on = (c) => {
    log += c
    const m = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log)
    if (m) ok(`http://127.0.0.1:${m[1]}`)
  }
  server.stdout.on('data', on)
  server.stderr.on('data', on)
})

async function api(path, body, token) {
  const r = await fetch(base + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`)
  return r.json()
}
const { token } = await api('/api/v1/auth/login', { username: 'operator', password: 'demo-2026' })
const matters = (await api('/api/v1/matters', null, token)).items
const stalls = matters.find((m) => m.name === '占道经营').id
const units = (await api('/api/v1/units/tree', null, token)).items
const street = units.find((u) => u.name === '望湖街道').id
process.stdout.write(`filling ${requests} requests for 望湖街道 …`)
for (let i = 0; i < requests; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, requests - i) }, (_, k) =>
      api(
        '/api/v1/requests',
        {
          title: `占道摆摊 ${i + k}`,
          text: `望湖街道湖畔社区南门晚上有流动摊贩占道经营，编号${i + k}。`,
          matter_id: stalls,
          place: { unit_id: street, address: '湖畔社区南门' },
          contact: { name: '测试', phone: '1390000' + String(i + k).padStart(4, '0') },
          dispatch: true,
        },
        token,
      ),
    ),
  )
}
console.log(' done')

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
const results = { loginPage: [], inbox: [], slowFrames: [], scrollMs: [] }
for (let r = 0; r < rounds; r++) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await ctx.newPage()
  let t = Date.now()
  await page.goto(base + '/login')
  await page.locator('#login-username').waitFor()
  results.loginPage.push(Date.now() - t)
  await page.locator('#login-username').fill('street.handler')
  await page.locator('#login-password').fill('demo-2026')
  t = Date.now()
  await page.getByRole('button', { name: '登录' }).click()
  await page.locator('[data-test=inbox-link]').first().waitFor()
  results.inbox.push(Date.now() - t)
  if (r >= scrollRounds) {
    await ctx.close()
    continue
  }
  // Scroll the virtualised list to the end with the mouse wheel, loading
  // pages as it goes; frames are timed in the page meanwhile.
  await page.evaluate(() => {
    const w = window
    w.__frames = []
    let last = performance.now()
    const tick = (now) => {
      w.__frames.push(now - last)
      last = now
      if (!w.__stop) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  const box = await page.locator('.el-table-v2__body').boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  const began = Date.now()
  let lastRow = ''
  let still = 0
  while (still < 30 && Date.now() - began < 120000) {
    await page.mouse.wheel(0, 1200)
    await page.waitForTimeout(16)
    const rows = await page.locator('[data-test=inbox-link]').allInnerTexts()
    const bottom = rows[rows.length - 1] ?? ''
    still = bottom === lastRow ? still + 1 : 0
    lastRow = bottom
  }
  const frames = await page.evaluate(() => {
    const w = window
    w.__stop = true
    return w.__frames
  })
  const scroll = {
    ms: Date.now() - began,
    slow: frames.filter((f) => f > 50).length,
    frames: frames.length,
    last: lastRow,
    loaded: await page.locator('[data-test=inbox-total]').innerText(),
  }
  if (r === 0) console.log(`scrolled to the last row ${scroll.last} (${scroll.loaded})`)
  results.scrollMs.push(Math.round(scroll.ms))
  results.slowFrames.push(`${scroll.slow}/${scroll.frames}`)
  await ctx.close()
}
await browser.close()
server.kill('SIGTERM')
rmSync(dir, { recursive: true, force: true })
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]
console.log(`login page usable: median ${median(results.loginPage)} ms, worst ${Math.max(...results.loginPage)} ms`)
console.log(`sign in → inbox rows: median ${median(results.inbox)} ms, worst ${Math.max(...results.inbox)} ms`)
if (results.scrollMs.length) console.log(`scroll ${requests} rows to the end: ${results.scrollMs.join(', ')} ms; frames > 50 ms: ${results.slowFrames.join(', ')}`)
