import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { UnauthorizedError } from '../errors';

/**
 * Website visitors hold a token per chat session: 256 random bits, handed out once, only its
 * sha256 stored. It opens that one session and nothing else. The table also remembers the
 * address a session came from, to cap how many open sessions one address may hold.
 */
export const VISITOR_TOKENS_DDL = `
  CREATE TABLE IF NOT EXISTS visitor_tokens (
    token_hash text PRIMARY KEY,
    session_id uuid NOT NULL UNIQUE,
    widget_key text NOT NULL,
    ip text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    closed_at timestamptz
  );
  CREATE INDEX IF NOT EXISTS visitor_tokens_open_by_ip ON visitor_tokens (ip) WHERE closed_at IS NULL;
`;

/** Visitor tokens look different from staff session tokens, so neither is ever taken for the other. */
export const VISITOR_TOKEN_PREFIX = 'vt_';

export interface VisitorPrincipal {
  sessionId: string;
  widgetKey: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    visitor?: VisitorPrincipal;
  }
}

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const CACHE_MS = 10_000;
const CACHE_MAX = 20_000;

export class VisitorTokens {
  /** Polling visitors ask every few seconds: remember recent answers briefly (tokens are never revoked early). */
  private readonly cache = new Map<string, { principal: VisitorPrincipal; until: number }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlHours = 24,
  ) {}

  async issue(input: {
    sessionId: string;
    widgetKey: string;
    ip: string;
  }): Promise<{ token: string; expiresAt: Date }> {
    // Now and then, forget tokens (and the addresses they came from) a day after they expired.
    if (Math.random() < 0.01)
      await this.pool.query(`DELETE FROM visitor_tokens WHERE expires_at < now() - interval '1 day'`);
    const token = VISITOR_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlHours * 3_600_000);
    await this.pool.query(
      'INSERT INTO visitor_tokens (token_hash, session_id, widget_key, ip, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [hash(token), input.sessionId, input.widgetKey, input.ip, expiresAt],
    );
    return { token, expiresAt };
  }

  /** The session a live visitor token opens, or null. */
  async verify(token: string): Promise<VisitorPrincipal | null> {
    if (!token.startsWith(VISITOR_TOKEN_PREFIX) || token.length > 100) return null;
    const tokenHash = hash(token);
    const cached = this.cache.get(tokenHash);
    const now = Date.now();
    if (cached && cached.until > now) return cached.principal;
    const { rows } = await this.pool.query<{ session_id: string; widget_key: string; expires_at: Date }>(
      'SELECT session_id, widget_key, expires_at FROM visitor_tokens WHERE token_hash = $1 AND expires_at > now()',
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    const principal = { sessionId: row.session_id, widgetKey: row.widget_key };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(tokenHash, {
      principal,
      until: Math.min(now + CACHE_MS, new Date(row.expires_at).getTime()),
    });
    return principal;
  }

  /** Sessions started from this address that are neither closed nor expired. */
  async openSessionsFrom(ip: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM visitor_tokens WHERE ip = $1 AND closed_at IS NULL AND expires_at > now()',
      [ip],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The session was closed (by anyone): it no longer counts against its address. */
  async sessionClosed(sessionId: string): Promise<void> {
    await this.pool.query(
      'UPDATE visitor_tokens SET closed_at = now() WHERE session_id = $1 AND closed_at IS NULL',
      [sessionId],
    );
  }

  /** Forgets a token whose session could not be started. */
  async revoke(sessionId: string): Promise<void> {
    await this.pool.query('DELETE FROM visitor_tokens WHERE session_id = $1', [sessionId]);
  }
}

/** The bearer token of a request, if it is a visitor token. */
export function visitorToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token.startsWith(VISITOR_TOKEN_PREFIX) ? token : undefined;
}

/** A preHandler that requires a visitor token and sets `request.visitor`. */
export function requireVisitor(tokens: VisitorTokens) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = visitorToken(request);
    if (!token) throw new UnauthorizedError('This chat needs its visitor token', 'VISITOR_TOKEN_REQUIRED');
    const visitor = await tokens.verify(token);
    if (!visitor)
      throw new UnauthorizedError('This chat has ended; start a new one', 'VISITOR_TOKEN_INVALID');
    request.visitor = visitor;
  };
}

export function visitorOf(request: FastifyRequest): VisitorPrincipal {
  if (!request.visitor)
    throw new UnauthorizedError('This chat needs its visitor token', 'VISITOR_TOKEN_REQUIRED');
  return request.visitor;
}
