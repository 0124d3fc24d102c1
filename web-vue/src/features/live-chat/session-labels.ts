import type { Session, SessionStatus } from '../../api/types';

/** The visitor's name, or their email when they gave no name. */
export function visitorLabel(session: Pick<Session, 'visitorName' | 'visitorEmail'>): string {
  return session.visitorName?.trim() || session.visitorEmail?.trim() || 'Anonymous visitor';
}

export const STATUS_LABEL: Record<SessionStatus, string> = {
  WAITING: 'Waiting',
  ACTIVE: 'Active',
  CLOSED: 'Closed',
};

export const STATUS_CLASS: Record<SessionStatus, string> = {
  WAITING: 'pill-waiting',
  ACTIVE: 'pill-active',
  CLOSED: 'pill-closed',
};

/** A wait longer than this is shown as urgent. */
export const LONG_WAIT_MS = 5 * 60_000;
