// Who is signed in, and which pages their roles open. The pages only decide
// what to show; every rule is enforced again by the server.
import { reactive } from 'vue'
import { call, get, post, setCsrf, hasSession, ApiError } from './api'
import type { Account, Principal, Role } from './types'

interface LoginAnswer {
  csrf_token: string
  account: Account
}

export const session = reactive<{ me: Principal | null; ready: boolean }>({ me: null, ready: false })

// Asks who is signed in only when this browser has signed in before, so a
// first visit does not start with a 401.
export async function restore(): Promise<void> {
  if (!hasSession()) {
    session.ready = true
    return
  }
  try {
    session.me = await get<Principal>('/api/v1/me')
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    setCsrf(null)
    session.me = null
  } finally {
    session.ready = true
  }
}

export async function login(username: string, password: string): Promise<void> {
  const answer = await post<LoginAnswer>('/api/v1/auth/login', { username, password })
  setCsrf(answer.csrf_token)
  const me = await get<Principal>('/api/v1/me')
  // The login's answer carries the phone (a resident's form starts with it
  // when it is whole, not masked).
  session.me = { ...me, phone: me.phone ?? answer.account.phone ?? null }
}

export async function logout(): Promise<void> {
  try {
    await call('POST', '/api/v1/auth/logout')
  } finally {
    setCsrf(null)
    session.me = null
  }
}

export function hasRole(...roles: Role[]): boolean {
  return !!session.me?.memberships.some((m) => roles.includes(m.role))
}

export function isResident(): boolean {
  return session.me?.kind === 'resident'
}

// The pages in the order a role's menu lists them.
export interface PageLink {
  name: string
  path: string
  label: string // i18n key
  roles: Role[] | 'resident'
}

const staffRoles: Role[] = ['operator', 'handler', 'unit_lead', 'supervisor', 'leader', 'data_officer', 'admin']

export const pages: PageLink[] = [
  { name: 'resident', path: '/resident', label: 'nav.resident', roles: 'resident' },
  // 一件事: 办事大厅 and 我的办件 for residents (the hall is public too).
  { name: 'services', path: '/services', label: 'nav.services', roles: 'resident' },
  { name: 'applications', path: '/applications', label: 'nav.applications', roles: 'resident' },
  // 我的数据使用记录: who read records about the resident through the gateway.
  { name: 'data-log', path: '/me/data-log', label: 'nav.data_log', roles: 'resident' },
  // 积分: my points and how I earned them, and the rewards of my community.
  { name: 'points', path: '/points', label: 'nav.points', roles: 'resident' },
  { name: 'rewards', path: '/points/rewards', label: 'nav.rewards', roles: 'resident' },
  { name: 'honour', path: '/points/honour', label: 'nav.honour', roles: 'resident' },
  { name: 'operator', path: '/operator', label: 'nav.operator', roles: ['operator'] },
  {
    name: 'inbox',
    path: '/inbox',
    label: 'nav.inbox',
    roles: ['operator', 'handler', 'unit_lead', 'supervisor', 'leader', 'admin'],
  },
  { name: 'supervision', path: '/supervision', label: 'nav.supervision', roles: ['supervisor', 'leader', 'admin'] },
  { name: 'dashboard', path: '/dashboard', label: 'nav.dashboard', roles: ['leader', 'supervisor', 'data_officer', 'admin'] },
  { name: 'service-stats', path: '/service-stats', label: 'nav.service_stats', roles: ['leader', 'supervisor', 'admin'] },
  // 决策支持 (issue 19): 考核评价 for those who set or answer for the figures;
  // 排班建议 for the hotline centre's supervisors and lead (the server decides).
  { name: 'evaluation', path: '/evaluation', label: 'nav.evaluation', roles: ['leader', 'supervisor', 'admin', 'unit_lead'] },
  { name: 'staffing', path: '/staffing', label: 'nav.staffing', roles: ['supervisor', 'unit_lead', 'leader', 'admin'] },
  // 我的待办: workflow user tasks, for everyone who works in a unit.
  {
    name: 'tasks',
    path: '/tasks',
    label: 'nav.tasks',
    roles: ['operator', 'handler', 'unit_lead', 'supervisor', 'leader', 'data_officer', 'admin'],
  },
  // 数据按需共享: the catalogue for all staff; 共享审批 for those who decide
  // (data officers) or ask (unit leads); the gateway for the roles that
  // query it under their unit's grants; its figures for those who answer for them.
  {
    name: 'data',
    path: '/data',
    label: 'nav.data',
    roles: ['operator', 'handler', 'unit_lead', 'supervisor', 'leader', 'data_officer', 'admin'],
  },
  { name: 'data-requests', path: '/data/requests', label: 'nav.data_requests', roles: ['data_officer', 'unit_lead', 'admin'] },
  {
    name: 'data-grants',
    path: '/data/grants',
    label: 'nav.data_grants',
    roles: ['handler', 'unit_lead', 'operator', 'data_officer', 'admin'],
  },
  {
    name: 'data-stats',
    path: '/data/stats',
    label: 'nav.data_stats',
    roles: ['data_officer', 'unit_lead', 'leader', 'supervisor', 'admin'],
  },
  // 专班 and 协同办公: every member of staff may be in a task force, receive
  // 通知/指令 and write messages; the server decides who sees which.
  { name: 'collab-forces', path: '/collab/forces', label: 'nav.collab_forces', roles: staffRoles },
  { name: 'collab-directives', path: '/collab/directives', label: 'nav.collab_directives', roles: staffRoles },
  { name: 'collab-reports', path: '/collab/reports', label: 'nav.collab_reports', roles: staffRoles },
  { name: 'collab-messages', path: '/collab/messages', label: 'nav.collab_messages', roles: staffRoles },
  // 预警 for those who watch a city's or a unit's intake; 应急事件 for every
  // member of staff who may respond (the server decides which incidents).
  { name: 'warnings', path: '/warnings', label: 'nav.warnings', roles: ['unit_lead', 'supervisor', 'leader', 'admin'] },
  { name: 'incidents', path: '/incidents', label: 'nav.incidents', roles: staffRoles },
  // 积分管理 for the community's and street's staff (the server decides what).
  {
    name: 'points-admin',
    path: '/participation',
    label: 'nav.points_admin',
    roles: ['handler', 'unit_lead', 'supervisor', 'leader', 'admin'],
  },
  // 议事厅 for residents (proposals of their community); 议事管理 for the
  // community's staff and those who oversee them.
  { name: 'proposals', path: '/proposals', label: 'nav.proposals', roles: 'resident' },
  {
    name: 'deliberation',
    path: '/deliberation',
    label: 'nav.deliberation',
    roles: ['handler', 'unit_lead', 'supervisor', 'leader', 'admin'],
  },
  // 分类模型 (issue 19): the routing model's accuracy, its versions, retraining and rollback.
  { name: 'routing', path: '/routing', label: 'nav.routing', roles: ['admin'] },
  { name: 'workflow', path: '/workflow', label: 'nav.workflow', roles: ['admin'] },
  { name: 'admin', path: '/admin', label: 'nav.admin', roles: ['admin'] },
]

export function mayOpen(link: PageLink): boolean {
  if (!session.me) return false
  if (link.roles === 'resident') return isResident()
  return hasRole(...link.roles)
}

// Each role's main page; someone with several roles starts at the first.
// A data officer (who may also handle the bureau's requests) starts at the figures.
const homes: [Role | 'resident', string][] = [
  ['resident', '/resident'],
  ['operator', '/operator'],
  ['data_officer', '/dashboard'],
  ['handler', '/inbox'],
  ['unit_lead', '/inbox'],
  ['supervisor', '/supervision'],
  ['leader', '/dashboard'],
  ['admin', '/admin'],
]

export function homePath(): string {
  if (!session.me) return '/login'
  for (const [role, path] of homes) if (role === 'resident' ? isResident() : hasRole(role)) return path
  const first = pages.find(mayOpen)
  return first ? first.path : '/login'
}
