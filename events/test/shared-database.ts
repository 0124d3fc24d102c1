import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineEvent,
  EventCatalogue,
  EventStore,
  MemoryKeyVault,
  verifyChain,
  WrongExpectedRevisionError,
  type EventStoreAdapter,
  type ExpectedRevision,
} from '../src/index';

const Noted = defineEvent({ type: 'Noted', version: 1, schema: z.object({ n: z.number() }) });
const catalogue = new EventCatalogue([Noted]);
const context = {
  actor: { kind: 'system' as const, id: 'shared' },
  correlationId: randomUUID(),
  causationId: null,
  command: 'Test',
};
const noted = (n = 0) => ({ id: randomUUID(), type: 'Noted', data: { n } });
const stream = () => `shared-${randomUUID()}`;

export interface SharedTarget {
  /** Two adapters on one database, each with its own memory of stream heads, as two processes have. */
  adapters: [EventStoreAdapter, EventStoreAdapter];
  /** Whether the two truly run at once (PGlite serves one connection at a time). */
  concurrent: boolean;
  close(): Promise<void>;
}

/**
 * Writers that remember stream heads (to append without reading them first) must behave as if
 * they read them: a head another writer moved on is a conflict at that revision, never a second
 * event at one revision or a break in the hash chain.
 */
export function describeSharedDatabase(name: string, open: () => Promise<SharedTarget>) {
  describe(`two writers on one database: ${name}`, () => {
    let target: SharedTarget;
    let a: EventStore;
    let b: EventStore;
    beforeAll(async () => {
      target = await open();
      const vault = new MemoryKeyVault();
      a = new EventStore(target.adapters[0], catalogue, vault);
      b = new EventStore(target.adapters[1], catalogue, vault);
    });
    afterAll(async () => target?.close());

    const revisions = async (s: string) => (await a.readStoredStream(s)).map((e) => e.revision);
    const intact = async (s: string) => expect(verifyChain(await b.readStoredStream(s))).toBeNull();

    it('a writer whose remembered head is behind conflicts at that revision, then appends at the real one', async () => {
      const s = stream();
      await a.append(s, 'no_stream', [noted()], context); // a remembers revision 0
      await b.append(s, 0n, [noted()], context);
      // a was told of revision 1 by someone else: its memory is behind, the append is not
      expect((await a.append(s, 1n, [noted()], context)).revision).toBe(2n);
      // b remembers revision 1, which is no longer the head
      const stale = await b.append(s, 1n, [noted()], context).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stale).toMatchObject({ streamId: s, expected: 1n, actual: 2n });
      expect((await b.append(s, 2n, [noted(), noted()], context)).revision).toBe(4n);
      expect(await revisions(s)).toEqual([0n, 1n, 2n, 3n, 4n]);
      await intact(s);
    });

    it('appends at any revision, or to an existing stream, go onto the real head when the remembered one is behind', async () => {
      const s = stream();
      await a.append(s, 'no_stream', [noted()], context);
      await a.append(s, 'any', [noted()], context);
      await b.append(s, 'any', [noted()], context);
      expect((await a.append(s, 'any', [noted()], context)).revision).toBe(3n);
      await b.append(s, 'stream_exists', [noted()], context);
      expect((await a.append(s, 'stream_exists', [noted()], context)).revision).toBe(5n);
      expect(await revisions(s)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
      await intact(s);
    });

    it("a retry through the other writer answers the original append's result", async () => {
      const s = stream();
      const first = [noted(1), noted(2)];
      const original = await a.append(s, 'no_stream', first, context);
      expect(await b.append(s, 'no_stream', first, context)).toEqual(original);
      const next = [noted(3)];
      const appended = await a.append(s, 1n, next, context);
      expect(await b.append(s, 1n, next, context)).toEqual(appended);
      expect(await a.append(s, 1n, next, context)).toEqual(appended);
      expect(await revisions(s)).toEqual([0n, 1n, 2n]);
    });

    it('a condition sees what the other writer appended to the stream it names', async () => {
      const decidedOn = stream();
      await a.append(decidedOn, 'no_stream', [noted()], context);
      await a.readStream(decidedOn);
      await b.append(decidedOn, 0n, [noted()], context);
      const s = stream();
      await expect(
        a.append(s, 'no_stream', [noted()], context, { unchanged: [{ streamId: decidedOn, revision: 0n }] }),
      ).rejects.toMatchObject({ streamId: decidedOn, expected: 0n, actual: 1n });
      expect(await revisions(s)).toEqual([]);
      await a.append(s, 'no_stream', [noted()], context, {
        unchanged: [{ streamId: decidedOn, revision: 1n }],
      });
      expect(await revisions(s)).toEqual([0n]);
    });

    it('writers of both racing on one stream, each at the revision it last saw: every revision once, the chain whole', async () => {
      const s = stream();
      await a.append(s, 'no_stream', [noted(-1)], context);
      const perWriter = target.concurrent ? 15 : 8;
      const writers = [a, b, a, b, a, b];
      const appended: string[] = [];
      let conflicts = 0;
      await Promise.all(
        writers.map(async (store, w) => {
          let known: ExpectedRevision = 0n;
          for (let i = 0; i < perWriter;) {
            const event = noted(w * 1000 + i);
            // every third append takes any head; the rest go at the revision this writer last saw
            const expected: ExpectedRevision = i % 3 === 2 ? 'any' : known;
            try {
              known = (await store.append(s, expected, [event], context)).revision;
              appended.push(event.id);
              i++;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
              conflicts++;
              const newer = await store.readStream(s, { after: typeof known === 'bigint' ? known : -1n });
              known = newer[newer.length - 1]?.revision ?? known;
            }
          }
        }),
      );
      const stored = await b.readStoredStream(s);
      expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => BigInt(i)));
      expect(stored).toHaveLength(1 + writers.length * perWriter);
      expect(new Set(stored.map((e) => e.id))).toEqual(new Set([stored[0]!.id, ...appended]));
      expect(verifyChain(stored)).toBeNull();
      expect(conflicts).toBeGreaterThan(0); // all six first went for revision 1
    });
  });
}
