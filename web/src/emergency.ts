// What the 预警 and 应急 pages share: typed calls of the emergency API
// (src/http/warning_handlers.cc, incident_handlers.cc,
// crowd_report_handlers.cc), the words for levels, kinds and states, and
// the public report's own sending (no session; the Retry-After of a 429).
import { ApiError, call, get, post, query } from './api'
import { i18n } from './i18n'
import type {
  Commitment,
  CrowdReport,
  CrowdReportPage,
  CrowdReportReceipt,
  EmResource,
  EmergencyIncident,
  EscalatedWarning,
  IncidentDetail,
  IncidentMap,
  IncidentType,
  Need,
  NeedKind,
  NeedsBoard,
  PublicCrowdReport,
  ReportState,
  ResourceKind,
  ResourceMatch,
  SituationRound,
  Warning,
  WarningDetail,
  WarningRule,
  WarningStatus,
  EmReserve,
} from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)

export const incidentTypes: IncidentType[] = [
  'waterlogging',
  'fire',
  'gas_leak',
  'water_outage',
  'road_collapse',
  'public_health',
  'other',
]
export const levels = [1, 2, 3, 4] as const
export const roman = ['', 'I', 'II', 'III', 'IV']
export const needKinds: NeedKind[] = ['rescue', 'supplies', 'medical', 'evacuation']
export const resourceKinds: ResourceKind[] = ['warehouse', 'vehicle', 'team', 'volunteers', 'shelter']
export const reportStates: ReportState[] = ['unverified', 'verified', 'duplicate', 'false']
export const warningStatuses: WarningStatus[] = ['open', 'quiet', 'escalated', 'dismissed']

// "IV级（一般）" / "Level IV (ordinary)".
export function levelLabel(level: number): string {
  return t('em.level_label', { roman: roman[level] ?? String(level), word: t('em.level.' + level) })
}
export function levelType(level: number): 'danger' | 'warning' | 'primary' | 'info' {
  return level === 1 ? 'danger' : level === 2 ? 'warning' : level === 3 ? 'primary' : 'info'
}
export function warningStatusType(s: string): 'danger' | 'warning' | 'success' | 'info' {
  return s === 'open' ? 'danger' : s === 'quiet' ? 'warning' : s === 'escalated' ? 'success' : 'info'
}
export function reportStateType(s: string): 'warning' | 'success' | 'info' | 'danger' {
  return s === 'verified' ? 'success' : s === 'unverified' ? 'warning' : s === 'false' ? 'danger' : 'info'
}
export function coverageType(s: string): 'danger' | 'warning' | 'primary' | 'success' {
  return s === 'open' ? 'danger' : s === 'partial' ? 'warning' : s === 'committed' ? 'primary' : 'success'
}
// Priority 1 (most urgent) … 4, as needs count it.
export function priorityType(p: number): 'danger' | 'warning' | 'primary' | 'info' {
  return p <= 1 ? 'danger' : p === 2 ? 'warning' : p === 3 ? 'primary' : 'info'
}

// The fields of the emergency API in the page's words (ErrorText labels).
export function emLabels(): Record<string, string> {
  return {
    title: t('em.f.title'),
    type: t('em.f.type'),
    level: t('em.f.level'),
    reason: t('em.f.reason'),
    summary: t('em.f.summary'),
    note: t('em.f.note'),
    kind: t('em.f.kind'),
    quantity: t('em.f.quantity'),
    priority: t('em.f.priority'),
    place: t('em.f.place'),
    address: t('em.f.place'),
    name: t('em.f.name'),
    unit_label: t('em.f.unit_label'),
    contact_phone: t('em.f.phone'),
    phone: t('em.f.phone'),
    text: t('em.f.text'),
    count: t('em.f.count'),
    need_id: t('em.f.need'),
    resource_id: t('em.f.resource'),
    reserve_id: t('em.reserve_pick'),
    category: t('em.f.category'),
    threshold: t('em.f.threshold'),
    window_hours: t('em.f.window_hours'),
    street_id: t('em.f.street'),
    location: t('em.f.location'),
    lat: t('em.f.location'),
    lng: t('em.f.location'),
  }
}

const enc = encodeURIComponent
const inc = (id: string) => `/api/v1/incidents/${enc(id)}`

// 预警
export const listWarnings = (status?: string) =>
  get<{ items: Warning[] }>('/api/v1/warnings' + query({ status, limit: 200 })).then((a) => a.items)
export const getWarning = (id: string) => get<WarningDetail>(`/api/v1/warnings/${enc(id)}`)
export const escalateWarning = (id: string, body: { type?: string; level?: number; title?: string; unit_id?: string }) =>
  post<EscalatedWarning>(`/api/v1/warnings/${enc(id)}/escalate`, body)
export const dismissWarning = (id: string, note: string) =>
  post<Warning>(`/api/v1/warnings/${enc(id)}/dismiss`, { note })
export const listRules = () => get<{ items: WarningRule[] }>('/api/v1/warning-rules').then((a) => a.items)
export interface RuleInput {
  category: string
  street_id: string | null
  threshold: number
  window_hours: number
  enabled: boolean
}
export const addRule = (r: RuleInput) => post<WarningRule>('/api/v1/warning-rules', r)
export const changeRule = (id: string, r: RuleInput) => call<WarningRule>('PUT', `/api/v1/warning-rules/${enc(id)}`, r)
export const deleteRule = (id: string) => call<void>('DELETE', `/api/v1/warning-rules/${enc(id)}`)

// 应急事件
export const listIncidents = (status?: string) =>
  get<{ items: EmergencyIncident[] }>('/api/v1/incidents' + query({ status, limit: 200 })).then((a) => a.items)
export const getIncident = (id: string) => get<IncidentDetail>(inc(id))
export const changeLevel = (id: string, level: number, reason: string) =>
  post<EmergencyIncident>(inc(id) + '/level', { level, reason })
export const closeIncident = (id: string, summary: string) => post<EmergencyIncident>(inc(id) + '/close', { summary })
export const ensureForce = (id: string) => post<EmergencyIncident>(inc(id) + '/force')
export const askSituationReports = (id: string) => post<SituationRound>(inc(id) + '/situation-reports')
export const getMap = (id: string) => get<IncidentMap>(inc(id) + '/map')
export const getNeeds = (id: string) => get<NeedsBoard>(inc(id) + '/needs')
export const addNeed = (id: string, body: Record<string, unknown>) => post<Need>(inc(id) + '/needs', body)
export const getResources = (id: string) => get<{ items: EmResource[] }>(inc(id) + '/resources').then((a) => a.items)
export const addResource = (id: string, body: Record<string, unknown>) => post<EmResource>(inc(id) + '/resources', body)
export const getMatches = (id: string, needId: string) =>
  get<{ items: ResourceMatch[] }>(`${inc(id)}/needs/${enc(needId)}/matches`).then((a) => a.items)
export const commit = (id: string, body: { need_id: string; resource_id: string; quantity?: number; note?: string }, key: string) =>
  post<Commitment>(inc(id) + '/commitments', body, { idempotencyKey: key })
export const settleCommitment = (id: string, cid: string, verb: 'deliver' | 'cancel') =>
  post<Commitment>(`${inc(id)}/commitments/${enc(cid)}/${verb}`)
// 储备: the units' standing reserves, lent to an incident (given back at its close)
export const listReserves = (kind?: string) =>
  get<{ items: EmReserve[] }>('/api/v1/reserves' + query({ kind })).then((a) => a.items)
export const addReserve = (body: Record<string, unknown>) => post<EmResource>('/api/v1/reserves', body)
export const changeReserve = (id: string, quantity: number, available: boolean) =>
  call<EmResource>('PUT', `/api/v1/reserves/${enc(id)}`, { quantity, available })
export const deployReserve = (id: string, reserveId: string, quantity: number) =>
  post<EmResource>(inc(id) + '/resources/deploy', { reserve_id: reserveId, quantity })
export const listReports = (id: string, state: ReportState, cursor?: string) =>
  get<CrowdReportPage>(inc(id) + '/reports' + query({ state, cursor, limit: 100 }))
export const verifyReport = (id: string, rid: string, body: { verdict: string; note?: string; duplicate_of?: string }) =>
  post<CrowdReport>(`${inc(id)}/reports/${enc(rid)}/verify`, body)

// The public page (no session).
export const getPublicMap = (id: string) => get<IncidentMap>(inc(id) + '/map/public')
export const getPublicReports = (id: string) =>
  get<{ items: PublicCrowdReport[] }>(inc(id) + '/reports/public' + query({ limit: 100 })).then((a) => a.items)

// A key for one filling of the public form: a retry after a lost answer
// sends the same key, and the server stores the report once. Works on a
// plain-http address too, where crypto.randomUUID is missing.
export function formKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

// A refusal of the public form, with the seconds to wait after a 429.
export class ReportRefused extends ApiError {
  constructor(
    e: ApiError,
    public retryAfter: number,
  ) {
    super(e.status, e.code, e.message, e.field, e.reason, e.details)
  }
}

// POST …/reports without the session's CSRF token (a resident's phone
// may have none), keeping Retry-After, which the shared call() drops.
export async function sendPublicReport(id: string, body: Record<string, unknown>, key: string): Promise<CrowdReportReceipt> {
  let res: Response
  try {
    res = await fetch(inc(id) + '/reports', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
      credentials: 'omit',
    })
  } catch {
    throw new ApiError(0, 'network', '')
  }
  if (res.ok) return (await res.json()) as CrowdReportReceipt
  let e = new ApiError(res.status, 'http_' + res.status, res.statusText)
  try {
    const err = (await res.json())?.error
    if (err) e = new ApiError(res.status, String(err.code ?? ''), String(err.message ?? ''), err.field ?? '', err.reason ?? '')
  } catch {
    // not JSON
  }
  throw new ReportRefused(e, Number(res.headers.get('Retry-After') ?? 0) || 0)
}
