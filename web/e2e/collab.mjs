// 专班 and 协同办公 in the browser, as issue 16 tells it: the district's leader
// forms a task force from a hotspot of 临江区 on the dashboard with two of its
// departments and
// 望湖街道 (the hotspot's requests linked), assigns tasks, a
// member reports progress, and a directive goes to every community of the
// district; the sender's receipt table fills as two community accounts open
// and acknowledge it, and the API's receipts say exactly who did what.
import assert from 'node:assert/strict'

// A unit in an el-tree-select of the page, by its exact name.
async function pickUnit(page, scope, selector, name) {
  const box = scope.locator(selector)
  await box.click()
  await box.locator('input').first().fill(name)
  const node = page.locator('.el-tree-node__content:visible').filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) }).first()
  await node.click()
}

// An option of an el-select already opened or opened by clicking it.
async function chooseOption(page, scope, selector, text) {
  await scope.locator(selector).click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

function localInput(ms) {
  const d = new Date(ms)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export async function collabJourney({ browser, base, artifacts, h }) {
  const { open, api, shot, noErrors, password, step } = h
  // 临江区's leader: the dashboard shows the district's own figures.
  // The dashboard's forecast panel may meet 503 (no run yet) or 404 (a thin series): states it shows.
  const lead = await open(browser, base, 'jl01.leader', password, { expected: [503, 404] })
  const lp = lead.page

  // 1. 成立专班 from the district's first hotspot of the month shown.
  step('专班: formed from a hotspot')
  await lp.goto(base + '/dashboard')
  await lp.locator('[data-test=d-scope-name]').filter({ hasText: '临江区' }).waitFor()
  const hotRow = lp.locator('[data-test=hotspots] .el-table__body tr').first()
  await hotRow.waitFor()
  await hotRow.locator('[data-test=hotspot-force]').click()
  await lp.waitForURL(/\/collab\/forces\?from=hotspot/)
  const form = lp.locator('.el-dialog:visible')
  await form.locator('[data-test=force-title]').waitFor()
  const linkedText = await form.locator('[data-test=force-linked-count]').innerText()
  const linkedCount = Number(linkedText.match(/\d+/)[0])
  assert.ok(linkedCount >= 2, `the hotspot's requests are to be linked: ${linkedText}`)
  const title = `望湖街道联合整治专班 ${Date.now() % 100000}`
  await form.locator('#force-title').fill(title)
  await form.locator('[data-test=force-deadline]').fill(localInput(Date.now() + 30 * 86400e3))
  const members = [
    ['临江区城管局', 'jl01d01.handler', '成员'],
    ['临江区住建局', 'jl01d02.handler', '成员'],
    ['望湖街道', 'street.lead', '联络员'],
  ]
  for (const [unit, user, role] of members) {
    await pickUnit(lp, form, '[data-test=member-unit]', unit)
    await chooseOption(lp, form, '[data-test=member-person]', `（${user}）`)
    await chooseOption(lp, form, '[data-test=member-role]', role)
    await form.locator('[data-test=member-add]').click()
  }
  assert.equal(await form.locator('[data-test=member-picked]').count(), 3)
  await form.locator('[data-test=force-create]').click()
  await lp.waitForURL(/\/collab\/forces\/[0-9A-Z]{26}$/)
  const forceId = lp.url().split('/').pop()
  const detail = (await api(lead, 'GET', `/api/v1/taskforces/${forceId}`)).body
  assert.equal(detail.title, title)
  assert.equal(detail.subject_kind, 'hotspot')
  assert.deepEqual(detail.members.map((m) => m.username).sort(), ['jl01.leader', 'jl01d01.handler', 'jl01d02.handler', 'street.lead'])
  const linked = (await api(lead, 'GET', `/api/v1/taskforces/${forceId}/requests`)).body.items
  assert.equal(linked.length, linkedCount, 'every request of the hotspot is linked')
  await lp.locator('.el-tabs__item').filter({ hasText: '关联诉求' }).click()
  await lp.locator('[data-test=linked-requests] .el-table__body tr').filter({ hasText: linked[0].number }).waitFor()

  // 2. Tasks for the two departments; the second waits for the first.
  step('专班: tasks assigned')
  await lp.locator('.el-tabs__item').filter({ hasText: '任务' }).first().click()
  const addTask = async (taskTitle, unit, days, after) => {
    await lp.locator('[data-test=task-new]').click()
    const d = lp.locator('.el-dialog:visible')
    await d.locator('#task-title').fill(taskTitle)
    await chooseOption(lp, d, '[data-test=task-owner]', unit)
    await d.locator('[data-test=task-days] input').fill(String(days))
    if (after) {
      await chooseOption(lp, d, '[data-test=task-deps-input]', after)
      await d.locator('.el-dialog__title').click() // a multiple select stays open
    }
    await d.locator('[data-test=task-create]').click()
    await d.waitFor({ state: 'hidden' })
    await lp.locator('[data-test=task-card]').filter({ hasText: taskTitle }).waitFor()
  }
  await addTask('排查并清掏雨水篦子', '临江区城管局', 3)
  await addTask('低洼路段排水改造方案', '临江区住建局', 10, '排查并清掏雨水篦子')
  const tasks = (await api(lead, 'GET', `/api/v1/taskforces/${forceId}`)).body.tasks
  assert.equal(tasks.length, 2)
  const first = tasks.find((x) => x.title === '排查并清掏雨水篦子')
  assert.deepEqual(tasks.find((x) => x.id !== first.id).depends_on, [first.id])
  await shot(lp, artifacts, 'collab-force')

  // 3. A member from another department reports progress on their task.
  step('专班: a member reports progress')
  const member = await open(browser, base, 'jl01d01.handler', password)
  const mp = member.page
  await mp.goto(`${base}/collab/forces/${forceId}`)
  // The card of that task (the other one names it too, as what it waits for).
  const cardOf = (page, name) => page.locator('[data-test=task-card]').filter({ has: page.locator('[data-test=task-title]', { hasText: new RegExp(`^\\s*${name}\\s*$`) }) })
  const card = cardOf(mp, '排查并清掏雨水篦子')
  await card.locator('[data-test=task-report]').click()
  const rd = mp.locator('.el-dialog:visible')
  await rd.locator('#report-text').fill('已排查 17 处点位，清掏 9 处')
  await rd.locator('[data-test=report-percent] input').fill('40')
  await rd.locator('[data-test=report-percent] input').press('Tab')
  await rd.locator('[data-test=report-submit]').click()
  await card.locator('[data-test=task-percent]').filter({ hasText: '40' }).waitFor()
  const reports = (await api(lead, 'GET', `/api/v1/tasks/${first.id}/reports`)).body.items
  assert.equal(reports.length, 1)
  assert.equal(reports[0].percent, 40)
  // The lead's open workspace shows it too (pushed, or on the next load).
  await cardOf(lp, '排查并清掏雨水篦子').locator('[data-test=task-percent]').filter({ hasText: '40' }).waitFor({ timeout: 20000 })

  // 3b. The member writes in the force's channel; the lead finds it by search.
  step('专班: a message in the channel, found by search')
  await mp.locator('.el-tabs__item').filter({ hasText: '频道' }).click()
  const said = `篦子清掏照片已上传 ${Date.now() % 100000}`
  await mp.locator('textarea[data-test=message-input]').fill(said)
  await mp.locator('[data-test=message-send]').click()
  await mp.locator('[data-test=message-text]').filter({ hasText: said }).waitFor()
  await lp.goto(base + '/collab/messages')
  await lp.locator('input[data-test=message-search]').fill(said)
  await lp.locator('[data-test=message-search-go]').click()
  const hit = lp.locator('[data-test=search-hit]').filter({ hasText: title })
  await hit.waitFor()
  assert.equal(await lp.locator('[data-test=search-hit]').count(), 1, 'one message says that')
  await hit.click()
  await lp.locator('[data-test=message-text]').filter({ hasText: said }).waitFor()

  // 4. A directive to every community of 临江区, and its receipt table.
  step('通知: to every community of the district')
  await lp.goto(base + '/collab/directives')
  await lp.locator('[data-test=directive-new]').click()
  const cd = lp.locator('.el-dialog:visible')
  const notice = `关于排查积水点位的通知 ${Date.now() % 100000}`
  await cd.locator('#directive-title').fill(notice)
  await cd.locator('#directive-body').fill('请各社区于两日内完成辖区积水点位排查并在平台签收。')
  await pickUnit(lp, cd, '[data-test=directive-units]', '临江区')
  await cd.locator('#directive-title').click() // closes the tree
  await cd.locator('[data-test=directive-communities]').click()
  const units = (await api(lead, 'GET', '/api/v1/units/tree')).body.items ?? []
  const district = units.find((u) => u.name === '临江区')
  const communities = units.filter((u) => u.kind === 'community')
  const parentOf = new Map(units.map((u) => [u.id, u.parent_id]))
  const inDistrict = communities.filter((c) => {
    for (let at = c.id; at; at = parentOf.get(at)) if (at === district.id) return true
    return false
  })
  await cd.locator('[data-test=directive-unit-count]').filter({ hasText: `已选 ${inDistrict.length} 个单位` }).waitFor()
  await cd.locator('[data-test=directive-ack-by]').fill(localInput(Date.now() + 2 * 86400e3))
  await cd.locator('[data-test=directive-send]').click()
  const drawer = lp.locator('.el-drawer:visible')
  await drawer.locator('[data-test=receipt-totals]').waitFor()
  const sent = (await api(lead, 'GET', '/api/v1/directives?box=sent&limit=20')).body.items.find((x) => x.title === notice)
  assert.ok(sent, 'the directive is in the sent box')
  const before = (await api(lead, 'GET', `/api/v1/directives/${sent.id}/receipts`)).body
  assert.deepEqual(before.directive.to_units.slice().sort(), inDistrict.map((c) => c.id).sort(), 'sent to exactly the communities')
  assert.equal(before.acknowledged, 0)
  await drawer.locator('[data-test=receipt-acked] .el-statistic__number').filter({ hasText: /^\s*0\s*$/ }).waitFor()

  // 5. Two community accounts open it and acknowledge (签收).
  step('通知: two communities open and acknowledge it')
  const signers = ['jl010102.handler', 'jl010103.handler']
  for (const user of signers) {
    const who = await open(browser, base, user, password)
    await who.page.goto(base + '/collab/directives')
    const row = who.page.locator('[data-test=directives-inbox] .el-table__body tr').filter({ hasText: notice })
    await row.locator('[data-test=directive-open]').click()
    const dd = who.page.locator('.el-dialog:visible')
    await dd.locator('[data-test=directive-body]').waitFor()
    await dd.locator('[data-test=directive-ack-note]').fill('已收到，今天开始排查')
    await dd.locator('[data-test=directive-ack]').click()
    await dd.locator('[data-test=directive-dialog-state]').filter({ hasText: '已签收' }).waitFor()
    noErrors(who)
    await who.context.close()
  }
  // The sender's table fills without a reload.
  await drawer.locator('[data-test=receipt-acked] .el-statistic__number').filter({ hasText: /^\s*2\s*$/ }).waitFor({ timeout: 20000 })
  await drawer.locator('[data-test=receipt-read] .el-statistic__number').filter({ hasText: /^\s*2\s*$/ }).waitFor()
  await shot(lp, artifacts, 'collab-receipts')
  const table = (await api(lead, 'GET', `/api/v1/directives/${sent.id}/receipts`)).body
  const signerIds = []
  for (const user of signers) {
    const found = (await api(lead, 'GET', `/api/v1/directory?q=${user}&unit_id=${district.id}`)).body.items.find((a) => a.username === user)
    assert.ok(found, `${user} is in the directory`)
    signerIds.push(found.id)
  }
  const people = table.items ?? []
  assert.ok(people.length >= inDistrict.length, 'every community has someone to receive it')
  for (const r of people) {
    const signed = signerIds.includes(r.account_id)
    assert.equal(!!r.acked_at, signed, `${r.display_name} acknowledged iff they pressed 签收`)
    assert.equal(!!r.read_at, signed, `${r.display_name} read iff they opened it`)
  }
  noErrors(lead, member)
  await member.context.close()
}
