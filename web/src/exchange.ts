// 数据按需共享: what the data pages share — the badges of grades, share
// attributes and request statuses, quality figures in percent, whose data a
// person looks after, the purpose code's rule, and a refused import's
// problems in the page's words. The server decides every permission again;
// these only choose what a page offers.
import type { FormItemRule } from 'element-plus'
import { i18n } from './i18n'
import { ApiError, get } from './api'
import { hasRole, session } from './session'
import type { AccessStatus, DataField, DataResourceDetail, Grade, Membership, QualityScores, Role, ShareAttribute } from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const te = (key: string) => i18n.global.te(key)

export const grades: Grade[] = ['general', 'important', 'core']
export const shares: ShareAttribute[] = ['unconditional', 'conditional', 'none']
export const accessStatuses: AccessStatus[] = ['pending', 'awaiting_second', 'approved', 'rejected']
// The five scores of a quality run, in the order the scorecards list them.
export const qualityKeys = ['completeness', 'validity', 'uniqueness', 'timeliness', 'consistency'] as const

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export function gradeType(g: Grade): TagType {
  return g === 'core' ? 'danger' : g === 'important' ? 'warning' : 'info'
}
export function shareType(s: ShareAttribute): TagType {
  return s === 'unconditional' ? 'success' : s === 'conditional' ? 'warning' : 'info'
}
export function accessStatusType(s: AccessStatus): TagType {
  switch (s) {
    case 'pending':
      return 'warning'
    case 'awaiting_second':
      return 'primary'
    case 'approved':
      return 'success'
    default:
      return 'danger'
  }
}

// A score (0–1) as a percent: 0.953 → "95.3%"; none yet → "—".
export function score(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`
}
export const overall = (s: QualityScores | null | undefined) => score(s?.overall)

// A field by its name, as the resource titles it ("name" → 姓名).
export function fieldTitle(fields: DataField[] | undefined, name: string): string {
  return fields?.find((f) => f.name === name)?.title ?? name
}

// A resource's detail, asked once per page load, for the Chinese names of
// the fields requests and grants list by name; null when it cannot be read.
const details = new Map<string, Promise<DataResourceDetail | null>>()
export function resourceDetail(id: string): Promise<DataResourceDetail | null> {
  let p = details.get(id)
  if (!p) {
    p = get<DataResourceDetail>(`/api/v1/exchange/resources/${encodeURIComponent(id)}`).catch(() => {
      details.delete(id)
      return null
    })
    details.set(id, p)
  }
  return p
}
// The fields of several resources at once, by resource id.
export async function fieldsOf(ids: string[]): Promise<Record<string, DataField[]>> {
  const unique = [...new Set(ids)]
  const found = await Promise.all(unique.map((id) => resourceDetail(id)))
  return Object.fromEntries(unique.map((id, i) => [id, found[i]?.fields ?? []]))
}

// The units where the signed-in person holds one of these roles, once each.
export function unitsWith(...roles: Role[]): Membership[] {
  const out = new Map<string, Membership>()
  for (const m of session.me?.memberships ?? []) if (roles.includes(m.role) && !out.has(m.unit_id)) out.set(m.unit_id, m)
  return [...out.values()]
}

// Who looks after a unit's data: its data officers (首席数据官) and the
// platform's administrators (the server's MayPublish).
export function keepsDataOf(unitId: string): boolean {
  return hasRole('admin') || unitsWith('data_officer').some((m) => m.unit_id === unitId)
}
// Who may ask for another unit's data for their own (kDataRequest).
export const mayRequest = () => hasRole('data_officer', 'unit_lead')
// Who may query the gateway under their unit's grants (kDataQuery).
export const mayQuery = () => hasRole('handler', 'unit_lead', 'operator', 'data_officer')

// The purpose code is sent as the gateway's X-Purpose header: 2–64 of a-z 0-9 . _ -
export const purposePattern = /^[a-z0-9._-]{2,64}$/
export function purposeRule(): FormItemRule {
  return { pattern: purposePattern, message: t('data.validate.purpose_code'), trigger: ['blur', 'change'] }
}
// How long a grant may last (access.h kMaxPeriodDays).
export const maxPeriodDays = 3 * 366

// A refused CSV import: one problem per bad row and column, as the server
// listed them in error.details ({field: "line 3 name", reason, message}).
export interface ImportProblemRow {
  where: string
  reason: string
  message: string
}
export function importProblems(e: unknown): ImportProblemRow[] {
  if (!(e instanceof ApiError) || e.reason !== 'import_refused') return []
  return e.details.map((d) => {
    const item = (d ?? {}) as { field?: string; reason?: string; message?: string }
    const m = /^line (\d+)(?: (.+))?$/.exec(item.field ?? '')
    const where = m ? (m[2] ? t('data.import.at_column', { line: m[1], column: m[2] }) : t('data.import.at_line', { line: m[1] })) : item.field ?? ''
    return { where, reason: problemReason(item.reason ?? ''), message: item.message ?? '' }
  })
}
export function problemReason(reason: string): string {
  return te('data.problem.' + reason) ? t('data.problem.' + reason) : reason
}
