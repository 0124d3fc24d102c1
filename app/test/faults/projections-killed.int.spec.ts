import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createScratchDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { allProjectors, type ReadModels } from '@chat/projections';
import { compareRebuildWithLive } from '@chat/projections/audit/replay-compare';
import { createLogger } from '@chat/platform';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, startService } from '../../src/testing/processes';
import { startTestSystem, type TestSystem } from '../../src/testing/test-system';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KILLS = Number(process.env.FAULT_KILLS ?? 20);

describe.skipIf(!onRealPostgres())('the projections process is killed (SIGKILL) again and again under a write load', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | null = null;
  let t: TestSystem | null = null;
  let projections: ChildProcess | null = null;
  afterAll(async () => {
    projections?.kill('SIGKILL');
    await t?.close();
    await scratch?.drop();
  });

  it(`read models end identical to a clean rebuild after ${KILLS} kills: no lost, no doubled event`, async () => {
    scratch = await createScratchDatabase();
    const secret = randomBytes(32).toString('hex');
    // commands and queries in this process; the projectors only in the child that gets killed
    t = await startTestSystem({ databaseUrl: scratch.url, env: { DATA_KEY_SECRET: secret }, parts: { projections: false } });
    const env = { DATABASE_URL: scratch.url, EVENT_STORE: 'postgres', DATA_KEY_SECRET: secret, PORT: '0' };
    projections = startService('projections', env);
    const writers = await Promise.all(['emma@demo.local', 'mitch@demo.local', 'jamie@demo.local'].map((e) => t!.login(e)));
    const generalChannel = async () =>
      ((await writers[0]!.get('/api/channels')).body.items as { id: string; name: string }[] | undefined)?.find((c) => c.name === 'general');
    await expect.poll(generalChannel, { timeout: 60_000 }).toBeTruthy(); // the child projects the seed
    const general = (await generalChannel())!.id;
    for (const writer of writers) await writer.command('JoinChannel', { channelId: general });

    let stop = false;
    let acknowledged = 0;
    const load = writers.map(async (writer, w) => {
      const mine: string[] = [];
      while (!stop) {
        const roll = Math.random();
        if (roll < 0.7 || mine.length === 0) {
          const messageId = randomUUID();
          const answer = await writer.command('PostMessage', { channelId: general, messageId, body: `message ${w}-${mine.length}` });
          if (answer.status === 200) mine.push(messageId);
        } else if (roll < 0.85) {
          await writer.command('ReactToMessage', { messageId: mine[Math.floor(Math.random() * mine.length)]!, emoji: '👍' });
        } else if (roll < 0.95) {
          await writer.command('EditMessage', { messageId: mine[Math.floor(Math.random() * mine.length)]!, body: `edited ${randomUUID()}` });
        } else {
          await writer.command('MarkChannelRead', { channelId: general });
        }
        acknowledged++;
      }
    });

    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(300 + Math.random() * 900);
      projections.kill('SIGKILL');
      await exited(projections);
      projections = startService('projections', env);
    }
    stop = true;
    await Promise.all(load);
    expect(acknowledged).toBeGreaterThan(KILLS);

    const db = t.system.platform.database.db as Kysely<ReadModels>;
    const options = { db, store: t.system.platform.store, logger: createLogger('silent'), waitMs: 60_000 };
    for (const projector of allProjectors) {
      const comparison = await compareRebuildWithLive(options, projector);
      expect(comparison.problem).toBeUndefined();
      expect(comparison.tables.filter((table) => !table.equal), projector.name).toEqual([]);
      expect(comparison.equal).toBe(true);
    }
    projections.kill('SIGTERM');
    await exited(projections);
    projections = null;
  }, 240_000);
});
