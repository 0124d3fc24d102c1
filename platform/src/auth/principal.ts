import type { Role } from '@chat/events';

export const SESSION_COOKIE = 'portal_session';

/** The signed-in user a request acts for. */
export interface Principal {
  userId: string;
  role: Role;
  /** sha256 of the session token, to sign this one session out. */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
