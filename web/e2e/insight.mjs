// 决策支持 in the browser (issue 19, plan §9): the leader opens 领导驾驶舱 →
// the forecast panel draws actuals, forecast and band with a MASE number (or,
// when the city has no forecast run yet, the friendly 预测尚未生成 state — the
// step says which it saw); 假设推演 with +20 % volume changes the scenario's
// figures, its round trip measured (logged as whatif-ms=…); the targets'
// table shows red/amber/green cells; the
// monthly report of last month for 临江区 downloads as a PDF that pdftotext
// reads 临江区 in, and its XLSX twin answers 200 starting with "PK"; 排班建议
// shows 48 half-hours and a rota (or the same not-ready state); the
// administrator's 分类模型 page shows last month's accuracy per model version
// (or 本月尚无决策) and the stored models, and 重新训练 shows the server's
// outcome (promoted or rejected with its figures, or its refusal in words).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const DISTRICT = '临江区'

async function chooseOption(page, selector, text) {
  await page.locator(selector).click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

const sum = (xs) => xs.reduce((a, b) => a + (b ?? 0), 0)

// The what-if panel: its first answer (all sliders at zero: scenario =
// baseline), then +20 % volume. Returns the browser-measured round trip (ms).
export async function whatIf(lp, artifacts, shot) {
  const panel = lp.locator('[data-test=whatif-panel]')
  await panel.scrollIntoViewIfNeeded()
  const ms = panel.locator('[data-test=whatif-ms]')
  await panel.locator('[data-test=whatif-ms][data-browser-ms]').waitFor({ timeout: 30000 })
  const answers = Number(await ms.getAttribute('data-answers'))
  const first = panel.locator('[data-test=whatif-backlog]')
  const b0 = Number(await first.getAttribute('data-baseline'))
  const s0 = Number(await first.getAttribute('data-scenario'))
  assert.ok(Math.abs(b0 - s0) < 1e-6, `with every slider at zero the scenario is the baseline: ${b0} vs ${s0}`)
  const answered = lp.waitForResponse((r) => r.url().includes('/api/v1/insight/whatif') && (r.request().postData() ?? '').includes('"volume_pct":20'))
  const box = panel.locator('[data-test=whatif-volume] input')
  const typed = Date.now()
  await box.fill('20')
  await box.press('Enter')
  const r = await answered
  assert.equal(r.status(), 200, `POST /insight/whatif with +20 %: ${r.status()} ${await r.text()}`)
  const body = await r.json()
  const { baseline, scenario } = body.total
  // The page shows this answer (the counter of answers drawn moved on).
  await lp.waitForFunction((n) => Number(document.querySelector('[data-test=whatif-ms]')?.getAttribute('data-answers')) > n, answers)
  const endToEnd = Date.now() - typed
  const browserMs = Number(await ms.getAttribute('data-browser-ms'))
  const serverMs = Number(await ms.getAttribute('data-server-ms'))
  const shown = panel.locator('[data-test=whatif-backlog]')
  const sb = Number(await shown.getAttribute('data-scenario'))
  const bb = Number(await shown.getAttribute('data-baseline'))
  assert.ok(Math.abs(sb - scenario.backlog_end) < 1e-6, `the page shows the answer's scenario backlog: ${sb} vs ${scenario.backlog_end}`)
  assert.ok(sb >= bb - 1e-6, `+20 % volume does not lower the city's backlog: ${sb} < ${bb}`)
  const ratio = scenario.arrivals / baseline.arrivals
  assert.ok(Math.abs(ratio - 1.2) < 0.01, `+20 % volume: arrivals ${baseline.arrivals} → ${scenario.arrivals}`)
  const changed = ['backlog', 'new_overdue', 'done'].filter((k) => Math.abs(sum(scenario[k]) - sum(baseline[k])) > 1e-6)
  assert.ok(changed.length > 0, `+20 % volume changes the scenario's weekly figures: ${JSON.stringify(body.total)}`)
  // Measured, not held to the 200 ms goal (the benchmark's): under ASan on a loaded machine the
  // answer may come with a baseline rebuilt because the first forecast run has just landed.
  assert.ok(browserMs > 0 && browserMs < 15000, `the what-if round trip is measured and under 15 s: ${browserMs}`)
  console.log(`    whatif-ms=${browserMs} (server ${serverMs} ms; typed → drawn ${endToEnd} ms with the 150 ms pause)`)
  console.log(`    city backlog at the end ${bb} → ${sb}, new overdue ${baseline.new_overdue_total} → ${scenario.new_overdue_total}; changed: ${changed.join(', ')}; ${body.units.length} units; arrivals ${body.arrivals_source}`)
  await panel.locator('[data-test=whatif-units] .el-table__row').first().waitFor()
  await shot(lp, artifacts, 'insight-whatif')
  return browserMs
}

export async function insightJourney({ browser, base, artifacts, h }) {
  const { open, shot, noErrors, password, step, api } = h

  // 1. The forecast panel on the dashboard. A 503 (no run yet) or 404 (too
  // little data) is a state the panel shows, not a console error to fail on.
  step('决策支持: the forecast panel on the dashboard')
  const leader = await open(browser, base, 'leader', password, { expected: [503, 404] })
  const lp = leader.page
  await lp.waitForURL(/\/dashboard$/)
  const panel = lp.locator('[data-test=fc-panel]')
  await panel.waitFor() // it loads as the dashboard opens
  const drawn = panel.locator('[data-test=fc-mase]').filter({ hasText: /^\d+\.\d+$|^—$/ })
  const notReady = panel.locator('[data-test=fc-not_ready]')
  const noData = panel.locator('[data-test=fc-no_data]')
  await drawn.or(notReady).or(noData).first().waitFor({ timeout: 30000 })
  if (await drawn.count()) {
    const mase = (await drawn.textContent()).trim()
    // The panel shows the server's backtest MASE: a number when the series had
    // enough past to backtest, — when not (the e2e city's past is 120 days).
    const served = (await api(leader, 'GET', '/api/v1/insight/forecast?horizon=14')).body?.backtest?.mase_7d
    assert.equal(/^\d+\.\d+$/.test(mase), typeof served === 'number',
      `the city's forecast shows the server's backtest MASE (${served}), not ${mase}`)
    await panel.locator('[data-test=fc-chart] canvas').first().waitFor()
    console.log(`    forecast drawn: MASE(7 days) ${mase}, ${(await panel.locator('[data-test=fc-mase-line]').textContent()).trim()}`)
    // Another category reloads it (a 200, or the 数据不足 state for a thin one).
    const reloaded = lp.waitForResponse((r) => r.url().includes('/api/v1/insight/forecast') && r.url().includes('category='))
    await chooseOption(lp, '[data-test=fc-category]', '城乡建设')
    const r = await reloaded
    assert.ok([200, 404].includes(r.status()), `GET /insight/forecast for 城乡建设: ${r.status()}`)
    console.log(`    category 城乡建设: ${r.status()}`)
    if (r.status() === 200) {
      const body = await r.json()
      const shown = typeof body?.backtest?.mase_7d === 'number' ? /\d/ : /^—$/
      await panel.locator('[data-test=fc-mase]').filter({ hasText: shown }).waitFor()
    }
    else await noData.waitFor()
  } else {
    assert.equal(await noData.count(), 0, 'the whole city always has enough data to forecast')
    console.log('    no forecast run in this city yet: the panel shows 预测尚未生成 (503)')
  }
  await shot(lp, artifacts, 'insight-forecast')

  // 1b. 假设推演: +20 % volume typed into the slider's box; the scenario's
  // figures change (the server's answer and the page's totals), the backlog
  // is not lower than the baseline's, and the round trip is measured.
  step('决策支持: what-if, +20 % volume')
  await whatIf(lp, artifacts, shot)

  // 2. The targets' red/amber/green table: coloured cells with their words.
  step('决策支持: the RAG table shows coloured cells')
  const rag = lp.locator('[data-test=rag-table]')
  await rag.locator('[data-test=rag-cell]').first().waitFor()
  const rags = await rag.locator('[data-test=rag-cell]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-rag')))
  const coloured = rags.filter((r) => r === 'green' || r === 'amber' || r === 'red')
  assert.ok(coloured.length > 0, `some cells are red, amber or green: ${JSON.stringify(rags)}`)
  const count = (k) => rags.filter((r) => r === k).length
  console.log(`    ${rags.length} cells: ${count('green')} 绿, ${count('amber')} 黄, ${count('red')} 红, ${count('grey')} 灰`)

  // 3. 排班建议: 48 half-hours and a rota for tomorrow (or the not-ready state).
  step('决策支持: 排班建议 for tomorrow')
  await lp.goto(base + '/staffing')
  const slots = lp.locator('[data-test=staff-slot]')
  const staffNotReady = lp.locator('[data-test=staff-not-ready]')
  await lp.locator('[data-test=staff-rota] .el-table__row').or(staffNotReady).first().waitFor({ timeout: 30000 })
  if (await staffNotReady.count()) console.log('    no forecast run yet: 排班建议 shows its not-ready state (503)')
  else {
    assert.equal(await slots.count(), 48, '48 half-hours')
    const peak = (await lp.locator('[data-test=staff-totals]').textContent()).trim()
    console.log(`    ${await lp.locator('[data-test=staff-rota] .el-table__row').count()} shifts; ${peak}`)
  }
  await shot(lp, artifacts, 'insight-staffing')
  // 4. Last month's report for 临江区: the PDF downloads and reads 临江区; the XLSX is a zip.
  step('决策支持: last month’s report for 临江区 as PDF and XLSX')
  await lp.goto(base + '/dashboard')
  await chooseOption(lp, '[data-test=report-unit]', DISTRICT)
  const downloading = lp.waitForEvent('download', { timeout: 180000 })
  const pdfStarted = Date.now()
  await lp.locator('[data-test=report-pdf]').click()
  const download = await downloading
  const pdfPath = join(artifacts, 'insight-report.pdf')
  await download.saveAs(pdfPath)
  assert.equal(await download.failure(), null, 'the PDF downloaded')
  console.log(`    PDF ${download.suggestedFilename()} in ${Date.now() - pdfStarted} ms`)
  const text = spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' })
  if (text.error) console.log(`    pdftotext not run (${text.error.code}); the text check is skipped`)
  else {
    assert.equal(text.status, 0, `pdftotext: ${text.stderr}`)
    assert.ok(text.stdout.includes(DISTRICT), `the PDF names ${DISTRICT}`)
  }
  const xlsxHref = await lp.locator('[data-test=report-xlsx]').getAttribute('href')
  assert.match(xlsxHref, /format=xlsx/)
  const xlsx = await lp.evaluate(async (href) => {
    const r = await fetch(href, { credentials: 'same-origin' })
    const bytes = new Uint8Array(await r.arrayBuffer())
    return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(bytes[0], bytes[1]), size: bytes.length }
  }, xlsxHref)
  assert.equal(xlsx.status, 200, `the XLSX answers 200: ${JSON.stringify(xlsx)}`)
  assert.equal(xlsx.head, 'PK', 'the XLSX is a zip')
  console.log(`    XLSX ${xlsx.size} bytes, ${xlsx.type}`)

  noErrors(leader)
  await leader.context.close()

  step('决策支持: 分类模型 — last month’s accuracy, the models, 重新训练')
  await routingModel({ browser, base, artifacts, h })
}

// 分类模型 as the administrator: what the page shows is checked against the
// server's own answers (the e2e city's numbers are whatever its history made).
export async function routingModel({ browser, base, artifacts, h }) {
  const { open, shot, noErrors, adminPassword, api } = h
  // A retraining the city cannot do yet (too little decided history) answers 409: a state shown.
  const admin = await open(browser, base, 'admin', adminPassword, { expected: [409] })
  const ap = admin.page
  const accuracyAnswer = ap.waitForResponse((r) => r.url().includes('/api/v1/insight/routing/accuracy'))
  const modelsAnswer = ap.waitForResponse((r) => r.url().includes('/api/v1/insight/routing/models'))
  await ap.goto(base + '/routing')
  const acc = await accuracyAnswer
  assert.equal(acc.status(), 200, `GET routing accuracy: ${acc.status()} ${await acc.text()}`)
  const accuracy = await acc.json()
  await ap.locator('[data-test=routing-month]').filter({ hasText: accuracy.month }).waitFor() // the month it shows
  if (accuracy.total.n === 0) {
    await ap.locator('[data-test=routing-no-cases]').filter({ hasText: '本月尚无决策' }).waitFor()
    console.log(`    ${accuracy.month}: no decisions on the model's suggestions (本月尚无决策)`)
  } else {
    const shown = ap.locator('[data-test=routing-accuracy] [data-test=routing-version]')
    await shown.first().waitFor()
    assert.equal(await shown.count(), accuracy.versions.length, 'a row per model version')
    const top1 = Number(await ap.locator('[data-test=routing-top1]').first().getAttribute('data-value'))
    assert.equal(top1, accuracy.versions[0].top1, "the first version's top-1 is the server's")
    const pairs = ap.locator('[data-test=routing-confused] .el-table__body tr')
    if (accuracy.confused.length) {
      await pairs.first().waitFor()
      assert.equal(await pairs.count(), accuracy.confused.length, 'the most-mixed leaves, as the server ranks them')
    }
    const t = accuracy.total
    console.log(`    ${accuracy.month}: ${t.n} cases, top-1 ${t.top1}, top-3 ${t.top3}, macro-F1 ${t.macro_f1} over ${t.f1_leaves} leaves; ${accuracy.versions.map((v) => v.model_version).join(', ')}; ${accuracy.confused.length} mixed pairs`)
  }
  const listed = await modelsAnswer
  assert.equal(listed.status(), 200, `GET routing models: ${listed.status()}`)
  const before = (await listed.json()).items
  const table = ap.locator('[data-test=routing-models]')
  await table.waitFor()
  if (before.length) await table.locator('[data-test=routing-model-version]').first().waitFor()
  else await table.locator('.el-table__empty-text').filter({ hasText: '尚无训练过的模型' }).waitFor()
  assert.equal(await table.locator('[data-test=routing-model-version]').count(), before.length, 'every stored model is listed')
  await shot(ap, artifacts, 'insight-routing')

  // 重新训练: the outcome the server answered is the one the page shows.
  const retrained = ap.waitForResponse((r) => r.url().endsWith('/api/v1/insight/routing/models/retrain'), { timeout: 300000 })
  const pressed = Date.now()
  await ap.locator('[data-test=routing-retrain]').click()
  const r = await retrained
  const answer = await r.json()
  if (r.status() === 200) {
    const outcome = ap.locator('[data-test=routing-outcome]')
    await outcome.waitFor()
    assert.equal(await outcome.getAttribute('data-promoted'), String(answer.promoted), 'promoted or rejected, as the server says')
    const title = answer.promoted ? `新模型 v${answer.model.version} 已启用` : `新模型 v${answer.model.version} 未通过`
    await outcome.filter({ hasText: title }).waitFor()
    // The list has the new version, with the status it was stored with.
    const row = table.locator('.el-table__body tr').filter({ has: ap.locator('[data-test=routing-model-version]', { hasText: new RegExp(`^v${answer.model.version}$`) }) })
    await row.locator(`[data-test=routing-model-status][data-status=${answer.model.status}]`).waitFor()
    const after = await api(admin, 'GET', '/api/v1/insight/routing/models')
    assert.equal(after.body.items.length, before.length + 1, 'the retrained model is stored')
    if (answer.promoted) {
      // Intake suggests with it at once: the preview names it (nothing is stored).
      const p = await api(admin, 'POST', '/api/v1/requests/preview', { text: '小区南门每天晚上有小贩占道摆摊，堵塞消防通道', channel: 'phone' })
      assert.equal(p.status, 200, `preview: ${JSON.stringify(p.body)}`)
      const want = p.body.suggested_by === 'classifier' ? `v${answer.model.version}` : ''
      assert.equal(p.body.model_version, want, `the preview names the model that suggested (${p.body.suggested_by})`)
      console.log(`    preview after it: suggested_by ${p.body.suggested_by}, model_version "${p.body.model_version}"`)
    }
    const c = answer.candidate
    console.log(`    retrained in ${Date.now() - pressed} ms: v${answer.model.version} ${answer.promoted ? 'promoted' : 'rejected'} (holdout ${c.n}: top-1 ${c.top1}, top-3 ${c.top3}, macro-F1 ${c.macro_f1}; active before ${answer.active ? answer.active.top1 : 'none'})`)
  } else {
    // A refusal: the page says it in Chinese, with the server's own message beneath.
    assert.ok(answer?.error?.message, `the refusal has a message: ${JSON.stringify(answer)}`)
    await ap.locator('[data-test=error-message]').filter({ hasText: answer.error.message }).waitFor()
    console.log(`    retrain refused (${r.status()}): ${answer.error.message}`)
  }
  await shot(ap, artifacts, 'insight-routing-retrained')
  noErrors(admin)
  await admin.context.close()
}
