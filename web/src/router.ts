import { createRouter, createWebHistory } from 'vue-router'
import { session, pages, mayOpen, homePath } from './session'
// The first page most visitors see is in the main bundle; the rest load on demand.
import LoginPage from './pages/LoginPage.vue'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: () => homePath() },
    { path: '/login', name: 'login', component: LoginPage },
    { path: '/track', name: 'track', component: () => import('./pages/TrackPage.vue') },
    { path: '/resident', name: 'resident', component: () => import('./pages/ResidentPage.vue'), meta: { warm: true } },
    { path: '/operator', name: 'operator', component: () => import('./pages/OperatorPage.vue'), meta: { warm: true } },
    { path: '/inbox', name: 'inbox', component: () => import('./pages/InboxPage.vue'), meta: { warm: true } },
    {
      path: '/requests/:id',
      name: 'request',
      component: () => import('./pages/RequestPage.vue'),
      props: true,
      meta: { warm: true },
    },
    { path: '/supervision', name: 'supervision', component: () => import('./pages/SupervisionPage.vue') },
    { path: '/dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue') },
    { path: '/evaluation', name: 'evaluation', component: () => import('./pages/EvaluationPage.vue') },
    { path: '/staffing', name: 'staffing', component: () => import('./pages/StaffingPage.vue') },
    { path: '/routing', name: 'routing', component: () => import('./pages/RoutingPage.vue') },
    { path: '/admin', name: 'admin', component: () => import('./pages/AdminPage.vue') },
    { path: '/tasks', name: 'tasks', component: () => import('./pages/TasksPage.vue') },
    // The workflow pages load bpmn-js only when they draw a diagram (src/bpmn.ts).
    { path: '/workflow', name: 'workflow', component: () => import('./pages/WorkflowPage.vue') },
    {
      path: '/workflow/instances/:id',
      name: 'workflow-instance',
      component: () => import('./pages/InstancePage.vue'),
      props: true,
      meta: { page: 'workflow' }, // opened by whoever may open the workflow page
    },
    // 一件事: the hall and the 一次告知 pages are public, as is checking a certificate.
    { path: '/services', name: 'services', component: () => import('./pages/ServicesPage.vue') },
    // 定义一件事: administrators (those who open 流程管理).
    {
      path: '/service-define',
      name: 'service-define',
      component: () => import('./pages/ServiceDefinePage.vue'),
      meta: { page: 'workflow' },
    },
    { path: '/services/:code', name: 'service', component: () => import('./pages/ServicePage.vue'), props: true },
    {
      path: '/services/:code/apply',
      name: 'apply',
      component: () => import('./pages/ApplyPage.vue'),
      props: true,
      meta: { page: 'none' }, // anyone signed in may apply; the server decides
    },
    { path: '/applications', name: 'applications', component: () => import('./pages/ApplicationsPage.vue') },
    {
      path: '/applications/:id',
      name: 'application',
      component: () => import('./pages/ApplicationPage.vue'),
      props: true,
      meta: { page: 'none' }, // the applicant's, or a department's with a part in it
    },
    { path: '/verify/:code', name: 'verify', component: () => import('./pages/VerifyPage.vue'), props: true },
    { path: '/service-stats', name: 'service-stats', component: () => import('./pages/ServiceStatsPage.vue') },
    // 数据按需共享: the catalogue and its resources for staff, 申请共享 for
    // those who ask for their unit, 共享审批, the gateway and its figures;
    // a resident's own log of who used their data.
    { path: '/data', name: 'data', component: () => import('./pages/DataCataloguePage.vue') },
    {
      path: '/data/resources/:id',
      name: 'data-resource',
      component: () => import('./pages/DataResourcePage.vue'),
      props: true,
      meta: { page: 'data' },
    },
    {
      path: '/data/resources/:id/request',
      name: 'data-request',
      component: () => import('./pages/DataAccessFormPage.vue'),
      props: true,
      meta: { page: 'data-requests' }, // those who ask or decide for their unit
    },
    { path: '/data/requests', name: 'data-requests', component: () => import('./pages/DataRequestsPage.vue') },
    { path: '/data/grants', name: 'data-grants', component: () => import('./pages/DataGrantsPage.vue') },
    { path: '/data/stats', name: 'data-stats', component: () => import('./pages/DataStatsPage.vue') },
    { path: '/me/data-log', name: 'data-log', component: () => import('./pages/DataLogPage.vue') },
    // 积分 (issue 18): 我的积分 and 积分兑换 for residents, 积分管理 for staff.
    { path: '/points', name: 'points', component: () => import('./pages/PointsPage.vue') },
    { path: '/points/rewards', name: 'rewards', component: () => import('./pages/RewardsPage.vue') },
    { path: '/participation', name: 'points-admin', component: () => import('./pages/PointsAdminPage.vue') },
    // 光荣榜: residents (their menu) and staff (from 积分管理 → 光荣榜发布); the server names whom it may.
    { path: '/points/honour', name: 'honour', component: () => import('./pages/HonourRollPage.vue'), meta: { page: 'none' } },
    // 积分证明核验: public, for a bank holding a resident's signed statement.
    { path: '/verify-statement', name: 'verify-statement', component: () => import('./pages/StatementVerifyPage.vue') },
    // 专班 and 协同办公: my task forces and a force's workspace, 通知/指令, 消息.
    { path: '/collab/forces', name: 'collab-forces', component: () => import('./pages/CollabForcesPage.vue') },
    {
      path: '/collab/forces/:id',
      name: 'collab-force',
      component: () => import('./pages/CollabForcePage.vue'),
      props: true,
      meta: { page: 'collab-forces' },
    },
    { path: '/collab/directives', name: 'collab-directives', component: () => import('./pages/CollabDirectivesPage.vue') },
    { path: '/collab/reports', name: 'collab-reports', component: () => import('./pages/CollabReportsPage.vue') },
    { path: '/collab/messages', name: 'collab-messages', component: () => import('./pages/CollabMessagesPage.vue') },
    // 预警 and 应急: warnings and their rules, incidents and the command page;
    // the incident's public page (residents, no sign-in).
    { path: '/warnings', name: 'warnings', component: () => import('./pages/WarningsPage.vue') },
    { path: '/incidents', name: 'incidents', component: () => import('./pages/IncidentsPage.vue') },
    {
      path: '/incidents/:id',
      name: 'incident',
      component: () => import('./pages/IncidentPage.vue'),
      props: true,
      meta: { page: 'incidents' },
    },
    { path: '/reserves', name: 'reserves', component: () => import('./pages/ReservesPage.vue'), meta: { page: 'incidents' } },
    {
      path: '/public/incidents/:id',
      name: 'public-incident',
      component: () => import('./pages/PublicIncidentPage.vue'),
      props: true,
    },
    // 议事厅 (issue 18): a resident's community's proposals, one proposal
    // (anyone signed in reads it; the server decides who may support), and
    // the staff's 议事管理.
    { path: '/proposals', name: 'proposals', component: () => import('./pages/ProposalsPage.vue') },
    {
      path: '/proposals/:id',
      name: 'proposal',
      component: () => import('./pages/ProposalPage.vue'),
      props: true,
      meta: { page: 'none' },
    },
    { path: '/deliberation', name: 'deliberation', component: () => import('./pages/DeliberationAdminPage.vue') },
    {
      path: '/budgets/:id',
      name: 'budget',
      component: () => import('./pages/BudgetPage.vue'),
      props: true,
      meta: { page: 'none' },
    },
    // 通知: the bell's full list and the webhook settings (推送设置).
    { path: '/me/notifications', name: 'notifications', component: () => import('./pages/NotificationsPage.vue') },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

// Pages anyone may open, signed in or not.
const publicPages = ['login', 'track', 'services', 'service', 'verify', 'public-incident', 'verify-statement']

// Signed-out visitors go to the login page (tracking by number, the
// services hall, certificate checks and an incident's public page are
// public); a page the roles do not open sends them home.
router.beforeEach((to) => {
  if (publicPages.includes(String(to.name))) return true
  if (!session.me) return { name: 'login', query: { next: to.fullPath } }
  const link = pages.find((p) => p.name === (to.meta.page ?? to.name))
  if (link && !mayOpen(link)) return homePath()
  return true
})

// Fetches the pages most sign-ins lead to (meta.warm), so they are in the
// browser when the visitor has typed the password; LoginPage calls it once
// its form is usable. The dashboard's charts are left to load on demand.
export function warmUp() {
  for (const r of router.getRoutes()) {
    const load = r.components?.default
    if (r.meta.warm && typeof load === 'function') (load as () => Promise<unknown>)().catch(() => undefined)
  }
}
