import { command, get, qs, query, type CommandAnswer, type QueryOptions, type QueryResult } from './http';
import type { Kpis, ListAnswer, Session, SessionDetail } from './types';

export type SessionFilter = 'open' | 'waiting' | 'active' | 'closed';

/** GET /api/livechat/kpis */
export function getKpis(options: QueryOptions = {}): Promise<Kpis> {
  return get('/api/livechat/kpis', { revalidate: true, ...options });
}

/** GET /api/livechat/sessions?status= */
export function listSessions(
  status: SessionFilter,
  options: QueryOptions = {},
): Promise<QueryResult<ListAnswer<Session>>> {
  return query(`/api/livechat/sessions${qs({ status })}`, { revalidate: true, ...options });
}

/** GET /api/livechat/sessions/{id}: the session with its transcript. */
export function getSession(
  sessionId: string,
  options: QueryOptions = {},
): Promise<QueryResult<SessionDetail>> {
  return query(`/api/livechat/sessions/${encodeURIComponent(sessionId)}`, { revalidate: true, ...options });
}

export function assignSession(body: { sessionId: string; agentId: string }): Promise<CommandAnswer> {
  return command('AssignSession', body);
}

/** 409 when another agent has it: `error.details.agent` says who. */
export function joinSession(body: { sessionId: string }): Promise<CommandAnswer> {
  return command('JoinSession', body);
}

export function releaseSession(body: { sessionId: string }): Promise<CommandAnswer> {
  return command('ReleaseSession', body);
}

export function postAgentMessage(body: {
  sessionId: string;
  messageId: string;
  body: string;
}): Promise<CommandAnswer> {
  return command('PostAgentMessage', body);
}

export function closeSession(body: { sessionId: string }): Promise<CommandAnswer> {
  return command('CloseSession', body);
}

export function linkSessionToTicket(
  body:
    | { sessionId: string; ticketId: string }
    | { sessionId: string; newTicket: { ticketId: string; subject: string } },
): Promise<CommandAnswer> {
  return command('LinkSessionToTicket', body);
}
