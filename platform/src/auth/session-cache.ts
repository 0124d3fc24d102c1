import pg from 'pg';
import type { Database } from '../database';
import type { Principal } from './principal';
import {
  hashToken,
  isPlausibleToken,
  SESSION_CACHE_APPLICATION,
  SESSIONS_FENCE_ACK_CHANNEL,
  SESSIONS_FENCE_CHANNEL,
  type LiveSession,
  type SessionLookup,
  type SessionStore,
  type SessionWatcher,
} from './sessions';
import { SESSIONS_CHANGED_CHANNEL } from './tables';

export interface SessionCacheOptions {
  /** How long a session is remembered at most; changes are heard of at once, this only bounds the memory. */
  ttlMs?: number;
  maxEntries?: number;
  /** Pause before listening again after the connection broke. */
  reconnectMs?: number;
}

interface Entry {
  principal: Principal;
  until: number;
}

/**
 * Remembers live sessions, so that a poll costs no database round trip to authenticate, and
 * forgets a user's sessions as soon as any of them changes (sign-out, deactivation, role or
 * password change): the trigger on `auth_sessions` announces every change, and revocations
 * through a SessionStore wait until every cache has confirmed it heard of them (a fence), so a
 * change is in force everywhere when its command answers. While the cache cannot listen (not
 * started, connection lost) it remembers nothing and every lookup asks the database.
 */
export class SessionCache implements SessionLookup, SessionWatcher {
  /** By token: the process holds the tokens of its requests anyway, and hashing each poll's token costs a sha256. */
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  /** Moves on every change heard of: a lookup that started before it must not be remembered. */
  private generation = 0;
  private listening = false;
  private stopped = false;
  private client: pg.Client | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private unwatch: (() => void) | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  backendPid: number | null = null;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly reconnectMs: number;

  constructor(
    private readonly store: SessionStore,
    private readonly database: Pick<Database, 'kind' | 'pool' | 'listen'>,
    options: SessionCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.reconnectMs = options.reconnectMs ?? 500;
  }

  /** Starts listening for changes; the cache remembers sessions only once it listens. */
  async start(): Promise<void> {
    this.unwatch = this.store.watch(this);
    if (this.database.kind === 'pglite') {
      // One process, one connection: changes arrive in-process, fences are never needed.
      this.unlisten = await this.database.listen(SESSIONS_CHANGED_CHANNEL, (userId) => this.heard(userId));
      this.startRemembering(null);
      return;
    }
    await this.connect();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.stopRemembering();
    this.unwatch?.();
    if (this.reconnect) clearTimeout(this.reconnect);
    await this.unlisten?.();
    await this.client?.end().catch(() => undefined);
  }

  async principal(token: string): Promise<Principal | null> {
    if (!isPlausibleToken(token)) return null;
    const now = Date.now();
    const hit = this.entries.get(token);
    if (hit && hit.until > now) return hit.principal;
    if (hit) this.forgetKey(token, hit.principal.userId);
    const generation = this.generation;
    const session = await this.store.sessionOf(hashToken(token));
    if (session && this.listening && generation === this.generation) this.remember(token, session, now);
    return session?.principal ?? null;
  }

  sessionsChanged(userIds: readonly string[]): void {
    for (const userId of userIds) this.heard(userId);
  }

  private heard(userId: string): void {
    this.generation++;
    const keys = this.byUser.get(userId);
    if (!keys) return;
    for (const key of keys) this.entries.delete(key);
    this.byUser.delete(userId);
  }

  private remember(key: string, session: LiveSession, since: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.entries().next().value;
      if (oldest) this.forgetKey(oldest[0], oldest[1].principal.userId);
    }
    const { userId } = session.principal;
    this.entries.set(key, {
      principal: session.principal,
      until: Math.min(since + this.ttlMs, session.expiresAt.getTime()),
    });
    let keys = this.byUser.get(userId);
    if (!keys) this.byUser.set(userId, (keys = new Set()));
    keys.add(key);
  }

  private forgetKey(key: string, userId: string): void {
    this.entries.delete(key);
    const keys = this.byUser.get(userId);
    keys?.delete(key);
    if (keys?.size === 0) this.byUser.delete(userId);
  }

  private startRemembering(backendPid: number | null): void {
    this.stopRemembering();
    this.backendPid = backendPid;
    this.listening = true;
  }

  /** Forgets everything: whatever changed while not listening was not heard of. */
  private stopRemembering(): void {
    this.listening = false;
    this.backendPid = null;
    this.generation++;
    this.entries.clear();
    this.byUser.clear();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(this.database.pool.options);
    // pg knows the backend's pid from the connection start, before any query answered.
    const pidOf = () => (client as unknown as { processID: number | null }).processID;
    let broken = false;
    const onBroken = () => {
      if (broken) return;
      broken = true;
      if (this.client === client) {
        this.client = null;
        this.stopRemembering();
      }
      client.end().catch(() => undefined);
      if (!this.stopped) this.reconnect = setTimeout(() => void this.connect(), this.reconnectMs);
    };
    client.on('error', onBroken);
    client.on('end', onBroken);
    client.on('notification', (message) => {
      if (message.channel === SESSIONS_CHANGED_CHANNEL) this.heard(message.payload ?? '');
      // Notifications arrive in commit order and are handled one by one: whatever changed before
      // the fence has been forgotten by now.
      else if (message.channel === SESSIONS_FENCE_CHANNEL)
        client
          .query('SELECT pg_notify($1, $2)', [SESSIONS_FENCE_ACK_CHANNEL, `${pidOf()}:${message.payload}`])
          .catch(onBroken);
    });
    try {
      await client.connect();
      // Named only once listening: a revoker fences the connections it finds by this name.
      await client.query(
        `LISTEN ${SESSIONS_CHANGED_CHANNEL}; LISTEN ${SESSIONS_FENCE_CHANNEL}; SET application_name = '${SESSION_CACHE_APPLICATION}'`,
      );
      if (broken) return;
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.startRemembering(pidOf());
    } catch {
      onBroken();
    }
  }
}
