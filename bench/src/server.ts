import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSystem } from '@chat/app';
import type { WidgetLimits } from '@chat/command-api/live-chat/widget-routes';
import { createLogger, loadConfig } from '@chat/platform';

/**
 * The system under test, in a process of its own so that a load generator does not share its
 * event loop: `all-in-one` is the composition `npm start` runs (APIs, projections and the bot),
 * `api` the command-api (sign-in and widget routes included) and query-api alone, `projections` the
 * projections and the bot alone (the services mode runs one of each). Rate limits are lifted:
 * here one address speaks for every simulated person. `/bench/bare` answers without any work,
 * as a peer for the API's own answers.
 */
export type ServerRole = 'all-in-one' | 'api' | 'projections';

const UNLIMITED: WidgetLimits = {
  startsPerIp: [1e9, 60_000],
  openSessionsPerIp: 1e9,
  messagesPerSession: [1e9, 10_000],
  messagesPerIp: [1e9, 10_000],
  otherPerSession: [1e9, 10_000],
};

const here = fileURLToPath(import.meta.url);
const SERVER_FLAG = '--bench-server';

async function serve(role: ServerRole): Promise<void> {
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000000',
  });
  const apis = role !== 'projections';
  const system = await startSystem(
    config,
    createLogger(config.LOG_LEVEL, 'bench-server'),
    { commands: apis, queries: apis, projections: role !== 'api', web: false },
    {
      widgetLimits: UNLIMITED,
      routes: (http) => http.get('/bench/bare', { schema: { hide: true } }, async () => ({ ok: true })),
    },
  );
  process.stdout.write(system.url ? `READY ${system.url}\n` : 'READY projections\n');
  process.on('SIGTERM', () => void system.close().then(() => process.exit(0)));
}

/**
 * Starts a server process on the database of `env.DATABASE_URL`; answers its URL once it is ready.
 * BENCH_CPU_PROFILE=<dir> writes its CPU profile there; BENCH_SERVER_LOG=1 passes its output on.
 */
export function startServer(
  role: ServerRole,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const profile = process.env.BENCH_CPU_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', here, SERVER_FLAG, role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.BENCH_SERVER_LOG) process.stderr.write(chunk);
      const ready = /READY (\S+)/.exec(output);
      if (ready) resolve({ url: ready[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`bench server (${role}) exited with ${code}`)));
  });
}

const flag = process.argv.indexOf(SERVER_FLAG);
if (flag >= 0) await serve(process.argv[flag + 1] as ServerRole);

/** Stops server processes, newest first, each given ten seconds to finish what it has in flight. */
export async function stopServers(children: readonly (ChildProcess | null)[]): Promise<void> {
  for (const child of [...children].reverse()) {
    if (!child || child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
}

/** A GET as a signed-in person: status, ETag and the JSON body of a 200. */
export async function getJson(url: string, token: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: response.status === 200 ? ((await response.json()) as Record<string, unknown>) : null,
  };
}

/** Waits until the read models have caught up with the log (nothing left to project), at most a minute. */
export async function settle(url: string, token: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const answer = await getJson(`${url}/api/projections`, token);
    const items = (answer.body?.items ?? []) as { behind: boolean }[];
    if (items.length > 0 && items.every((p) => !p.behind)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
