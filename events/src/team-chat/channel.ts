import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { text } from '../text';
import { CHANNEL_NAME_PATTERN } from './ids';

export const ChannelVisibility = z.enum(['public', 'private']);
export type ChannelVisibility = z.infer<typeof ChannelVisibility>;
export type ChannelKind = ChannelVisibility | 'dm';
export const ChannelRole = z.enum(['ADMIN', 'MEMBER']);
export type ChannelRole = z.infer<typeof ChannelRole>;

export const ChannelName = z
  .string()
  .max(80)
  .regex(CHANNEL_NAME_PATTERN, 'lowercase letters, digits and single hyphens');

/** A channel's life: created (or a DM opened), members in and out, deleted. */
export const channelStream = (channelId: string) => `channel-${channelId}`;

export const ChannelCreated = defineEvent({
  type: 'ChannelCreated',
  version: 1,
  schema: z.object({
    channelId: z.uuid(),
    name: ChannelName,
    visibility: ChannelVisibility,
    description: text(0, 250).nullable(),
    /** The creator, who becomes the channel's ADMIN. */
    createdBy: z.uuid(),
  }),
});
/** The one conversation between two users; its id derives from the pair (directMessageChannelId). */
export const DirectMessageOpened = defineEvent({
  type: 'DirectMessageOpened',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userIds: z.tuple([z.uuid(), z.uuid()]), openedBy: z.uuid() }),
});
export const ChannelJoined = defineEvent({
  type: 'ChannelJoined',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid() }),
});
export const ChannelMemberAdded = defineEvent({
  type: 'ChannelMemberAdded',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid(), addedBy: z.uuid() }),
});
export const ChannelLeft = defineEvent({
  type: 'ChannelLeft',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid() }),
});
export const ChannelDeleted = defineEvent({
  type: 'ChannelDeleted',
  version: 1,
  schema: z.object({ channelId: z.uuid(), name: ChannelName, deletedBy: z.uuid() }),
});

export const channelEvents = [
  ChannelCreated,
  DirectMessageOpened,
  ChannelJoined,
  ChannelMemberAdded,
  ChannelLeft,
  ChannelDeleted,
];
export type ChannelEvent =
  | EventOf<typeof ChannelCreated>
  | EventOf<typeof DirectMessageOpened>
  | EventOf<typeof ChannelJoined>
  | EventOf<typeof ChannelMemberAdded>
  | EventOf<typeof ChannelLeft>
  | EventOf<typeof ChannelDeleted>;

export type ChannelState =
  | { status: 'absent' }
  | {
      status: 'active' | 'deleted';
      channelId: string;
      kind: ChannelKind;
      /** null for a DM, which is named after the other person. */
      name: string | null;
      /** Current members and their role in the channel. */
      members: Readonly<Record<string, ChannelRole>>;
    };

export const initialChannelState: ChannelState = { status: 'absent' };

export function evolveChannel(state: ChannelState, event: ChannelEvent): ChannelState {
  switch (event.type) {
    case 'ChannelCreated':
      if (state.status !== 'absent') return state;
      return {
        status: 'active',
        channelId: event.data.channelId,
        kind: event.data.visibility,
        name: event.data.name,
        members: { [event.data.createdBy]: 'ADMIN' },
      };
    case 'DirectMessageOpened': {
      if (state.status !== 'absent') return state;
      const [a, b] = event.data.userIds;
      return {
        status: 'active',
        channelId: event.data.channelId,
        kind: 'dm',
        name: null,
        members: { [a]: 'MEMBER', [b]: 'MEMBER' },
      };
    }
    case 'ChannelJoined':
    case 'ChannelMemberAdded':
      if (state.status === 'absent' || state.members[event.data.userId]) return state;
      return { ...state, members: { ...state.members, [event.data.userId]: 'MEMBER' } };
    case 'ChannelLeft': {
      if (state.status === 'absent' || !state.members[event.data.userId]) return state;
      const { [event.data.userId]: _left, ...members } = state.members;
      return { ...state, members };
    }
    case 'ChannelDeleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' };
    default:
      return state;
  }
}

export const channelAggregate = { initialState: initialChannelState, evolve: evolveChannel };

/** Whether a user may see the channel at all: live, and public or theirs. Everything else is "not found". */
export function canSeeChannel(
  state: ChannelState,
  userId: string,
): state is Extract<ChannelState, { status: 'active' | 'deleted' }> {
  return state.status === 'active' && (state.kind === 'public' || Boolean(state.members[userId]));
}
