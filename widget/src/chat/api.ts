import { parseRetryAfter } from './backoff';

/** One function per endpoint of the visitor-scoped widget API (same origin as this page). */

export type SessionStatus = 'WAITING' | 'ACTIVE' | 'CLOSED';

export interface Suggestion {
  articleId: string;
  title: string;
}

export interface ChatMessage {
  id: string;
  from: 'visitor' | 'agent' | 'bot';
  body: string;
  createdAt: string;
  suggestions: Suggestion[];
}

export interface SessionSnapshot {
  status: SessionStatus;
  agentJoined: boolean;
  agentName: string | null;
  queuePosition: number | null;
  messages: ChatMessage[];
}

export interface Article {
  id: string;
  title: string;
  body: string;
}

export interface VisitorSession {
  sessionId: string;
  token: string;
}

/** A failed call. `status` 0 means the request never got an answer (offline, aborted, CORS). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

async function request(
  method: 'GET' | 'POST',
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Conditional requests are ours to make: keep the HTTP cache from answering for the server.
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The network request failed.');
  }
  if (response.ok || response.status === 304) return response;
  const payload = (await response.json().catch(() => null)) as {
    error?: { code?: unknown; message?: unknown };
  } | null;
  const code = typeof payload?.error?.code === 'string' ? payload.error.code : `HTTP_${response.status}`;
  const message = typeof payload?.error?.message === 'string' ? payload.error.message : response.statusText;
  throw new ApiError(response.status, code, message, parseRetryAfter(response.headers.get('Retry-After')));
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const value: unknown = await response.json().catch(() => null);
  if (typeof value !== 'object' || value === null)
    throw new ApiError(response.status, 'MALFORMED', 'Unexpected answer.');
  return value as Record<string, unknown>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function toSuggestions(value: unknown): Suggestion[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((s: Record<string, unknown> | null) =>
    s && typeof s.articleId === 'string'
      ? [{ articleId: s.articleId, title: text(s.title) || 'Article' }]
      : [],
  );
}

/** Tolerant reading of the session answer: unknown fields are ignored, odd values defaulted. */
export function toSnapshot(raw: Record<string, unknown>): SessionSnapshot {
  const status = raw.status === 'ACTIVE' || raw.status === 'CLOSED' ? raw.status : 'WAITING';
  const agent = raw.agent as { name?: unknown } | null | undefined;
  const agentName = text(raw.agentName) || text(agent?.name) || null;
  const messages = Array.isArray(raw.messages) ? raw.messages : [];
  return {
    status,
    agentJoined: raw.agentJoined === true,
    agentName,
    queuePosition: typeof raw.queuePosition === 'number' && raw.queuePosition > 0 ? raw.queuePosition : null,
    messages: messages.flatMap((m: Record<string, unknown> | null) =>
      m && typeof m.id === 'string'
        ? [
            {
              id: m.id,
              from: m.from === 'agent' || m.from === 'bot' ? m.from : 'visitor',
              body: text(m.body),
              createdAt: text(m.createdAt),
              suggestions: toSuggestions(m.suggestions),
            },
          ]
        : [],
    ),
  };
}

const sessionPath = (id: string) => `/api/widget/sessions/${encodeURIComponent(id)}`;

export async function createSession(input: {
  name: string;
  email?: string;
  widgetKey: string;
}): Promise<VisitorSession> {
  const body = await json(await request('POST', '/api/widget/sessions', { body: input }));
  if (typeof body.sessionId !== 'string' || typeof body.token !== 'string') {
    throw new ApiError(200, 'MALFORMED', 'The chat could not be started.');
  }
  return { sessionId: body.sessionId, token: body.token };
}

/** Posts one visitor message; the same `messageId` may be sent again safely. Answers the event position. */
export async function postMessage(
  session: VisitorSession,
  message: { messageId: string; body: string },
): Promise<{ position: string | null }> {
  const response = await request('POST', `${sessionPath(session.sessionId)}/messages`, {
    token: session.token,
    body: message,
  });
  const body = await response.json().catch(() => ({}));
  return { position: typeof body?.position === 'string' ? body.position : null };
}

/**
 * The session's state, or `null` when nothing changed since `etag` (304). With `after`, only the
 * messages after that sequence number come back (`cursor` tells where the answer ends); a server
 * that answers no cursor sent the whole transcript.
 */
export async function getSession(
  session: VisitorSession,
  options: { etag?: string | null; minPosition?: string | null; after?: number | null } = {},
): Promise<{ snapshot: SessionSnapshot; etag: string | null; cursor: number | null } | null> {
  const headers: Record<string, string> = {};
  if (options.etag) headers['If-None-Match'] = options.etag;
  if (options.minPosition) headers['X-Min-Position'] = options.minPosition;
  const query = options.after ? `?after=${options.after}` : '';
  const response = await request('GET', `${sessionPath(session.sessionId)}${query}`, {
    token: session.token,
    headers,
  });
  if (response.status === 304) return null;
  const raw = await json(response);
  return {
    snapshot: toSnapshot(raw),
    etag: response.headers.get('ETag'),
    cursor:
      typeof raw.cursor === 'number' && Number.isInteger(raw.cursor) && raw.cursor >= 0 ? raw.cursor : null,
  };
}

export async function closeSession(session: VisitorSession): Promise<void> {
  await request('POST', `${sessionPath(session.sessionId)}/close`, { token: session.token, body: {} });
}

export async function markSolved(session: VisitorSession, articleId: string): Promise<void> {
  await request(
    'POST',
    `${sessionPath(session.sessionId)}/suggestions/${encodeURIComponent(articleId)}/solved`,
    {
      token: session.token,
      body: {},
    },
  );
}

export async function getArticle(session: VisitorSession | null, articleId: string): Promise<Article> {
  const body = await json(
    await request('GET', `/api/kb/articles/${encodeURIComponent(articleId)}`, { token: session?.token }),
  );
  return { id: text(body.id) || articleId, title: text(body.title), body: text(body.body) };
}
