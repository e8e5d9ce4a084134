// How times, deadlines and rates read on every page.
import { i18n } from './i18n'
import type { Req } from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const te = (key: string) => i18n.global.te(key)

// The city's own time (Beijing), whatever the browser's time zone.
const cityTime = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

export function time(iso: string | null | undefined): string {
  if (!iso) return '—'
  const parts = Object.fromEntries(cityTime.formatToParts(new Date(iso)).map((p) => [p.type, p.value]))
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}

// The current month in the city's time, as yyyy-mm.
export function cityMonth(d = new Date()): string {
  return time(d.toISOString()).slice(0, 7)
}

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%'
}

export type Badge = { label: string; type: 'danger' | 'warning' | 'success' | 'info' }

// The deadline that matters now: signing before the request is signed for,
// finishing after. The flags come from the server's timers.
export function deadlineBadge(r: Req): Badge {
  if (r.sign_late || r.finish_late) return { label: t('deadline.late'), type: 'danger' }
  if (r.warned) return { label: t('deadline.warned'), type: 'warning' }
  if (['closed', 'merged', 'replied', 'callback'].includes(r.status)) return { label: t('deadline.none'), type: 'info' }
  if (!r.sign_due && !r.finish_due) return { label: t('deadline.none'), type: 'info' }
  return { label: t('deadline.ok'), type: 'success' }
}

export function currentDue(r: Req): string | null {
  return r.status === 'dispatched' ? r.sign_due : r.finish_due
}

// The label of currentDue: 签收时限 before signing, 办结时限 after.
export function currentDueLabel(r: Req): string {
  return t(r.status === 'dispatched' ? 'field.sign_due' : 'field.finish_due')
}

export function statusType(s: string): 'danger' | 'warning' | 'success' | 'info' | 'primary' {
  switch (s) {
    case 'received':
      return 'warning'
    case 'dispatched':
    case 'signed':
    case 'handling':
      return 'primary'
    case 'replied':
    case 'callback':
      return 'success'
    default:
      return 'info'
  }
}

// What an event of the timeline was ("request.signed" → 签收).
export function actionLabel(action: string): string {
  const key = 'action.' + action.replace(/^request\./, '')
  return te(key) ? t(key) : action
}

// What the timeline says about an event, from its payload (see the server's
// requests/decide.cc for each action's payload), in the page's language.
export function describeEvent(action: string, payload: unknown): string {
  if (typeof payload === 'string') return payload
  const p = (payload ?? {}) as Record<string, unknown>
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : '')
  const parts: string[] = []
  const add = (text: string) => text && parts.push(text)
  const reason = () => str('reason') && add(t('event.reason', { reason: str('reason') }))
  switch (action.replace(/^request\./, '')) {
    case 'dispatched':
    case 'transferred':
      // The route's rule names the unit and why (按属地派至街道：望湖街道);
      // a unit chosen by hand is named, then the rule.
      if (str('rule') && str('unit_name') && str('rule').endsWith('：' + str('unit_name'))) add(routeRule(str('rule')))
      else {
        if (str('unit_name')) add(t('event.to_unit', { unit: str('unit_name') }))
        if (str('rule')) add(t('event.rule', { rule: routeRule(str('rule')) }))
      }
      reason()
      break
    case 'reopened':
      if (str('unit_name')) add(t('event.to_unit', { unit: str('unit_name') }))
      reason()
      break
    case 'replied': {
      const of = p.on_behalf_of as { name?: string } | undefined
      if (of?.name) add(t('event.on_behalf_of', { name: of.name }))
      add(str('reply'))
      if (p.late === true) add(t('event.late'))
      break
    }
    case 'signed':
      if (p.late === true) add(t('event.late'))
      break
    case 'progress':
      add(str('note'))
      break
    case 'return_requested':
    case 'return_rejected':
    case 'closed':
      reason()
      break
    case 'return_approved':
      if (str('returned_by')) add(t('event.returned_by', { unit: str('returned_by') }))
      reason()
      break
    case 'extension_requested':
      add(t('event.extension_requested', { days: p.days }))
      reason()
      break
    case 'extension_approved':
      add(t('event.extension_approved', { days: p.days, to: time(str('to')) }))
      break
    case 'extension_rejected':
      add(t('event.extension_rejected', { days: p.days }))
      reason()
      break
    case 'merged':
      add(t('event.merged', { number: str('parent_number') }))
      break
    case 'followed_parent':
      add(t('event.followed', { number: str('parent_number') }))
      break
    case 'callback':
      if (str('satisfaction')) add(t('satisfaction.' + str('satisfaction')))
      if (typeof p.resolved === 'boolean') add(t(p.resolved ? 'event.resolved' : 'event.unresolved'))
      break
    case 'summoned': {
      const deps = Array.isArray(p.departments) ? (p.departments as Record<string, unknown>[]) : []
      add(t('event.summoned', { departments: deps.map((d) => String(d.department_name ?? '')).join('、') }))
      const due = deps.find((d) => typeof d.report_due === 'string')?.report_due
      if (due) add(t('event.report_due', { at: time(String(due)) }))
      reason()
      break
    }
    case 'reported':
      add(t('event.reported', { department: str('department_name'), report: str('report') }))
      if (p.late === true) add(t('event.late'))
      break
    case 'report_overdue':
      add(t('event.report_overdue', { department: str('department_name') }))
      break
    case 'urged':
      add(t('event.urged', { reason: str('reason') }))
      break
    case 'deadline_warning':
      add(t(str('deadline') === 'sign' ? 'event.warning_sign' : 'event.warning_finish'))
      break
    case 'imported':
      if (typeof p.rows === 'number') add(t('event.imported', { n: p.rows }))
      break
    default:
      if (str('unit_name')) add(t('event.to_unit', { unit: str('unit_name') }))
      add(str('reply'))
  }
  return parts.join(' · ')
}

// The routing rule (requests/routing.cc writes it in Chinese, in a few fixed
// forms) in the page's language.
const rules: [RegExp, string][] = [
  [/^按网格属地派至社区：(.+)$/, 'route_rule.community_grid'],
  [/^按属地派至社区：(.+)$/, 'route_rule.community'],
  [/^按属地派至街道：(.+)$/, 'route_rule.street'],
  [/^按属地派至乡镇：(.+)$/, 'route_rule.township'],
  [/^按属地派至所在区的部门：(.+)$/, 'route_rule.district_department'],
  [/^事项指定市级部门：(.+)$/, 'route_rule.city_department'],
  [/^人工改派 \(computed: (.+)\)$/, 'route_rule.override'],
  [/^人工指定$/, 'route_rule.manual'],
]
export function routeRule(rule: string): string {
  for (const [re, key] of rules) {
    const m = re.exec(rule)
    if (m) return t(key, { unit: m[1] ?? '' })
  }
  return rule
}

// Why the preview has no route: the server writes "中文 — English" or
// "中文 (English)"; the part in the page's language, else nothing.
export function routeProblem(problem: string | null | undefined): string {
  if (!problem) return ''
  const dash = problem.split(' — ')
  const paren = /^(.+?) \((.+)\)$/.exec(problem)
  const [zh, en] = dash.length === 2 ? dash : paren ? [paren[1], paren[2]] : ['', '']
  return (i18n.global.locale.value === 'en' ? en : zh) || ''
}

// A time limit ({amount, unit}) in words: "5 个工作日".
export function limitText(l: unknown): string {
  if (!l || typeof l !== 'object') return '—'
  const { amount, unit } = l as { amount: number; unit: string }
  const key = 'limit_unit.' + unit
  return te(key) ? t(key, { n: amount }) : `${amount} ${unit}`
}

// A name the server gives as a code (a role, a unit kind, a handler level).
export function codeName(group: 'role' | 'unit_kind' | 'handler_level', code: string | null | undefined): string {
  if (!code) return '—'
  const key = `${group}.${code}`
  return te(key) ? t(key) : code
}

// Text that goes into an HTML string (an ECharts tooltip formatter returns
// HTML): every server string passes through here, so a unit named
// `<img onerror=…>` shows as those characters and runs nothing.
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

// The time left to a deadline in words: "剩 3 小时", "超时 2 天".
// Hours under two days, days beyond; under an hour, minutes.
export function countdown(iso: string | null | undefined, now = Date.now()): { text: string; late: boolean } | null {
  if (!iso) return null
  const ms = new Date(iso).getTime() - now
  const late = ms < 0
  const minutes = Math.floor(Math.abs(ms) / 60000)
  const n = minutes < 60 ? minutes : minutes < 48 * 60 ? Math.floor(minutes / 60) : Math.floor(minutes / 1440)
  const unit = minutes < 60 ? 'minutes' : minutes < 48 * 60 ? 'hours' : 'days'
  return { text: t(`countdown.${late ? 'late' : 'left'}_${unit}`, { n }), late }
}

// How long a token waited at a step (等待时长), short: "0.4 秒", "45 秒", "3.5 小时", "2.1 天".
export function waitText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  const s = ms / 1000
  const [n, unit] =
    s < 60 ? [s, 'seconds'] : s < 3600 ? [s / 60, 'minutes'] : s < 48 * 3600 ? [s / 3600, 'hours'] : [s / 86400, 'days']
  const shown = n > 0 && n < 10 ? String(Number(n.toFixed(1))) : String(Math.round(n))
  return t(`wait.${unit}`, { n: shown })
}
