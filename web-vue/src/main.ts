import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createPortalRouter } from './router';
import { onUnauthorized } from './api/http';
import { useAuthStore } from './features/auth/useAuthStore';
import './styles/base.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createPortalRouter();
app.use(router);

// An expired session sends the user to sign in, and back to where they were afterwards.
onUnauthorized(() => {
  const auth = useAuthStore(pinia);
  // The first /api/me answers 401 for anyone signed out; the router guard handles that one.
  if (!auth.checked) return;
  const current = router.currentRoute.value;
  auth.expire();
  if (!current.meta.public) void router.replace({ name: 'login', query: { next: current.fullPath } });
});

app.mount('#app');
