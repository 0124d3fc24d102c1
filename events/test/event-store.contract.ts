import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineEvent,
  EventCatalogue,
  EventStore,
  MemoryKeyVault,
  START,
  verifyChain,
  WrongExpectedRevisionError,
  type EventStoreAdapter,
  type KeyVault,
  type StoredRecord,
} from '../src/index';

const NotePosted = defineEvent({
  type: 'NotePosted',
  version: 2,
  schema: z.object({ noteId: z.string(), author: z.string(), body: z.string(), tag: z.string() }),
  personalData: { subject: (d) => `person:${d.author}`, fields: ['body'] },
  upcasters: { 1: (d) => ({ ...d, tag: 'none' }) },
});
const NoteArchived = defineEvent({
  type: 'NoteArchived',
  version: 1,
  schema: z.object({ noteId: z.string() }),
});
const contractCatalogue = new EventCatalogue([NotePosted, NoteArchived]);

export interface ContractTarget {
  adapter: EventStoreAdapter;
  vault?: KeyVault;
  /** Whether concurrent connections are real (PGlite serves one at a time). */
  concurrent: boolean;
  close(): Promise<void>;
}

const context = {
  actor: { kind: 'system' as const, id: 'contract' },
  correlationId: randomUUID(),
  causationId: null,
  command: 'Test',
};
const note = (author = 'ann', body = 'hello') => ({
  id: randomUUID(),
  type: 'NotePosted',
  data: { noteId: randomUUID(), author, body, tag: 't' },
});

/** The behaviour every event store adapter must have; run once per adapter. */
export function describeEventStoreContract(name: string, open: () => Promise<ContractTarget>) {
  describe(`event store contract: ${name}`, () => {
    let target: ContractTarget;
    let store: EventStore;
    beforeAll(async () => {
      target = await open();
      store = new EventStore(target.adapter, contractCatalogue, target.vault ?? new MemoryKeyVault());
    });
    afterAll(async () => target?.close());
    const stream = () => `note-${randomUUID()}`;

    it('appends at no_stream, then at exact revisions, and reads the stream back in order', async () => {
      const s = stream();
      const first = await store.append(s, 'no_stream', [note(), note()], context);
      expect(first.revision).toBe(1n);
      const second = await store.append(s, 1n, [note()], context);
      expect(second.revision).toBe(2n);
      expect(second.position > first.position).toBe(true);
      const events = await store.readStream(s);
      expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(events[2]!.position).toBe(second.position);
    });

    it('reading a missing stream answers no events', async () => {
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('refuses a wrong expected revision and appends nothing', async () => {
      const s = stream();
      await store.append(s, 'no_stream', [note()], context);
      await expect(store.append(s, 'no_stream', [note()], context)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.append(s, 5n, [note()], context)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.append(stream(), 'stream_exists', [note()], context)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      expect(await store.readStream(s)).toHaveLength(1);
    });

    it('a retried append with the same event ids is a no-op answering the original result', async () => {
      const s = stream();
      const events = [note(), note()];
      const original = await store.append(s, 'no_stream', events, context);
      const retried = await store.append(s, 'no_stream', events, context);
      expect(retried).toEqual(original);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('appends with any expected revision keep the stream linear', async () => {
      const s = stream();
      await Promise.all(Array.from({ length: 10 }, () => store.append(s, 'any', [note()], context)));
      const events = await store.readStoredStream(s);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
      expect(verifyChain(events)).toBeNull();
    });

    it('reads a stream from after a revision: only what is newer', async () => {
      const s = stream();
      await store.append(s, 'no_stream', [note(), note(), note()], context);
      expect((await store.readStream(s, { after: 0n })).map((e) => e.revision)).toEqual([1n, 2n]);
      expect((await store.readStoredStream(s, { after: 1n })).map((e) => e.revision)).toEqual([2n]);
      expect(await store.readStream(s, { after: 2n })).toEqual([]);
      expect(await store.readStream(stream(), { after: 0n })).toEqual([]);
      expect((await store.readStream(s, { after: -1n })).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    });

    it('appends on condition that another stream still ends at a revision, else appends nothing', async () => {
      const decidedOn = stream();
      await store.append(decidedOn, 'no_stream', [note()], context);
      const first = stream();
      const kept = { unchanged: [{ streamId: decidedOn, revision: 0n }] };
      expect((await store.append(first, 'no_stream', [note()], context, kept)).revision).toBe(0n);
      expect((await store.append(first, 0n, [note()], context, kept)).revision).toBe(1n);

      await store.append(decidedOn, 0n, [note()], context);
      const refused = await store
        .append(stream(), 'no_stream', [note()], context, kept)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WrongExpectedRevisionError);
      expect(refused).toMatchObject({ streamId: decidedOn, expected: 0n, actual: 1n });
      await expect(store.append(first, 1n, [note()], context, kept)).rejects.toMatchObject({
        streamId: decidedOn,
      });
      expect(await store.readStream(first)).toHaveLength(2);

      const absent = stream();
      const whileAbsent = { unchanged: [{ streamId: absent, revision: null }] };
      expect((await store.append(first, 1n, [note()], context, whileAbsent)).revision).toBe(2n);
      await store.append(absent, 'no_stream', [note()], context);
      await expect(store.append(first, 2n, [note()], context, whileAbsent)).rejects.toMatchObject({
        streamId: absent,
        actual: 0n,
      });
      expect(verifyChain(await store.readStoredStream(first))).toBeNull();
    });

    it('chains every event of a stream by hash, over the stored (encrypted) form', async () => {
      const s = stream();
      await store.append(s, 'no_stream', [note('bob', 'secret text')], context);
      await store.append(s, 0n, [note('bob', 'more')], context);
      const stored = await store.readStoredStream(s);
      expect(JSON.stringify(stored[0]!.data)).not.toContain('secret text');
      expect(verifyChain(stored)).toBeNull();
      const tampered = stored.map((e, i) => (i === 1 ? { ...e, data: { ...e.data, tag: 'x' } } : e));
      expect(verifyChain(tampered)?.revision).toBe(1n);
    });

    it('decrypts personal data on read, and reads "[erased]" once the person is erased', async () => {
      const s = stream();
      const author = randomUUID();
      await store.append(s, 'no_stream', [note(author, 'my words'), note('other', 'their words')], context);
      expect((await store.readStream(s)).map((e) => e.data.body)).toEqual(['my words', 'their words']);
      await store.vault.erase(`person:${author}`);
      expect((await store.readStream(s)).map((e) => e.data.body)).toEqual(['[erased]', 'their words']);
      expect(verifyChain(await store.readStoredStream(s))).toBeNull();
    });

    it('records metadata: actor, correlation, causation, command, time', async () => {
      const s = stream();
      await store.append(s, 'no_stream', [note()], context);
      const [event] = await store.readStream(s);
      expect(event!.metadata).toMatchObject({
        actor: context.actor,
        correlationId: context.correlationId,
        command: 'Test',
      });
      expect(Date.parse(event!.metadata.recordedAt)).not.toBeNaN();
      expect(event!.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('reads the global log in order from a checkpoint, in batches', async () => {
      const head = await store.headPosition();
      const s = stream();
      for (let i = 0; i < 5; i++)
        await store.append(s, i === 0 ? 'no_stream' : BigInt(i - 1), [note()], context);
      const seen: bigint[] = [];
      let after = head;
      const last = await store.headPosition();
      // readable once every older transaction on the server has finished: follow until the head
      while (after < last) {
        const batch = await store.readAll(after, 2);
        seen.push(...batch.filter((e) => e.streamId === s).map((e) => e.revision));
        if (batch.length > 0) after = batch[batch.length - 1]!.position;
        else await new Promise((r) => setTimeout(r, 5));
      }
      expect(seen).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(after).toBe(last);
      expect((await store.readAll(START, 1)).length).toBe(1);
    });

    it('reads only the asked types of the global log, in order, in batches', async () => {
      const head = await store.headPosition();
      const s = stream();
      const archived = (i: number) => ({ id: randomUUID(), type: 'NoteArchived', data: { noteId: `n${i}` } });
      for (let i = 0; i < 6; i++)
        await store.append(s, i === 0 ? 'no_stream' : BigInt(i - 1), [i % 3 === 1 ? note() : archived(i)], context);
      const last = await store.headPosition();
      const seen: { revision: bigint; type: string }[] = [];
      let after = head;
      for (let tries = 0; tries < 1_000; tries++) {
        const batch = await store.readAll(after, 2, ['NoteArchived']);
        seen.push(...batch.filter((e) => e.streamId === s).map((e) => ({ revision: e.revision, type: e.type })));
        if (batch.length > 0) after = batch[batch.length - 1]!.position;
        else if (after >= (await store.headPosition()) || seen.length === 4) break;
        else await new Promise((r) => setTimeout(r, 5));
      }
      expect(seen).toEqual([0n, 2n, 3n, 5n].map((revision) => ({ revision, type: 'NoteArchived' })));
      expect(after).toBe(last);
      expect(await store.readAll(after, 10, ['NoteArchived'])).toEqual([]);
      const posted = await store.readAll(head, 10, ['NotePosted']);
      expect(posted.filter((e) => e.streamId === s).map((e) => e.revision)).toEqual([1n, 4n]);
    });

    it('where the adapter reads in stream order: each event once, by stream then revision, none past upTo', async () => {
      const streams = [stream(), stream(), stream()];
      for (const s of streams)
        for (let i = 0; i < 3; i++)
          await store.append(s, i === 0 ? 'no_stream' : BigInt(i - 1), [note()], context);
      const upTo = await store.headPosition();
      await store.append(streams[0]!, 2n, [note()], context); // after upTo: not read
      if (!store.readStoredAllByStream(null, upTo, 1)) return; // this adapter reads in position order only
      const seen: { streamId: string; revision: bigint; position: bigint }[] = [];
      let after: { streamId: string; revision: bigint } | null = null;
      for (;;) {
        const page: StoredRecord[] = await store.readStoredAllByStream(after, upTo, 2)!;
        if (page.length === 0) break;
        seen.push(...page);
        after = { streamId: page[page.length - 1]!.streamId, revision: page[page.length - 1]!.revision };
      }
      expect(seen.every((e) => e.position <= upTo)).toBe(true);
      const ours = seen.filter((e) => streams.includes(e.streamId));
      expect(ours).toHaveLength(9);
      const order = [...streams].sort(
        (a, b) => seen.findIndex((e) => e.streamId === a) - seen.findIndex((e) => e.streamId === b),
      );
      expect(ours.map((e) => `${e.streamId}/${e.revision}`)).toEqual(
        order.flatMap((s) => [0, 1, 2].map((r) => `${s}/${r}`)),
      );
      // Stream order: each stream's events together, never one stream twice.
      const runs = seen.map((e) => e.streamId).filter((id, i, all) => i === 0 || all[i - 1] !== id);
      expect(new Set(runs).size).toBe(runs.length);
    });

    it('concurrent writers on one stream: exactly one wins each revision', async () => {
      if (!target.concurrent) return;
      const s = stream();
      await store.append(s, 'no_stream', [note()], context);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => store.append(s, 0n, [note()], context)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('a follower of the log sees every event exactly once, in order, while many writers race', async () => {
      const writers = target.concurrent ? 8 : 2;
      const perWriter = 25;
      const start = await store.headPosition();
      const streams = Array.from({ length: writers }, () => stream());
      let done = false;
      const written = Promise.all(
        streams.map(async (s) => {
          for (let i = 0; i < perWriter; i++)
            await store.append(s, i === 0 ? 'no_stream' : BigInt(i - 1), [note()], context);
        }),
      ).finally(() => (done = true));
      const seen: { streamId: string; revision: bigint; position: bigint }[] = [];
      let after = start;
      for (;;) {
        const finished = done;
        const batch = await store.readAll(after, 7);
        for (const e of batch) seen.push(e);
        if (batch.length > 0) after = batch[batch.length - 1]!.position;
        else if (finished && after >= (await store.headPosition())) break;
        else await new Promise((r) => setTimeout(r, 2));
      }
      await written;
      const ours = seen.filter((e) => streams.includes(e.streamId));
      expect(ours).toHaveLength(writers * perWriter);
      for (const s of streams) {
        expect(ours.filter((e) => e.streamId === s).map((e) => e.revision)).toEqual(
          Array.from({ length: perWriter }, (_, i) => BigInt(i)),
        );
      }
      const positions = seen.map((e) => e.position);
      expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
    });

    it('upcasts events written at an older version', async () => {
      // an adapter-level write of a v1 event, as an older release would have stored it
      const s = stream();
      const id = randomUUID();
      await target.adapter.append({
        streamId: s,
        expected: 'no_stream',
        eventIds: [id],
        seal: () => [
          {
            id,
            type: 'NotePosted',
            version: 1,
            data: { noteId: 'n', author: 'x', body: 'plain' },
            metadata: { ...context, recordedAt: new Date().toISOString(), hash: 'h' },
          },
        ],
      });
      const [event] = await store.readStream(s);
      expect(event!.version).toBe(2);
      expect(event!.data).toMatchObject({ body: 'plain', tag: 'none' });
    });

    it('wakes a listener after an append', async () => {
      let woken = 0;
      const stop = store.onAppended(() => woken++);
      await store.append(stream(), 'no_stream', [note()], context);
      await expect.poll(() => woken, { timeout: 5_000 }).toBeGreaterThan(0);
      stop();
    });
  });
}
