import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { PgConnection } from '@chat/events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

const PREPARED_MARK = '/* prepared */ ';

/**
 * Put first in a statement (sql`${PREPARED}SELECT ...`) to run it as a named prepared statement on
 * Postgres: each pooled connection plans it once and keeps the plan, where an unnamed statement is
 * planned every time it runs (a poll's or a projector batch's statements took longer to plan than
 * to run). Only for statements whose text is one of a few (their parameters vary, not their SQL),
 * as every connection keeps each text it has run. A plan is made again when the tables change or
 * the search_path differs (a rebuild's scratch schema). PGlite runs them unnamed: its connection
 * does not survive a failed extended-protocol query.
 */
export const PREPARED = sql.raw(PREPARED_MARK);

const statementNames = new Map<string, string>();
const statementName = (text: string) => {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `s_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
};

/** Makes a pooled client run statements marked PREPARED by name (kysely passes text and values). */
function preparing(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((config: unknown, values?: unknown, callback?: unknown) =>
    typeof config === 'string' && config.startsWith(PREPARED_MARK)
      ? query({ name: statementName(config), text: config, values }, callback)
      : query(config, values, callback)) as typeof client.query;
}

/** One Postgres database (real, or PGlite in-process) with a pool, kysely and LISTEN. */
export interface Database extends PgConnection {
  kind: 'postgres' | 'pglite';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  poolSize?: number;
  /** Fail a query that waits this long for a connection or an answer (ms). */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** How long a pooled session lives before it is replaced (see openPostgres). */
const CONNECTION_LIFETIME_S = 30;

/**
 * Real Postgres. Every pooled session ends an idle transaction after 10 s, so a stuck client
 * cannot hold the snapshot horizon (and so every event reader) back for long.
 *
 * Sessions are replaced after CONNECTION_LIFETIME_S. A prepared statement keeps the generic
 * plan Postgres made for it from the table's size at the time, for as long as the session
 * lives: one made while the events table was nearly empty scans the table on every append and
 * every read of a stream, and on a busy server sessions never idle out. Measured on a fresh
 * database under 4,400 simulated users: Postgres at 110 % of a core, answers taking seconds.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    maxLifetimeSeconds: CONNECTION_LIFETIME_S,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    options: `-c idle_in_transaction_session_timeout=10000 -c statement_timeout=${options.statementTimeoutMs ?? 30_000}`,
  });
  // A connection that breaks (server restart) fails its pending query; the client must not also
  // crash the process with an unhandled 'error' event, whether idle or checked out.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    preparing(client);
  });
  return {
    kind: 'postgres',
    pool,
    db: new Kysely({ dialect: new PostgresDialect({ pool }) }),
    listen: (channel, onNotify) => listenWithReconnect(url, channel, onNotify),
    close: async () => {
      await pool.end();
    },
  };
}

/** LISTEN on a dedicated connection that comes back after the server restarts. */
async function listenWithReconnect(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => onNotify(message.payload ?? ''));
    next.on('error', () => {
      next.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void connect().catch(() => undefined), 500);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      client = next;
      onNotify(''); // anything appended while we were away is read now
    } catch {
      await next.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void connect().catch(() => undefined), 500);
    }
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}

/** PGlite in-process, at a directory or 'memory://'. It serves one connection at a time. */
export async function openPglite(dataDir: string): Promise<Database> {
  const pglite = await PGlite.create(dataDir);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const housekeeping = setInterval(() => void vacuumWhereDue(pool).catch(() => undefined), 60_000);
  housekeeping.unref();
  return {
    kind: 'pglite',
    pool,
    db: new Kysely({ dialect: new PostgresDialect({ pool }) }),
    listen: async (channel, onNotify) => {
      const unsubscribe = await pglite.listen(channel, (payload) => onNotify(payload));
      return async () => {
        await unsubscribe();
      };
    },
    close: async () => {
      clearInterval(housekeeping);
      await pool.end();
      await pglite.close();
    },
  };
}

/**
 * What autovacuum does on a Postgres server, which PGlite has not: rows updated in place all day
 * (checkpoints, channel counters, read marks, chat sessions) leave dead versions behind in the
 * table and its indexes. Vacuums each table past autovacuum's default threshold; answers the
 * tables it did. Those are the small tables updated in place: vacuuming one takes milliseconds.
 * No ANALYZE: a load run with it stalled over a second at times (analyzing the large, append-mostly
 * tables holds the one connection).
 */
export async function vacuumWhereDue(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(`
    SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
    WHERE n_dead_tup > 50 + 0.2 * n_live_tup
    ORDER BY n_dead_tup DESC`);
  for (const { name } of rows) await pool.query(`VACUUM ${name}`);
  return rows.map((r) => r.name);
}
