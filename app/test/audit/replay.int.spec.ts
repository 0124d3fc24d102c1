import { startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { allProjectors, type ReadModels } from '@chat/projections';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReplay, verifyReplay } from '../../src/audit/replay-verify';
import { asDemoUser, demoUserId } from '../../src/seed/demo';
import { randomWorkload } from './workload';

let t: TestSystem;
const replay = () =>
  verifyReplay({
    db: t.system.platform.database.db as Kysely<ReadModels>,
    store: t.system.platform.store,
    logger: t.system.platform.logger,
  });

beforeAll(async () => {
  t = await startTestSystem();
  await t.settle();
});
afterAll(() => t?.close());

describe('replay verification: every read model equals its rebuild from the history', () => {
  it('after the demo seed', async () => {
    const result = await replay();
    expect(describeReplay(result).join('\n')).not.toContain('DIFFERENT');
    expect(result.equal).toBe(true);
    expect(result.projectors.map((p) => p.projector).sort()).toEqual(allProjectors.map((p) => p.name).sort());
    const teamChat = result.projectors.find((p) => p.projector === 'team_chat')!;
    expect(teamChat.tables.find((x) => x.table === 'tc_messages')!.liveRows).toBeGreaterThan(5);
  });

  it('finds a live row changed behind the projector, and names it', async () => {
    const db = t.system.platform.database.db as Kysely<ReadModels>;
    const { rows } = await sql<{
      id: string;
      body: string;
    }>`SELECT id, body FROM tc_messages ORDER BY seq LIMIT 1`.execute(db);
    const row = rows[0]!;
    await sql`UPDATE tc_messages SET body = 'rewritten by hand' WHERE id = ${row.id}`.execute(db);
    try {
      const result = await replay();
      expect(result.equal).toBe(false);
      const teamChat = result.projectors.find((p) => p.projector === 'team_chat')!;
      const messages = teamChat.tables.find((x) => x.table === 'tc_messages')!;
      expect(messages.equal).toBe(false);
      expect(messages.liveRows).toBe(messages.rebuiltRows);
      expect(messages.onlyLive.join()).toContain('rewritten by hand');
      expect(messages.onlyRebuilt.join()).toContain(row.body);
      expect(result.projectors.filter((p) => !p.equal).map((p) => p.projector)).toEqual(['team_chat']);
    } finally {
      await sql`UPDATE tc_messages SET body = ${row.body} WHERE id = ${row.id}`.execute(db);
    }
    expect((await replay()).equal).toBe(true);
  });

  it('after a long random workload, with erasures', async () => {
    const bus = t.system.bus;
    const load = await randomWorkload(bus, { seed: 20261125, operations: 1_000 });
    expect(load.succeeded, JSON.stringify(load.refused)).toBeGreaterThan(400);
    // Jamie leaves and asks to be forgotten; so does a visitor whose chat is over.
    await bus.execute({
      name: 'DeactivateUser',
      issuer: asDemoUser('emma'),
      body: { userId: demoUserId('jamie') },
    });
    await bus.execute({
      name: 'ErasePersonalData',
      issuer: asDemoUser('emma'),
      body: { userId: demoUserId('jamie') },
    });
    const visitor = load.sessions[0]!;
    await bus
      .execute({
        name: 'CloseSession',
        issuer: { kind: 'visitor', sessionId: visitor },
        body: { sessionId: visitor },
      })
      .catch(() => undefined);
    await bus.execute({
      name: 'ErasePersonalData',
      issuer: asDemoUser('emma'),
      body: { sessionId: visitor },
    });
    const more = await randomWorkload(bus, { seed: 7, operations: 500, people: ['emma', 'mitch', 'morgan'] });
    expect(more.succeeded).toBeGreaterThan(150);
    await t.settle();
    const result = await replay();
    const text = describeReplay(result).join('\n');
    expect(result.equal, text).toBe(true);
    expect(
      result.projectors.find((p) => p.projector === 'livechat')!.tables.every((x) => x.liveRows > 0),
    ).toBe(true);
  }, 300_000);
});
