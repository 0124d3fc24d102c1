import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';

/**
 * One user's own relation to one channel: read marks and mute. Kept apart from the channel's
 * stream so that reading a channel never contends with its members or its posters.
 */
export const channelMemberStream = (channelId: string, userId: string) =>
  `channel-member-${channelId}-${userId}`;

/**
 * The user has read the channel up to a message, or (messageId null) up to whatever the channel
 * held when this event was recorded; the projection resolves that at this point of the log.
 */
export const ChannelReadMarked = defineEvent({
  type: 'ChannelReadMarked',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid(), messageId: z.uuid().nullable() }),
});
export const ChannelMuted = defineEvent({
  type: 'ChannelMuted',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid() }),
});
export const ChannelUnmuted = defineEvent({
  type: 'ChannelUnmuted',
  version: 1,
  schema: z.object({ channelId: z.uuid(), userId: z.uuid() }),
});

export const channelMemberEvents = [ChannelReadMarked, ChannelMuted, ChannelUnmuted];
export type ChannelMemberEvent =
  EventOf<typeof ChannelReadMarked> | EventOf<typeof ChannelMuted> | EventOf<typeof ChannelUnmuted>;

export type ChannelMemberState = { muted: boolean };
export const initialChannelMemberState: ChannelMemberState = { muted: false };

export function evolveChannelMember(
  state: ChannelMemberState,
  event: ChannelMemberEvent,
): ChannelMemberState {
  switch (event.type) {
    case 'ChannelMuted':
      return { muted: true };
    case 'ChannelUnmuted':
      return { muted: false };
    default:
      return state;
  }
}

export const channelMemberAggregate = {
  initialState: initialChannelMemberState,
  evolve: evolveChannelMember,
};
