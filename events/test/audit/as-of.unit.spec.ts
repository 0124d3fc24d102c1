import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  channelAggregate,
  channelAsOf,
  foldAsOf,
  fold,
  messageAggregate,
  sessionAsOf,
  type RecordedEvent,
} from '../../src/index';

let position = 0n;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute)).toISOString();

/** A recorded event of a stream, numbered in log order. */
function recorded(
  streamId: string,
  revision: number,
  type: string,
  data: Record<string, unknown>,
  minute: number,
): RecordedEvent {
  position += 10n;
  return {
    id: randomUUID(),
    streamId,
    revision: BigInt(revision),
    position,
    type,
    version: 1,
    data,
    metadata: {
      actor: { kind: 'user', id: 'x' },
      correlationId: randomUUID(),
      causationId: null,
      command: 'Test',
      recordedAt: at(minute),
      hash: '',
    },
  };
}

describe('as-of views fold history with the aggregates of the write side', () => {
  const channelId = randomUUID();
  const [ada, bo, cy] = [randomUUID(), randomUUID(), randomUUID()];
  const m1 = randomUUID();
  const m2 = randomUUID();
  const channel = [
    recorded(
      `channel-${channelId}`,
      0,
      'ChannelCreated',
      { channelId, name: 'general', visibility: 'public', description: null, createdBy: ada },
      0,
    ),
    recorded(`channel-${channelId}`, 1, 'ChannelJoined', { channelId, userId: bo }, 1),
  ];
  const messages = [
    recorded(
      `message-${m1}`,
      0,
      'MessagePosted',
      { messageId: m1, channelId, authorId: bo, body: 'first draft', quotedMessageId: null, attachments: [] },
      2,
    ),
    recorded(
      `message-${m2}`,
      0,
      'MessagePosted',
      { messageId: m2, channelId, authorId: ada, body: 'hello', quotedMessageId: null, attachments: [] },
      3,
    ),
    recorded(
      `message-${m1}`,
      1,
      'MessageEdited',
      { messageId: m1, channelId, authorId: bo, body: 'second draft' },
      4,
    ),
    recorded(`message-${m2}`, 1, 'ReactionAdded', { messageId: m2, channelId, userId: bo, emoji: '👍' }, 5),
  ];
  channel.push(recorded(`channel-${channelId}`, 2, 'ChannelJoined', { channelId, userId: cy }, 6));
  messages.push(
    recorded(`message-${m1}`, 2, 'MessageDeleted', { messageId: m1, channelId, deletedBy: bo }, 7),
  );
  channel.push(recorded(`channel-${channelId}`, 3, 'ChannelLeft', { channelId, userId: bo }, 8));

  it('before anything happened, the channel is absent', () => {
    const view = channelAsOf(channel, messages, { position: channel[0]!.position - 1n });
    expect(view.channel.status).toBe('absent');
    expect(view.messages).toEqual([]);
  });

  it('at a position: members and messages as they read then', () => {
    const view = channelAsOf(channel, messages, { position: messages[2]!.position });
    expect(view.channel).toMatchObject({
      status: 'active',
      name: 'general',
      members: { [ada]: 'ADMIN', [bo]: 'MEMBER' },
    });
    expect(view.messages.map((m) => [m.messageId, m.state.status, m.state.body])).toEqual([
      [m1, 'posted', 'second draft'],
      [m2, 'posted', 'hello'],
    ]);
    expect(view.messages[0]!.editedAt).toBe(at(4));
    expect(view.messages[1]!.state.reactions).toEqual({});
  });

  it('at a time: the same cut by recorded time', () => {
    const view = channelAsOf(channel, messages, { time: at(5) });
    expect(view.messages[1]!.state.reactions).toEqual({ '👍': [bo] });
    expect(Object.keys(view.channel.status === 'absent' ? {} : view.channel.members)).toEqual([ada, bo]);
  });

  it('now: a deleted message reads as deleted, and its last text is kept for the auditor', () => {
    const view = channelAsOf(channel, messages, 'now');
    const first = view.messages.find((m) => m.messageId === m1)!;
    expect(first.state).toMatchObject({ status: 'deleted', body: '' });
    expect(first.bodyBeforeDeletion).toBe('second draft');
    expect(first.deletedAt).toBe(at(7));
    expect(view.channel.status === 'absent' ? null : Object.keys(view.channel.members)).toEqual([ada, cy]);
  });

  it('at every cut, the as-of state is the write side fold of the events up to that cut', () => {
    const all = [...channel, ...messages].sort((a, b) => (a.position < b.position ? -1 : 1));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length }), (n) => {
        const cut = n === 0 ? 0n : all[n - 1]!.position;
        const upTo = all.slice(0, n);
        const view = channelAsOf(channel, messages, { position: cut });
        expect(view.channel).toEqual(
          fold(
            channelAggregate,
            upTo.filter((e) => e.streamId.startsWith('channel-')),
          ),
        );
        for (const message of view.messages)
          expect(message.state).toEqual(
            fold(
              messageAggregate,
              upTo.filter((e) => e.streamId === `message-${message.messageId}`),
            ),
          );
        expect(foldAsOf(channelAggregate, channel, { position: cut }).state).toEqual(view.channel);
      }),
    );
  });

  it('a Live chat session at a point in time', () => {
    const sessionId = randomUUID();
    const agentId = randomUUID();
    const stream = `session-${sessionId}`;
    const v1 = randomUUID();
    const events = [
      recorded(
        stream,
        0,
        'VisitorSessionStarted',
        { sessionId, visitorName: 'Vera', visitorEmail: 'vera@example.com', widgetKey: 'demo' },
        10,
      ),
      recorded(
        stream,
        1,
        'VisitorMessagePosted',
        { sessionId, messageId: v1, body: 'my invoice is wrong' },
        11,
      ),
      recorded(stream, 2, 'AgentJoinedSession', { sessionId, agentId }, 12),
      recorded(
        stream,
        3,
        'AgentMessagePosted',
        { sessionId, messageId: randomUUID(), agentId, body: 'let me look' },
        13,
      ),
      recorded(stream, 4, 'SessionClosed', { sessionId, by: 'agent', agentId, resolution: 'closed' }, 14),
    ];
    const waiting = sessionAsOf(events, { time: at(11) });
    expect(waiting.session).toMatchObject({ status: 'WAITING', visitorName: 'Vera', assigneeId: null });
    expect(waiting.messageTimes.get(v1)).toBe(at(11));
    const active = sessionAsOf(events, { position: events[3]!.position });
    expect(active.session).toMatchObject({ status: 'ACTIVE', assigneeId: agentId });
    expect(active.session.status !== 'absent' && active.session.messages.size).toBe(2);
    expect(sessionAsOf(events, 'now').session.status).toBe('CLOSED');
  });
});
