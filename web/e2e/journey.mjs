// The steps of the end-to-end test (run.mjs starts the server and Chromium).
// Each role works in its own browser context, as different people would.
import assert from 'node:assert/strict'
import { join } from 'node:path'

const DEMO_PASSWORD = 'demo-2026'
const STREET = '望湖街道'
const DEPARTMENT = '市城市管理委员会'
const MATTER = '广场舞噪音'

// A page that fails the run on any console error or uncaught exception,
// except HTTP errors a step says it expects (a 403 in the permission case).
async function open(browser, base, user, password, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1366, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const state = { expected: [], errors: [] }
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    const text = m.text()
    const allowed = state.expected.find((status) => text.includes(`status of ${status}`))
    if (!allowed) state.errors.push(`${user}: ${text}`)
  })
  page.on('pageerror', (e) => state.errors.push(`${user}: uncaught ${e.message}`))
  const t0 = Date.now()
  await page.goto(base + '/login')
  await page.locator('#login-username').fill(user)
  await page.locator('#login-password').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await page.locator('[data-test=who]').waitFor()
  const loginMs = Date.now() - t0
  return { page, context, state, loginMs, user }
}

function noErrors(...who) {
  const errors = who.flatMap((w) => w.state.errors)
  assert.deepEqual(errors, [], 'console errors')
}

// Picks an option of an Element Plus filterable select or cascader by typing.
async function choose(page, input, text) {
  await input.click()
  await input.fill(text)
  const option = page
    .locator('.el-select-dropdown__item:visible, .el-cascader__suggestion-item:visible')
    .filter({ hasText: text })
    .first()
  await option.click()
}

async function shot(page, artifacts, name, settle = 400) {
  await page.waitForTimeout(settle) // let charts finish their animation
  await page.screenshot({ path: join(artifacts, `${name}.png`) })
}

async function dialogSubmit(page) {
  const dialog = page.locator('.el-dialog:visible')
  await dialog.locator('[data-test=d-submit]').click()
  await dialog.waitFor({ state: 'hidden' })
}

async function rankingRow(page, unit) {
  const row = page.locator('[data-test=ranking] .el-table__body tr').filter({ hasText: unit }).first()
  await row.waitFor()
  const cells = await row.locator('td').allInnerTexts()
  return { dispatched: Number(cells[2]), cells }
}

export async function journey({ browser, base, adminPassword, artifacts }) {
  // The leader's dashboard before: the street's dispatched count this month.
  const leader = await open(browser, base, 'leader', DEMO_PASSWORD)
  await leader.page.waitForURL(/\/dashboard$/)
  const before = await rankingRow(leader.page, STREET)

  // 1. A resident reports noise from square dancing; bad input first.
  const resident = await open(browser, base, 'resident', DEMO_PASSWORD)
  const rp = resident.page
  await rp.waitForURL(/\/resident$/)
  console.log(`  login to first page: ${resident.loginMs} ms`)
  await rp.locator('[data-test=mine-item]').first().waitFor() // the demo resident has one
  const mineBefore = await rp.locator('[data-test=mine-item]').count()
  resident.state.expected = [400]
  await rp.locator('#r-text').fill('   ')
  await rp.locator('[data-test=submit]').click()
  const badInput = rp.locator('[data-test=error]').first()
  await badInput.waitFor()
  assert.match(await badInput.innerText(), /text/, 'the API says which field is wrong')
  assert.equal(await rp.locator('[data-test=mine-item]').count(), mineBefore, 'nothing stored')
  resident.state.expected = []

  await rp.locator('#r-title').fill('湖畔社区广场舞音响太吵')
  await rp.locator('#r-text').fill('湖畔社区中心广场每天晚上九点以后还有广场舞，音响声音很大，影响老人孩子休息，希望街道协调。')
  await rp.locator('#r-address').fill('湖畔社区中心广场')
  await rp.locator('#r-name').fill('孔先生')
  await rp.locator('#r-phone').fill('13900007788')
  await rp.locator('[data-test=submit]').click()
  const number = (await rp.locator('[data-test=created-number]').innerText()).trim()
  assert.match(number, /^\d{13}$/, 'a request number')
  await rp.locator('[data-test=mine-item]').filter({ hasText: number }).waitFor()
  await shot(rp, artifacts, 'resident')

  // 2. The street's handler has the inbox open; the new work must arrive live.
  const street = await open(browser, base, 'street.handler', DEMO_PASSWORD)
  const sp = street.page
  await sp.waitForURL(/\/inbox$/)
  await sp.locator('[data-test=live]').waitFor()

  // 3. The operator finds it and dispatches it to the street.
  const operator = await open(browser, base, 'operator', DEMO_PASSWORD)
  const op = operator.page
  await op.waitForURL(/\/operator$/)
  // The console shows suggestions and the route while the operator types.
  await op.locator('#op-text').fill('望湖街道湖畔社区晚上广场舞噪音扰民')
  await op.locator('[data-test=op-suggestion]').first().waitFor()
  await shot(op, artifacts, 'operator')
  await op.keyboard.press('Escape')
  await op.goto(base + '/inbox')
  await op.locator('input[data-test=inbox-search], [data-test=inbox-search] input').first().fill(number)
  await op.keyboard.press('Enter')
  await op.locator('[data-test=inbox-link]').filter({ hasText: number }).click()
  await op.locator('[data-test=cmd-dispatch]').click()
  const dialog = op.locator('.el-dialog:visible')
  await choose(op, dialog.locator('.el-cascader input'), MATTER)
  await choose(op, dialog.locator('#d-unit'), STREET)
  await dialog.locator('#d-reason').fill('来电人所在街道')
  await dialogSubmit(op)
  await op.locator('[data-test=request-status]').filter({ hasText: '已派单' }).waitFor()
  const requestUrl = op.url()

  // 3b. A neighbour calls about the same noise: the console lists the request
  //     as a likely duplicate and the operator records the call into it (并入).
  await op.goto(base + '/operator')
  await op.locator('#op-text').fill('湖畔社区中心广场每天晚上九点以后还有广场舞，音响声音太大，影响老人孩子休息，希望街道协调一下。')
  await op.locator('#op-title').fill('湖畔社区广场舞音响太吵')
  await op.locator('#op-address').fill('湖畔社区中心广场')
  await op.locator('#op-phone').fill('13900006655')
  const duplicate = op.locator('[data-test=op-duplicate]').filter({ hasText: number })
  await duplicate.waitFor({ timeout: 15000 })
  await duplicate.locator('[data-test=op-merge]').click()
  await op.locator('[data-test=op-done]').filter({ hasText: '已合并' }).waitFor()
  await op.goto(requestUrl)
  await op.locator('[data-test=merged-call]').first().waitFor()

  // 4. It appears in the street's inbox without a reload; the street signs
  //    for it and summons the department (吹哨).
  await sp.locator('[data-test=inbox-link]').filter({ hasText: number }).waitFor({ timeout: 20000 })
  await shot(sp, artifacts, 'inbox')
  // The list's headers follow a switch of language, and back.
  await sp.getByRole('button', { name: 'English' }).click()
  await sp.locator('.el-table-v2__header-cell').filter({ hasText: 'Number' }).waitFor()
  await sp.getByRole('button', { name: '中文' }).click()
  await sp.locator('.el-table-v2__header-cell').filter({ hasText: '编号' }).waitFor()
  await sp.locator('[data-test=inbox-link]').filter({ hasText: number }).click()
  await sp.locator('[data-test=cmd-sign]').click()
  await sp.locator('[data-test=request-status]').filter({ hasText: '已签收' }).waitFor()
  await sp.locator('[data-test=cmd-summon]').click()
  await choose(sp, sp.locator('.el-dialog:visible [data-test=d-depts] input'), DEPARTMENT)
  await sp.keyboard.press('Escape') // close the dropdown, not the dialog
  await sp.locator('.el-dialog:visible #d-reason').fill('广场噪音需城管执法配合')
  await dialogSubmit(sp)
  await sp.locator('[data-test=summons]').filter({ hasText: DEPARTMENT }).waitFor()

  // 5. The department reports (报到).
  const dept = await open(browser, base, 'dept.handler', DEMO_PASSWORD)
  const dp = dept.page
  await dp.goto(requestUrl)
  await dp.locator('[data-test=cmd-report]').click()
  await dp.locator('.el-dialog:visible #d-text').fill('已派执法队员到场，约定音响音量和结束时间')
  await dialogSubmit(dp)
  await dp.locator('[data-test=summons]').filter({ hasText: '已报到' }).waitFor()

  // 6. The street replies.
  await sp.reload()
  await sp.locator('[data-test=cmd-reply]').click()
  await sp.locator('.el-dialog:visible #d-text').fill('经街道与城管协调，广场舞团队已同意晚上八点半前结束并降低音量，我们将持续巡查。')
  await dialogSubmit(sp)
  await sp.locator('[data-test=request-status]').filter({ hasText: '已答复' }).waitFor()
  await sp.locator('[data-test=timeline-item]').filter({ hasText: '报到' }).waitFor()
  await shot(sp, artifacts, 'request')

  // 7. The resident reads the reply and rates it (回访).
  await rp.reload()
  const mine = rp.locator('[data-test=mine-item]').filter({ hasText: number })
  await mine.locator('[data-test=reply]').waitFor()
  await mine.locator('[data-test=rate]').click()
  await mine.getByText('感谢您的评价').waitFor()

  // 8. The ranking moved: one more request dispatched to the street this month.
  await leader.page.reload()
  const after = await rankingRow(leader.page, STREET)
  assert.equal(after.dispatched, before.dispatched + 1, `ranking row ${after.cells.join(' | ')}`)
  await leader.page.locator('[data-test=grid-map] canvas').first().waitFor()
  await shot(leader.page, artifacts, 'dashboard', 1500)

  // Permission: another street's handler cannot open this request.
  const outsider = await findOtherStreetHandler(browser, base, adminPassword)
  outsider.state.expected = [403]
  await outsider.page.goto(requestUrl)
  const denied = outsider.page.locator('[data-test=error]').first()
  await denied.waitFor()
  assert.match(await denied.innerText(), /没有权限/)
  assert.equal(await outsider.page.locator('[data-test=request-number]').count(), 0)

  // Supervision and administration pages render their data.
  const sup = await open(browser, base, 'supervisor', DEMO_PASSWORD)
  await sup.page.waitForURL(/\/supervision$/)
  await sup.page.locator('.el-tabs__item').first().waitFor()
  await shot(sup.page, artifacts, 'supervision')
  // The supervisor sees how good the reply is; the street does not.
  await sup.page.goto(requestUrl)
  await sup.page.locator('[data-test=reply-quality]').waitFor()
  await shot(sup.page, artifacts, 'reply-quality')
  assert.equal(await sp.locator('[data-test=reply-quality]').count(), 0)
  const admin = await open(browser, base, 'admin', adminPassword)
  await admin.page.waitForURL(/\/admin$/)
  await admin.page.locator('[data-test=org-tree] .el-tree-node').first().waitFor()
  await shot(admin.page, artifacts, 'admin')
  // The administrator adds a handler to the street and shortens a matter's limit.
  const ap = admin.page
  await ap.locator('.el-tabs__item').filter({ hasText: '账号与角色' }).click()
  await ap.locator('[data-test=new-account]').click()
  const na = ap.locator('.el-dialog:visible')
  await na.locator('#na-username').fill('e2e.handler')
  await na.locator('#na-name').fill('新同事')
  await na.locator('#na-password').fill('e2e-handler-2026')
  await choose(ap, na.locator('#na-unit'), STREET)
  await na.locator('[data-test=na-submit]').click()
  await na.waitFor({ state: 'hidden' })
  await ap.locator('[data-test=accounts] .el-table__body tr').filter({ hasText: 'e2e.handler' }).filter({ hasText: STREET }).waitFor()
  await ap.locator('.el-tabs__item').filter({ hasText: '权责清单' }).click()
  await ap.locator('[data-test="limits-02-01-01"]').click()
  const lim = ap.locator('.el-dialog:visible')
  const finish = lim.locator('.el-input-number input').nth(1)
  await finish.fill('4')
  await finish.press('Tab')
  await lim.locator('[data-test=limits-save]').click()
  await lim.waitFor({ state: 'hidden' })
  await ap.locator('.el-table__body tr').filter({ hasText: MATTER }).filter({ hasText: '4个工作日' }).waitFor()
  await ap.locator('.el-tabs__item').filter({ hasText: '节假日日历' }).click()
  await admin.page.locator('[data-test=calendar] .el-table__body tr').filter({ hasText: '国庆节' }).first().waitFor()

  // A phone-sized screen: the resident's page still works.
  const phone = await open(browser, base, 'resident', DEMO_PASSWORD, { viewport: { width: 390, height: 844 } })
  await phone.page.locator('[data-test=mine-item]').first().waitFor()
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width} px wide)`)
  await shot(phone.page, artifacts, 'phone')

  noErrors(leader, resident, street, operator, dept, outsider, sup, admin, phone)
}

// A handler of some other street, found as the administrator sees accounts.
async function findOtherStreetHandler(browser, base, adminPassword) {
  const admin = await open(browser, base, 'admin', adminPassword)
  const answer = await admin.page.evaluate(async () => {
    const r = await fetch('/api/v1/accounts?q=.handler&limit=200')
    return r.json()
  })
  await admin.context.close()
  const handler = answer.items.find((a) =>
    a.memberships.some((m) => m.role === 'handler' && m.unit_name.endsWith('街道') && m.unit_name !== STREET),
  )
  assert.ok(handler, 'a handler of another street in the demo city')
  return open(browser, base, handler.username, DEMO_PASSWORD)
}
