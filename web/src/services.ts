// 一件事 (高效办成一件事): what the services pages share — the server's
// two-language texts in the page's language, the one form's rules from its
// fields, status colours, uploads of materials and the timeline's words.
// The rules repeat the server's checks so a person sees a mistake as they
// type; the server checks again and decides.
import type { FormItemRule } from 'element-plus'
import { i18n } from './i18n'
import { ApiError, post } from './api'
import { explain, type FieldLabels } from './errors'
import { check, chosen, isDate, isIdNumber, isUscc, maxChars, mobilePattern, required } from './rules'
import type { Application, ApplicationEvent, ApplicationStatus, PartStatus, ServiceDetail, ServiceField } from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const te = (key: string) => i18n.global.te(key)

// The server's own words in the page's language: the English when the page
// is in English and the server has it, else the Chinese.
export function bi(zh: string | null | undefined, en: string | null | undefined): string {
  return (i18n.global.locale.value === 'en' && en ? en : zh) ?? ''
}

export const fieldName = (f: ServiceField) => bi(f.label, f.label_en)

// The rules of one field of the form, from its type.
export function fieldRules(f: ServiceField): FormItemRule[] {
  const label = fieldName(f)
  const out: FormItemRule[] = []
  const texty = ['text', 'textarea', 'id_number', 'uscc', 'phone', 'date'].includes(f.type)
  if (f.required) out.push(texty ? required(label, f.type === 'date') : chosen(label, f.type !== 'number'))
  if (f.max_length && (f.type === 'text' || f.type === 'textarea')) out.push(maxChars(label, f.max_length))
  switch (f.type) {
    case 'id_number':
      out.push(check(t('svc.validate.id_number'), isIdNumber))
      break
    case 'uscc':
      out.push(check(t('svc.validate.uscc'), isUscc))
      break
    case 'phone':
      out.push(check(t('svc.validate.phone'), (v) => mobilePattern.test(v)))
      break
    case 'date':
      out.push(check(t('svc.validate.date'), isDate))
      break
  }
  return out
}

// The value a field starts with when nothing is prefilled.
export function blankValue(f: ServiceField): string | number | boolean | null {
  return ['number', 'boolean', 'choice'].includes(f.type) ? null : ''
}

// A value as the form shows it read-only (an answer already sent).
export function valueText(f: ServiceField | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (!f) return String(v)
  if (f.type === 'boolean') return t(v ? 'common.yes' : 'common.no')
  if (f.type === 'choice') {
    const o = f.options?.find((x) => x.value === v)
    return o ? bi(o.label, o.label_en) : String(v)
  }
  return String(v)
}

// What the form sends: text trimmed, empty values left out.
export function formBody(fields: ServiceField[], values: Record<string, unknown>, only?: string[]) {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (only && !only.includes(f.key)) continue
    let v = values[f.key]
    if (typeof v === 'string') v = v.trim()
    if (v === '' || v === null || v === undefined) continue
    out[f.key] = v
  }
  return out
}

export function appStatusType(s: ApplicationStatus): 'primary' | 'warning' | 'success' | 'info' {
  return s === 'completed' ? 'success' : s === 'correction' ? 'warning' : s === 'in_progress' ? 'primary' : 'info'
}

export function partStatusType(s: PartStatus): 'primary' | 'warning' | 'success' | 'info' | 'danger' {
  switch (s) {
    case 'in_review':
      return 'primary'
    case 'correction':
      return 'warning'
    case 'approved':
      return 'success'
    case 'rejected':
      return 'danger'
    default:
      return 'info'
  }
}

// The status an applicant reads: 已办结 with its outcome once completed.
export function appStatusText(a: { status: ApplicationStatus; outcome: Application['outcome'] }): string {
  const s = t('svc.app_status.' + a.status)
  return a.status === 'completed' && a.outcome ? `${s}（${t('svc.outcome.' + a.outcome)}）` : s
}

// Yuan from fen: 0 is 免费.
export function fee(fen: number): string {
  return fen === 0 ? t('svc.free') : t('svc.yuan', { n: (fen / 100).toFixed(2).replace(/\.00$/, '') })
}

// What a field or a material key of a service is called (补正 items).
export function itemName(service: ServiceDetail | null, key: string): string {
  const f = service?.fields.find((x) => x.key === key)
  if (f) return fieldName(f)
  const m = service?.materials.find((x) => x.key === key)
  return m ? bi(m.name, m.name_en) : key
}

// A timeline event in words: the kind, the part's title, who, the detail.
export function eventLabel(kind: string): string {
  return te('svc.event.' + kind) ? t('svc.event.' + kind) : kind
}
// The detail in the page's words where the server gives a code: the outcome
// of 办结, the score of 评价; otherwise its own text (a reason, a number).
export function eventDetail(e: ApplicationEvent): string {
  const d = e.detail ?? ''
  if (e.kind === 'completed' && te('svc.outcome.' + d)) return t('svc.outcome.' + d)
  if (e.kind === 'rated' && te('svc.score.' + d)) return t('svc.score.' + d)
  return d
}
export function eventPart(app: Application, e: ApplicationEvent): string {
  const p = e.part ? app.parts.find((x) => x.key === e.part) : null
  return p ? bi(p.title, p.title_en) : ''
}

// Materials go up as raw bytes (photos and PDF), one by one, to the upload
// route requests' photos use; the answer's id is what the application lists.
export const uploadPath = '/api/v1/attachments'
export async function uploadMaterial(file: File): Promise<string> {
  const info = await post<{ id: string }>(uploadPath, file, { raw: true, contentType: file.type || 'application/octet-stream' })
  return info.id
}
export const materialTypes = 'image/jpeg,image/png,image/webp,image/heic,application/pdf'

export const goodReasons = ['fast', 'once', 'clear', 'friendly']
export const badReasons = ['slow', 'repeated', 'unclear', 'attitude']

// The labels of a service's form as the server names its fields
// ("form.<key>", "materials.<key>").
export function formLabels(service: ServiceDetail): FieldLabels {
  const out: FieldLabels = {}
  for (const f of service.fields) out['form.' + f.key] = fieldName(f)
  for (const m of service.materials) out['materials.' + m.key] = bi(m.name, m.name_en)
  return out
}

// A refused form: every bad field the server listed (details), in the page's
// words, by the field's path ("form.<key>", "materials.<key>"); the first
// alone when it lists none. A value the server finds invalid is said as the
// field's own rule says it (the check character of an ID number, …).
export function fieldErrors(e: unknown, service: ServiceDetail): Record<string, string> {
  if (!(e instanceof ApiError) || e.status !== 400) return {}
  const labels = formLabels(service)
  const out: Record<string, string> = {}
  const details = e.details.length ? e.details : [{ field: e.field, reason: e.reason, message: e.message }]
  for (const d of details) {
    const item = (d ?? {}) as { field?: string; reason?: string; message?: string }
    if (!item.field || out[item.field]) continue
    const reason = item.reason ?? ''
    const field = service.fields.find((f) => 'form.' + f.key === item.field)
    const label = labels[item.field] ?? item.field
    if (reason === 'invalid' && field && te('svc.validate.' + field.type)) out[item.field] = t('svc.validate.' + field.type)
    else if (te('svc.reason.' + reason)) out[item.field] = t('svc.reason.' + reason, { field: label })
    else out[item.field] = explain(new ApiError(400, 'invalid_argument', item.message ?? '', item.field, reason), labels).text
  }
  return out
}
