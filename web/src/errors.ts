// What an error says to the person in front of the page, in the page's
// language. The server's error has a stable code, and may name the request
// field it concerns and a stable reason ("empty", "too_short", …); the words
// come from the message files, never from the server's English message,
// which stays a detail (a tooltip) for whoever needs it. Every page shows
// errors through ErrorText, which calls explain().
import { ApiError } from './api'
import { i18n } from './i18n'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const te = (key: string) => i18n.global.te(key)

// A form's own words for the fields it sends, e.g. {text: '办理进展'}; they
// win over the general labels below.
export type FieldLabels = Record<string, string>

// The general label of each request field the server may name.
const fieldKeys: Record<string, string> = {
  text: 'field.text',
  title: 'field.title',
  reason: 'field.reason',
  note: 'arg_text.handle',
  report: 'arg_text.report',
  password: 'login.password',
  username: 'login.username',
  display_name: 'admin.display_name',
  name: 'field.contact',
  phone: 'field.phone',
  address: 'field.address',
  parent_id: 'field.parent_number',
  merge_into: 'field.parent_number',
  days: 'field.days',
  unit_id: 'field.unit',
  matter_id: 'field.matter',
  department_ids: 'field.departments',
  summons_id: 'field.summons',
  resolved: 'field.resolved',
  satisfaction: 'field.satisfaction',
  attachment_ids: 'field.photos',
  role: 'admin.roles',
  sign_limit: 'admin.sign_limit',
  finish_limit: 'admin.finish_limit',
}

const codes = [
  'invalid_argument',
  'not_found',
  'conflict',
  'permission_denied',
  'unauthenticated',
  'too_large',
  'too_many_requests',
  'unavailable',
  'internal',
  'method_not_allowed',
  'invalid_bpmn',
]

function codeOf(e: ApiError): string {
  if (codes.includes(e.code)) return e.code
  if (e.status === 400 || e.status === 422) return 'invalid_argument'
  if (e.status === 401) return 'unauthenticated'
  if (e.status === 403) return 'permission_denied'
  if (e.status === 404) return 'not_found'
  if (e.status === 405) return 'method_not_allowed'
  if (e.status === 409 || e.status === 412) return 'conflict'
  if (e.status === 413) return 'too_large'
  if (e.status === 429) return 'too_many_requests'
  if (e.status === 503) return 'unavailable'
  if (e.status >= 500) return 'internal'
  return 'other'
}

// The field, as the server named it ("place.address" → "address"); older
// messages name it only in quotes ("'text' must not be empty").
function fieldOf(e: ApiError): string {
  const named = e.field || /'([a-z_]+(?:\.[a-z_]+)*)'/.exec(e.message)?.[1] || ''
  return named
}

export function fieldLabel(field: string, labels: FieldLabels = {}): string {
  if (labels[field]) return labels[field]
  const last = field.split('.').pop() ?? field
  if (labels[last]) return labels[last]
  const key = fieldKeys[field] ?? fieldKeys[last]
  return key ? t(key) : t('error.some_field')
}

export interface Explained {
  text: string // what to show
  detail: string // the server's own message, for a tooltip
  code: string
  field: string
}

export function explain(e: unknown, labels: FieldLabels = {}): Explained {
  if (!(e instanceof ApiError)) {
    const detail = e instanceof Error ? e.message : String(e)
    return { text: t('error.code.other'), detail, code: 'other', field: '' }
  }
  if (e.status === 0) return { text: t('error.network'), detail: '', code: 'network', field: '' }
  const code = codeOf(e)
  const field = code === 'invalid_argument' || e.reason ? fieldOf(e) : e.field
  const label = fieldLabel(field, labels)
  let text: string
  if (field === 'password' && e.reason === 'too_short') text = t('error.password_too_short')
  else if (e.reason && te('error.reason.' + e.reason)) text = t('error.reason.' + e.reason, { field: label })
  else if (field && code === 'invalid_argument') text = t('error.field_invalid', { field: label })
  else text = t('error.code.' + code)
  return { text, detail: e.message, code, field }
}

export function errorText(e: unknown, labels: FieldLabels = {}): string {
  return explain(e, labels).text
}
