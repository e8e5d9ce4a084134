// 决策支持 in the browser (issue 19, plan §9): the leader opens 领导驾驶舱 →
// the forecast panel draws actuals, forecast and band with a MASE number (or,
// when the city has no forecast run yet, the friendly 预测尚未生成 state — the
// step says which it saw); 假设推演 with +20 % volume changes the scenario's
// figures, its round trip measured (logged as whatif-ms=…); the targets'
// table shows red/amber/green cells; the
// monthly report of last month for 临江区 downloads as a PDF that pdftotext
// reads 临江区 in, and its XLSX twin answers 200 starting with "PK"; 排班建议
// shows 48 half-hours and a rota (or the same not-ready state).
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
}
