import { STAFF_ROLES } from '@chat/events';
import { ForbiddenError, principalOf, requireUser, type SessionLookup } from '@chat/platform';
import type { FastifyRequest } from 'fastify';

/** A preHandler for Live chat, helpdesk and knowledge-base reads: signed in (401) and staff (403). */
export function requireStaff(sessions: SessionLookup) {
  const signedIn = requireUser(sessions);
  return async (request: FastifyRequest): Promise<void> => {
    await signedIn(request);
    if (!STAFF_ROLES.includes(principalOf(request).role))
      throw new ForbiddenError('Live chat is for staff only');
  };
}

/** Timestamps as the wire wants them, whatever the driver returned. */
export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return new Date(value).toISOString();
}

/** An int8 as a decimal string, whatever the driver returned. */
export const int8 = (value: string | number | bigint) => BigInt(value).toString();
