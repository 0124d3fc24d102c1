import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetScenarios, type Backend } from './support/scenarios';

/**
 * Issue 6's browser tests against the real all-in-one server (`app/src/main.ts` on a fresh
 * embedded database), with a customer page served from another origin (another port).
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(url)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the server was not ready in time:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function startPortal(hostPort: number): Promise<Backend> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'widget-e2e-'));
  const portal = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    WIDGET_SITES: JSON.stringify([
      {
        key: 'demo',
        origins: [`http://127.0.0.1:${hostPort}`, `http://localhost:${port}`],
        greeting: 'Hi! How can we help?',
        color: '#2563eb',
      },
    ]),
  };
  // The embedded mode on a fresh data directory, whatever the test run chose for other suites.
  delete env.DATABASE_URL;
  delete env.EVENT_STORE;
  delete env.ESDB_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/main.ts'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk) => (log = (log + chunk).slice(-20_000)));
  child.stderr?.on('data', (chunk) => (log = (log + chunk).slice(-20_000)));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(child.kill('SIGKILL')), 10_000);
        child.once('exit', () => resolve(clearTimeout(timer)));
      });
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(`${portal}/ready`, child, () => log, 110_000);
    const login = await fetch(`${portal}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'mitch@demo.local', password: 'demo' }),
    });
    if (!login.ok) throw new Error(`agent login failed: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    const command = async (name: string, body: object) => {
      const res = await fetch(`${portal}/api/commands/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${name} answered ${res.status}: ${await res.text()}`);
    };
    return {
      portal,
      agentJoins: (sessionId) => command('JoinSession', { sessionId }),
      agentSays: (sessionId, body) =>
        command('PostAgentMessage', { sessionId, messageId: randomUUID(), body }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

widgetScenarios('widget in Chromium, on a customer page, against the all-in-one server', {
  start: startPortal,
  pending: {},
});
