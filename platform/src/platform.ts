import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  catalogue,
  EventStore,
  parseKey,
  PostgresEventStoreAdapter,
  PostgresKeyVault,
  type EventStoreAdapter,
} from '@chat/events';
import { AUTH_DDL } from './auth/tables';
import { VISITOR_TOKENS_DDL } from './auth/visitor-tokens';
import { SessionCache } from './auth/session-cache';
import { SessionStore, type SessionLookup } from './auth/sessions';
import type { Config } from './config';
import { openPglite, openPostgres, type Database } from './database';
import type { Logger } from './logger';

/** What every process of the system stands on: its database, event store and sign-in sessions. */
export interface Platform {
  config: Config;
  logger: Logger;
  database: Database;
  store: EventStore;
  sessions: SessionStore;
  /**
   * How this process's routes authenticate requests: sessions remembered in memory and forgotten
   * the moment they change (see SessionCache). Started on first use, one per process.
   */
  signedIn(): Promise<SessionLookup>;
  /** Throws when the database or the event store does not answer. */
  readiness(): Promise<void>;
  close(): Promise<void>;
}

export async function openPlatform(config: Config, logger: Logger): Promise<Platform> {
  const database =
    config.EVENT_STORE === 'pglite'
      ? await openPglite(ensureDir(path.join(config.DATA_DIR, 'pglite')))
      : openPostgres(config.DATABASE_URL!, {
          poolSize: config.DB_POOL_SIZE,
          connectTimeoutMs: config.DB_TIMEOUT_MS,
          statementTimeoutMs: config.DB_TIMEOUT_MS * 2,
        });
  await database.pool.query(AUTH_DDL);
  await database.pool.query(VISITOR_TOKENS_DDL);
  const vault = new PostgresKeyVault(database.pool, masterKey(config));
  await vault.migrate();
  const adapter = await openAdapter(config, database);
  const store = new EventStore(adapter, catalogue, vault);
  const sessions = new SessionStore(database.pool, config.SESSION_TTL_HOURS);
  let cache: Promise<SessionCache> | null = null;
  return {
    config,
    logger,
    database,
    store,
    sessions,
    signedIn: () =>
      (cache ??= (async () => {
        const started = new SessionCache(sessions, database);
        await started.start();
        return started;
      })()),
    readiness: async () => {
      await database.pool.query('SELECT 1');
      await store.headPosition();
    },
    close: async () => {
      await (await cache)?.close();
      await store.close();
      await database.close();
    },
  };
}

async function openAdapter(config: Config, database: Database): Promise<EventStoreAdapter> {
  if (config.EVENT_STORE === 'esdb') {
    const { EventStoreDBAdapter } = await import('@chat/events/store/esdb/adapter');
    return new EventStoreDBAdapter(config.ESDB_URL!);
  }
  const adapter = new PostgresEventStoreAdapter(database, config.EVENT_STORE);
  await adapter.migrate();
  return adapter;
}

/**
 * The secret that wraps every personal data key. Deployments pass DATA_KEY_SECRET; the embedded
 * mode generates one into its data directory on first start (never into the repository).
 */
export function masterKey(config: Config): Buffer {
  if (config.DATA_KEY_SECRET) return parseKey(config.DATA_KEY_SECRET);
  const file = path.join(ensureDir(config.DATA_DIR), 'data-key.secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return parseKey(readFileSync(file, 'utf8').trim());
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
