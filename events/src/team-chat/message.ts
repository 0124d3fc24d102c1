import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { userSubject } from '../identity/user';
import { text } from '../text';

/** The quick set of reactions offered on a message. */
export const REACTION_EMOJIS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'] as const;
export const Emoji = z.enum(REACTION_EMOJIS);
export type Emoji = z.infer<typeof Emoji>;

export const MESSAGE_BODY_MAX = 10_000;
export const MessageBody = text(1, MESSAGE_BODY_MAX);

/**
 * Each message is its own stream: posting never contends with other posters, and edits,
 * deletions and reactions are decided at the message's exact revision.
 */
export const messageStream = (messageId: string) => `message-${messageId}`;

/** What the read side needs to list and serve an attachment; the bytes live in the blob store. */
export const AttachmentRef = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
  contentType: z.string().min(3).max(127),
  /** Content address of the bytes in the blob store. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

export const MessagePosted = defineEvent({
  type: 'MessagePosted',
  version: 1,
  schema: z.object({
    messageId: z.uuid(),
    channelId: z.uuid(),
    authorId: z.uuid(),
    body: MessageBody,
    quotedMessageId: z.uuid().nullable(),
    attachments: z.array(AttachmentRef).max(10),
  }),
  personalData: { subject: (d) => userSubject(d.authorId), fields: ['body'] },
});
export const MessageEdited = defineEvent({
  type: 'MessageEdited',
  version: 1,
  schema: z.object({ messageId: z.uuid(), channelId: z.uuid(), authorId: z.uuid(), body: MessageBody }),
  personalData: { subject: (d) => userSubject(d.authorId), fields: ['body'] },
});
export const MessageDeleted = defineEvent({
  type: 'MessageDeleted',
  version: 1,
  schema: z.object({ messageId: z.uuid(), channelId: z.uuid(), deletedBy: z.uuid() }),
});
export const ReactionAdded = defineEvent({
  type: 'ReactionAdded',
  version: 1,
  schema: z.object({ messageId: z.uuid(), channelId: z.uuid(), userId: z.uuid(), emoji: Emoji }),
});
export const ReactionRemoved = defineEvent({
  type: 'ReactionRemoved',
  version: 1,
  schema: z.object({ messageId: z.uuid(), channelId: z.uuid(), userId: z.uuid(), emoji: Emoji }),
});

export const messageEvents = [MessagePosted, MessageEdited, MessageDeleted, ReactionAdded, ReactionRemoved];
export type MessageEvent =
  | EventOf<typeof MessagePosted>
  | EventOf<typeof MessageEdited>
  | EventOf<typeof MessageDeleted>
  | EventOf<typeof ReactionAdded>
  | EventOf<typeof ReactionRemoved>;

export type MessageState =
  | { status: 'absent' }
  | {
      status: 'posted' | 'deleted';
      messageId: string;
      channelId: string;
      authorId: string;
      body: string;
      /** Who reacted with each emoji. */
      reactions: Readonly<Record<string, readonly string[]>>;
    };

export const initialMessageState: MessageState = { status: 'absent' };

export function evolveMessage(state: MessageState, event: MessageEvent): MessageState {
  switch (event.type) {
    case 'MessagePosted': {
      if (state.status !== 'absent') return state;
      const { messageId, channelId, authorId, body } = event.data;
      return { status: 'posted', messageId, channelId, authorId, body, reactions: {} };
    }
    case 'MessageEdited':
      return state.status === 'posted' ? { ...state, body: event.data.body } : state;
    case 'MessageDeleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted', body: '', reactions: {} };
    case 'ReactionAdded': {
      if (state.status !== 'posted') return state;
      const users = state.reactions[event.data.emoji] ?? [];
      if (users.includes(event.data.userId)) return state;
      return {
        ...state,
        reactions: { ...state.reactions, [event.data.emoji]: [...users, event.data.userId] },
      };
    }
    case 'ReactionRemoved': {
      if (state.status !== 'posted') return state;
      const users = (state.reactions[event.data.emoji] ?? []).filter((u) => u !== event.data.userId);
      const { [event.data.emoji]: _removed, ...rest } = state.reactions;
      return { ...state, reactions: users.length > 0 ? { ...rest, [event.data.emoji]: users } : rest };
    }
    default:
      return state;
  }
}

export const messageAggregate = { initialState: initialMessageState, evolve: evolveMessage };
