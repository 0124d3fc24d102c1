import {
  canSeeChannel,
  type AttachmentRef,
  type ChannelEvent,
  type ChannelMemberEvent,
  type ChannelMemberState,
  type ChannelNameEvent,
  type ChannelNameState,
  type ChannelState,
  type ChannelVisibility,
  type Emoji,
  type MessageEvent,
  type MessageState,
  type Role,
} from '@chat/events';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@chat/platform';

/** Who acts: the signed-in user and their role in the organisation. */
export interface ActingUser {
  userId: string;
  role: Role;
}

/** Org roles that may delete any channel they can see, and any message in it (moderation). */
const MODERATORS: readonly Role[] = ['SUPER_ADMIN', 'ADMIN'];

// The API never reveals whether a private channel or its messages exist: one answer for all.
const channelNotFound = () => new NotFoundError('No such channel');
const messageNotFound = () => new NotFoundError('No such message');
const notAMember = () => new ForbiddenError('Join the channel first', 'NOT_A_MEMBER');

/** A channel the user may see (live, and public or theirs); anything else is "not found". */
function visibleChannel(state: ChannelState, userId: string) {
  if (!canSeeChannel(state, userId)) throw channelNotFound();
  return state;
}

export type ChannelCommand =
  | {
      type: 'CreateChannel';
      channelId: string;
      name: string;
      visibility: ChannelVisibility;
      description: string | null;
      by: ActingUser;
    }
  | { type: 'OpenDirectMessage'; channelId: string; userIds: [string, string]; by: ActingUser }
  | { type: 'JoinChannel'; channelId: string; by: ActingUser }
  | { type: 'LeaveChannel'; channelId: string; by: ActingUser }
  | { type: 'AddChannelMember'; channelId: string; userId: string; by: ActingUser }
  | { type: 'DeleteChannel'; channelId: string; by: ActingUser };

/** The rules of a channel's membership and life. Pure: state and command in, events out. */
export function decideChannel(command: ChannelCommand, state: ChannelState): ChannelEvent[] {
  const me = command.by.userId;
  switch (command.type) {
    case 'CreateChannel': {
      if (state.status !== 'absent') {
        if (state.kind === command.visibility && state.name === command.name) return [];
        throw new ConflictError('CHANNEL_ID_TAKEN', 'Another channel has this id');
      }
      const { channelId, name, visibility, description } = command;
      return [{ type: 'ChannelCreated', data: { channelId, name, visibility, description, createdBy: me } }];
    }
    case 'OpenDirectMessage': {
      if (state.status === 'absent')
        return [
          {
            type: 'DirectMessageOpened',
            data: { channelId: command.channelId, userIds: command.userIds, openedBy: me },
          },
        ];
      if (state.kind !== 'dm') throw new ConflictError('CHANNEL_ID_TAKEN', 'Another channel has this id');
      return [];
    }
    case 'JoinChannel': {
      const channel = visibleChannel(state, me);
      if (channel.members[me]) return [];
      return [{ type: 'ChannelJoined', data: { channelId: command.channelId, userId: me } }];
    }
    case 'LeaveChannel': {
      const channel = visibleChannel(state, me);
      if (channel.kind === 'dm')
        throw new ConflictError('DM_CANNOT_BE_LEFT', 'A direct message cannot be left');
      if (!channel.members[me]) return [];
      return [{ type: 'ChannelLeft', data: { channelId: command.channelId, userId: me } }];
    }
    case 'AddChannelMember': {
      const channel = visibleChannel(state, me);
      if (channel.kind === 'dm')
        throw new ConflictError('DM_MEMBERS_FIXED', 'No one can be added to a direct message');
      if (!channel.members[me]) throw notAMember();
      if (channel.members[command.userId]) return [];
      return [
        {
          type: 'ChannelMemberAdded',
          data: { channelId: command.channelId, userId: command.userId, addedBy: me },
        },
      ];
    }
    case 'DeleteChannel': {
      const channel = visibleChannel(state, me);
      if (channel.kind === 'dm')
        throw new ConflictError('DM_CANNOT_BE_DELETED', 'A direct message cannot be deleted');
      if (channel.members[me] !== 'ADMIN' && !MODERATORS.includes(command.by.role))
        throw new ForbiddenError('Only the channel admin or an org admin may delete the channel');
      return [
        {
          type: 'ChannelDeleted',
          data: { channelId: command.channelId, name: channel.name!, deletedBy: me },
        },
      ];
    }
  }
}

export type ChannelNameCommand =
  | {
      type: 'ReserveChannelName';
      name: string;
      channelId: string;
      /** A holder known to be dead (its channel deleted, or created under another name): its claim lapses. */
      deadHolder: string | null;
    }
  | { type: 'ReleaseChannelName'; name: string; channelId: string };

/** Live channel names are unique: a name is reserved by one channel until that channel is deleted. */
export function decideChannelName(command: ChannelNameCommand, state: ChannelNameState): ChannelNameEvent[] {
  const { name, channelId } = command;
  switch (command.type) {
    case 'ReserveChannelName': {
      if (state.holder === channelId) return [];
      if (state.holder === null) return [{ type: 'ChannelNameReserved', data: { name, channelId } }];
      if (state.holder !== command.deadHolder)
        throw new ConflictError('CHANNEL_NAME_TAKEN', `A channel named #${name} already exists`, {
          field: 'name',
        });
      return [
        { type: 'ChannelNameReleased', data: { name, channelId: state.holder } },
        { type: 'ChannelNameReserved', data: { name, channelId } },
      ];
    }
    case 'ReleaseChannelName':
      return state.holder === channelId ? [{ type: 'ChannelNameReleased', data: { name, channelId } }] : [];
  }
}

export interface PostMessageCommand {
  type: 'PostMessage';
  messageId: string;
  channelId: string;
  body: string;
  quotedMessageId: string | null;
  attachments: AttachmentRef[];
  by: ActingUser;
}

export type MessageCommand =
  | PostMessageCommand
  | { type: 'EditMessage'; messageId: string; body: string; by: ActingUser }
  | { type: 'DeleteMessage'; messageId: string; by: ActingUser }
  | { type: 'ReactToMessage'; messageId: string; emoji: Emoji; by: ActingUser }
  | { type: 'RemoveReaction'; messageId: string; emoji: Emoji; by: ActingUser };

/** What a message rule needs to know besides the message: its channel, and for a reply the quoted message. */
export interface MessageFacts {
  channel: ChannelState;
  quoted?: MessageState;
}

/** The rules of one message: who posts, edits, deletes and reacts. Pure: state, facts and command in, events out. */
export function decideMessage(
  command: MessageCommand,
  state: MessageState,
  facts: MessageFacts,
): MessageEvent[] {
  const me = command.by.userId;
  if (command.type === 'PostMessage') {
    if (state.status !== 'absent') {
      if (state.authorId === me && state.channelId === command.channelId) return [];
      throw new ConflictError('MESSAGE_ID_TAKEN', 'Another message has this id');
    }
    const channel = visibleChannel(facts.channel, me);
    if (!channel.members[me]) throw notAMember();
    if (command.quotedMessageId) {
      const quoted = facts.quoted ?? { status: 'absent' };
      if (quoted.status === 'absent' || quoted.channelId !== command.channelId)
        throw new ValidationError('The quoted message is not in this conversation', [
          { field: 'body.quotedMessageId', message: 'not a message of this conversation' },
        ]);
      if (quoted.status === 'deleted')
        throw new ConflictError('QUOTED_MESSAGE_DELETED', 'The quoted message was deleted');
    }
    const { messageId, channelId, body, quotedMessageId, attachments } = command;
    return [
      {
        type: 'MessagePosted',
        data: { messageId, channelId, authorId: me, body, quotedMessageId, attachments },
      },
    ];
  }

  if (state.status === 'absent') throw messageNotFound();
  const channel = visibleChannel(facts.channel, me);
  const { messageId, channelId } = state;
  switch (command.type) {
    case 'EditMessage':
      if (state.status === 'deleted') throw new ConflictError('MESSAGE_DELETED', 'The message was deleted');
      if (state.authorId !== me) throw new ForbiddenError('Only the author may edit a message', 'NOT_AUTHOR');
      if (state.body === command.body) return [];
      return [{ type: 'MessageEdited', data: { messageId, channelId, authorId: me, body: command.body } }];
    case 'DeleteMessage':
      if (state.status === 'deleted') return [];
      if (state.authorId !== me && !MODERATORS.includes(command.by.role))
        throw new ForbiddenError('Only the author may delete a message', 'NOT_AUTHOR');
      return [{ type: 'MessageDeleted', data: { messageId, channelId, deletedBy: me } }];
    case 'ReactToMessage':
      if (state.status === 'deleted') throw new ConflictError('MESSAGE_DELETED', 'The message was deleted');
      if (!channel.members[me]) throw notAMember();
      if (state.reactions[command.emoji]?.includes(me)) return [];
      return [{ type: 'ReactionAdded', data: { messageId, channelId, userId: me, emoji: command.emoji } }];
    case 'RemoveReaction':
      if (state.status === 'deleted' || !state.reactions[command.emoji]?.includes(me)) return [];
      return [{ type: 'ReactionRemoved', data: { messageId, channelId, userId: me, emoji: command.emoji } }];
  }
}

export type ChannelMemberCommand =
  | { type: 'MuteChannel'; channelId: string; by: ActingUser }
  | { type: 'UnmuteChannel'; channelId: string; by: ActingUser }
  | { type: 'MarkChannelRead'; channelId: string; messageId: string | null; by: ActingUser };

/** A member's own settings for a channel (mute, read marks); the member must be in the channel. */
export function decideChannelMember(
  command: ChannelMemberCommand,
  state: ChannelMemberState,
  facts: { channel: ChannelState; message?: MessageState },
): ChannelMemberEvent[] {
  const me = command.by.userId;
  const channel = visibleChannel(facts.channel, me);
  if (!channel.members[me]) throw notAMember();
  const { channelId } = command;
  switch (command.type) {
    case 'MuteChannel':
      return state.muted ? [] : [{ type: 'ChannelMuted', data: { channelId, userId: me } }];
    case 'UnmuteChannel':
      return state.muted ? [{ type: 'ChannelUnmuted', data: { channelId, userId: me } }] : [];
    case 'MarkChannelRead':
      if (command.messageId) {
        const message = facts.message ?? { status: 'absent' };
        if (message.status === 'absent' || message.channelId !== channelId) throw messageNotFound();
      }
      return [{ type: 'ChannelReadMarked', data: { channelId, userId: me, messageId: command.messageId } }];
  }
}
