import { randomUUID } from 'node:crypto';
import {
  channelAggregate,
  channelMemberAggregate,
  channelMemberStream,
  ChannelName,
  channelNameAggregate,
  channelNameStream,
  channelStream,
  ChannelVisibility,
  directMessageChannelId,
  Emoji,
  evolveUser,
  fold,
  initialMessageState,
  initialUserState,
  messageAggregate,
  MessageBody,
  messageStream,
  normalizeChannelName,
  text,
  userStream,
  WrongExpectedRevisionError,
  type ChannelState,
  type MessageState,
} from '@chat/events';
import { ConflictError, NotFoundError, ValidationError } from '@chat/platform';
import { z } from 'zod';
import { decideAndAppend } from '../commands/decide-and-append';
import { defineCommand, type CommandContext } from '../commands/define';
import { anyUserButAuditor } from '../audit/roles';
import { claimAttachments } from './attachments/table';
import {
  decideChannel,
  decideChannelMember,
  decideChannelName,
  decideMessage,
  type ChannelCommand,
  type ChannelMemberCommand,
  type MessageCommand,
  type PostMessageCommand,
} from './decide';
import { actingUser, load, onKeptChannel } from './load';

const channelId = z.uuid();
/** A name reserved this long ago by a channel that never came to be is free again. */
export const ABANDONED_RESERVATION_MS = 60_000;
/** What the user typed, normalized to the channel-name convention ("Proj 014" -> "proj-014"). */
const channelNameInput = text(1, 80)
  .transform(normalizeChannelName)
  .pipe(ChannelName.min(1, 'needs at least one letter or digit'));
const uniqueIds = (ids: string[] | null | undefined) => !ids || new Set(ids).size === ids.length;

const newEvents = (events: { type: string; data: unknown }[]) =>
  events.map((e) => ({ id: randomUUID(), ...e }));

function channelCommand(context: CommandContext, command: ChannelCommand) {
  return decideAndAppend(context, {
    streamId: channelStream(command.channelId),
    aggregate: channelAggregate,
    decide: (state: ChannelState) => decideChannel(command, state),
  });
}

/** A user another user may add or write to: existing (404 otherwise) and active. */
async function activeUser(context: CommandContext, userId: string): Promise<void> {
  const user = fold(
    { initialState: initialUserState, evolve: evolveUser },
    await context.store.readStream(userStream(userId)),
  );
  if (user.status === 'absent') throw new NotFoundError('No such user');
  if (user.status !== 'active') throw new ConflictError('USER_DEACTIVATED', 'This user is deactivated');
}

export const createChannel = defineCommand({
  name: 'CreateChannel',
  summary:
    'Create a public or private channel; the creator becomes its ADMIN. Names are unique among live channels.',
  body: z.strictObject({
    channelId,
    name: channelNameInput,
    visibility: ChannelVisibility,
    description: text(0, 250).nullish(),
  }),
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const command: ChannelCommand = {
      type: 'CreateChannel',
      channelId: body.channelId,
      name: body.name,
      visibility: body.visibility,
      description: body.description || null,
      by: actingUser(context),
    };
    const existing = await load(context, channelAggregate, channelStream(body.channelId));
    if (existing.state.status !== 'absent') {
      decideChannel(command, existing.state); // a retry answers as before; another channel under this id is a conflict
      return { position: existing.position, channelId: body.channelId };
    }
    // The name first: of concurrent creators exactly one reserves it.
    const nameStream = channelNameStream(body.name);
    const nameHistory = await context.store.readStream(nameStream);
    const reservation = fold(channelNameAggregate, nameHistory);
    let deadHolder: string | null = null;
    const holder = reservation.holder;
    if (holder && holder !== body.channelId) {
      const held = (await load(context, channelAggregate, channelStream(holder))).state;
      const reservedAt = Date.parse(nameHistory[nameHistory.length - 1]!.metadata.recordedAt);
      // A claim lapses when its channel is deleted, carries another name, or never appeared: a
      // creator that reserved and then failed (a crash between the two appends) is long gone.
      const abandoned =
        held.status === 'absent' && context.now.getTime() - reservedAt > ABANDONED_RESERVATION_MS;
      if (held.status === 'deleted' || (held.status === 'active' && held.name !== body.name) || abandoned)
        deadHolder = holder;
    }
    await decideAndAppend(context, {
      streamId: nameStream,
      aggregate: channelNameAggregate,
      decide: (state) =>
        decideChannelName(
          { type: 'ReserveChannelName', name: body.name, channelId: body.channelId, deadHolder },
          state,
        ),
    });
    const { position } = await channelCommand(context, command);
    return { position, channelId: body.channelId };
  },
});

const channelOnly = z.strictObject({ channelId });

export const joinChannel = defineCommand({
  name: 'JoinChannel',
  summary: 'Join a public channel',
  body: channelOnly,
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const { position } = await channelCommand(context, {
      type: 'JoinChannel',
      channelId: body.channelId,
      by: actingUser(context),
    });
    return { position };
  },
});

export const leaveChannel = defineCommand({
  name: 'LeaveChannel',
  summary: 'Leave a channel (not a direct message)',
  body: channelOnly,
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const { position } = await channelCommand(context, {
      type: 'LeaveChannel',
      channelId: body.channelId,
      by: actingUser(context),
    });
    return { position };
  },
});

export const addChannelMember = defineCommand({
  name: 'AddChannelMember',
  summary: 'Add an active user to a channel you are a member of',
  body: z.strictObject({ channelId, userId: z.uuid() }),
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const command: ChannelCommand = {
      type: 'AddChannelMember',
      channelId: body.channelId,
      userId: body.userId,
      by: actingUser(context),
    };
    // The channel's rules first, so that a private channel answers 404 to outsiders whoever they name.
    decideChannel(command, (await load(context, channelAggregate, channelStream(body.channelId))).state);
    await activeUser(context, body.userId);
    const { position } = await channelCommand(context, command);
    return { position };
  },
});

export const deleteChannel = defineCommand({
  name: 'DeleteChannel',
  summary: 'Delete a channel (its ADMIN, or an org ADMIN or SUPER_ADMIN); its name becomes free',
  body: channelOnly,
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const { position, events } = await channelCommand(context, {
      type: 'DeleteChannel',
      channelId: body.channelId,
      by: actingUser(context),
    });
    const deleted = events.find((e) => e.type === 'ChannelDeleted');
    if (deleted?.type !== 'ChannelDeleted') return { position };
    const name = deleted.data.name;
    const released = await decideAndAppend(context, {
      streamId: channelNameStream(name),
      aggregate: channelNameAggregate,
      decide: (state) =>
        decideChannelName({ type: 'ReleaseChannelName', name, channelId: body.channelId }, state),
    });
    return { position: released.events.length > 0 ? released.position : position };
  },
});

export const openDirectMessage = defineCommand({
  name: 'OpenDirectMessage',
  summary: 'Open the direct messages with another user: always the same conversation for the same two people',
  body: z.strictObject({ userId: z.uuid() }),
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const by = actingUser(context);
    if (body.userId === by.userId)
      throw new ValidationError(
        'Pick someone else',
        [{ field: 'body.userId', message: 'cannot be yourself' }],
        'DM_WITH_SELF',
      );
    const dmId = directMessageChannelId(by.userId, body.userId);
    const existing = await load(context, channelAggregate, channelStream(dmId));
    if (existing.state.status === 'active' && existing.state.kind === 'dm')
      return { position: existing.position, channelId: dmId };
    await activeUser(context, body.userId);
    const userIds = [by.userId, body.userId].sort() as [string, string];
    const { position } = await channelCommand(context, {
      type: 'OpenDirectMessage',
      channelId: dmId,
      userIds,
      by,
    });
    return { position, channelId: dmId };
  },
});

export const postMessage = defineCommand({
  name: 'PostMessage',
  summary: 'Post a message to a channel you are a member of; the client-chosen messageId makes retries safe',
  body: z.strictObject({
    channelId,
    messageId: z.uuid(),
    body: MessageBody,
    quotedMessageId: z.uuid().nullish(),
    attachmentIds: z.array(z.uuid()).max(10).nullish().refine(uniqueIds, 'each attachment once'),
  }),
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const command: PostMessageCommand = {
      type: 'PostMessage',
      messageId: body.messageId,
      channelId: body.channelId,
      body: body.body,
      quotedMessageId: body.quotedMessageId ?? null,
      attachments: [],
      by: actingUser(context),
    };
    const stream = messageStream(body.messageId);
    const withAttachments = Boolean(body.attachmentIds?.length);
    const quoted = body.quotedMessageId
      ? await load(context, messageAggregate, messageStream(body.quotedMessageId))
      : null;
    // With attachments (claimed before the append) the channel is read, as a plain append needs.
    return onKeptChannel(
      context,
      body.channelId,
      async (channel, unchanged) => {
        const facts = { channel: channel.state, quoted: quoted?.state };
        let events = decideMessage(command, initialMessageState, facts); // the rules, before any attachment is claimed
        if (withAttachments) {
          command.attachments = await claimAttachments(context.services.pool, {
            attachmentIds: body.attachmentIds!,
            uploaderId: command.by.userId,
            messageId: body.messageId,
          });
          events = decideMessage(command, initialMessageState, facts);
        }
        try {
          // A new message is a new stream: concurrent posters never contend, and a retry finds it taken.
          const result = await context.store.append(stream, 'no_stream', newEvents(events), context.append, {
            unchanged,
          });
          return { position: result.position, messageId: body.messageId };
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError) || error.streamId !== stream) throw error;
          const existing = await load(context, messageAggregate, stream);
          decideMessage(command, existing.state as MessageState, facts); // empty for a retry of this very message
          return { position: existing.position, messageId: body.messageId };
        }
      },
      { read: withAttachments },
    );
  },
});

/** Runs a rule on an existing message, knowing its channel. */
async function messageCommand(context: CommandContext, command: Exclude<MessageCommand, PostMessageCommand>) {
  const stream = messageStream(command.messageId);
  const message = await load(context, messageAggregate, stream);
  if (message.state.status === 'absent') throw new NotFoundError('No such message');
  const channel = (await load(context, channelAggregate, channelStream(message.state.channelId))).state;
  const { position } = await decideAndAppend(context, {
    streamId: stream,
    aggregate: messageAggregate,
    decide: (state: MessageState) => decideMessage(command, state, { channel }),
  });
  return { position };
}

export const editMessage = defineCommand({
  name: 'EditMessage',
  summary: 'Edit your own message',
  body: z.strictObject({ messageId: z.uuid(), body: MessageBody }),
  allow: anyUserButAuditor,
  handle: (context, body) =>
    messageCommand(context, { type: 'EditMessage', ...body, by: actingUser(context) }),
});

export const deleteMessage = defineCommand({
  name: 'DeleteMessage',
  summary: 'Delete your own message (an org ADMIN or SUPER_ADMIN may delete any): it stays as a tombstone',
  body: z.strictObject({ messageId: z.uuid() }),
  allow: anyUserButAuditor,
  handle: (context, body) =>
    messageCommand(context, { type: 'DeleteMessage', ...body, by: actingUser(context) }),
});

const reaction = z.strictObject({ messageId: z.uuid(), emoji: Emoji });

export const reactToMessage = defineCommand({
  name: 'ReactToMessage',
  summary: 'React to a message with an emoji of the quick set (at most once per emoji)',
  body: reaction,
  allow: anyUserButAuditor,
  handle: (context, body) =>
    messageCommand(context, { type: 'ReactToMessage', ...body, by: actingUser(context) }),
});

export const removeReaction = defineCommand({
  name: 'RemoveReaction',
  summary: 'Take back your reaction',
  body: reaction,
  allow: anyUserButAuditor,
  handle: (context, body) =>
    messageCommand(context, { type: 'RemoveReaction', ...body, by: actingUser(context) }),
});

export const markChannelRead = defineCommand({
  name: 'MarkChannelRead',
  summary: 'Mark a channel read up to a message, or (without messageId) up to everything it holds now',
  body: z.strictObject({ channelId, messageId: z.uuid().nullish() }),
  allow: anyUserButAuditor,
  handle: async (context, body) => {
    const command: ChannelMemberCommand = {
      type: 'MarkChannelRead',
      channelId: body.channelId,
      messageId: body.messageId ?? null,
      by: actingUser(context),
    };
    const message = body.messageId
      ? await load(context, messageAggregate, messageStream(body.messageId))
      : null;
    // It is most of what people send (every conversation opened): decided as a post is.
    return onKeptChannel(context, body.channelId, async (channel, unchanged) => {
      const events = decideChannelMember(command, channelMemberAggregate.initialState, {
        channel: channel.state,
        message: message?.state,
      });
      // Read marks only move forward and need no state: appended without reading the stream.
      const result = await context.store.append(
        channelMemberStream(body.channelId, command.by.userId),
        'any',
        newEvents(events),
        context.append,
        { unchanged },
      );
      return { position: result.position };
    });
  },
});

function muteCommand(name: 'MuteChannel' | 'UnmuteChannel', summary: string) {
  return defineCommand({
    name,
    summary,
    body: channelOnly,
    allow: anyUserButAuditor,
    handle: async (context, body) => {
      const command: ChannelMemberCommand = {
        type: name,
        channelId: body.channelId,
        by: actingUser(context),
      };
      const channel = (await load(context, channelAggregate, channelStream(body.channelId))).state;
      const { position } = await decideAndAppend(context, {
        streamId: channelMemberStream(body.channelId, command.by.userId),
        aggregate: channelMemberAggregate,
        decide: (state) => decideChannelMember(command, state, { channel }),
      });
      return { position };
    },
  });
}

export const muteChannel = muteCommand(
  'MuteChannel',
  'Mute a channel: it keeps counting unread messages but shows no badge',
);
export const unmuteChannel = muteCommand('UnmuteChannel', 'Unmute a channel');

export const teamChatCommands = [
  createChannel,
  joinChannel,
  leaveChannel,
  addChannelMember,
  deleteChannel,
  openDirectMessage,
  postMessage,
  editMessage,
  deleteMessage,
  reactToMessage,
  removeReaction,
  markChannelRead,
  muteChannel,
  unmuteChannel,
];
