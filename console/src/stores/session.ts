import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: 'staff' | 'supervisor' | 'admin' | 'collector';
  jurisdiction: { code: string; name: string; level: string };
}

const KEY = 'liudong.session';
/**
 * A grid worker's login is kept on the phone (localStorage) until 退出 or until the token expires (JWT_TTL): the
 * collection page must open again after the phone closed it, offline, and send what waits once the network returns
 * (field-collection.md; README, "What a lost phone exposes").
 */
export const PHONE_KEY = 'liudong.collect.session';

/**
 * The login: in memory and in this tab's sessionStorage, so a reload keeps it and closing the tab ends it
 * (console.md). Nothing personal beyond the clerk's own name is kept.
 */
export const useSession = defineStore('session', () => {
  const saved = JSON.parse(sessionStorage.getItem(KEY) ?? localStorage.getItem(PHONE_KEY) ?? 'null') as { token: string; user: SessionUser } | null;
  const token = ref<string | null>(saved?.token ?? null);
  const user = ref<SessionUser | null>(saved?.user ?? null);

  function signIn(accessToken: string, who: SessionUser): void {
    token.value = accessToken;
    user.value = who;
    sessionStorage.setItem(KEY, JSON.stringify({ token: accessToken, user: who }));
    if (who.role === 'collector') localStorage.setItem(PHONE_KEY, JSON.stringify({ token: accessToken, user: who }));
  }

  function signOut(): void {
    token.value = null;
    user.value = null;
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(PHONE_KEY);
  }

  return { token, user, signedIn: computed(() => token.value !== null), signIn, signOut };
});
