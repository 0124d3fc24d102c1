import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as authApi from '../../api/auth';
import { ApiError, resetHttpState } from '../../api/http';
import type { User } from '../../api/types';
import { allowed, type Area } from './permissions';

/** Who is signed in. Loaded once from /api/me; cleared on sign-out or any 401. */
export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null);
  const checked = ref(false);
  /** Who was signed in earlier in this page's life: another person signing in gets a clean page. */
  const previousUserId = ref<string | null>(null);
  let pending: Promise<User | null> | null = null;

  /** Resolves the current user once per page load (the router guard awaits it). */
  function ensureLoaded(): Promise<User | null> {
    if (checked.value) return Promise.resolve(user.value);
    pending ??= authApi
      .getMe()
      .then(({ user: me }) => (user.value = me))
      .catch((error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
        user.value = null;
        return null;
      })
      .finally(() => {
        checked.value = true;
        pending = null;
      });
    return pending;
  }

  async function signIn(email: string, password: string): Promise<User> {
    const answer = await authApi.login(email.trim(), password);
    resetHttpState();
    user.value = answer.user;
    checked.value = true;
    return answer.user;
  }

  async function signOut(): Promise<void> {
    try {
      await authApi.logout();
    } finally {
      expire();
    }
  }

  /** The server no longer knows us (401): forget the user without another request. */
  function expire(): void {
    if (user.value) previousUserId.value = user.value.id;
    user.value = null;
    checked.value = true;
    resetHttpState();
  }

  const role = computed(() => user.value?.role ?? null);
  const can = (area: Area): boolean => allowed(role.value, area);

  return { user, checked, previousUserId, role, ensureLoaded, signIn, signOut, expire, can };
});
