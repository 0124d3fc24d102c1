import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createScratchDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, freePort, startService, waitReady } from '../src/testing/processes';
import { ApiClient } from '../src/testing/test-system';

describe.skipIf(!onRealPostgres())('services mode: command-api, projections and query-api as separate processes', () => {
  const children: ChildProcess[] = [];
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let commandUrl = '';
  let queryUrl = '';

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const env = { DATABASE_URL: scratch.url, EVENT_STORE: 'postgres', DATA_KEY_SECRET: randomBytes(32).toString('hex') };
    const start = (service: 'command-api' | 'projections' | 'query-api', port: number, extra: Record<string, string> = {}) => {
      children.push(startService(service, { ...env, PORT: String(port), ...extra }));
    };
    const [commandPort, queryPort] = [await freePort(), await freePort()];
    commandUrl = `http://127.0.0.1:${commandPort}`;
    queryUrl = `http://127.0.0.1:${queryPort}`;
    start('command-api', commandPort, { SEED_DEMO: 'true' });
    await waitReady(commandUrl);
    start('projections', 0);
    start('query-api', queryPort);
    await waitReady(queryUrl);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
    await scratch?.drop();
  });

  it('a command answered by one process is read back, at its position, from another', async () => {
    const login = await new ApiClient(commandUrl).request('POST', '/api/auth/login', { email: 'emma@demo.local', password: 'demo' });
    expect(login.status).toBe(200);
    const writer = new ApiClient(commandUrl, login.body.token);
    const userId = randomUUID();
    const created = await writer.command('CreateUser', { userId, email: `s-${userId}@demo.local`, name: 'Sam Services', role: 'USER', password: 'sam-pw' });
    expect(created.status).toBe(200);
    const reader = new ApiClient(queryUrl, login.body.token);
    const users = await reader.get('/api/users', { 'x-min-position': created.body.position });
    expect(users.status).toBe(200);
    expect(users.headers.get('x-stale')).toBeNull();
    expect(users.body.items.map((u: { id: string }) => u.id)).toContain(userId);
    // the query-api has no command routes, the command-api no query routes
    expect((await reader.request('POST', '/api/commands/CreateUser', {})).status).toBe(404);
    expect((await writer.request('GET', '/api/users')).status).toBe(404);
  });

  it('each process shuts down cleanly on SIGTERM (requests and batches finish first)', async () => {
    const exits = children.map(exited);
    for (const child of children) child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
  });
});
