import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  catalogue,
  chainHash,
  CHAIN_CHECKPOINT_STREAM,
  CheckpointSigner,
  EventStore,
  GENESIS_HASH,
  MemoryKeyVault,
  recordChainCheckpoint,
  verifyLog,
  verifyStream,
  type AppendContext,
  type ChainCheckpointData,
} from '../../src/index';
import { TamperableAdapter } from './tamperable';

const context: AppendContext = {
  actor: { kind: 'user', id: randomUUID() },
  correlationId: randomUUID(),
  causationId: null,
  command: 'Test',
};
const secret = randomBytes(32);

function posted(channelId: string, authorId: string, body: string) {
  const messageId = randomUUID();
  return {
    messageId,
    event: {
      id: randomUUID(),
      type: 'MessagePosted',
      data: { messageId, channelId, authorId, body, quotedMessageId: null, attachments: [] },
    },
  };
}

describe.each([
  ['stream by stream', { inPositionOrder: false }],
  ['in position order', { inPositionOrder: true }],
])('hash chains and signed checkpoints, the log walked %s', (_, walk) => {
  let adapter: TamperableAdapter;
  let store: EventStore;
  let signer: CheckpointSigner;
  const channelId = randomUUID();
  const authorId = randomUUID();
  const messageIds: string[] = [];

  beforeEach(async () => {
    adapter = new TamperableAdapter();
    store = new EventStore(adapter, catalogue, new MemoryKeyVault());
    signer = new CheckpointSigner(secret);
    messageIds.length = 0;
    for (let i = 0; i < 5; i++) {
      const { messageId, event } = posted(channelId, authorId, `message ${i}`);
      messageIds.push(messageId);
      await store.append(`message-${messageId}`, 'no_stream', [event], context);
      for (let e = 0; e < 3; e++)
        await store.append(
          `message-${messageId}`,
          BigInt(e),
          [
            {
              id: randomUUID(),
              type: 'MessageEdited',
              data: { messageId, channelId, authorId, body: `message ${i}, edit ${e}` },
            },
          ],
          context,
        );
    }
  });

  it('an untouched history verifies, stream by stream and as a whole', async () => {
    const log = await verifyLog(store, signer, walk);
    expect(log).toMatchObject({ ok: true, events: 20, streams: 5, firstBreak: null, brokenStreams: 0 });
    const one = await verifyStream(store, signer, `message-${messageIds[2]}`);
    expect(one).toMatchObject({ ok: true, events: 4, firstBreak: null });
  });

  it('chainHash is sha256 over the previous hash and the canonical event without its hash', async () => {
    const [first] = await store.readStoredStream(`message-${messageIds[0]}`);
    expect(chainHash(GENESIS_HASH, first!)).toBe(first!.metadata.hash);
    expect(chainHash(GENESIS_HASH, { ...first!, metadata: { ...first!.metadata, hash: 'ignored' } })).toBe(
      first!.metadata.hash,
    );
  });

  it('an edited event breaks the chain at exactly that event, not before and not after', async () => {
    const stream = `message-${messageIds[3]}`;
    const target = (await store.readStoredStream(stream))[2]!;
    await adapter.edit(target.id, (e) => ({ ...e, data: { ...e.data, channelId: randomUUID() } }));
    const one = await verifyStream(store, signer, stream);
    expect(one.ok).toBe(false);
    expect(one.firstBreak).toMatchObject({ eventId: target.id, revision: 2n, position: target.position });
    const log = await verifyLog(store, signer, walk);
    expect(log.ok).toBe(false);
    expect(log.firstBreak?.eventId).toBe(target.id);
    expect(log.brokenStreams).toBe(1);
    expect(log.breaks).toHaveLength(1);
  });

  it('an edited recorded time or actor is an edit too', async () => {
    const target = (await store.readStoredStream(`message-${messageIds[0]}`))[1]!;
    await adapter.edit(target.id, (e) => ({
      ...e,
      metadata: { ...e.metadata, recordedAt: '2020-01-01T00:00:00.000Z' },
    }));
    expect((await verifyLog(store, signer, walk)).firstBreak?.eventId).toBe(target.id);
  });

  it('an event deleted from the middle of a stream breaks the chain at the next one', async () => {
    const events = await store.readStoredStream(`message-${messageIds[1]}`);
    adapter.delete(events[1]!.id);
    const log = await verifyLog(store, signer, walk);
    expect(log.firstBreak).toMatchObject({ eventId: events[2]!.id, revision: 2n });
  });

  it('without a checkpoint, a deleted tail goes unnoticed; after one, verification names the stream', async () => {
    const stream = `message-${messageIds[4]}`;
    const events = await store.readStoredStream(stream);
    const recorded = await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    expect(recorded).toMatchObject({ heads: 5, parts: 1, eventCount: 20, streamCount: 5 });
    expect((await verifyLog(store, signer, walk)).ok).toBe(true);

    adapter.delete(events[3]!.id);
    adapter.delete(events[2]!.id);
    // The chain itself still verifies: what is left is a valid, shorter chain.
    expect((await verifyStream(store, signer, stream)).firstBreak).toBeNull();
    const one = await verifyStream(store, signer, stream);
    expect(one.ok).toBe(false);
    expect(one.checkpoints.heads).toEqual([
      expect.objectContaining({
        streamId: stream,
        problem: 'tail-missing',
        claimedRevision: 3n,
        actualRevision: 1n,
      }),
    ]);
    const log = await verifyLog(store, signer, walk);
    expect(log.ok).toBe(false);
    expect(log.firstBreak).toBeNull();
    expect(log.checkpoints.heads).toEqual([
      expect.objectContaining({ streamId: stream, problem: 'tail-missing' }),
    ]);
    expect(log.checkpoints.counts).toEqual([expect.objectContaining({ claimed: 20, actual: 18 })]);
  });

  it('a deleted stream is found by the signed heads and the signed event count', async () => {
    await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    for (const event of await store.readStoredStream(`message-${messageIds[0]}`)) adapter.delete(event.id);
    const log = await verifyLog(store, signer, walk);
    expect(log.checkpoints.heads).toEqual([
      expect.objectContaining({ streamId: `message-${messageIds[0]}`, actualRevision: null }),
    ]);
    expect(log.ok).toBe(false);
  });

  it('a tail rewritten with freshly computed hashes passes the chain but not the signed head', async () => {
    const stream = `message-${messageIds[2]}`;
    await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    const events = await store.readStoredStream(stream);
    const forged = { ...events[3]!, data: { ...events[3]!.data, channelId: randomUUID() } };
    forged.metadata = { ...forged.metadata, hash: chainHash(events[2]!.metadata.hash, forged) };
    await adapter.edit(forged.id, () => forged);
    const one = await verifyStream(store, signer, stream);
    expect(one.firstBreak).toBeNull();
    expect(one.checkpoints.heads).toEqual([
      expect.objectContaining({ problem: 'head-differs', claimedRevision: 3n }),
    ]);
    expect(one.ok).toBe(false);
  });

  it('a checkpoint forged without the secret, or altered, is rejected', async () => {
    await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    const [checkpoint] = await store.readStoredStream(CHAIN_CHECKPOINT_STREAM);
    await adapter.edit(checkpoint!.id, (e) => ({
      ...e,
      data: { ...(e.data as ChainCheckpointData), eventCount: 99 },
    }));
    const log = await verifyLog(store, signer, walk);
    expect(log.checkpoints.invalid).toHaveLength(1);
    expect(log.ok).toBe(false);

    const stranger = new CheckpointSigner(randomBytes(32));
    const other = await verifyLog(store, stranger, walk);
    expect(other.checkpoints.unknownKey).toBe(1);
  });

  it('the signature covers every field and never contains the secret', async () => {
    const data = signer.sign({
      checkpointId: randomUUID(),
      part: 1,
      parts: 1,
      upToPosition: '10',
      sincePosition: null,
      eventCount: 10,
      streamCount: 2,
      heads: [{ streamId: 's', revision: '3', hash: 'a'.repeat(64) }],
    });
    expect(signer.check(data)).toBe('valid');
    expect(signer.check({ ...data, heads: [{ ...data.heads[0]!, revision: '4' }] })).toBe('invalid');
    expect(signer.check({ ...data, upToPosition: '11' })).toBe('invalid');
    expect(JSON.stringify(data)).not.toContain(secret.toString('hex'));
    expect(JSON.stringify(data)).not.toContain(secret.toString('base64'));
  });

  it('checkpoints are incremental: only streams that changed since, nothing when only checkpoints happened', async () => {
    const first = await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    expect(first?.heads).toBe(5);
    expect(await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID)).toBeNull();
    await store.append(
      `message-${messageIds[0]}`,
      3n,
      [
        {
          id: randomUUID(),
          type: 'MessageDeleted',
          data: { messageId: messageIds[0]!, channelId, deletedBy: authorId },
        },
      ],
      context,
    );
    const second = await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    // The changed message and the checkpoint stream itself.
    expect(second).toMatchObject({ heads: 2, eventCount: 22, streamCount: 6 });
    expect((await verifyLog(store, signer, walk)).ok).toBe(true);
  });

  it('a large summary is split into signed parts that each verify', async () => {
    for (let i = 0; i < 1_100; i++) {
      const { messageId, event } = posted(channelId, authorId, `bulk ${i}`);
      await store.append(`message-${messageId}`, 'no_stream', [event], context);
    }
    const recorded = await recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID);
    expect(recorded).toMatchObject({ heads: 1_105, parts: 3 });
    const log = await verifyLog(store, signer, walk);
    expect(log.checkpoints).toMatchObject({ events: 3, valid: 3, invalid: [] });
    expect(log.ok).toBe(true);
  });

  it('two checkpointers at once: one wins, the other is refused', async () => {
    const results = await Promise.allSettled([
      recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID),
      recordChainCheckpoint(store, signer, context, randomUUID(), randomUUID),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await verifyLog(store, signer, walk)).ok).toBe(true);
  });
});
