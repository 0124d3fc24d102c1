import type { Actor, AppendContext, EventStore, Role } from '@chat/events';
import type { Principal } from '@chat/platform';
import type { z } from 'zod';
import type { CommandServices } from './services';

/** Who issues a command: a signed-in user, a website visitor (by session), or the system itself. */
export type Issuer =
  | { kind: 'user'; principal: Principal }
  | { kind: 'visitor'; sessionId: string }
  | { kind: 'system'; id: string };

export interface CommandContext {
  issuer: Issuer;
  store: EventStore;
  services: CommandServices;
  /** Metadata every event of this command carries. */
  append: AppendContext;
  now: Date;
}

/** What a command answers: the position of its last event, and anything it wants to add. */
export type CommandAnswer = { position: bigint } & Record<string, unknown>;

export interface CommandDefinition<Body = unknown> {
  name: string;
  body: z.ZodType<Body>;
  /** Who may send it at all; rules that depend on state (membership, ownership) live in decide. */
  allow: (issuer: Issuer) => boolean;
  handle: (context: CommandContext, body: Body) => Promise<CommandAnswer>;
  /** Shown in the API docs. */
  summary?: string;
  /** Sent only by the system (reactors) or its own routes, never as `POST /api/commands/{Name}`. */
  internal?: boolean;
}

export function defineCommand<Body>(definition: CommandDefinition<Body>): CommandDefinition<Body> {
  return definition;
}

/** Users with one of these roles may send the command. */
export const roles =
  (...allowed: Role[]) =>
  (issuer: Issuer) =>
    issuer.kind === 'user' && allowed.includes(issuer.principal.role);

/** Any signed-in user may send the command. */
export const anyUser = (issuer: Issuer) => issuer.kind === 'user';
export const systemOnly = (issuer: Issuer) => issuer.kind === 'system';

export function actorOf(issuer: Issuer): Actor {
  if (issuer.kind === 'user') return { kind: 'user', id: issuer.principal.userId };
  if (issuer.kind === 'visitor') return { kind: 'visitor', id: issuer.sessionId };
  return { kind: 'system', id: issuer.id };
}

/** The user id of a user issuer; a command that only users may send uses this. */
export function userIdOf(issuer: Issuer): string {
  if (issuer.kind !== 'user') throw new Error('this command needs a signed-in user');
  return issuer.principal.userId;
}
