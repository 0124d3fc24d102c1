import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPglite, openPostgres, type Database } from '../database';

/**
 * A fresh, empty database for one test file: a new database on the Postgres named by
 * DATABASE_URL (or the container the global setup started), else an in-memory PGlite.
 * Dropped on close.
 */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<Database & { url: string | null }> {
  const url = databaseUrl();
  if (!url) {
    const database = await openPglite('memory://');
    return { ...database, url: null };
  }
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const testUrl = withDatabase(url, name);
  const database = openPostgres(testUrl, { poolSize: options.poolSize ?? 10 });
  return {
    ...database,
    url: testUrl,
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Whether tests run on a real Postgres server (races and concurrency need one). */
export const onRealPostgres = () => Boolean(databaseUrl());

function databaseUrl(): string | undefined {
  return process.env.DATABASE_URL || inject('databaseUrl') || undefined;
}

/** An empty database on the test Postgres server, by URL, for a whole system under test. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = databaseUrl();
  if (!url) throw new Error('createScratchDatabase needs a Postgres server (DATABASE_URL)');
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(url, name),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
