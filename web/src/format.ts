// How times, deadlines and rates read on every page.
import { ApiError } from './api'
import { i18n } from './i18n'
import type { Req } from './types'

const t = (k: string) => i18n.global.t(k)

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

// The server's message is already written for people; prefix the kind.
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('common.network')
    if (e.status === 403) return t('error.forbidden') + e.message
    if (e.status === 404) return t('error.not_found') + e.message
    if (e.status === 409 || e.status === 412) return t('error.conflict') + e.message
    return e.message
  }
  return e instanceof Error ? e.message : String(e)
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

const actionsZh: Record<string, [string, string]> = {
  'request.received': ['受理', 'Received'],
  'request.dispatched': ['派单', 'Dispatched'],
  'request.signed': ['签收', 'Signed for'],
  'request.sign': ['签收', 'Signed for'],
  'request.handle': ['开始办理', 'Handling started'],
  'request.progress': ['办理中', 'In progress'],
  'request.replied': ['答复', 'Replied'],
  'request.reply': ['答复', 'Replied'],
  'request.callback': ['回访', 'Callback'],
  'request.closed': ['办结', 'Closed'],
  'request.close': ['办结', 'Closed'],
  'request.reopened': ['重办', 'Reopened'],
  'request.return_requested': ['申请退单', 'Return requested'],
  'request.return_approved': ['同意退单', 'Return approved'],
  'request.return_rejected': ['驳回退单', 'Return rejected'],
  'request.transferred': ['转办', 'Transferred'],
  'request.extension_requested': ['申请延期', 'Extension requested'],
  'request.extension_approved': ['同意延期', 'Extension approved'],
  'request.extension_rejected': ['驳回延期', 'Extension rejected'],
  'request.merged': ['合并', 'Merged'],
  'request.followed_parent': ['随主件办理', 'Followed its main request'],
  'request.summoned': ['吹哨', 'Departments summoned'],
  'request.reported': ['报到', 'Department reported'],
  'request.report_overdue': ['报到超期', 'Report overdue'],
  'request.urged': ['催办', 'Urged'],
  'request.deadline_warning': ['临期预警', 'Deadline warning'],
  'request.overdue': ['超期', 'Overdue'],
  'request.sign_overdue': ['签收超期', 'Sign-for overdue'],
  'request.contact_revealed': ['查看联系方式', 'Contact revealed'],
  'request.imported': ['导入', 'Imported'],
}

export function actionLabel(action: string): string {
  const pair = actionsZh[action]
  if (!pair) return action
  return i18n.global.locale.value === 'en' ? pair[1] : pair[0]
}

// Text that goes into an HTML string (an ECharts tooltip formatter returns
// HTML): every server string passes through here, so a unit named
// `<img onerror=…>` shows as those characters and runs nothing.
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
