import type { EventDefinition } from '../catalogue/define';
import { channelEvents } from './channel';
import { channelMemberEvents } from './channel-member';
import { channelNameEvents } from './channel-name';
import { messageEvents } from './message';

export * from './ids';
export * from './channel';
export * from './channel-name';
export * from './channel-member';
export * from './message';

/** Every Team chat event definition. */
export const teamChatEvents = [
  ...channelEvents,
  ...channelNameEvents,
  ...messageEvents,
  ...channelMemberEvents,
] as EventDefinition[];

/** Every Team chat event type, for projectors that follow all of them. */
export const TEAM_CHAT_EVENT_TYPES: readonly string[] = teamChatEvents.map((d) => d.type);
