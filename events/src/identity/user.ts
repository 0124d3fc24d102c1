import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { text } from '../text';

export const ROLES = ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT', 'USER', 'AUDITOR'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
export const STAFF_ROLES: readonly Role[] = ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT'];

export const userStream = (userId: string) => `user-${userId}`;
export const userSubject = (userId: string) => `user:${userId}`;

export const UserCreated = defineEvent({
  type: 'UserCreated',
  version: 1,
  schema: z.object({ userId: z.uuid(), email: z.email().max(254), name: text(1, 80), role: Role }),
  personalData: { subject: (d) => userSubject(d.userId), fields: ['email', 'name'] },
});
export const UserRoleChanged = defineEvent({
  type: 'UserRoleChanged',
  version: 1,
  schema: z.object({ userId: z.uuid(), role: Role, previousRole: Role }),
});
export const UserDeactivated = defineEvent({
  type: 'UserDeactivated',
  version: 1,
  schema: z.object({ userId: z.uuid() }),
});
/** The password itself lives hashed in the credentials table, never in an event. */
export const UserPasswordChanged = defineEvent({
  type: 'UserPasswordChanged',
  version: 1,
  schema: z.object({ userId: z.uuid() }),
});

export const userEvents = [UserCreated, UserRoleChanged, UserDeactivated, UserPasswordChanged];
export type UserEvent =
  | EventOf<typeof UserCreated>
  | EventOf<typeof UserRoleChanged>
  | EventOf<typeof UserDeactivated>
  | EventOf<typeof UserPasswordChanged>;

export type UserState =
  | { status: 'absent' }
  | { status: 'active' | 'deactivated'; userId: string; email: string; name: string; role: Role };

export const initialUserState: UserState = { status: 'absent' };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { status: 'active', ...event.data };
    case 'UserRoleChanged':
      return state.status === 'absent' ? state : { ...state, role: event.data.role };
    case 'UserDeactivated':
      return state.status === 'absent' ? state : { ...state, status: 'deactivated' };
    default:
      return state;
  }
}
