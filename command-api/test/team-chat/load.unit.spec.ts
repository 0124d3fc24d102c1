import { randomUUID } from 'node:crypto';
import {
  catalogue,
  channelAggregate,
  channelStream,
  EventStore,
  fold,
  MemoryEventStoreAdapter,
  MemoryKeyVault,
} from '@chat/events';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/define';
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
});
