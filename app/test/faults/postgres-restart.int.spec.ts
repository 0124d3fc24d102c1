import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, ScratchCluster } from '../../src/testing/scratch-cluster';
import { startTestSystem, type ApiClient, type TestSystem } from '../../src/testing/test-system';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!postgresBinaries())('PostgreSQL stops during a write load, then comes back', () => {
  let cluster: ScratchCluster;
  let t: TestSystem;
  let emma: ApiClient;
  beforeAll(async () => {
    cluster = await ScratchCluster.create();
    t = await startTestSystem({ databaseUrl: cluster.url, env: { DB_TIMEOUT_MS: '1000' } });
    emma = await t.login('emma@demo.local');
  }, 120_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    cluster?.destroy();
  });

  it('fails fast with 503 while down, keeps every acknowledged command, and recovers without a restart', async () => {
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const userId = randomUUID();
        const answer = await emma
          .request('POST', '/api/commands/CreateUser', { userId, email: `${userId}@load.local`, name: 'Load', role: 'USER', password: 'load-pw' }, {}, AbortSignal.timeout(15_000))
          .catch((error: Error) => ({ status: error.name === 'TimeoutError' ? -1 : -2 }));
        statuses.push(answer.status);
        if (answer.status === 200) acknowledged.push(userId);
        if (answer.status !== 200) await sleep(50);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await sleep(1_000);
    cluster.stop('fast');
    const downFrom = statuses.length;
    await sleep(2_500);
    const whileDown = statuses.slice(downFrom);
    cluster.start();
    await expect.poll(() => statuses.slice(-5).every((s) => s === 200), { timeout: 30_000, interval: 200 }).toBe(true);
    stop = true;
    await Promise.all(workers);

    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses).not.toContain(-1); // nothing hung past the client's patience
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    for (const userId of acknowledged) expect(await t.system.platform.store.readStream(`user-${userId}`)).toHaveLength(1);
    // the projectors recovered by themselves: the read model catches up with every acknowledged user
    const last = acknowledged[acknowledged.length - 1]!;
    await expect
      .poll(async () => (await emma.get('/api/users')).body.items?.some((u: { id: string }) => u.id === last), { timeout: 30_000 })
      .toBe(true);
  });
});
