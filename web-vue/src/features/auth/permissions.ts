import type { Role } from '../../api/types';

/** What each part of the portal needs. Server-side authorization is the real gate; this only hides what would fail. */
const RULES = {
  teamChat: ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT', 'USER', 'AUDITOR'],
  postInTeamChat: ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT', 'USER'],
  liveChat: ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT'],
  assignSessions: ['SUPER_ADMIN', 'ADMIN', 'MANAGER'],
  helpdesk: ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT'],
  kb: ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT'],
  kbEdit: ['SUPER_ADMIN', 'ADMIN', 'MANAGER'],
  users: ['SUPER_ADMIN', 'ADMIN'],
  deleteAnyChannel: ['SUPER_ADMIN', 'ADMIN'],
  audit: ['SUPER_ADMIN', 'AUDITOR'],
} satisfies Record<string, Role[]>;

export type Area = keyof typeof RULES;

export function allowed(role: Role | null | undefined, area: Area): boolean {
  return !!role && (RULES[area] as readonly Role[]).includes(role);
}

/** A `next` query value is followed only when it is a path on this site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : '/';
}
