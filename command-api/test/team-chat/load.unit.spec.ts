import { randomUUID } from 'node:crypto';
import {
  catalogue,
  channelAggregate,
  channelStream,
  EventStore,
  fold,
  MemoryEventStoreAdapter,
  MemoryKeyVault,
  messageAggregate,
  messageStream,
} from '@chat/events';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/define';
import { keptState } from '../../src/commands/stream-state';
import { load } from '../../src/team-chat/load';

describe('loading a channel folds only what is new, and always what the stream holds', () => {
  it('equals a full fold after every append, also when a stream is replaced under the same id', async () => {
    const store = new EventStore(new MemoryEventStoreAdapter(), catalogue, new MemoryKeyVault());
    const context = { store } as unknown as CommandContext;
    const append = {
      actor: { kind: 'system' as const, id: 't' },
      correlationId: randomUUID(),
      causationId: null,
      command: 't',
    };
    const channelId = randomUUID();
    const stream = channelStream(channelId);
    const owner = randomUUID();
    await store.append(
      stream,
      'no_stream',
      [
        {
          id: randomUUID(),
          type: 'ChannelCreated',
          data: { channelId, name: 'big', visibility: 'public', description: null, createdBy: owner },
        },
      ],
      append,
    );
    const members = Array.from({ length: 30 }, () => randomUUID());
    for (const [i, userId] of members.entries()) {
      const type = i % 7 === 6 ? 'ChannelLeft' : 'ChannelJoined';
      await store.append(
        stream,
        'any',
        [
          {
            id: randomUUID(),
            type,
            data: { channelId, userId: type === 'ChannelLeft' ? members[i - 1]! : userId },
          },
        ],
        append,
      );
      const loaded = await load(context, channelAggregate, stream);
      expect(loaded.state).toEqual(fold(channelAggregate, await store.readStream(stream)));
    }
    const other = new EventStore(new MemoryEventStoreAdapter(), catalogue, new MemoryKeyVault());
    await other.append(
      stream,
      'no_stream',
      [
        {
          id: randomUUID(),
          type: 'ChannelCreated',
          data: { channelId, name: 'fresh', visibility: 'private', description: null, createdBy: owner },
        },
      ],
      append,
    );
    const fresh = await load({ store: other } as unknown as CommandContext, channelAggregate, stream);
    expect(fresh.state).toMatchObject({ name: 'fresh', kind: 'private', members: { [owner]: 'ADMIN' } });
  });

  it('a kept state may be behind what another instance appended; loading catches up on what is new', async () => {
    const shared = new MemoryEventStoreAdapter();
    const here = new EventStore(shared, catalogue, new MemoryKeyVault());
    const there = new EventStore(shared, catalogue, new MemoryKeyVault());
    const append = {
      actor: { kind: 'system' as const, id: 't' },
      correlationId: randomUUID(),
      causationId: null,
      command: 't',
    };
    const channelId = randomUUID();
    const stream = channelStream(channelId);
    const owner = randomUUID();
    const joiner = randomUUID();
    await there.append(
      stream,
      'no_stream',
      [
        {
          id: randomUUID(),
          type: 'ChannelCreated',
          data: { channelId, name: 'kept', visibility: 'public', description: null, createdBy: owner },
        },
      ],
      append,
    );
    expect(keptState(here, channelAggregate, stream)).toBeUndefined();
    const first = await load({ store: here } as unknown as CommandContext, channelAggregate, stream);
    expect(first.revision).toBe(0n);
    await there.append(
      stream,
      0n,
      [{ id: randomUUID(), type: 'ChannelJoined', data: { channelId, userId: joiner } }],
      append,
    );
    expect(keptState(here, channelAggregate, stream)).toMatchObject({ revision: 0n, state: first.state });
    const caughtUp = await load({ store: here } as unknown as CommandContext, channelAggregate, stream);
    expect(caughtUp).toMatchObject({
      revision: 1n,
      state: fold(channelAggregate, await there.readStream(stream)),
    });
    expect(keptState(here, channelAggregate, stream)?.revision).toBe(1n);
    expect(keptState(there, channelAggregate, stream)).toBeUndefined();
  });

  it('keeps no message state: it holds personal data', async () => {
    const store = new EventStore(new MemoryEventStoreAdapter(), catalogue, new MemoryKeyVault());
    const messageId = randomUUID();
    const data = {
      messageId,
      channelId: randomUUID(),
      authorId: randomUUID(),
      body: 'hi',
      quotedMessageId: null,
      attachments: [],
    };
    const append = {
      actor: { kind: 'system' as const, id: 't' },
      correlationId: randomUUID(),
      causationId: null,
      command: 't',
    };
    await store.append(
      messageStream(messageId),
      'no_stream',
      [{ id: randomUUID(), type: 'MessagePosted', data }],
      append,
    );
    const loaded = await load(
      { store } as unknown as CommandContext,
      messageAggregate,
      messageStream(messageId),
    );
    expect(loaded.state).toMatchObject({ status: 'posted', body: 'hi' });
    expect(keptState(store, messageAggregate, messageStream(messageId))).toBeUndefined();
  });
});
