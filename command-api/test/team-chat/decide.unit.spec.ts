import {
  channelAggregate,
  channelMemberAggregate,
  channelNameAggregate,
  fold,
  messageAggregate,
  type ChannelEvent,
  type ChannelNameEvent,
  type ChannelState,
  type MessageEvent,
  type MessageState,
} from '@chat/events';
import { describe, expect, it } from 'vitest';
import {
  decideChannel,
  decideChannelMember,
  decideChannelName,
  decideMessage,
  type ActingUser,
} from '../../src/team-chat/decide';
import { given } from '../../src/testing/decider-spec';

const id = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;
const ann: ActingUser = { userId: id(1), role: 'USER' };
const bob: ActingUser = { userId: id(2), role: 'AGENT' };
const cat: ActingUser = { userId: id(3), role: 'USER' };
const admin: ActingUser = { userId: id(4), role: 'ADMIN' };
const channelId = id(10);
const otherChannel = id(11);
const messageId = id(20);

const created = (visibility: 'public' | 'private' = 'public', by = ann): ChannelEvent => ({
  type: 'ChannelCreated',
  data: { channelId, name: 'ops', visibility, description: null, createdBy: by.userId },
});
const joined = (user: ActingUser): ChannelEvent => ({
  type: 'ChannelJoined',
  data: { channelId, userId: user.userId },
});
const dmOpened = {
  type: 'DirectMessageOpened',
  data: { channelId, userIds: [ann.userId, bob.userId], openedBy: ann.userId },
} as ChannelEvent;
const channel = (...events: ChannelEvent[]): ChannelState => fold(channelAggregate, events);

const posted = (author = ann, inChannel = channelId): MessageEvent => ({
  type: 'MessagePosted',
  data: {
    messageId,
    channelId: inChannel,
    authorId: author.userId,
    body: 'hello',
    quotedMessageId: null,
    attachments: [],
  },
});
const post = (by: ActingUser, extra: { quotedMessageId?: string; channelId?: string } = {}) => ({
  type: 'PostMessage' as const,
  messageId,
  channelId: extra.channelId ?? channelId,
  body: 'hello',
  quotedMessageId: extra.quotedMessageId ?? null,
  attachments: [],
  by,
});

describe('channel rules', () => {
  const create = {
    type: 'CreateChannel' as const,
    channelId,
    name: 'ops',
    visibility: 'public' as const,
    description: null,
    by: ann,
  };
  it('creates a channel whose creator is its ADMIN', () => {
    given(channelAggregate)
      .when((s) => decideChannel(create, s))
      .then([created()]);
    const state = channel(created());
    expect(state.status === 'active' && state.members).toEqual({ [ann.userId]: 'ADMIN' });
  });
  it('creating it again is a no-op; another channel under its id is a conflict', () => {
    given(channelAggregate, [created()])
      .when((s) => decideChannel(create, s))
      .then([]);
    given(channelAggregate, [created()])
      .when((s) => decideChannel({ ...create, name: 'dev' }, s))
      .thenThrows('CHANNEL_ID_TAKEN', 409);
  });
  it('anyone joins a public channel, once', () => {
    given(channelAggregate, [created()])
      .when((s) => decideChannel({ type: 'JoinChannel', channelId, by: bob }, s))
      .then([joined(bob)]);
    given(channelAggregate, [created(), joined(bob)])
      .when((s) => decideChannel({ type: 'JoinChannel', channelId, by: bob }, s))
      .then([]);
  });
  it('a private channel does not exist for outsiders: join, add, leave and delete answer 404', () => {
    for (const command of [
      { type: 'JoinChannel' as const, channelId, by: bob },
      { type: 'AddChannelMember' as const, channelId, userId: cat.userId, by: bob },
      { type: 'LeaveChannel' as const, channelId, by: bob },
      { type: 'DeleteChannel' as const, channelId, by: admin },
    ])
      given(channelAggregate, [created('private')])
        .when((s) => decideChannel(command, s))
        .thenThrows('NOT_FOUND', 404);
  });
  it('any member adds another user; a non-member of a public channel may not', () => {
    given(channelAggregate, [created('private'), joined(bob)])
      .when((s) => decideChannel({ type: 'AddChannelMember', channelId, userId: cat.userId, by: bob }, s))
      .then([{ type: 'ChannelMemberAdded', data: { channelId, userId: cat.userId, addedBy: bob.userId } }]);
    given(channelAggregate, [created()])
      .when((s) => decideChannel({ type: 'AddChannelMember', channelId, userId: cat.userId, by: bob }, s))
      .thenThrows('NOT_A_MEMBER', 403);
    given(channelAggregate, [created(), joined(cat)])
      .when((s) => decideChannel({ type: 'AddChannelMember', channelId, userId: cat.userId, by: ann }, s))
      .then([]);
  });
  it('leaving: a member leaves, a non-member leaving changes nothing, and a left private channel is gone', () => {
    given(channelAggregate, [created(), joined(bob)])
      .when((s) => decideChannel({ type: 'LeaveChannel', channelId, by: bob }, s))
      .then([{ type: 'ChannelLeft', data: { channelId, userId: bob.userId } }]);
    given(channelAggregate, [created()])
      .when((s) => decideChannel({ type: 'LeaveChannel', channelId, by: bob }, s))
      .then([]);
    given(channelAggregate, [
      created('private'),
      joined(bob),
      { type: 'ChannelLeft', data: { channelId, userId: bob.userId } },
    ])
      .when((s) => decideChannel({ type: 'JoinChannel', channelId, by: bob }, s))
      .thenThrows('NOT_FOUND');
  });
  it('the channel ADMIN or an org admin deletes; a plain member may not; deleted channels are gone', () => {
    const deleted: ChannelEvent = {
      type: 'ChannelDeleted',
      data: { channelId, name: 'ops', deletedBy: ann.userId },
    };
    given(channelAggregate, [created()])
      .when((s) => decideChannel({ type: 'DeleteChannel', channelId, by: ann }, s))
      .then([deleted]);
    given(channelAggregate, [created()])
      .when((s) => decideChannel({ type: 'DeleteChannel', channelId, by: admin }, s))
      .then([{ ...deleted, data: { ...deleted.data, deletedBy: admin.userId } } as ChannelEvent]);
    given(channelAggregate, [created(), joined(bob)])
      .when((s) => decideChannel({ type: 'DeleteChannel', channelId, by: bob }, s))
      .thenThrows('FORBIDDEN', 403);
    given(channelAggregate, [created(), deleted])
      .when((s) => decideChannel({ type: 'JoinChannel', channelId, by: bob }, s))
      .thenThrows('NOT_FOUND');
  });
  it('direct messages: opened once, never joined by a third, left, added to or deleted', () => {
    const open = {
      type: 'OpenDirectMessage' as const,
      channelId,
      userIds: [ann.userId, bob.userId] as [string, string],
      by: ann,
    };
    given(channelAggregate)
      .when((s) => decideChannel(open, s))
      .then([dmOpened]);
    given(channelAggregate, [dmOpened])
      .when((s) => decideChannel({ ...open, by: bob }, s))
      .then([]);
    given(channelAggregate, [dmOpened])
      .when((s) => decideChannel({ type: 'JoinChannel', channelId, by: cat }, s))
      .thenThrows('NOT_FOUND');
    given(channelAggregate, [dmOpened])
      .when((s) => decideChannel({ type: 'AddChannelMember', channelId, userId: cat.userId, by: ann }, s))
      .thenThrows('DM_MEMBERS_FIXED', 409);
    given(channelAggregate, [dmOpened])
      .when((s) => decideChannel({ type: 'LeaveChannel', channelId, by: ann }, s))
      .thenThrows('DM_CANNOT_BE_LEFT');
    given(channelAggregate, [dmOpened])
      .when((s) => decideChannel({ type: 'DeleteChannel', channelId, by: admin }, s))
      .thenThrows('NOT_FOUND');
    given(channelAggregate, [created()])
      .when((s) => decideChannel(open, s))
      .thenThrows('CHANNEL_ID_TAKEN');
  });
});

describe('channel name rules', () => {
  const reserve = (id: string, deadHolder: string | null = null) =>
    ({ type: 'ReserveChannelName', name: 'ops', channelId: id, deadHolder }) as const;
  it('a free name is reserved; the same channel again is a no-op; another channel is refused', () => {
    given(channelNameAggregate)
      .when((s) => decideChannelName(reserve(channelId), s))
      .then([{ type: 'ChannelNameReserved', data: { name: 'ops', channelId } }]);
    const held: ChannelNameEvent[] = [{ type: 'ChannelNameReserved', data: { name: 'ops', channelId } }];
    given(channelNameAggregate, held)
      .when((s) => decideChannelName(reserve(channelId), s))
      .then([]);
    given(channelNameAggregate, held)
      .when((s) => decideChannelName(reserve(otherChannel), s))
      .thenThrows('CHANNEL_NAME_TAKEN', 409);
  });
  it('a released name is free again, and a dead holder (deleted channel) loses its claim', () => {
    const held: ChannelNameEvent[] = [{ type: 'ChannelNameReserved', data: { name: 'ops', channelId } }];
    const released: ChannelNameEvent[] = [
      ...held,
      { type: 'ChannelNameReleased', data: { name: 'ops', channelId } },
    ];
    given(channelNameAggregate, released)
      .when((s) => decideChannelName(reserve(otherChannel), s))
      .then([{ type: 'ChannelNameReserved', data: { name: 'ops', channelId: otherChannel } }]);
    given(channelNameAggregate, held)
      .when((s) => decideChannelName(reserve(otherChannel, channelId), s))
      .then([
        { type: 'ChannelNameReleased', data: { name: 'ops', channelId } },
        { type: 'ChannelNameReserved', data: { name: 'ops', channelId: otherChannel } },
      ]);
    given(channelNameAggregate, held)
      .when((s) => decideChannelName({ type: 'ReleaseChannelName', name: 'ops', channelId: otherChannel }, s))
      .then([]);
  });
});

describe('message rules', () => {
  const publicWithBob = channel(created(), joined(bob));
  it('members post; a non-member of a public channel is refused, of a private one told it does not exist', () => {
    given(messageAggregate)
      .when((s) => decideMessage(post(bob), s, { channel: publicWithBob }))
      .then([posted(bob)]);
    given(messageAggregate)
      .when((s) => decideMessage(post(cat), s, { channel: publicWithBob }))
      .thenThrows('NOT_A_MEMBER', 403);
    given(messageAggregate)
      .when((s) => decideMessage(post(cat), s, { channel: channel(created('private')) }))
      .thenThrows('NOT_FOUND', 404);
    given(messageAggregate)
      .when((s) => decideMessage(post(ann), s, { channel: channel() }))
      .thenThrows('NOT_FOUND', 404);
  });
  it('posting the same message again is a no-op; another message under its id is a conflict', () => {
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(post(bob), s, { channel: publicWithBob }))
      .then([]);
    given(messageAggregate, [posted(ann)])
      .when((s) => decideMessage(post(bob), s, { channel: publicWithBob }))
      .thenThrows('MESSAGE_ID_TAKEN', 409);
  });
  it('a quote must be a live message of the same conversation', () => {
    const quotedId = id(21);
    const quoted = (inChannel: string, deleted = false): MessageState =>
      fold(messageAggregate, [
        {
          type: 'MessagePosted',
          data: {
            messageId: quotedId,
            channelId: inChannel,
            authorId: ann.userId,
            body: 'q',
            quotedMessageId: null,
            attachments: [],
          },
        },
        ...(deleted
          ? [
              {
                type: 'MessageDeleted' as const,
                data: { messageId: quotedId, channelId: inChannel, deletedBy: ann.userId },
              },
            ]
          : []),
      ]);
    const reply = post(bob, { quotedMessageId: quotedId });
    given(messageAggregate)
      .when((s) => decideMessage(reply, s, { channel: publicWithBob, quoted: quoted(channelId) }))
      .then([{ ...posted(bob), data: { ...posted(bob).data, quotedMessageId: quotedId } } as MessageEvent]);
    given(messageAggregate)
      .when((s) => decideMessage(reply, s, { channel: publicWithBob, quoted: quoted(otherChannel) }))
      .thenThrows('VALIDATION_FAILED', 400);
    given(messageAggregate)
      .when((s) => decideMessage(reply, s, { channel: publicWithBob }))
      .thenThrows('VALIDATION_FAILED', 400);
    given(messageAggregate)
      .when((s) => decideMessage(reply, s, { channel: publicWithBob, quoted: quoted(channelId, true) }))
      .thenThrows('QUOTED_MESSAGE_DELETED', 409);
  });
  it('only the author edits; an unchanged body changes nothing; a deleted message cannot be edited', () => {
    const edit = (by: ActingUser, body = 'new') => ({ type: 'EditMessage' as const, messageId, body, by });
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(edit(bob), s, { channel: publicWithBob }))
      .then([{ type: 'MessageEdited', data: { messageId, channelId, authorId: bob.userId, body: 'new' } }]);
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(edit(bob, 'hello'), s, { channel: publicWithBob }))
      .then([]);
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(edit(ann), s, { channel: publicWithBob }))
      .thenThrows('NOT_AUTHOR', 403);
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(edit(admin), s, { channel: publicWithBob }))
      .thenThrows('NOT_AUTHOR', 403);
    const deleted: MessageEvent = {
      type: 'MessageDeleted',
      data: { messageId, channelId, deletedBy: bob.userId },
    };
    given(messageAggregate, [posted(bob), deleted])
      .when((s) => decideMessage(edit(bob), s, { channel: publicWithBob }))
      .thenThrows('MESSAGE_DELETED', 409);
    given(messageAggregate)
      .when((s) => decideMessage(edit(bob), s, { channel: publicWithBob }))
      .thenThrows('NOT_FOUND', 404);
  });
  it('the author or an org admin deletes, once; others may not; outsiders of a private channel get 404', () => {
    const del = (by: ActingUser) => ({ type: 'DeleteMessage' as const, messageId, by });
    const deleted = (by: ActingUser): MessageEvent => ({
      type: 'MessageDeleted',
      data: { messageId, channelId, deletedBy: by.userId },
    });
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(del(bob), s, { channel: publicWithBob }))
      .then([deleted(bob)]);
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(del(admin), s, { channel: publicWithBob }))
      .then([deleted(admin)]);
    given(messageAggregate, [posted(bob)])
      .when((s) => decideMessage(del(ann), s, { channel: publicWithBob }))
      .thenThrows('NOT_AUTHOR', 403);
    given(messageAggregate, [posted(bob), deleted(bob)])
      .when((s) => decideMessage(del(bob), s, { channel: publicWithBob }))
      .then([]);
    given(messageAggregate, [posted(ann)])
      .when((s) => decideMessage(del(admin), s, { channel: channel(created('private')) }))
      .thenThrows('NOT_FOUND', 404);
  });
  it('a member reacts at most once per emoji; removing a reaction not given changes nothing', () => {
    const react = (by: ActingUser, emoji: '👍' | '🎉' = '👍') => ({
      type: 'ReactToMessage' as const,
      messageId,
      emoji,
      by,
    });
    const added = (by: ActingUser, emoji: '👍' | '🎉' = '👍'): MessageEvent => ({
      type: 'ReactionAdded',
      data: { messageId, channelId, userId: by.userId, emoji },
    });
    given(messageAggregate, [posted(ann)])
      .when((s) => decideMessage(react(bob), s, { channel: publicWithBob }))
      .then([added(bob)]);
    given(messageAggregate, [posted(ann), added(bob)])
      .when((s) => decideMessage(react(bob), s, { channel: publicWithBob }))
      .then([]);
    given(messageAggregate, [posted(ann), added(bob)])
      .when((s) => decideMessage(react(bob, '🎉'), s, { channel: publicWithBob }))
      .then([added(bob, '🎉')]);
    given(messageAggregate, [posted(ann)])
      .when((s) => decideMessage(react(cat), s, { channel: publicWithBob }))
      .thenThrows('NOT_A_MEMBER', 403);
    const remove = { type: 'RemoveReaction' as const, messageId, emoji: '👍' as const, by: bob };
    given(messageAggregate, [posted(ann), added(bob)])
      .when((s) => decideMessage(remove, s, { channel: publicWithBob }))
      .then([{ type: 'ReactionRemoved', data: { messageId, channelId, userId: bob.userId, emoji: '👍' } }]);
    given(messageAggregate, [posted(ann)])
      .when((s) => decideMessage(remove, s, { channel: publicWithBob }))
      .then([]);
    const state = fold(messageAggregate, [
      posted(ann),
      added(bob),
      added(ann),
      { type: 'ReactionRemoved', data: { messageId, channelId, userId: bob.userId, emoji: '👍' } },
    ]);
    expect(state.status === 'posted' && state.reactions).toEqual({ '👍': [ann.userId] });
  });
});

describe('read marks and mute', () => {
  const publicWithBob = channel(created(), joined(bob));
  it('members mute and unmute, each once', () => {
    const mute = { type: 'MuteChannel' as const, channelId, by: bob };
    given(channelMemberAggregate)
      .when((s) => decideChannelMember(mute, s, { channel: publicWithBob }))
      .then([{ type: 'ChannelMuted', data: { channelId, userId: bob.userId } }]);
    given(channelMemberAggregate, [{ type: 'ChannelMuted', data: { channelId, userId: bob.userId } }])
      .when((s) => decideChannelMember(mute, s, { channel: publicWithBob }))
      .then([]);
    given(channelMemberAggregate)
      .when((s) => decideChannelMember({ ...mute, type: 'UnmuteChannel' }, s, { channel: publicWithBob }))
      .then([]);
    given(channelMemberAggregate)
      .when((s) => decideChannelMember({ ...mute, by: cat }, s, { channel: publicWithBob }))
      .thenThrows('NOT_A_MEMBER');
  });
  it('a read mark names a message of this channel, or nothing (everything so far)', () => {
    const mark = (messageIdOrNull: string | null) => ({
      type: 'MarkChannelRead' as const,
      channelId,
      messageId: messageIdOrNull,
      by: bob,
    });
    const message = fold(messageAggregate, [posted(ann)]);
    given(channelMemberAggregate)
      .when((s) => decideChannelMember(mark(null), s, { channel: publicWithBob }))
      .then([{ type: 'ChannelReadMarked', data: { channelId, userId: bob.userId, messageId: null } }]);
    given(channelMemberAggregate)
      .when((s) => decideChannelMember(mark(messageId), s, { channel: publicWithBob, message }))
      .then([{ type: 'ChannelReadMarked', data: { channelId, userId: bob.userId, messageId } }]);
    const foreign = fold(messageAggregate, [posted(ann, otherChannel)]);
    given(channelMemberAggregate)
      .when((s) => decideChannelMember(mark(messageId), s, { channel: publicWithBob, message: foreign }))
      .thenThrows('NOT_FOUND');
    given(channelMemberAggregate)
      .when((s) => decideChannelMember(mark(null), s, { channel: channel(created('private')) }))
      .thenThrows('NOT_FOUND');
  });
});
