import { evolveUser, fold, initialUserState, userStream, type EventStore } from '@chat/events';
import {
  dummyHash,
  RateLimitedError,
  SESSION_COOKIE,
  sessionToken,
  UnauthorizedError,
  verifyPassword,
  type HttpServer,
  type LoginThrottle,
  type SessionStore,
} from '@chat/platform';
import type pg from 'pg';
import { z } from 'zod';

export interface AuthRouteDeps {
  store: EventStore;
  pool: pg.Pool;
  sessions: SessionStore;
  throttle: LoginThrottle;
  secureCookies: boolean | undefined;
}

const User = z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: z.string(), active: z.boolean() });
const WRONG = 'Wrong email or password';

/** Sign-in and sign-out. Failed attempts are counted per account and per address (429 past the limit). */
export function registerAuthRoutes(app: HttpServer, deps: AuthRouteDeps): void {
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        body: z.strictObject({ email: z.string().trim().max(254), password: z.string().max(200) }),
        response: { 200: z.object({ token: z.string(), user: User }) },
      },
      config: { rateLimit: { max: 30, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      const keys = [`email:${email}`, `ip:${request.ip}`];
      const wait = await deps.throttle.blockedFor(keys);
      if (wait > 0) throw new RateLimitedError(wait, `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} min`);
      const { rows } = await deps.pool.query<{ user_id: string; password_hash: string }>(
        'SELECT user_id, password_hash FROM user_credentials WHERE email = $1',
        [email],
      );
      const credentials = rows[0];
      const valid = await verifyPassword(credentials?.password_hash ?? (await dummyHash()), request.body.password);
      const user = credentials ? fold({ initialState: initialUserState, evolve: evolveUser }, await deps.store.readStream(userStream(credentials.user_id))) : null;
      if (!valid || !user || user.status !== 'active') {
        await deps.throttle.recordFailure(keys);
        throw new UnauthorizedError(WRONG, 'INVALID_CREDENTIALS');
      }
      await deps.throttle.reset([`email:${email}`]);
      const { token, expiresAt } = await deps.sessions.create(user.userId, user.role);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies ?? request.protocol === 'https',
        expires: expiresAt,
      });
      return { token, user: { id: user.userId, email: user.email, name: user.name, role: user.role, active: true } };
    },
  );

  app.post('/api/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) {
      const principal = await deps.sessions.principal(token);
      if (principal) await deps.sessions.revoke(principal.sessionId);
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });
}
