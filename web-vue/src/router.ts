import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router';
import { useAuthStore } from './features/auth/useAuthStore';
import { safeNext } from './features/auth/permissions';
import LoginView from './features/auth/LoginView.vue';
import AppShell from './features/shell/AppShell.vue';

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'Sign in' } },
  {
    path: '/',
    component: AppShell,
    children: [
      { path: '', redirect: { name: 'team-chat' } },
      {
        path: 'messages/:channelId?',
        name: 'team-chat',
        component: () => import('./features/team-chat/TeamChatView.vue'),
        meta: { title: 'Team chat', area: 'teamChat' },
      },
      {
        path: 'chat',
        name: 'live-chat',
        component: () => import('./features/live-chat/LiveChatQueueView.vue'),
        meta: { title: 'Live chat', area: 'liveChat' },
      },
      {
        path: 'chat/:sessionId',
        name: 'live-chat-session',
        component: () => import('./features/live-chat/LiveChatSessionView.vue'),
        meta: { title: 'Live chat', area: 'liveChat' },
      },
      {
        path: 'helpdesk',
        name: 'helpdesk',
        component: () => import('./features/helpdesk/TicketListView.vue'),
        meta: { title: 'Helpdesk', area: 'helpdesk' },
      },
      {
        path: 'helpdesk/:ticketId',
        name: 'ticket',
        component: () => import('./features/helpdesk/TicketView.vue'),
        meta: { title: 'Helpdesk', area: 'helpdesk' },
      },
      {
        path: 'kb',
        name: 'kb',
        component: () => import('./features/kb/ArticleListView.vue'),
        meta: { title: 'Knowledge base', area: 'kb' },
      },
      {
        path: 'kb/new',
        name: 'kb-new',
        component: () => import('./features/kb/ArticleEditView.vue'),
        meta: { title: 'Knowledge base', area: 'kbEdit' },
      },
      {
        path: 'kb/:articleId',
        name: 'article',
        component: () => import('./features/kb/ArticleView.vue'),
        meta: { title: 'Knowledge base', area: 'kb' },
      },
      {
        path: 'kb/:articleId/edit',
        name: 'kb-edit',
        component: () => import('./features/kb/ArticleEditView.vue'),
        meta: { title: 'Knowledge base', area: 'kbEdit' },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./features/users/UsersView.vue'),
        meta: { title: 'Users', area: 'users' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./features/audit/AuditView.vue'),
        meta: { title: 'Audit', area: 'audit' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./features/shell/NotFoundView.vue'),
        meta: { title: 'Not found' },
      },
    ],
  },
];

export function createPortalRouter(): Router {
  const router = createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes });

  router.beforeEach(async (to) => {
    const auth = useAuthStore();
    // Fetch the page's code while asking who is signed in, instead of one after the other.
    for (const record of to.matched) {
      const view = record.components?.default;
      if (typeof view === 'function') void (view as () => Promise<unknown>)().catch(() => undefined);
    }
    await auth.ensureLoaded();
    if (to.meta.public) {
      if (to.name === 'login' && auth.user) return safeNext(to.query.next);
      return true;
    }
    if (!auth.user) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    if (to.meta.area && !auth.can(to.meta.area)) return { name: 'team-chat' };
    return true;
  });

  // A new build replaced the lazy chunks this page knows: load the page afresh at the same place.
  router.onError((error: unknown, to) => {
    const message = error instanceof Error ? error.message : String(error);
    if (/dynamically imported module|module script failed|Importing a module/i.test(message)) {
      window.location.assign(to.fullPath);
    }
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Staff portal` : 'Staff portal';
  });

  return router;
}
