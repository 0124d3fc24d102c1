import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors';
import { SESSION_COOKIE, type Principal } from './principal';
import type { SessionLookup } from './sessions';

/** The session token of a request: `Authorization: Bearer <token>` or the session cookie. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return request.cookies[SESSION_COOKIE];
}

/** A preHandler that requires a signed-in user and sets `request.principal`. */
export function requireUser(sessions: SessionLookup) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = sessionToken(request);
    if (!token) throw new UnauthorizedError();
    const principal = await sessions.principal(token);
    if (!principal) throw new UnauthorizedError('Your session has ended, sign in again', 'SESSION_EXPIRED');
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}
