import type pg from 'pg';

/** A Postgres database as the event store and the read models use it: real Postgres or PGlite. */
export interface PgConnection {
  /**
   * 'postgres' lets the event store use prepared statements; PGlite's connection does not survive
   * a failed extended-protocol query (an append's unique violation), so it gets plain SQL.
   */
  kind?: 'postgres' | 'pglite';
  pool: pg.Pool;
  /** LISTEN on a channel; answers a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}
