import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { ChannelName } from './channel';

/**
 * A live channel's claim on its name. Appended at the exact revision read, so of two channels
 * created with one name at once exactly one gets it; a deleted channel releases it.
 */
export const channelNameStream = (normalizedName: string) => `channel-name-${normalizedName}`;

export const ChannelNameReserved = defineEvent({
  type: 'ChannelNameReserved',
  version: 1,
  schema: z.object({ name: ChannelName, channelId: z.uuid() }),
});
export const ChannelNameReleased = defineEvent({
  type: 'ChannelNameReleased',
  version: 1,
  schema: z.object({ name: ChannelName, channelId: z.uuid() }),
});

export const channelNameEvents = [ChannelNameReserved, ChannelNameReleased];
export type ChannelNameEvent = EventOf<typeof ChannelNameReserved> | EventOf<typeof ChannelNameReleased>;

/** Which channel holds the name now, if any. */
export type ChannelNameState = { holder: string | null };

export const initialChannelNameState: ChannelNameState = { holder: null };

export function evolveChannelName(state: ChannelNameState, event: ChannelNameEvent): ChannelNameState {
  switch (event.type) {
    case 'ChannelNameReserved':
      return { holder: event.data.channelId };
    case 'ChannelNameReleased':
      return state.holder === event.data.channelId ? { holder: null } : state;
    default:
      return state;
  }
}

export const channelNameAggregate = { initialState: initialChannelNameState, evolve: evolveChannelName };
