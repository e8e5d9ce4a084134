// 议事厅 in the browser (issue 18, plan §9 steps 8–10): `resident` proposes
// 在湖畔公园增设长椅 on the 议事厅 page (a photo, 3,000 元) and sees 征集中
// 0/5; `resident02` of 柳巷社区 presses 支持 and is told 仅限本社区登记居民;
// neighbours hupan01–03 support through the API, hupan04 and hupan05 on the
// page, which puts it on the agenda (已进入议程 5/5); hupan05 pressing 支持
// again in a second tab is told 您已支持过该提案; street.lead calls a 居民议事会
// with it from 议事管理 → 议程 and records it (attendees, minutes, 通过 →
// 转专班任务 for street.handler in 20 working days); the resident sees the
// decision. Then (steps 11–13) street.handler reports 30 % on the task in
// the 议事厅项目专班 and hupan01 sees 实施中 30 % with the update; the resident
// votes in the open budget (all projects are over the budget and 提交 is
// off; a receipt; 核验我的选票 → 已记录; a tab opened before the vote is told
// 您已投过票) and opens the closed one (votes per project, 入选), whose proof
// `xietong budgets verify-tally` holds (exit 0). What the demo city lacks (the neighbours, 湖畔社区's threshold of
// 5) is made here through the API first, so the journey passes on a city
// with or without them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const COMMUNITY = '湖畔社区'
const TITLE = '在湖畔公园增设长椅'
const THRESHOLD = 5
// A 1×1 PNG, the photo of the park path.
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

// A dialog that must close after its submit; if it stays, its words say why.
async function closes(dialog) {
  await dialog.waitFor({ state: 'hidden' }).catch(async () => {
    const said = (await dialog.innerText().catch(() => '')).replace(/\s+/g, ' ')
    const detail = await dialog.locator('[data-test=error]').getAttribute('title').catch(() => '')
    assert.fail(`the box stayed open: ${said} (${detail})`)
  })
}

// Picks options of an el-select (multiple or not) by typing and clicking.
async function pick(page, select, text) {
  await select.click()
  const input = select.locator('input').first()
  await input.fill(text)
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

export async function deliberationJourney({ browser, base, artifacts, h }) {
  const { open, api, shot, noErrors, password, adminPassword, step } = h
  const stamp = Date.now() % 100000

  // 0. What the journey needs: 湖畔社区's threshold of 5 and its neighbours.
  //    A community without its own settings row answers version 0, which
  //    PUT's If-Match cannot name yet; then the proposal keeps the threshold
  //    that applies there and the journey finds that many neighbours.
  step('议事厅: 湖畔社区 has a threshold of 5 and enough neighbours')
  const admin = await open(browser, base, 'admin', adminPassword, { expected: [400] })
  const units = (await api(admin, 'GET', '/api/v1/units/tree')).body.items
  const hupan = units.find((u) => u.name === COMMUNITY && u.kind === 'community')
  assert.ok(hupan, `the demo city has ${COMMUNITY}`)
  const settings = await api(admin, 'GET', `/api/v1/points/settings/${hupan.id}`)
  assert.equal(settings.status, 200, JSON.stringify(settings.body))
  let threshold = settings.body.support_threshold
  if (threshold !== THRESHOLD) {
    const { unit_id: _u, version, ...fields } = settings.body
    const put = await api(admin, 'PUT', `/api/v1/points/settings/${hupan.id}`, { ...fields, support_threshold: THRESHOLD }, { 'If-Match': `"${version}"` })
    if (put.status === 200) threshold = THRESHOLD
    else console.log(`    (the threshold stays ${threshold}: PUT settings answered ${put.status} ${put.body?.error?.message})`)
  }
  const neighbours = Array.from({ length: threshold }, (_, i) => `hupan${String(i + 1).padStart(2, '0')}`)
  let made = 0
  for (const [i, username] of neighbours.entries()) {
    const found = (await api(admin, 'GET', `/api/v1/accounts?q=${username}&limit=20`)).body.items.find((a) => a.username === username)
    if (found) continue
    const r = await api(admin, 'POST', '/api/v1/accounts', {
      username,
      display_name: `湖畔邻居${i + 1}`,
      kind: 'resident',
      password,
      unit_id: hupan.id,
      role: 'resident',
    })
    assert.equal(r.status, 201, `create ${username}: ${JSON.stringify(r.body)}`)
    made++
  }
  console.log(`    threshold ${threshold}; neighbours ${made ? `made here: ${made}` : 'from the demo city'}`)

  // 8. The resident proposes a bench for the park on the 议事厅 page.
  step('议事厅: resident proposes 在湖畔公园增设长椅 (photo, 3,000 元)')
  const resident = await open(browser, base, 'resident', password)
  const rp = resident.page
  const me = (await api(resident, 'GET', '/api/v1/me')).body
  assert.ok(
    me.memberships.some((m) => m.role === 'resident' && m.unit_id === hupan.id),
    `the demo resident lives in ${COMMUNITY}`,
  )
  await rp.goto(base + '/proposals')
  await rp.locator('[data-test=dlb-community]').filter({ hasText: COMMUNITY }).waitFor()
  await rp.locator('[data-test=proposal-new]').click()
  const form = rp.locator('[data-test=proposal-form]')
  await form.locator('#proposal-title').waitFor()
  // An empty box is refused on the page, in words.
  await form.locator('[data-test=proposal-submit]').click()
  await form.locator('[data-test=error]').filter({ hasText: '请填写提案标题' }).waitFor()
  await form.locator('#proposal-title').fill(TITLE)
  await form.locator('#proposal-text').fill(`湖畔公园环湖步道约 800 米没有一张座椅，老人散步走累了只能坐在台阶上。建议沿步道增设 6 张长椅。（${stamp}）`)
  await form.locator('#proposal-address').fill('湖畔公园环湖步道')
  await form.locator('#proposal-photo').setInputFiles({ name: 'bench.png', mimeType: 'image/png', buffer: PHOTO })
  await form.locator('[data-test=photo-chip]').waitFor()
  await form.locator('[data-test=proposal-cost] input').fill('3000')
  await form.locator('[data-test=proposal-cost] input').press('Tab')
  await form.locator('[data-test=proposal-submit]').click()
  await closes(form)
  await rp.waitForURL(/\/proposals\/[0-9A-Z]{26}$/)
  const id = new URL(rp.url()).pathname.split('/').pop()
  await rp.locator('[data-test=proposal-status]').filter({ hasText: '征集中' }).waitFor()
  await rp.locator('[data-test=support-count]').filter({ hasText: `0 / ${threshold}` }).waitFor()
  assert.equal(await rp.locator('[data-test=proposal-support]').count(), 0, 'no support button for its author')
  const proposal = (await api(resident, 'GET', `/api/v1/proposals/${id}`)).body
  assert.equal(proposal.title, TITLE)
  assert.equal(proposal.cost_fen, 300000, '3,000 元 is sent as 300,000 分')
  assert.equal(proposal.photo_ids.length, 1)
  assert.equal(proposal.threshold, threshold)
  assert.equal(proposal.status, 'collecting')
  await rp.goto(base + '/proposals')
  await rp.locator('[data-test=proposal-row]').filter({ hasText: TITLE }).first().waitFor()
  await shot(rp, artifacts, 'proposals')

  // 9. Outside the community: refused in words. Neighbours support it past
  //    the threshold; a second support is refused.
  step('议事厅: 柳巷社区 is refused; five neighbours support it onto the agenda')
  const outsider = await open(browser, base, 'resident02', password, { expected: [403] })
  await outsider.page.goto(`${base}/proposals/${id}`)
  await outsider.page.locator('[data-test=proposal-support]').click()
  await outsider.page.locator('[data-test=support-box] [data-test=error]').filter({ hasText: '仅限本社区登记居民' }).waitFor()
  await outsider.page.locator('[data-test=support-count]').filter({ hasText: `0 / ${threshold}` }).waitFor()
  const people = []
  for (const username of neighbours.slice(0, threshold - 2)) {
    const who = await open(browser, base, username, password)
    const r = await api(who, 'POST', `/api/v1/proposals/${id}/support`, {})
    assert.equal(r.status, 200, `${username} supports: ${JSON.stringify(r.body)}`)
    people.push(who)
  }
  const fourth = await open(browser, base, neighbours[threshold - 2], password)
  await fourth.page.goto(`${base}/proposals/${id}`)
  await fourth.page.locator('[data-test=support-count]').filter({ hasText: `${threshold - 2} / ${threshold}` }).waitFor()
  await fourth.page.locator('[data-test=proposal-support]').click()
  await fourth.page.locator('[data-test=support-count]').filter({ hasText: `${threshold - 1} / ${threshold}` }).waitFor()
  await fourth.page.locator('[data-test=proposal-support]').filter({ hasText: '已支持' }).waitFor()
  const fifth = await open(browser, base, neighbours[threshold - 1], password, { expected: [409] })
  const stale = await fifth.context.newPage() // a second tab, opened before the support
  await stale.goto(`${base}/proposals/${id}`)
  await stale.locator('[data-test=support-count]').filter({ hasText: `${threshold - 1} / ${threshold}` }).waitFor()
  await fifth.page.goto(`${base}/proposals/${id}`)
  await fifth.page.locator('[data-test=proposal-support]').click()
  await fifth.page.locator('[data-test=support-count]').filter({ hasText: `${threshold} / ${threshold}` }).waitFor()
  await fifth.page.locator('[data-test=proposal-status]').filter({ hasText: '已进入议程' }).waitFor()
  await fifth.page.locator('[data-test=support-done]').filter({ hasText: '进入议程' }).waitFor()
  await stale.locator('[data-test=proposal-support]').click()
  await stale.locator('[data-test=support-box] [data-test=error]').filter({ hasText: '您已支持过该提案' }).waitFor()
  await stale.close()
  const qualified = (await api(resident, 'GET', `/api/v1/proposals/${id}`)).body
  assert.equal(qualified.status, 'qualified')
  assert.equal(qualified.supports, threshold)
  await shot(fifth.page, artifacts, 'proposal', 300, true)

  // 10. The street's lead calls a 居民议事会 from the agenda and records it.
  step('议事管理: street.lead schedules a 居民议事会 and records 通过 → 转专班任务')
  const lead = await open(browser, base, 'street.lead', password)
  const lp = lead.page
  await lp.goto(`${base}/deliberation?community=${hupan.id}`)
  const row = lp.locator('[data-test=agenda] .el-table__body tr').filter({ hasText: TITLE })
  await row.waitFor()
  await row.locator('.el-checkbox').click()
  await lp.locator('[data-test=meeting-new]').click()
  const sched = lp.locator('[data-test=meeting-form]')
  const meetingTitle = `湖畔社区居民议事会 ${stamp}`
  await sched.locator('#meeting-title').fill(meetingTitle)
  await sched.locator('[data-test=meeting-agenda] .el-checkbox').filter({ hasText: TITLE }).waitFor()
  assert.equal(await sched.locator('[data-test=meeting-agenda] .el-checkbox.is-checked').count(), 1, 'only the bench is on this agenda')
  await sched.locator('[data-test=meeting-submit]').click()
  await closes(sched)
  const card = lp.locator('[data-test=meeting]').filter({ hasText: meetingTitle })
  await card.locator('[data-test=meeting-status]').filter({ hasText: '待召开' }).waitFor()
  await card.locator('[data-test=meeting-item]').filter({ hasText: TITLE }).waitFor()
  assert.equal((await api(lead, 'GET', `/api/v1/proposals/${id}`)).body.status, 'scheduled')
  await card.locator('[data-test=meeting-record]').click()
  const rec = lp.locator('[data-test=record-form]')
  for (const who of ['resident', ...neighbours.slice(0, 3)]) await pick(lp, rec.locator('[data-test=record-attendees]'), `（${who}）`)
  await rec.locator('textarea[data-test=record-minutes]').fill('居民代表一致同意在环湖步道增设长椅，由街道安排实施，费用从社区微更新经费列支。')
  await rec.locator('[data-test=record-decision-0]').filter({ hasText: '通过' }).waitFor()
  await pick(lp, rec.locator('[data-test=record-owner-0]'), '（street.handler）')
  await rec.locator('[data-test=record-days-0] input').fill('20')
  await rec.locator('[data-test=record-days-0] input').press('Tab')
  await rec.locator('[data-test=record-submit]').click()
  await closes(rec)
  await card.locator('[data-test=meeting-status]').filter({ hasText: '已记录' }).waitFor()
  await card.locator('[data-test=meeting-decision]').filter({ hasText: '通过' }).waitFor()
  await shot(lp, artifacts, 'deliberation')
  const decided = (await api(lead, 'GET', `/api/v1/proposals/${id}`)).body
  assert.ok(['accepted', 'implementing'].includes(decided.status), `decided: ${decided.status}`)
  assert.equal(decided.decision, 'accepted')
  assert.equal(decided.implement?.kind, 'task')
  assert.equal(decided.implement?.deadline_days, 20)
  const meeting = (await api(lead, 'GET', `/api/v1/meetings/${decided.meeting_id}`)).body
  assert.equal(meeting.status, 'recorded')
  assert.equal(meeting.attendees.length, 4)

  // The supporters see the decision on the proposal's page.
  await people[0].page.goto(`${base}/proposals/${id}`)
  await people[0].page.locator('[data-test=decision]').filter({ hasText: '通过' }).waitFor()
  await people[0].page.locator('[data-test=implement]').filter({ hasText: '转专班任务' }).waitFor()
  // …and that it is carried out: a task of the community's 议事厅项目专班.
  const carried = (await api(people[0], 'GET', `/api/v1/proposals/${id}`)).body
  assert.equal(carried.status, 'implementing', 'the accepted proposal is being carried out')
  assert.equal(carried.implementation?.kind, 'task')
  assert.ok(carried.implementation.task_id, 'it has its task')
  await people[0].page.locator('[data-test=implementation]').filter({ hasText: '议事厅项目专班' }).waitFor()
  await people[0].page.locator('[data-test=proposal-status]').filter({ hasText: '实施中' }).waitFor()

  // 11. The task's owner reports progress; a supporter sees it on the proposal.
  await progressSeen({ browser, base, h, proposalId: id, implementation: carried.implementation, supporter: people[0] })

  // 12–13. The participatory budgets: a vote in the open one (its second
  // try is refused with a 409), the closed one's results and proof.
  resident.state.expected.push(409)
  await budgetVote({ base, h, resident, community: hupan })
  await closedBudget({ base, artifacts, h, resident, community: hupan })

  noErrors(admin, resident, outsider, ...people, fourth, fifth, lead)
  for (const who of [admin, resident, outsider, ...people, fourth, fifth, lead]) await who.context.close()
}

// Waits until fn() is truthy (reloading with `again` between tries).
async function until(what, fn, again, ms = 30000) {
  const end = Date.now() + ms
  for (;;) {
    if (await fn()) return
    if (Date.now() > end) assert.fail(`waited ${ms / 1000} s for ${what}`)
    if (again) await again()
    await new Promise((r) => setTimeout(r, 500))
  }
}

// 11. street.handler reports 30 % on the proposal's task in the 议事厅项目专班's
//     workspace; hupan01, a supporter, sees 实施中 30 % and the update.
async function progressSeen({ browser, base, h, proposalId, implementation, supporter }) {
  const { open, api, noErrors, password, step } = h
  step('议事厅: street.handler reports 30 % on the task; a supporter sees 实施中 30 %')
  const owner = await open(browser, base, 'street.handler', password)
  const op = owner.page
  const force = await api(owner, 'GET', `/api/v1/taskforces/${implementation.force_id}`)
  assert.equal(force.status, 200, JSON.stringify(force.body))
  const task = force.body.tasks.find((x) => x.id === implementation.task_id)
  assert.ok(task, "the proposal's task is in the force")
  await op.goto(`${base}/collab/forces/${implementation.force_id}`)
  const card = op.locator('[data-test=task-card]').filter({ has: op.locator('[data-test=task-title]', { hasText: task.title }) })
  await card.locator('[data-test=task-report]').click()
  const rd = op.locator('[data-test=report-form]')
  const words = '已完成长椅选型和点位勘察，6 处点位已确定'
  await rd.locator('#report-text').fill(words)
  await rd.locator('[data-test=report-percent] input').fill('30')
  await rd.locator('[data-test=report-percent] input').press('Tab')
  await rd.locator('[data-test=report-submit]').click()
  await card.locator('[data-test=task-percent]').filter({ hasText: '30' }).waitFor()

  const sp = supporter.page
  await sp.goto(`${base}/proposals/${proposalId}`)
  await until(
    'the progress on the proposal',
    async () => (await sp.locator('[data-test=update-item]').filter({ hasText: words }).count()) > 0,
    () => sp.reload(),
  )
  await sp.locator('[data-test=proposal-status]').filter({ hasText: '实施中' }).waitFor()
  await sp.locator('[data-test=implement-percent]').filter({ hasText: '30%' }).waitFor()
  await sp.locator('[data-test=update-item]').filter({ hasText: words }).filter({ hasText: '30%' }).waitFor()
  const seen = (await api(supporter, 'GET', `/api/v1/proposals/${proposalId}`)).body
  assert.equal(seen.status, 'implementing')
  assert.equal(seen.percent, 30)
  noErrors(owner)
  await owner.context.close()
}

// The community's budgets whose title matches, through the API as `who`.
async function budgetOf(api, who, community, title, status) {
  const items = (await api(who, 'GET', `/api/v1/budgets?community_id=${community.id}`)).body.items
  return items.find((b) => title.test(b.title) && b.status === status)
}

// 12. resident votes in the open budget: over the budget 提交 is off; a
//     receipt; 核验我的选票 → 已记录; a second vote (a tab opened before) → 您已投过票.
async function budgetVote({ base, h, resident, community }) {
  const { api, step } = h
  step('参与式预算: resident votes in 湖畔社区口袋公园提升 (over budget refused on the page, once only)')
  const rp = resident.page
  const budget = await budgetOf(api, resident, community, /湖畔社区口袋公园提升/, 'voting')
  assert.ok(budget, 'the demo city has a budget voting now')
  await rp.goto(`${base}/proposals`)
  await rp.locator('.el-tabs__item').filter({ hasText: '参与式预算' }).click()
  await rp.locator('[data-test=budget-link]').filter({ hasText: budget.title }).click()
  await rp.waitForURL(new RegExp(`/budgets/${budget.id}$`))
  const stale = await resident.context.newPage() // a second tab, opened before the vote
  await stale.goto(`${base}/budgets/${budget.id}`)
  const detail = (await api(resident, 'GET', `/api/v1/budgets/${budget.id}`)).body
  const projects = detail.projects
  const sum = projects.reduce((s, p) => s + p.cost_fen, 0)
  assert.ok(sum > detail.total_fen, 'all the projects together are over the budget')
  const box = (page, p) => page.locator('[data-test=ballot-project]').filter({ hasText: p.title }).locator('.el-checkbox')
  for (const p of projects) await box(rp, p).click()
  await rp.locator('[data-test=ballot-total]').filter({ hasText: '超出' }).waitFor()
  assert.ok(await rp.locator('[data-test=ballot-submit]').isDisabled(), 'over the budget, 提交 is off')
  // Keep the two cheapest: within the budget and max_choices.
  const keep = [...projects].sort((a, b) => a.cost_fen - b.cost_fen).slice(0, Math.min(2, detail.max_choices || 2))
  for (const p of projects) if (!keep.includes(p)) await box(rp, p).click()
  assert.ok(!(await rp.locator('[data-test=ballot-submit]').isDisabled()), 'within the budget, 提交 is on')
  await rp.locator('[data-test=ballot-submit]').click()
  const confirm = rp.locator('[data-test=ballot-confirm]')
  await confirm.locator('[data-test=ballot-confirm-submit]').click()
  await rp.locator('[data-test=ballot-receipt-code]').waitFor()
  const receipt = (await rp.locator('[data-test=ballot-receipt-code]').innerText()).trim()
  assert.match(receipt, /^[0-9a-f]{32}$/, 'a receipt of 32 hex')
  await rp.locator('[data-test=ballot-voted]').waitFor()
  const mine = (await api(resident, 'GET', `/api/v1/budgets/${budget.id}/my-ballot`)).body
  assert.equal(mine.voted, true)
  assert.equal((await api(resident, 'GET', `/api/v1/budgets/${budget.id}`)).body.ballots, detail.ballots + 1, 'turnout +1')
  // 核验我的选票: the commitment on the chain is this receipt's and these choices'.
  await rp.locator('[data-test=ballot-check]').click()
  const check = rp.locator('[data-test=check-box]')
  assert.equal(await check.locator('input[data-test=check-receipt]').inputValue(), receipt, 'the browser kept the receipt')
  await check.locator('[data-test=check-submit]').click()
  await check.locator('[data-test=check-result]').filter({ hasText: '已记录' }).waitFor()
  for (const p of keep) await check.locator('[data-test=check-result]').filter({ hasText: p.title }).waitFor()
  // The tab opened before the vote tries again with the same choices: refused in words.
  for (const p of keep) await box(stale, p).click()
  await stale.locator('[data-test=ballot-submit]').click()
  await stale.locator('[data-test=ballot-confirm] [data-test=ballot-confirm-submit]').click()
  await stale.locator('[data-test=error]').filter({ hasText: '您已投过票' }).waitFor()
  assert.equal((await api(resident, 'GET', `/api/v1/budgets/${budget.id}`)).body.ballots, detail.ballots + 1, 'still one ballot')
  await stale.close()
}

// 13. resident opens the closed budget: results with counts and the selected
//     projects; its proof, saved to a file, holds under `xietong budgets verify-tally`.
async function closedBudget({ base, artifacts, h, resident, community }) {
  const { api, shot, step, bin } = h
  step('参与式预算: the closed budget — results, selected projects, verify-tally on its proof')
  const rp = resident.page
  const budget = await budgetOf(api, resident, community, /湖畔社区.*参与式预算|微更新/, 'closed')
  if (!budget) {
    console.log('    (no closed budget in 湖畔社区: step 13 skipped)')
    return
  }
  const results = (await api(resident, 'GET', `/api/v1/budgets/${budget.id}/results`)).body
  const detail = (await api(resident, 'GET', `/api/v1/budgets/${budget.id}`)).body
  await rp.goto(`${base}/budgets/${budget.id}`)
  await rp.locator('[data-test=budget-status]').filter({ hasText: '已结束' }).waitFor()
  const rows = rp.locator('[data-test=result-row]')
  await rows.first().waitFor()
  assert.equal(await rows.count(), detail.projects.length)
  for (const p of detail.projects) await rows.filter({ hasText: p.title }).filter({ hasText: `${p.votes} 票` }).waitFor()
  assert.equal(await rows.filter({ hasText: '入选' }).count(), results.selected.length, 'the selected projects are marked')
  assert.ok(results.selected.length > 0)
  await shot(rp, artifacts, 'budget-results')
  const proof = await api(resident, 'GET', `/api/v1/budgets/${budget.id}/proof`)
  assert.equal(proof.status, 200, JSON.stringify(proof.body))
  const dir = mkdtempSync(join(tmpdir(), 'xietong-e2e-proof-'))
  try {
    const file = join(dir, 'proof.json')
    writeFileSync(file, JSON.stringify(proof.body))
    const run = runCli(bin, ['budgets', 'verify-tally', file])
    assert.equal(run.status, 0, `verify-tally: ${run.stdout}${run.stderr}`)
    console.log(`    verify-tally: exit 0 (${proof.body.events.length} events, ${detail.ballots} ballots)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// The xietong binary on a file (the test build: leak checks off, as for the server).
export function runCli(bin, args) {
  const env = { ...process.env, ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'detect_leaks=0'].filter(Boolean).join(':') }
  return spawnSync(bin, args, { encoding: 'utf8', env })
}
