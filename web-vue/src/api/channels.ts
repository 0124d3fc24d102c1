import { command, get, qs, query, type CommandAnswer, type QueryOptions, type QueryResult } from './http';
import type { Channel, ChannelMember, ListAnswer, Message } from './types';

/** GET /api/channels: what I may see, with unread counts, mute and member flags. */
export function listChannels(options: QueryOptions = {}): Promise<QueryResult<ListAnswer<Channel>>> {
  return query('/api/channels', { revalidate: true, ...options });
}

/** GET /api/channels/{id} */
export function getChannel(channelId: string, options: QueryOptions = {}): Promise<Channel> {
  return get(`/api/channels/${encodeURIComponent(channelId)}`, options);
}

/** GET /api/channels/{id}/members */
export function listMembers(
  channelId: string,
  options: QueryOptions = {},
): Promise<ListAnswer<ChannelMember>> {
  return get(`/api/channels/${encodeURIComponent(channelId)}/members`, { revalidate: true, ...options });
}

export interface MessagePage {
  items: Message[];
  cursor: string | null;
}

/**
 * GET /api/channels/{id}/messages. `after` returns every message created or changed since
 * the cursor; `before` pages older messages by seq; neither gives the newest page.
 */
export function listMessages(
  channelId: string,
  params: { after?: string | null; before?: number | null; limit?: number },
  options: QueryOptions = {},
): Promise<QueryResult<MessagePage>> {
  const path = `/api/channels/${encodeURIComponent(channelId)}/messages${qs({
    after: params.after,
    before: params.before,
    limit: params.limit,
  })}`;
  return query(path, { revalidate: true, ...options });
}

export interface TeamChatPoll {
  channels: Channel[];
  conversation: (MessagePage & { channelId: string }) | null;
}

/**
 * GET /api/team-chat/poll: the portal's poll in one request, the sidebar (as listChannels) and,
 * with a channelId, a page of that conversation (as listMessages). 404 when that conversation
 * is gone or not ours to see.
 */
export function pollTeamChat(
  params: { channelId: string; after?: string | null; limit?: number },
  options: QueryOptions = {},
): Promise<QueryResult<TeamChatPoll>> {
  const path = `/api/team-chat/poll${qs({
    channelId: params.channelId,
    after: params.after,
    limit: params.limit,
  })}`;
  return query(path, { revalidate: true, ...options });
}

export function createChannel(body: {
  channelId: string;
  name: string;
  visibility: 'public' | 'private';
  description?: string;
}): Promise<CommandAnswer> {
  return command('CreateChannel', body);
}

export function joinChannel(body: { channelId: string }): Promise<CommandAnswer> {
  return command('JoinChannel', body);
}

export function leaveChannel(body: { channelId: string }): Promise<CommandAnswer> {
  return command('LeaveChannel', body);
}

export function addChannelMember(body: { channelId: string; userId: string }): Promise<CommandAnswer> {
  return command('AddChannelMember', body);
}

export function deleteChannel(body: { channelId: string }): Promise<CommandAnswer> {
  return command('DeleteChannel', body);
}

export function openDirectMessage(body: { userId: string }): Promise<CommandAnswer<{ channelId: string }>> {
  return command('OpenDirectMessage', body);
}

export function postMessage(body: {
  channelId: string;
  messageId: string;
  body: string;
  quotedMessageId?: string;
  attachmentIds?: string[];
}): Promise<CommandAnswer> {
  return command('PostMessage', body);
}

export function editMessage(body: { messageId: string; body: string }): Promise<CommandAnswer> {
  return command('EditMessage', body);
}

export function deleteMessage(body: { messageId: string }): Promise<CommandAnswer> {
  return command('DeleteMessage', body);
}

export function reactToMessage(body: { messageId: string; emoji: string }): Promise<CommandAnswer> {
  return command('ReactToMessage', body);
}

export function removeReaction(body: { messageId: string; emoji: string }): Promise<CommandAnswer> {
  return command('RemoveReaction', body);
}

export function markChannelRead(body: { channelId: string; messageId?: string }): Promise<CommandAnswer> {
  return command('MarkChannelRead', body);
}

export function muteChannel(body: { channelId: string }): Promise<CommandAnswer> {
  return command('MuteChannel', body);
}

export function unmuteChannel(body: { channelId: string }): Promise<CommandAnswer> {
  return command('UnmuteChannel', body);
}
