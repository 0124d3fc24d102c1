import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Role } from '@chat/events';
import type pg from 'pg';
import type { Principal } from './principal';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The `application_name` of the connections on which processes that remember sessions hear of changes. */
export const SESSION_CACHE_APPLICATION = 'portal-session-cache';
/** A revoker asks every remembering process to confirm it has taken in the changes so far... */
export const SESSIONS_FENCE_CHANNEL = 'auth_sessions_fence';
/** ...and each one answers `<its backend pid>:<nonce>` here. */
export const SESSIONS_FENCE_ACK_CHANNEL = 'auth_sessions_fence_ack';

/** Anything that tells the principal of a session token: the store itself, or a cache in front of it. */
export interface SessionLookup {
  /** The principal of a live session token, or null (unknown, expired or revoked). */
  principal(token: string): Promise<Principal | null>;
}

export interface LiveSession {
  principal: Principal;
  expiresAt: Date;
}

/** A process-local memory of sessions that must forget a user's sessions when they change. */
export interface SessionWatcher {
  /** Called right after a change of these users' sessions committed, before the change is answered. */
  sessionsChanged(userIds: readonly string[]): void;
  /** The database connection on which this watcher hears of changes: it is told directly, no need to fence it. */
  readonly backendPid: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Session tokens: 256 random bits handed to the client, only their hash stored. */
export class SessionStore implements SessionLookup {
  private readonly watchers = new Set<SessionWatcher>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlHours: number,
    /** How long a revocation waits for other processes to confirm they forgot the sessions. */
    private readonly fenceTimeoutMs = 2_000,
  ) {}

  async create(userId: string, role: Role): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlHours * 3_600_000);
    await this.pool.query(
      'INSERT INTO auth_sessions (token_hash, user_id, role, expires_at) VALUES ($1, $2, $3, $4)',
      [hashToken(token), userId, role, expiresAt],
    );
    return { token, expiresAt };
  }

  /** The principal of a live session token, or null (unknown, expired or revoked). */
  async principal(token: string): Promise<Principal | null> {
    if (!isPlausibleToken(token)) return null;
    return (await this.sessionOf(hashToken(token)))?.principal ?? null;
  }

  /** The live session with this token hash, with its expiry, or null. */
  async sessionOf(tokenHash: string): Promise<LiveSession | null> {
    const { rows } = await this.pool.query<{ user_id: string; role: string; expires_at: Date }>(
      'SELECT user_id, role, expires_at FROM auth_sessions WHERE token_hash = $1 AND expires_at > now()',
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      principal: { userId: row.user_id, role: Role.parse(row.role), sessionId: tokenHash },
      expiresAt: new Date(row.expires_at),
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.change('DELETE FROM auth_sessions WHERE token_hash = $1 RETURNING user_id', [sessionId]);
  }

  /** Signs a user out everywhere (deactivation). */
  async revokeAllOf(userId: string): Promise<void> {
    await this.change('DELETE FROM auth_sessions WHERE user_id = $1 RETURNING user_id', [userId]);
  }

  /** Signs a user out everywhere but in one session (a password change made in it). */
  async revokeOthersOf(userId: string, keepSessionId: string): Promise<void> {
    await this.change('DELETE FROM auth_sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING user_id', [
      userId,
      keepSessionId,
    ]);
  }

  /** A role change applies to the user's open sessions at once. */
  async changeRole(userId: string, role: Role): Promise<void> {
    await this.change('UPDATE auth_sessions SET role = $2 WHERE user_id = $1 RETURNING user_id', [
      userId,
      role,
    ]);
  }

  /** Registers a memory of sessions to tell of changes made through this store; answers a function that stops it. */
  watch(watcher: SessionWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /**
   * Makes a change and answers only once no process can still take the old sessions for live:
   * watchers of this process are told directly; every other process that remembers sessions
   * heard of the change on `auth_sessions_changed` (a trigger), and confirms it through a fence.
   */
  private async change(statement: string, params: unknown[]): Promise<void> {
    const { rows } = await this.pool.query<{ user_id: string }>(statement, params);
    if (rows.length === 0) return;
    const userIds = [...new Set(rows.map((row) => row.user_id))];
    for (const watcher of this.watchers) watcher.sessionsChanged(userIds);
    await this.fence();
  }

  /**
   * Waits until every process that remembers sessions (a connection named SESSION_CACHE_APPLICATION)
   * has read every change committed before this call: notifications reach a listener in commit
   * order, so its answer to a fence sent now comes after it has read them. A process that leaves
   * (its connection ends) need not answer; one that hangs is given up on after `fenceTimeoutMs`.
   */
  private async fence(): Promise<void> {
    const told = new Set([...this.watchers].map((w) => w.backendPid).filter((pid) => pid !== null));
    const waiting = new Set((await this.rememberingBackends()).filter((pid) => !told.has(pid)));
    if (waiting.size === 0) return;
    const nonce = randomUUID();
    const client = await this.pool.connect();
    let allConfirmed: () => void = () => undefined;
    const confirmed = new Promise<void>((resolve) => (allConfirmed = resolve));
    const onConfirm = (message: pg.Notification) => {
      if (message.channel !== SESSIONS_FENCE_ACK_CHANNEL) return;
      const [pid, answered] = (message.payload ?? '').split(':');
      if (answered !== nonce) return;
      waiting.delete(Number(pid));
      if (waiting.size === 0) allConfirmed();
    };
    let failure: Error | undefined;
    try {
      client.on('notification', onConfirm);
      await client.query(`LISTEN ${SESSIONS_FENCE_ACK_CHANNEL}`);
      await client.query('SELECT pg_notify($1, $2)', [SESSIONS_FENCE_CHANNEL, nonce]);
      const deadline = Date.now() + this.fenceTimeoutMs;
      while (waiting.size > 0 && Date.now() < deadline) {
        await Promise.race([confirmed, sleep(Math.min(250, Math.max(1, deadline - Date.now())))]);
        if (waiting.size === 0) break;
        // A process that stopped (or reconnected, and so forgot everything) will not answer.
        const alive = new Set(await this.rememberingBackends(client));
        for (const pid of waiting) if (!alive.has(pid)) waiting.delete(pid);
      }
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      client.removeListener('notification', onConfirm);
      if (!failure)
        await client
          .query(`UNLISTEN ${SESSIONS_FENCE_ACK_CHANNEL}`)
          .catch((error: Error) => (failure = error));
      client.release(failure);
    }
  }

  private async rememberingBackends(client: pg.Pool | pg.PoolClient = this.pool): Promise<number[]> {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
      [SESSION_CACHE_APPLICATION],
    );
    return rows.map((row) => row.pid);
  }
}

export const isPlausibleToken = (token: string) => token.length >= 20 && token.length <= 100;
