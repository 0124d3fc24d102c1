import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  catalogue,
  EventStore,
  matchesFilter,
  MemoryEventStoreAdapter,
  MemoryKeyVault,
  ScanningAuditLog,
  START,
} from '../../src/index';

describe('the scanning audit log (any event store)', () => {
  const store = new EventStore(new MemoryEventStoreAdapter(), catalogue, new MemoryKeyVault());
  const log = new ScanningAuditLog(store);
  const users = [randomUUID(), randomUUID(), randomUUID()];
  const correlations: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 60; i++) {
      const userId = randomUUID();
      const correlationId = randomUUID();
      correlations.push(correlationId);
      const actor = users[i % 3]!;
      await store.append(
        `user-${userId}`,
        'no_stream',
        [
          {
            id: randomUUID(),
            type: 'UserCreated',
            data: { userId, email: `u${i}@example.com`, name: `User ${i}`, role: 'USER' },
          },
          ...(i % 2 ? [{ id: randomUUID(), type: 'UserDeactivated', data: { userId } }] : []),
        ],
        { actor: { kind: 'user', id: actor }, correlationId, causationId: null, command: 'CreateUser' },
      );
    }
  });

  it('pages forward and backward through the same matches', async () => {
    const all = (await store.readStoredAll(START, 1_000)).filter((e) =>
      matchesFilter(e, { actorId: users[1] }),
    );
    expect(all).toHaveLength(30);
    const forward = [];
    for (let cursor: bigint | undefined; ;) {
      const page = await log.page({ actorId: users[1] }, { order: 'asc', cursor, limit: 7 });
      if (page.length === 0) break;
      forward.push(...page);
      cursor = page[page.length - 1]!.position;
    }
    expect(forward.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const backward = [];
    for (let cursor: bigint | undefined; ;) {
      const page = await log.page({ actorId: users[1] }, { order: 'desc', cursor, limit: 7 });
      if (page.length === 0) break;
      backward.push(...page);
      cursor = page[page.length - 1]!.position;
    }
    expect(backward.map((e) => e.id)).toEqual(all.map((e) => e.id).reverse());
  });

  it('filters by type, excluded type and stream prefix', async () => {
    expect(await log.page({ types: ['UserDeactivated'] }, { order: 'asc', limit: 100 })).toHaveLength(30);
    expect(await log.page({ excludeTypes: ['UserDeactivated'] }, { order: 'asc', limit: 100 })).toHaveLength(
      60,
    );
    expect(await log.page({ streamPrefix: 'session-' }, { order: 'asc', limit: 100 })).toHaveLength(0);
  });

  it("groups an actor's commands by correlation, newest first", async () => {
    const mine = await log.correlationsOf(users[0]!, { limit: 5 });
    expect(mine.map((c) => c.correlationId)).toEqual([57, 54, 51, 48, 45].map((i) => correlations[i]));
    const next = await log.correlationsOf(users[0]!, { limit: 5, before: mine[4]!.position });
    expect(next[0]!.correlationId).toBe(correlations[42]);
    const events = await log.byCorrelation([correlations[57]!, correlations[1]!]);
    expect(events.map((e) => e.type)).toEqual([
      'UserCreated',
      'UserDeactivated',
      'UserCreated',
      'UserDeactivated',
    ]);
  });
});
