import { randomBytes, randomUUID } from 'node:crypto';
import { createScratchDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { openPostgres } from '@chat/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, startService, waitReady } from '../../src/testing/processes';
import { ApiClient } from '../../src/testing/test-system';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!onRealPostgres())('the command-api is killed in the middle of a load', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | null = null;
  afterAll(async () => scratch?.drop());

  it('loses no acknowledged command, leaves no command half-applied, and retries complete exactly once', async () => {
    scratch = await createScratchDatabase();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: scratch.url, EVENT_STORE: 'postgres', DATA_KEY_SECRET: randomBytes(32).toString('hex'), PORT: String(port) };
    let api = startService('command-api', { ...env, SEED_DEMO: 'true' });
    await waitReady(url);
    const login = await new ApiClient(url).request('POST', '/api/auth/login', { email: 'emma@demo.local', password: 'demo' });
    const emma = new ApiClient(url, login.body.token);

    const sent: { userId: string; acknowledged: boolean }[] = [];
    let stop = false;
    const create = (userId: string) =>
      emma.request('POST', '/api/commands/CreateUser', { userId, email: `${userId}@kill.local`, name: 'Killed Load', role: 'USER', password: 'kill-pw' });
    const workers = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const entry = { userId: randomUUID(), acknowledged: false };
        sent.push(entry);
        const answer = await create(entry.userId).catch(() => ({ status: 0 }));
        entry.acknowledged = answer.status === 200;
      }
    });
    await sleep(1_500);
    api.kill('SIGKILL');
    await exited(api);
    stop = true;
    await Promise.all(workers);

    const database = openPostgres(scratch.url);
    const eventsOf = async (userId: string) =>
      (await database.pool.query('SELECT type FROM events WHERE stream_id = $1', [`user-${userId}`])).rows.map((r) => r.type);
    const acknowledged = sent.filter((s) => s.acknowledged);
    const unacknowledged = sent.filter((s) => !s.acknowledged);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(unacknowledged.length).toBeGreaterThan(0);
    for (const { userId } of acknowledged) expect(await eventsOf(userId)).toEqual(['UserCreated']);
    // an unacknowledged command is all there or not there at all: its append is one transaction
    for (const { userId } of unacknowledged) expect((await eventsOf(userId)).length).toBeLessThanOrEqual(1);

    // clients retry what was not acknowledged, against a fresh instance: each ends exactly once
    api = startService('command-api', env);
    await waitReady(url);
    for (const { userId } of unacknowledged) expect((await create(userId)).status).toBe(200);
    for (const { userId } of sent) expect(await eventsOf(userId)).toEqual(['UserCreated']);
    await database.close();
    api.kill('SIGTERM');
    expect(await exited(api)).toBe(0);
  });
});
