// End-to-end test of the web application in Debian's Chromium, against a real
// `xietong serve` on 127.0.0.1 with a fresh demo city on SQLite.
//
//   node e2e/run.mjs --bin PATH/TO/xietong [--docs]
//   XIETONG_E2E_PART=exchange node e2e/run.mjs …   (only the 数据按需共享 part)
//   XIETONG_E2E_PART=collab node e2e/run.mjs …     (only the 专班 and 协同办公 part)
//   XIETONG_E2E_PART=emergency node e2e/run.mjs …  (only the 预警 and 应急 part)
//   XIETONG_E2E_PART=participation node e2e/run.mjs …  (only the 积分 and 议事厅 part)
//   XIETONG_E2E_PART=insight node e2e/run.mjs …  (only the 决策支持 part: forecasts, targets, reports)
//
// The journey (journey.mjs): a resident submits with a photo → the operator
// dispatches it from the prefilled box → a repeated call is merged in → the
// street signs, notes progress and summons a department (吹哨) → the
// department reports (报到) and finds the request marked 吹哨 in its inbox →
// extensions and returns are asked, rejected with the supervisor's words and
// approved → the supervisor urges → a street-light call is dispatched from
// the console after switching suggestions back and forth, transferred and
// merged by number → the street replies with a photo taken after handling →
// the resident opens the request, sees that photo and calls back with a
// comment → the operator reopens and closes it → on the leader's dashboard a
// ranking row, a street on the map and a hotspot each open the inbox on their
// requests → the administrator deploys a process from the modeler (and sees a
// broken one refused, its problems marked), and the street works its task in
// 我的待办; a resident applies for 开办餐饮店 (一件事) with one form, four
// departments decide from their 一件事办件 tab (one asks for a 补正, which the
// resident makes), and the resident sees 办结, a certificate a signed-out
// visitor verifies, and rates it (好差评); 市民政局 asks 市公安局 for three
// fields of the household register (数据按需共享), is granted two (another
// request is rejected with a reason), looks the resident up through the
// gateway (masked, audited), the resident finds it in 我的数据使用记录, and
// 市公安局 revokes the grant (the next lookup is refused); a 核心 field granted
// only after a second data officer's 复核确认; a grade change approved by the
// steward; and the DCAT-AP export is validated against DCAT-AP 3.0.0's
// mandatory shapes (dcat.mjs); a burst of 积水 requests on one street raises
// a warning the supervisor escalates to a level IV incident on the 预警 page,
// a resident asks for help on the incident's public page without signing in,
// the street's lead verifies it on the command page, and a shelter is
// committed to the need and delivered (emergency.mjs). Every command the server knows is
// pressed on a page, each result checked on screen and through the API. Plus permissions, error words,
// admin, and new work arriving live in an inbox. Any console error that the
// step did not expect fails the run. Screenshots of every role's main page go
// to e2e/artifacts/ (and docs/screenshots/ with --docs). Exit 0: passed; 1: failed; 77: cannot run here (no Chromium, no
// build) unless XIETONG_REQUIRE_WEB=1 makes that a failure.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { journey } from './journey.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const webDir = resolve(here, '..')
const args = process.argv.slice(2)
const arg = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const bin = arg('--bin') ?? process.env.XIETONG_BIN
const dist = arg('--web') ?? join(webDir, 'dist')
const chromiumPath = process.env.XIETONG_CHROMIUM ?? '/usr/bin/chromium'
const required = process.env.XIETONG_REQUIRE_WEB === '1'

function cannotRun(why) {
  console.error(`web e2e: ${why}`)
  process.exit(required ? 1 : 77)
}
if (!bin || !existsSync(bin)) cannotRun(`no xietong binary (give --bin): ${bin}`)
if (!existsSync(join(dist, 'index.html'))) cannotRun(`the web application is not built (${dist}); run npm run build in web/`)
if (!existsSync(chromiumPath)) cannotRun(`no Chromium at ${chromiumPath} (apt-get install chromium)`)
let chromium
try {
  ;({ chromium } = await import('playwright-core'))
} catch {
  cannotRun('playwright-core is not installed; run npm ci in web/')
}

// The test build's sanitizer options stay (abort on error); leak checking is
// off for the server, which the test stops from outside.
const sanitizerEnv = {
  ...process.env,
  ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'detect_leaks=0'].filter(Boolean).join(':'),
}
const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-'))
const adminPassword = 'e2e-admin-' + Math.random().toString(36).slice(2)
const artifacts = join(webDir, 'e2e', 'artifacts')
mkdirSync(artifacts, { recursive: true })

// The demo city: the command `scripts/start.sh` runs, with a shorter past (120 days of
// about 40 requests instead of 400 of 240: the same shapes, minutes less under ASan).
const demo = spawnSync(bin, ['demo', '--data-dir', dataDir, '--admin-password', adminPassword,
  '--history-days', '120', '--history-per-day', '40'], {
  encoding: 'utf8',
  env: sanitizerEnv,
})
if (demo.status !== 0) {
  console.error(demo.stdout, demo.stderr)
  console.error('web e2e: xietong demo failed')
  process.exit(1)
}

// Serve on any free port; the server logs the one it bound.
const server = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--web-root', dist], {
  env: sanitizerEnv,
  stdio: ['ignore', 'pipe', 'pipe'],
})
let serverLog = ''
const base = await new Promise((resolvePort, reject) => {
  const timer = setTimeout(() => reject(new Error('the server did not start within 60 s\n' + serverLog)), 60000)
  const onData = (chunk) => {
    serverLog += chunk
    const m = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(serverLog)
    if (m) {
      clearTimeout(timer)
      resolvePort(`http://127.0.0.1:${m[1]}`)
    }
  }
  server.stdout.on('data', onData)
  server.stderr.on('data', onData)
  server.on('exit', (code) => reject(new Error(`the server exited with ${code}\n${serverLog}`)))
}).catch((e) => {
  console.error(e.message)
  process.exit(1)
})

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
})
let failed = false
const started = Date.now()
try {
  await journey({ browser, base, adminPassword, artifacts, bin })
  console.log(`web e2e: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
} catch (e) {
  failed = true
  console.error('web e2e: FAILED:', e && e.stack ? e.stack : e)
} finally {
  await browser.close()
  // A graceful stop must end with 0: an ASan or UBSan report on the way out
  // (they are on in the test build) is a failure too.
  const exited = new Promise((r) => server.once('exit', (code, signal) => r(code ?? signal)))
  server.kill('SIGTERM')
  const code = await exited
  if (code !== 0) {
    failed = true
    console.error(`web e2e: FAILED: the server exited with ${code} after SIGTERM`)
  }
  if (failed) console.error('--- server log (tail) ---\n' + serverLog.split('\n').slice(-40).join('\n'))
  rmSync(dataDir, { recursive: true, force: true })
}
if (!failed && args.includes('--docs')) {
  const docs = resolve(webDir, '..', 'docs', 'screenshots')
  mkdirSync(docs, { recursive: true })
  const names = ['resident', 'operator', 'inbox', 'request', 'reply-quality', 'supervision', 'dashboard', 'admin', 'phone', 'print', 'phone-leader', 'workflow', 'services', 'service-define', 'data-catalogue', 'data-requests', 'data-log']
  for (const name of [...names, ...names.map((n) => `${n}-en`).filter((n) => existsSync(join(artifacts, `${n}.png`)))])
    copyFileSync(join(artifacts, `${name}.png`), join(docs, `${name}.png`))
  console.log(`screenshots copied to ${docs}`)
}
process.exit(failed ? 1 : 0)
