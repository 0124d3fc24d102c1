import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error autocannon ships no types; the few shapes used here are declared below.
import autocannonUntyped from 'autocannon';
import { exited, freePort, startService, waitReady } from '@chat/app/testing/processes';
import { scratchDatabase } from '../measure';
import type { Targets } from './client';

const here = path.dirname(fileURLToPath(import.meta.url));

export type Mode = 'all-in-one' | 'all-in-one-postgres' | 'services';

export interface RunningSystem {
  mode: Mode;
  targets: Targets;
  /** The server processes, by name (their CPU is measured). */
  processes: { name: string; pid: number }[];
  /** The scratch database's name (services mode), for the Postgres CPU of its backends. */
  database: string | null;
  stop(): Promise<void>;
}

/** How to stop what is running (servers, scratch database), for an interrupted run. */
const running = new Set<() => Promise<void>>();

/** Stops every server this run started and drops its scratch database (on SIGINT/SIGTERM). */
export async function stopEverything(): Promise<void> {
  await Promise.all([...running].map((stop) => stop().catch(() => undefined)));
}

/** Processes start slowly on a busy machine: wait up to 3 minutes. */
const READY_ATTEMPTS = 1_800;

/**
 * Settings every server of the run gets: loopback, quiet logs, the per-session rate limit out of
 * the way (simulated users share sessions), and client addresses from X-Forwarded-For as behind a
 * gateway, so that the per-address limits (sign-ins, widget chats) apply per simulated person and
 * not to the one loopback address everything comes from.
 */
function baseEnv(rateLimit: number): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: String(rateLimit),
    TRUST_PROXY: 'true',
    NODE_NO_WARNINGS: '1',
  };
  for (const name of [
    'DATABASE_URL',
    'EVENT_STORE',
    'ESDB_URL',
    'DATA_KEY_SECRET',
    'PUBLIC_ORIGIN',
    'WIDGET_SITES',
    'PORT',
    'SEED_DEMO',
  ])
    delete env[name];
  return env;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([
    exited(child).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
  ]);
  if (!done) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** A child process that prints `READY <url>` when it listens. */
function startReporting(
  script: string,
  env: Record<string, string | undefined>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready) resolve({ child, url: ready[1]! });
    });
    child.once('exit', (code) =>
      reject(new Error(`${path.basename(script)} exited with ${code} before it was ready`)),
    );
  });
}

/** A stop function that runs once, and is known to stopEverything until it has run. */
function stopper(stop: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  const once = () => {
    running.delete(once);
    return (done ??= stop());
  };
  running.add(once);
  return once;
}

/**
 * The all-in-one server (`npm start`) in a fresh data directory, demo organisation seeded: on its
 * embedded PGlite, or on the machine's Postgres in a scratch database.
 */
export async function startAllInOne(rateLimit: number, on: 'pglite' | 'postgres'): Promise<RunningSystem> {
  const scratch = on === 'postgres' ? await scratchDatabase('bench_load') : null;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'load-aio-'));
  const port = await freePort();
  const env = {
    ...baseEnv(rateLimit),
    DATA_DIR: dataDir,
    PORT: String(port),
    SEED_DEMO: 'true',
    ...(scratch
      ? {
          DATABASE_URL: scratch.url,
          EVENT_STORE: 'postgres',
          DATA_KEY_SECRET: randomBytes(32).toString('hex'),
        }
      : {}),
  };
  let child: ChildProcess | null = null;
  const stop = stopper(async () => {
    if (child) await stopChild(child);
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    const started = await startReporting(path.join(here, 'all-in-one.ts'), env);
    child = started.child;
    const url = started.url.replace('localhost', '127.0.0.1');
    await waitReady(url, READY_ATTEMPTS);
    return {
      mode: scratch ? 'all-in-one-postgres' : 'all-in-one',
      targets: { commands: url, queries: url },
      processes: [{ name: 'all-in-one', pid: child.pid! }],
      database: scratch ? new URL(scratch.url).pathname.slice(1) : null,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The three services of the production topology on the machine's Postgres, in a scratch
 * database: command-api (which seeds the demo organisation, for its administrator), projections
 * and query-api, each its own process.
 */
export async function startServices(rateLimit: number): Promise<RunningSystem> {
  const scratch = await scratchDatabase('bench_load');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'load-services-'));
  const children: ChildProcess[] = [];
  const stop = stopper(async () => {
    for (const child of [...children].reverse()) await stopChild(child);
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    const shared = {
      ...baseEnv(rateLimit),
      DATABASE_URL: scratch.url,
      EVENT_STORE: 'postgres',
      DATA_KEY_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
    };
    const [commandPort, queryPort] = [await freePort(), await freePort()];
    const commandApi = startService('command-api', {
      ...shared,
      PORT: String(commandPort),
      SEED_DEMO: 'true',
    });
    children.push(commandApi);
    const commands = `http://127.0.0.1:${commandPort}`;
    await waitReady(commands, READY_ATTEMPTS);
    const projections = startService('projections', { ...shared, SEED_DEMO: 'false' });
    children.push(projections);
    const queryApi = startService('query-api', { ...shared, PORT: String(queryPort), SEED_DEMO: 'false' });
    children.push(queryApi);
    const queries = `http://127.0.0.1:${queryPort}`;
    await waitReady(queries, READY_ATTEMPTS);
    return {
      mode: 'services',
      targets: { commands, queries },
      processes: [
        { name: 'command-api', pid: commandApi.pid! },
        { name: 'projections', pid: projections.pid! },
        { name: 'query-api', pid: queryApi.pid! },
      ],
      database: new URL(scratch.url).pathname.slice(1),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface CannonResult {
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = autocannonUntyped as (
  options: object,
  done: (error: Error | null, result: CannonResult) => void,
) => unknown;

/** The machine's ceiling: a bare fastify hello-world in its own process, loaded by autocannon from this one. */
export async function helloWorldCeiling(seconds: number, connections = 50) {
  const { child, url } = await startReporting(path.join(here, 'hello.ts'), { ...process.env });
  try {
    const result = await new Promise<CannonResult>((resolve, reject) =>
      autocannon(
        { url: url.replace('localhost', '127.0.0.1'), connections, duration: seconds },
        (error, r) => (error ? reject(error) : resolve(r)),
      ),
    );
    return {
      perSecond: Math.round(result.requests.total / (result.duration || seconds)),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      connections,
      seconds,
    };
  } finally {
    await stopChild(child);
  }
}
