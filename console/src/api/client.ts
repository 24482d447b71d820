import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { useSession } from '@/stores/session';
import { router } from '@/router';

/** The contract's error body (api.md, Conventions). */
export interface ApiError {
  statusCode: number;
  code: string;
  message: string;
  details: { field: string; message: string }[];
}

/** One middleware: the token on every request, and a 401 back to the login page (and then back here). */
const auth: Middleware = {
  onRequest({ request }) {
    const session = useSession();
    if (session.token) request.headers.set('Authorization', `Bearer ${session.token}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/api/auth/login')) {
      useSession().signOut();
      const here = router.currentRoute.value;
      if (here.name !== 'login') await router.push({ name: 'login', query: { redirect: here.fullPath } });
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** Field → message of a refusal, for showing each error next to its field. */
export function fieldErrors(error: unknown): Record<string, string> {
  const details = (error as ApiError | undefined)?.details ?? [];
  return Object.fromEntries(details.map((d) => [d.field, d.message]));
}
