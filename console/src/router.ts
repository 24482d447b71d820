import { ref } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { useSession } from '@/stores/session';

// A clerk's screens; 工作台 and 考核指标 are every role's, the 管理 screens the admin's.
const STAFF = ['staff'];

/** Set when a screen of another role was asked for: the shell says `无权访问该页面` until the next navigation. */
export const denied = ref(false);
let denying = false;

// Pages load per route (code splitting). `public` pages need no login (the certificate check on a phone).
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true, title: '登录' } },
    // Issue 31: the grid worker's phone app (its own layout; it opens offline, so its login is its own business).
    { path: '/collect', name: 'collect', component: () => import('@/pages/collect/CollectPage.vue'), meta: { public: true, title: '采集' } },
    { path: '/verify/:code', name: 'verify', component: () => import('@/pages/certificates/VerifyPage.vue'), meta: { public: true, title: '婚育证明核验' } },
    {
      path: '/assessments/verify/:hash',
      name: 'assessment-verify',
      component: () => import('@/pages/assessments/AssessmentVerifyPage.vue'),
      meta: { public: true, title: '考核月报核验' },
    },
    {
      path: '/',
      component: () => import('@/components/AppShell.vue'),
      children: [
        { path: '', name: 'home', component: () => import('@/pages/HomePage.vue'), meta: { title: '工作台' } },
        { path: 'inflows', name: 'inflows', component: () => import('@/pages/inflows/InflowListPage.vue'), meta: { title: '流入人员', roles: STAFF } },
        { path: 'inflows/:id', name: 'inflow', component: () => import('@/pages/inflows/InflowPage.vue'), meta: { title: '流入登记详情', roles: STAFF } },
        { path: 'inflows/new', name: 'inflow-new', component: () => import('@/pages/inflows/InflowNewPage.vue'), meta: { title: '流入登记', roles: STAFF } },
        { path: 'outflows', name: 'outflows', component: () => import('@/pages/outflows/OutflowListPage.vue'), meta: { title: '流出人员', roles: STAFF } },
        {
          path: 'outflows/new',
          name: 'outflow-new',
          component: () => import('@/pages/outflows/OutflowNewPage.vue'),
          meta: { title: '流出登记', roles: STAFF },
        },
        {
          path: 'certificates/new',
          name: 'certificate-new',
          component: () => import('@/pages/certificates/CertificateNewPage.vue'),
          meta: { title: '出具婚育证明', roles: STAFF },
        },
        {
          path: 'certificates/lookup',
          name: 'certificate-lookup',
          component: () => import('@/pages/certificates/CertificateLookupPage.vue'),
          meta: { title: '查验婚育证明', roles: STAFF },
        },
        {
          path: 'exchanges/inbox',
          name: 'inbox',
          component: () => import('@/pages/exchanges/InboxPage.vue'),
          props: { box: 'inbox' },
          meta: { title: '收件箱', roles: STAFF },
        },
        {
          path: 'exchanges/outbox',
          name: 'outbox',
          component: () => import('@/pages/exchanges/InboxPage.vue'),
          props: { box: 'outbox' },
          meta: { title: '发件箱', roles: STAFF },
        },
        { path: 'cases/:id', name: 'case', component: () => import('@/pages/cases/CasePage.vue'), meta: { title: '个案', roles: STAFF } },
        { path: 'exchanges/:id', name: 'exchange', component: () => import('@/pages/exchanges/ExchangePage.vue'), meta: { title: '信息详情', roles: STAFF } },
        { path: 'imports', name: 'imports', component: () => import('@/pages/imports/ImportsPage.vue'), meta: { title: '批量导入', roles: STAFF } },
        { path: 'rates', name: 'rates', component: () => import('@/pages/rates/RatesPage.vue'), meta: { title: '考核指标' } },
        { path: 'rates/items', name: 'rate-items', component: () => import('@/pages/rates/RateItemsPage.vue'), meta: { title: '明细' } },
        {
          path: 'assessments',
          name: 'assessments',
          component: () => import('@/pages/assessments/AssessmentsPage.vue'),
          meta: { title: '月度考核', roles: ['supervisor', 'admin'] },
        },
        { path: 'notifications', name: 'notifications', component: () => import('@/pages/notifications/NotificationsPage.vue'), meta: { title: '消息' } },
        { path: 'settings/channels', name: 'channels', component: () => import('@/pages/settings/ChannelsPage.vue'), meta: { title: '消息接收设置' } },
        // Issue 31: grid workers' declarations, reviewed by the destination's clerks.
        {
          path: 'declarations',
          name: 'declarations',
          component: () => import('@/pages/declarations/DeclarationsPage.vue'),
          meta: { title: '采集审核', roles: STAFF },
        },
        { path: 'admin/users', name: 'users', component: () => import('@/pages/admin/UsersPage.vue'), meta: { title: '用户管理', roles: ['admin'] } },
        { path: 'admin/audit', name: 'audit', component: () => import('@/pages/admin/AuditPage.vue'), meta: { title: '审计日志', roles: ['admin'] } },
        { path: 'admin/failed', name: 'failed', component: () => import('@/pages/admin/FailedPage.vue'), meta: { title: '投递失败', roles: ['admin'] } },
      ],
    },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { public: true, title: '页面不存在' } },
  ],
});

router.beforeEach((to) => {
  const session = useSession();
  if (!to.meta.public && !session.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  // A grid worker has one screen (field-collection.md).
  if (session.user?.role === 'collector' && to.name !== 'collect' && !to.meta.public) return { name: 'collect' };
  if (to.name === 'collect' && session.user && session.user.role !== 'collector') {
    denying = true;
    return { name: 'home' };
  }
  if (to.name === 'login' && session.signedIn) return { name: session.user?.role === 'collector' ? 'collect' : 'home' };
  // A screen for another role (a bookmark, a typed URL) leads home, saying why; the API refuses the data anyway.
  const roles = to.meta.roles as string[] | undefined;
  if (roles && session.user && !roles.includes(session.user.role)) {
    denying = true;
    return { name: 'home' };
  }
  return true;
});

router.afterEach((to, _from, failure) => {
  // The redirect home after a refusal shows the message (also when home was already shown); the next move clears it.
  if (denying || !failure) denied.value = denying;
  denying = false;
  document.title = `${(to.meta.title as string | undefined) ?? '工作台'} · 流动`;
});
