// What the 议事厅 pages share: typed calls of the deliberation API
// (src/http/deliberation_handlers.cc), the words for a proposal's status and
// a meeting's kind, the caller's community, money in 元 ↔ 分, and the field
// names of the API in the page's words (ErrorText labels).
import { get, newKey, post, query } from './api'
import { i18n } from './i18n'
import { session } from './session'
import { loadUnits } from './units'
import type {
  BallotReceipt,
  Budget,
  BudgetDetail,
  BudgetResults,
  ItemDecisionKind,
  MyBallot,
  Meeting,
  MeetingKind,
  Proposal,
  ProposalComment,
  ProposalDetail,
  ProposalImplement,
  ProposalStatus,
  ProposalSupporter,
  SupportResult,
  Unit,
} from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)

export const proposalStatuses: ProposalStatus[] = [
  'collecting',
  'qualified',
  'scheduled',
  'accepted',
  'implementing',
  'done',
  'rejected',
  'expired',
  'withdrawn',
  'hidden',
]
export const meetingKinds: MeetingKind[] = ['council', 'building', 'hearing']
export const decisionKinds: ItemDecisionKind[] = ['accepted', 'rejected', 'deferred']

export function statusLabel(s: string): string {
  return t('dlb.status.' + s)
}
export function statusType(s: string): 'primary' | 'warning' | 'success' | 'info' | 'danger' {
  if (s === 'collecting') return 'primary'
  if (s === 'qualified' || s === 'scheduled') return 'warning'
  if (s === 'accepted' || s === 'implementing' || s === 'done') return 'success'
  if (s === 'rejected') return 'danger'
  return 'info'
}
// Supports are taken while a proposal collects them, and after it reached
// the threshold until its meeting decides (the server's rule; it says why not).
export function takesSupport(s: ProposalStatus): boolean {
  return s === 'collecting' || s === 'qualified' || s === 'scheduled'
}

// The caller's community when they are a resident (one `resident` membership).
export function myCommunity(): { id: string; name: string } | null {
  const m = session.me?.memberships.find((x) => x.role === 'resident')
  return m ? { id: m.unit_id, name: m.unit_name } : null
}

// The communities (社区) of the org tree, for staff to pick one.
export async function communities(): Promise<Unit[]> {
  return (await loadUnits()).filter((u) => u.kind === 'community')
}

// 元 (what people type) → 分 (what the API keeps), and back.
export function toFen(yuan: number): number {
  return Math.round(yuan * 100)
}
export function yuanText(fen: number): string {
  return t('dlb.yuan', { n: (fen / 100).toLocaleString('zh-CN', { maximumFractionDigits: 2 }) })
}

// --- calls ---------------------------------------------------------------------------

export interface ProposalFilter {
  community_id?: string
  status?: string
  supported_by?: 'me'
  cursor?: string
  limit?: number
}
export function listProposals(f: ProposalFilter = {}) {
  return get<{ items: Proposal[]; next_cursor: string | null }>('/api/v1/proposals' + query({ limit: 100, ...f }))
}
export function getProposal(id: string) {
  return get<ProposalDetail>(`/api/v1/proposals/${id}`)
}
export interface NewProposal {
  community_id?: string
  title: string
  text: string
  place: { address: string; lat?: number | null; lng?: number | null }
  photo_ids: string[]
  cost_fen: number
}
// One key per opened form: a lost answer sent again makes one proposal.
export function propose(body: NewProposal, key = newKey()) {
  return post<Proposal>('/api/v1/proposals', body, { idempotencyKey: key })
}
export function support(id: string) {
  return post<SupportResult>(`/api/v1/proposals/${id}/support`, {})
}
export function supporters(id: string) {
  return get<{ items: ProposalSupporter[] }>(`/api/v1/proposals/${id}/supporters`)
}
export function withdraw(id: string, reason: string) {
  return post<Proposal>(`/api/v1/proposals/${id}/withdraw`, { reason })
}
export function hide(id: string, reason: string) {
  return post<Proposal>(`/api/v1/proposals/${id}/hide`, { reason })
}
export function comments(id: string) {
  return get<{ items: ProposalComment[] }>(`/api/v1/proposals/${id}/comments`)
}
export function comment(id: string, text: string) {
  return post<ProposalComment>(`/api/v1/proposals/${id}/comments`, { text })
}
export function agenda(communityId: string) {
  return get<{ items: Proposal[] }>('/api/v1/agenda' + query({ community_id: communityId }))
}
export function meetings(communityId: string) {
  return get<{ items: Meeting[] }>('/api/v1/meetings' + query({ community_id: communityId }))
}
export function getMeeting(id: string) {
  return get<Meeting>(`/api/v1/meetings/${id}`)
}
export interface NewMeeting {
  community_id: string
  title: string
  kind: MeetingKind
  scheduled_at: string
  place: string
  agenda: string[]
}
export function scheduleMeeting(body: NewMeeting) {
  return post<Meeting>('/api/v1/meetings', body)
}
export interface RecordDecision {
  proposal_id: string
  decision: ItemDecisionKind
  reason?: string
  implement?: ProposalImplement
}
export function recordMeeting(id: string, body: { attendees: string[]; minutes: string; decisions: RecordDecision[] }) {
  return post<Meeting>(`/api/v1/meetings/${id}/record`, body)
}
export function cancelMeeting(id: string, reason: string) {
  return post<Meeting>(`/api/v1/meetings/${id}/cancel`, { reason })
}

// --- 参与式预算 -------------------------------------------------------------------------

export function listBudgets(communityId?: string) {
  return get<{ items: Budget[] }>('/api/v1/budgets' + query({ community_id: communityId }))
}
export function getBudget(id: string) {
  return get<BudgetDetail>(`/api/v1/budgets/${id}`)
}
export function myBallot(id: string) {
  return get<MyBallot>(`/api/v1/budgets/${id}/my-ballot`)
}
export function results(id: string) {
  return get<BudgetResults>(`/api/v1/budgets/${id}/results`)
}
export function cast(id: string, projectIds: string[], receipt: string) {
  return post<BallotReceipt>(`/api/v1/budgets/${id}/ballots`, { project_ids: projectIds, receipt })
}

// The receipt: 16 random bytes in lowercase hex, made here and never kept by
// the server; the page keeps it in this browser so the voter can check later.
export function newReceipt(): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
const receiptKey = (budgetId: string) => `xt.ballot.${budgetId}`
export function keepReceipt(budgetId: string, receipt: string, choices: string[]) {
  localStorage.setItem(receiptKey(budgetId), JSON.stringify({ receipt, choices }))
}
export function keptReceipt(budgetId: string): { receipt: string; choices: string[] } | null {
  try {
    return JSON.parse(localStorage.getItem(receiptKey(budgetId)) ?? 'null')
  } catch {
    return null
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, '0')).join('')
}
// As the server computes them (participation/budget.cc): the commitment on
// the chain's cast event, and the tag that finds the ballot after the close.
export function commitmentOf(budgetId: string, receipt: string, choices: string[]) {
  return sha256Hex(`xietong ballot\n${budgetId}\n${receipt}\n${[...choices].sort().join(',')}`)
}
export function tagOf(budgetId: string, receipt: string) {
  return sha256Hex(`xietong ballot tag\n${budgetId}\n${receipt}`)
}

// The deliberation API's fields in the page's words (ErrorText labels).
export function dlbLabels(): Record<string, string> {
  return {
    title: t('dlb.f.title'),
    text: t('dlb.f.text'),
    address: t('dlb.f.address'),
    place: t('dlb.f.address'),
    photo_ids: t('dlb.f.photos'),
    cost_fen: t('dlb.f.cost'),
    community_id: t('dlb.f.community'),
    reason: t('dlb.f.reason'),
    scheduled_at: t('dlb.f.scheduled_at'),
    kind: t('dlb.f.kind'),
    agenda: t('dlb.f.agenda'),
    attendees: t('dlb.f.attendees'),
    minutes: t('dlb.f.minutes'),
    decisions: t('dlb.f.decisions'),
    owner_account_id: t('dlb.f.owner'),
    deadline_days: t('dlb.f.deadline_days'),
    matter_id: t('dlb.f.matter'),
  }
}
