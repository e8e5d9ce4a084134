// What the 积分 pages share (issue 18): typed calls of the points API
// (src/http/points_handlers.cc), the words for triggers, posting kinds,
// reward kinds and redemption states, the resident's community, the level
// ladder for the progress bar and the field names in the page's words.
import { call, get, post, query, newKey } from './api'
import { time } from './format'
import { i18n } from './i18n'
import { session } from './session'
import type {
  Account,
  ParticipationSettings,
  HouseholdRelation,
  PointsAccount,
  PointsHonourRoll,
  PointsHousehold,
  PointsLedgerCheck,
  PointsPosting,
  PointsPostingLine,
  PointsPostingPage,
  PointsRedemption,
  PointsReview,
  PointsPublicKey,
  PointsReward,
  PointsRule,
  PointsStatementEnvelope,
  PointsStatementVerdict,
  PointsTrigger,
  PointsTriggerCode,
  RedemptionStatus,
  RewardKind,
} from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const base = '/api/v1/points'

export const triggerCodes: PointsTriggerCode[] = [
  'request_fixed',
  'report_verified',
  'volunteer_hour',
  'proposal_supported',
  'ballot_cast',
  'meeting_attended',
  'proposal_accepted',
]
export const rewardKinds: RewardKind[] = ['goods', 'service', 'honour', 'policy']
export const reviewReasons = ['self', 'household', 'same_decider', 'velocity_hour', 'velocity_day']
export const relations: HouseholdRelation[] = ['户主', '本人', '配偶', '子女', '父母', '其他']
export const redemptionStatuses: RedemptionStatus[] = ['requested', 'approved', 'fulfilled', 'rejected', 'cancelled']

// The ladder of levels by lifetime points (src/participation/levels.cc);
// the server says the current level and the next one's start, the page
// needs this one's start for the bar.
const levelFrom: Record<string, number> = { sprout: 0, active: 100, core: 500, exemplar: 2000 }

// Progress (0–100) from this level's start to the next one's; 100 at the top.
export function levelProgress(a: PointsAccount): number {
  const next = a.level.next_at
  if (!next) return 100
  const from = levelFrom[a.level.code] ?? 0
  const span = next - from
  return span > 0 ? Math.max(0, Math.min(100, Math.round(((a.lifetime_earned - from) * 100) / span))) : 0
}

// The community a resident is registered in (their resident membership).
export function myCommunity(): { id: string; name: string } | null {
  const m = session.me?.memberships.find((x) => x.role === 'resident')
  return m ? { id: m.unit_id, name: m.unit_name } : null
}

// "应急信息核实" for a trigger; a manual award or the ledger's own movements by kind.
export function triggerName(code: string): string {
  if (code && i18n.global.te('pts.trigger.' + code)) return t('pts.trigger.' + code)
  return ''
}
export function lineReason(l: Pick<PointsPostingLine, 'trigger' | 'kind'>): string {
  return triggerName(l.trigger) || t('pts.kind.' + l.kind)
}

// Whom the points came from or went to, from the account id's prefix.
export function counterpartyLabel(id: string, unitName: (unitId: string) => string): string {
  const [kind, owner] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)]
  if (kind === 'issuer') return t('pts.cp.issuer', { unit: unitName(owner) })
  if (kind === 'pool') return t('pts.cp.pool', { unit: unitName(owner) })
  if (kind === 'organisation') return unitName(owner)
  return t('pts.cp.person')
}

// Where the posting's reason can be read: a request the resident filed.
export function subjectLink(l: Pick<PointsPostingLine, 'trigger' | 'subject_id'>): string | null {
  if (l.trigger === 'request_fixed' && l.subject_id) return `/requests/${l.subject_id}`
  return null
}

export function redemptionType(s: string): 'warning' | 'primary' | 'success' | 'info' | 'danger' {
  if (s === 'requested') return 'warning'
  if (s === 'approved') return 'primary'
  if (s === 'fulfilled') return 'success'
  if (s === 'rejected') return 'danger'
  return 'info'
}

export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n)
}

// The fields of the points API in the page's words (ErrorText's labels).
export function ptsLabels(): Record<string, string> {
  const f = (k: string) => t('pts.f.' + k)
  return {
    unit_id: f('unit'),
    community_id: f('community'),
    trigger: f('trigger'),
    title: f('title'),
    points: f('points'),
    daily_cap: f('daily_cap'),
    monthly_cap: f('monthly_cap'),
    valid_from: f('valid_from'),
    account_id: f('account'),
    amount: f('amount'),
    memo: f('memo'),
    reason: f('reason'),
    note: f('note'),
    kind: f('kind'),
    description: f('description'),
    cost: f('cost'),
    stock: f('stock'),
    per_person_limit: f('per_person_limit'),
    quantity: f('quantity'),
    reward_id: f('reward'),
    posting_id: f('posting'),
    support_threshold: f('support_threshold'),
    support_days: f('support_days'),
    velocity_per_hour: f('velocity_per_hour'),
    velocity_per_day: f('velocity_per_day'),
    same_decider_per_month: f('same_decider_per_month'),
    manual_award_max: f('manual_award_max'),
    label: f('household_label'),
    members: f('members'),
    relation: f('relation'),
    month: t('pts.honour.month'),
    audience: t('pts.stmt.audience'),
    from: t('pts.stmt.from'),
    to: t('pts.stmt.to'),
  }
}

// --- calls ------------------------------------------------------------------

export const getAccount = (id = 'me', limit = 50) =>
  get<PointsAccount>(`${base}/accounts/${encodeURIComponent(id)}` + query({ limit }))
export const getPostings = (id: string, cursor: string, trigger = '', limit = 50) =>
  get<PointsPostingPage>(`${base}/accounts/${encodeURIComponent(id)}/postings` + query({ cursor, trigger, limit }))
export const getPosting = (id: string) => get<PointsPosting>(`${base}/postings/${id}`)
export const listTriggers = async () => (await get<{ items: PointsTrigger[] }>(`${base}/triggers`)).items
export const listRules = async (unit_id?: string, status?: string) =>
  (await get<{ items: PointsRule[] }>(`${base}/rules` + query({ unit_id, status }))).items
export const createRule = (body: Record<string, unknown>) => post<PointsRule>(`${base}/rules`, body)
export const retireRule = (id: string, reason: string) => post<PointsRule>(`${base}/rules/${id}/retire`, { reason })
export const award = (body: Record<string, unknown>, key = newKey()) =>
  post<PointsPosting>(`${base}/awards`, body, { idempotencyKey: key })
export const reverse = (postingId: string, reason: string) =>
  post<PointsPosting>(`${base}/postings/${postingId}/reverse`, { reason })
export const listRewards = async (community_id: string) =>
  (await get<{ items: PointsReward[] }>(`${base}/rewards` + query({ community_id }))).items
export const createReward = (body: Record<string, unknown>) => post<PointsReward>(`${base}/rewards`, body)
export const redeem = (reward_id: string, quantity: number, key = newKey()) =>
  post<PointsRedemption>(`${base}/redemptions`, { reward_id, quantity }, { idempotencyKey: key })
export const listRedemptions = async (q: { scope?: string; community_id?: string; status?: string }) =>
  (await get<{ items: PointsRedemption[] }>(`${base}/redemptions` + query(q))).items
export const decideRedemption = (id: string, move: 'approve' | 'reject' | 'fulfil' | 'cancel', text = '') =>
  post<PointsRedemption>(`${base}/redemptions/${id}/${move}`, move === 'reject' ? { reason: text } : { note: text })

// Settings with their version (the ETag the PUT's If-Match gives back).
export const getSettings = (unitId: string) => get<ParticipationSettings>(`${base}/settings/${unitId}`)
export const putSettings = (s: ParticipationSettings) => {
  const { unit_id, version, ...body } = s
  return call<ParticipationSettings>('PUT', `${base}/settings/${unit_id}`, body, { ifMatch: version })
}
export const ledgerCheck = (unit_id?: string) => get<PointsLedgerCheck>(`${base}/ledger/check` + query({ unit_id }))

// Residents of a community by words of their name (staff who may list its accounts).
export async function residentsOf(unitId: string, words: string): Promise<Account[]> {
  const page = await get<{ items: Account[] }>('/api/v1/accounts' + query({ unit_id: unitId, q: words, limit: 50 }))
  return page.items.filter((a) => a.kind === 'resident' && !a.disabled)
}

// 异常复核: held awards of a unit and the units below it.
export const listReviews = async (unit_id: string, status?: string) =>
  (await get<{ items: PointsReview[] }>(`${base}/reviews` + query({ unit_id, status }))).items
export const decideReview = (id: string, approve: boolean, note = '') =>
  post<PointsReview>(`${base}/reviews/${id}/${approve ? 'approve' : 'reject'}`, { note })

// 家庭户: a community's households.
export const listHouseholds = async (community_id: string) =>
  (await get<{ items: PointsHousehold[] }>(`${base}/households` + query({ community_id }))).items
export const createHousehold = (body: { community_id: string; label: string; members: { account_id: string; relation: string }[] }) =>
  post<PointsHousehold>(`${base}/households`, body)
export const addHouseholdMember = (id: string, account_id: string, relation: string) =>
  post<PointsHousehold>(`${base}/households/${id}/members`, { account_id, relation })
export const removeHouseholdMember = (id: string, account_id: string) =>
  call<PointsHousehold>('DELETE', `${base}/households/${id}/members/${account_id}`)

// Anyone registered in these units (residents, and staff for a household) by words of their name.
export async function accountsOf(unitIds: string[], words: string): Promise<Account[]> {
  const pages = await Promise.all(
    [...new Set(unitIds.filter(Boolean))].map((unit_id) =>
      get<{ items: Account[] }>('/api/v1/accounts' + query({ unit_id, q: words, limit: 50 })),
    ),
  )
  const seen = new Map<string, Account>()
  for (const p of pages) for (const a of p.items) if (!a.disabled) seen.set(a.id, a)
  return [...seen.values()]
}

// 光荣榜: a unit's month (yyyy-mm), published or live; staff publish it once the month is over.
export const honourRoll = (unit_id: string, month: string) =>
  get<PointsHonourRoll>(`${base}/honour-roll` + query({ unit_id, month }))
export const publishHonourRoll = (unit_id: string, month: string) =>
  post<PointsHonourRoll>(`${base}/honour-roll/publish`, { unit_id, month })

// The month before a yyyy-mm (format.ts cityMonth() gives this one).
export function monthBefore(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

// 信用积分证明: the signed envelope of an account's points over a period
// (from/to are days of the city, yyyy-mm-dd; the server caps the end at now).
export const issueStatement = (account_id: string, q: { from?: string; to?: string; audience?: string }) =>
  get<PointsStatementEnvelope>(
    `${base}/statements/${encodeURIComponent(account_id)}` +
      query({
        from: q.from ? `${q.from}T00:00:00+08:00` : undefined,
        to: q.to ? `${dayAfter(q.to)}T00:00:00+08:00` : undefined,
        audience: q.audience,
      }),
  )
function dayAfter(day: string): string {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}
// The file as the bank receives it: the envelope as JSON (the statement inside
// stays the very text that was signed).
export function statementFile(env: PointsStatementEnvelope): Blob {
  return new Blob([JSON.stringify(env, null, 2) + '\n'], { type: 'application/json' })
}
// The file's text as it is, checked by the server (public).
export const verifyStatement = (text: string) =>
  call<PointsStatementVerdict>('POST', `${base}/statements/verify`, text, { raw: true, contentType: 'application/json' })
export const publicKey = () => get<PointsPublicKey>(`${base}/public-key`)

// The server's problem with a statement in the page's words (its English words otherwise).
export function statementProblem(problem: string | null): string {
  if (!problem) return ''
  const known: Record<string, string> = {
    'not a points statement': 'pts.stmt.problem.not_statement',
    'signed by another key': 'pts.stmt.problem.other_key',
    'the signature does not verify': 'pts.stmt.problem.bad_signature',
  }
  if (known[problem]) return t(known[problem])
  const expired = /^expired on (.+)$/.exec(problem)
  if (expired) return t('pts.stmt.problem.expired', { at: time(expired[1]) })
  return problem
}
