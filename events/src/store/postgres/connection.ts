import type pg from 'pg';

/** A Postgres database as the event store and the read models use it: real Postgres or PGlite. */
export interface PgConnection {
  pool: pg.Pool;
  /** LISTEN on a channel; answers a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}
