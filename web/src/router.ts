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
    { path: '/resident', name: 'resident', component: () => import('./pages/ResidentPage.vue') },
    { path: '/operator', name: 'operator', component: () => import('./pages/OperatorPage.vue') },
    { path: '/inbox', name: 'inbox', component: () => import('./pages/InboxPage.vue') },
    {
      path: '/requests/:id',
      name: 'request',
      component: () => import('./pages/RequestPage.vue'),
      props: true,
    },
    { path: '/supervision', name: 'supervision', component: () => import('./pages/SupervisionPage.vue') },
    { path: '/dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue') },
    { path: '/admin', name: 'admin', component: () => import('./pages/AdminPage.vue') },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

// Signed-out visitors go to the login page (tracking by number is public);
// a page the roles do not open sends them home.
router.beforeEach((to) => {
  if (to.name === 'login' || to.name === 'track') return true
  if (!session.me) return { name: 'login', query: { next: to.fullPath } }
  const link = pages.find((p) => p.name === to.name)
  if (link && !mayOpen(link)) return homePath()
  return true
})
