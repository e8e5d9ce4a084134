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

// 定义一件事 (administrators): a service's definition as POST /api/v1/services
// takes it, the same as data/services/*.json.
export type Definition = Record<string, unknown>

// What the server sends with a service that is not part of its definition.
const extras = ['id', 'version', 'applications', 'definition']
// Keys the notice (GET /api/v1/services/{code}) leaves out: the holder's
// field, the certificates' prefixes and the fields' prefills; filled with
// empty values here, listed so the administrator completes them.
export function definitionOf(detail: Record<string, unknown>): { definition: Definition; missing: string[] } {
  if (detail.definition && typeof detail.definition === 'object')
    return { definition: detail.definition as Definition, missing: [] }
  const missing: string[] = []
  const d: Definition = {}
  for (const [k, v] of Object.entries(detail)) if (!extras.includes(k)) d[k] = v
  if (!('holder_field' in d)) {
    d.holder_field = ''
    missing.push('holder_field')
  }
  const parts = Array.isArray(d.parts) ? (d.parts as Record<string, unknown>[]) : []
  d.parts = parts.map((p, i) => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(p)) if (k !== 'unit_name') out[k] = v ?? ''
    if (!('certificate_prefix' in out)) {
      out.certificate_prefix = ''
      if (out.certificate) missing.push(`parts[${i}].certificate_prefix`)
    }
    return out
  })
  const fields = Array.isArray(d.fields) ? (d.fields as Record<string, unknown>[]) : []
  let noPrefill = false
  d.fields = fields.map((f) => {
    if ('prefill' in f) return f
    noPrefill = true
    return { ...f, prefill: '' }
  })
  if (noPrefill) missing.push('fields[].prefill')
  // The order of data/services/*.json: the service, then its lists.
  const sorted = ordered(d, ['code', 'title', 'title_en', 'summary', 'summary_en', 'audience', 'process_id', 'promised_days', 'holder_field', 'conditions', 'fees', 'materials', 'fields', 'parts'])
  const each = (key: string, order: string[]) => {
    if (Array.isArray(sorted[key])) sorted[key] = (sorted[key] as Definition[]).map((x) => ordered(x, order))
  }
  each('materials', ['key', 'name', 'name_en', 'required', 'note', 'note_en', 'parts'])
  each('fields', ['key', 'label', 'label_en', 'type', 'required', 'parts', 'hint', 'hint_en', 'options', 'max_length', 'prefill'])
  each('parts', ['key', 'title', 'title_en', 'unit_code', 'promised_days', 'certificate', 'certificate_en', 'certificate_prefix'])
  return { definition: sorted, missing }
}
function ordered(x: Definition, order: string[]): Definition {
  const out: Definition = {}
  for (const k of order) if (k in x) out[k] = x[k]
  for (const [k, v] of Object.entries(x)) if (!(k in out)) out[k] = v
  return out
}

// The user tasks of a deployed process (its BPMN): id, name, and the unit
// of the first candidate group ("JL-D09" of "JL-D09:handler").
export function userTasks(xml: string): { id: string; name: string; unit: string }[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  return [...doc.getElementsByTagNameNS('*', 'userTask')].map((task) => {
    const assignment = task.getElementsByTagNameNS('*', 'assignmentDefinition')[0]
    const first = (assignment?.getAttribute('candidateGroups') ?? '').split(',')[0].trim()
    return { id: task.getAttribute('id') ?? '', name: task.getAttribute('name') ?? '', unit: first.split(':')[0] }
  })
}

// A new service's skeleton from a deployed process: one part per user task,
// one required text field; the rest for the administrator to write.
export function skeleton(processId: string, name: string, xml: string): Definition {
  const tasks = userTasks(xml)
  const keys = tasks.map((task) => task.id)
  return {
    code: processId.toLowerCase().replace(/[^a-z0-9_-]/g, '-'),
    title: name || processId,
    title_en: '',
    summary: '',
    summary_en: '',
    audience: 'person',
    process_id: processId,
    promised_days: 5,
    holder_field: 'name',
    conditions: [],
    fees: [],
    materials: [],
    fields: [
      { key: 'name', label: '姓名', label_en: 'Name', type: 'text', required: true, parts: keys, hint: '', hint_en: '' },
    ],
    parts: tasks.map((task) => ({
      key: task.id,
      title: task.name || task.id,
      title_en: '',
      unit_code: task.unit,
      promised_days: 5,
      certificate: '',
      certificate_en: '',
      certificate_prefix: '',
    })),
  }
}

// JSON written two spaces deep, as JSON.stringify(v, null, 2) writes it, with
// where each value stands in the text by its path ("parts[0].key"), so the
// field a refused definition names can be selected in the editor.
export function prettyJson(value: unknown): { text: string; spans: Map<string, [number, number]> } {
  const spans = new Map<string, [number, number]>()
  let text = ''
  const write = (v: unknown, path: string, indent: string) => {
    const start = text.length
    if (Array.isArray(v) && v.length) {
      text += '['
      v.forEach((item, i) => {
        text += (i ? ',' : '') + '\n' + indent + '  '
        write(item, `${path}[${i}]`, indent + '  ')
      })
      text += '\n' + indent + ']'
    } else if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      text += '{'
      Object.entries(v as Record<string, unknown>).forEach(([k, item], i) => {
        text += (i ? ',' : '') + '\n' + indent + '  ' + JSON.stringify(k) + ': '
        write(item, path ? `${path}.${k}` : k, indent + '  ')
      })
      text += '\n' + indent + '}'
    } else text += JSON.stringify(v ?? null)
    if (path) spans.set(path, [start, text.length])
  }
  write(value, '', '')
  return { text, spans }
}
