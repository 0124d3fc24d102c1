import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chainHash,
  GENESIS_HASH,
  verifyChain,
  WrongExpectedRevisionError,
  type AppendRequest,
  type EventStoreAdapter,
  type PgConnection,
  type StoredEvent,
} from '../src/index';

const metadata = () => ({
  actor: { kind: 'system' as const, id: 'batch' },
  correlationId: randomUUID(),
  causationId: null,
  command: 'Test',
  recordedAt: new Date().toISOString(),
});

/** An append straight to the adapter, chained like the event store chains it. */
function request(
  streamId: string,
  expected: AppendRequest['expected'],
  count = 1,
  data: (i: number) => Record<string, unknown> = (i) => ({ i }),
): AppendRequest {
  const ids = Array.from({ length: count }, () => randomUUID());
  return {
    streamId,
    expected,
    eventIds: ids,
    seal: (head) => {
      let previous = head?.hash ?? GENESIS_HASH;
      return ids.map((id, i): StoredEvent => {
        const event = { id, type: 'Batched', version: 1, data: data(i), metadata: metadata() };
        const hash = chainHash(previous, event);
        previous = hash;
        return { ...event, metadata: { ...event.metadata, hash } };
      });
    },
  };
}

/** The connection with a pool that counts the statements the database refused. */
export function countingFailures(connection: PgConnection) {
  let failed = 0;
  const pool = new Proxy(connection.pool, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'query' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch((error: unknown) => {
          failed++;
          throw error;
        });
    },
  });
  return {
    connection: { ...connection, kind: connection.kind, pool, listen: connection.listen.bind(connection) },
    failedStatements: () => failed,
  };
}

/**
 * Appends that arrive while others are being written go to the database together, in one
 * statement: each must still answer for itself, as if it had gone alone.
 */
export function describeBatchedAppends(
  name: string,
  open: () => Promise<{ adapter: EventStoreAdapter; close(): Promise<void>; failedStatements(): number }>,
) {
  describe(`appends that go together: ${name}`, () => {
    let adapter: EventStoreAdapter;
    let close: () => Promise<void>;
    let failedStatements: () => number;
    beforeAll(async () => ({ adapter, close, failedStatements } = await open()));
    afterAll(async () => close?.());
    const stream = () => `batched-${randomUUID()}`;

    it('many at once, to streams of their own: every event once, each stream in order, several in one transaction', async () => {
      const streams = Array.from({ length: 60 }, stream);
      const results = await Promise.all(
        streams.map((s, i) => adapter.append(request(s, 'no_stream', 1 + (i % 3)))),
      );
      const positions = results.map((r) => r.position);
      expect(new Set(positions).size).toBe(positions.length);
      for (const [i, s] of streams.entries()) {
        const events = await adapter.readStream(s);
        expect(events.map((e) => e.revision)).toEqual(
          Array.from({ length: 1 + (i % 3) }, (_, r) => BigInt(r)),
        );
        expect(events[events.length - 1]!.position).toBe(results[i]!.position);
        expect(results[i]!.revision).toBe(BigInt(i % 3));
      }
      // positions are transaction id * 1000 + n: fewer transactions than appends means some went together
      const transactions = new Set(positions.map((p) => p / 1000n));
      expect(transactions.size).toBeLessThan(streams.length);
    });

    it('a conflict, a moved condition, a retry and a refused event each answer alone; the rest go in', async () => {
      const contested = stream();
      const decidedOn = stream();
      const retried = request(stream(), 'no_stream', 2);
      await adapter.append(request(contested, 'no_stream'));
      await adapter.append(request(decidedOn, 'no_stream'));
      const original = await adapter.append(retried);
      const plain = Array.from({ length: 12 }, () => request(stream(), 'no_stream'));
      const moved = { ...request(stream(), 'no_stream'), unchanged: [{ streamId: decidedOn, revision: 5n }] };
      const kept = { ...request(stream(), 'no_stream'), unchanged: [{ streamId: decidedOn, revision: 0n }] };
      // Postgres refuses a NUL character in JSON: the one append that carries it fails, alone
      const refused = request(stream(), 'no_stream', 1, () => ({ text: 'a\u0000b' }));
      const racing = [request(contested, 0n), request(contested, 0n)];
      const all = [...plain, ...racing, moved, kept, retried, refused];
      const settled = await Promise.allSettled(all.map((r) => adapter.append(r)));
      const outcome = (r: AppendRequest) => settled[all.indexOf(r)]!;

      for (const r of [...plain, kept]) expect(outcome(r).status).toBe('fulfilled');
      expect(racing.map((r) => outcome(r).status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = racing.map(outcome).find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(outcome(moved)).toMatchObject({
        status: 'rejected',
        reason: { streamId: decidedOn, actual: 0n },
      });
      expect(outcome(retried)).toEqual({ status: 'fulfilled', value: original });
      expect(outcome(refused).status).toBe('rejected');
      expect((outcome(refused) as PromiseRejectedResult).reason).not.toBeInstanceOf(
        WrongExpectedRevisionError,
      );

      for (const r of [...plain, kept]) expect(await adapter.readStream(r.streamId)).toHaveLength(1);
      for (const r of [moved, refused]) expect(await adapter.readStream(r.streamId)).toEqual([]);
      const contestedEvents = await adapter.readStream(contested);
      expect(contestedEvents.map((e) => e.revision)).toEqual([0n, 1n]);
      expect(verifyChain(contestedEvents)).toBeNull();
      expect(await adapter.readStream(retried.streamId)).toHaveLength(2);
    });

    it('appends to one stream at any head take turns: no insert fails, neither theirs nor one they share', async () => {
      const busy = stream();
      await adapter.append(request(busy, 'no_stream'));
      const failedBefore = failedStatements();
      const appends = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? request(busy, 'any') : request(stream(), 'no_stream'),
      );
      await Promise.all(appends.map((r) => adapter.append(r)));
      expect(failedStatements() - failedBefore).toBe(0);
      const events = await adapter.readStream(busy);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 11 }, (_, r) => BigInt(r)));
      expect(verifyChain(events)).toBeNull();
    });
  });
}
