import { requireUser, principalOf, type HttpServer, type SessionLookup } from '@chat/platform';
import type { CommandBus } from './bus';

/** Positions and other bigints travel as decimal strings. */
export function toWire(answer: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answer).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
  );
}

/** `POST /api/commands/{Name}` for every command a signed-in user can send, each with its schema. */
export function registerCommandRoutes(app: HttpServer, bus: CommandBus, sessions: SessionLookup): void {
  for (const definition of bus.list()) {
    if (definition.internal) continue;
    app.post(
      `/api/commands/${definition.name}`,
      {
        schema: { body: definition.body, tags: ['commands'], summary: definition.summary ?? definition.name },
        preHandler: requireUser(sessions),
      },
      async (request) => {
        const answer = await bus.execute({
          name: definition.name,
          body: request.body,
          parsed: true,
          issuer: { kind: 'user', principal: principalOf(request) },
          correlationId: request.id,
        });
        return toWire(answer);
      },
    );
  }
}
