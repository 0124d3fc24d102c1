import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase } from '@chat/platform/testing/database';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, EventCatalogue, EventStore, MemoryKeyVault, PostgresEventStoreAdapter } from '../src/index';

const Tick = defineEvent({ type: 'Tick', version: 1, schema: z.object({ n: z.number() }) });
const context = { actor: { kind: 'system' as const, id: 'race' }, correlationId: randomUUID(), causationId: null, command: 'Race' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The sequence-gap race: a transaction takes its id first, others append and commit after it,
 * and it commits last. A follower of the log must still read every event exactly once, in order.
 */
export function describeCommitOrderRace(rounds = 100) {
  it(`a transaction that started first and commits last is never skipped (${rounds} rounds)`, async () => {
    const database = await createTestDatabase({ poolSize: 12 });
    const adapter = new PostgresEventStoreAdapter(database);
    await adapter.migrate();
    const store = new EventStore(adapter, new EventCatalogue([Tick]), new MemoryKeyVault());
    const expected = new Set<string>();
    let stop = false;
    const seen: { id: string; position: bigint }[] = [];
    const follower = (async () => {
      let after = 0n;
      while (!stop || (await store.headPosition()) > after) {
        const batch = await store.readAll(after, 50);
        for (const e of batch) seen.push({ id: e.id, position: e.position });
        if (batch.length > 0) after = batch[batch.length - 1]!.position;
        else await sleep(1);
      }
    })();
    try {
      for (let round = 0; round < rounds; round++) {
        const slow = await database.pool.connect();
        try {
          await slow.query('BEGIN');
          await slow.query('SELECT pg_current_xact_id()'); // takes its transaction id now
          const fast = Array.from({ length: 3 }, (_, i) => ({ id: randomUUID(), type: 'Tick', data: { n: i } }));
          await Promise.all(fast.map((e) => store.append(`fast-${randomUUID()}`, 'no_stream', [e], context)));
          fast.forEach((e) => expected.add(e.id));
          await sleep(Math.random() * 3);
          const slowId = randomUUID();
          await slow.query(
            `INSERT INTO events (position, stream_id, revision, event_id, type, version, data, metadata)
             VALUES (pg_current_xact_id()::text::bigint * 1000 + 1, $1, 0, $2, 'Tick', 1, '{"n":-1}', $3)`,
            [`slow-${randomUUID()}`, slowId, JSON.stringify({ ...context, recordedAt: new Date().toISOString(), hash: randomBytes(32).toString('hex') })],
          );
          await slow.query('COMMIT');
          expected.add(slowId);
        } finally {
          slow.release();
        }
      }
    } finally {
      stop = true;
      await follower;
      await adapter.close();
      await database.close();
    }
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => expected.has(id)).length).toBe(expected.size);
    const positions = seen.map((e) => e.position);
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
  });
}
