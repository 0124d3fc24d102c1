import { randomUUID } from 'node:crypto';
import { auditQueryStream, type EventStore, type Role } from '@chat/events';
import { ForbiddenError, principalOf, requireUser, type HttpServer, type SessionStore } from '@chat/platform';

/** Who may read the audit trail. Nobody else learns more than a 403. */
export const AUDIT_ROLES: readonly Role[] = ['AUDITOR', 'SUPER_ADMIN'];

const MAX_FILTER_VALUE = 500;

/**
 * Every route of the encapsulated context it is called in: signed in with an audit role (checked
 * before the query is even validated), and recorded as AuditQueryPerformed in the auditor's own
 * stream before it is answered. A read that cannot be recorded is not answered.
 */
export function guardAuditRoutes(app: HttpServer, deps: { sessions: SessionStore; store: EventStore }): void {
  const authenticate = requireUser(deps.sessions);
  app.addHook('onRequest', async (request) => {
    await authenticate(request);
    if (!AUDIT_ROLES.includes(principalOf(request).role))
      throw new ForbiddenError('Only auditors may read the audit trail');
  });
  app.addHook('preHandler', async (request, reply) => {
    const { userId } = principalOf(request);
    const filter: Record<string, string> = {};
    for (const source of [request.params, request.query]) {
      for (const [key, value] of Object.entries((source ?? {}) as Record<string, unknown>)) {
        if (value === undefined) continue;
        filter[key.slice(0, 64)] = String(value).slice(0, MAX_FILTER_VALUE);
      }
    }
    await deps.store.append(
      auditQueryStream(userId),
      'any',
      [
        {
          id: randomUUID(),
          type: 'AuditQueryPerformed',
          data: { auditorId: userId, endpoint: `${request.method} ${request.routeOptions.url}`, filter },
        },
      ],
      {
        actor: { kind: 'user', id: userId },
        correlationId: request.id,
        causationId: null,
        command: 'AuditQuery',
      },
    );
    reply.header('cache-control', 'no-store');
  });
}
