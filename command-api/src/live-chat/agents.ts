import {
  evolveUser,
  fold,
  initialUserState,
  STAFF_ROLES,
  userStream,
  type EventStore,
  type Role,
} from '@chat/events';
import { AppError, ConflictError } from '@chat/platform';
import type { Issuer } from '../commands/define';
import { SESSION_TAKEN } from './decide';

/** Staff who run Live chat; managers (and admins) may also hand sessions to others. */
export const MANAGER_ROLES: readonly Role[] = ['SUPER_ADMIN', 'ADMIN', 'MANAGER'];

export const isManager = (issuer: Issuer) =>
  issuer.kind === 'user' && MANAGER_ROLES.includes(issuer.principal.role);

export interface AgentProfile {
  id: string;
  name: string;
  role: Role;
  active: boolean;
}

/** A user as the write side knows them (their own stream), or null. */
export async function agentProfile(store: EventStore, userId: string): Promise<AgentProfile | null> {
  const state = fold(
    { initialState: initialUserState, evolve: evolveUser },
    await store.readStream(userStream(userId)),
  );
  if (state.status === 'absent') return null;
  return { id: state.userId, name: state.name, role: state.role, active: state.status === 'active' };
}

export const isActiveStaff = (profile: AgentProfile | null): profile is AgentProfile =>
  profile !== null && profile.active && STAFF_ROLES.includes(profile.role);

/** The 409 of an agent who lost the session to another says who has it, by name. */
export async function namingTheAgent(store: EventStore, error: unknown): Promise<unknown> {
  if (!(error instanceof AppError) || error.code !== SESSION_TAKEN) return error;
  const id = (error.details as { agent?: { id?: string } } | undefined)?.agent?.id;
  if (!id) return error;
  const name = (await agentProfile(store, id))?.name ?? 'Another agent';
  return new ConflictError(SESSION_TAKEN, `${name} has already taken this session`, { agent: { id, name } });
}
