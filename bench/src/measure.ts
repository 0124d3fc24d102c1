import { cpus, totalmem } from 'node:os';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Latency summary of a list of durations in milliseconds. */
export function summarize(durationsMs: number[]) {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Runs `operation` from `concurrency` workers for `seconds`; answers operations per second and
 * latency percentiles.
 */
export async function throughput(concurrency: number, seconds: number, operation: (worker: number, i: number) => Promise<void>) {
  const durations: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        await operation(worker, i);
        durations.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: round(durations.length / elapsed, 0), ...summarize(durations) };
}

/** A fresh database on the benchmark's Postgres server, dropped by `drop()`. */
export async function scratchDatabase(prefix = 'bench'): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The ceiling for appends: raw `BEGIN; INSERT one row; COMMIT` from `concurrency` connections. */
export async function rawInsertCeiling(url: string, concurrency: number, seconds: number) {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  await pool.query('CREATE TABLE IF NOT EXISTS raw_ceiling (id bigserial PRIMARY KEY, stream text, data jsonb)');
  const result = await throughput(concurrency, seconds, async (worker, i) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO raw_ceiling (stream, data) VALUES ($1, $2)', [`s-${worker}`, JSON.stringify({ i })]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
  await pool.end();
  return result;
}

export function print(label: string, value: unknown): void {
  process.stdout.write(`${label.padEnd(58)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
}
