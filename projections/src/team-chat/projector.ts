import { TEAM_CHAT_EVENT_TYPES, type AttachmentRef, type RecordedEvent } from '@chat/events';
import type { Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import type { Projector } from '../runtime/types';
import { erasedPerson, erasePersonalData } from '../audit/erasure';
import { teamChatMigrations, teamChatTables, type StoredReaction } from './tables';
import {
  TeamChatUnitOfWork as Batch,
  KeptRows,
  writeKeptRows,
  type Channel,
  type Member,
  type Message,
} from './unit-of-work';

type Tx = Transaction<ReadModels>;
// Event data as recorded (validated on write); every field this projector reads, loosely typed.
type Data = Record<string, unknown> & { channelId: string; messageId: string; userId: string };

/** A one-line excerpt of a quoted message, as it is now. */
export function quoteSnippet(body: string, max = 140): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Team chat's read model: channels, members with their read marks, messages numbered per
 * channel, attachments. Every count is kept exact in the same transaction as the checkpoint:
 * unread = live_count - read_live - mine_after, so nothing drifts and nothing needs repair.
 *
 * A batch is applied in memory, event by event in log order, and written back at its end (see
 * unit-of-work.ts); an erasure is applied alone, between the events before and after it.
 */
export const teamChatProjector: Projector = {
  name: 'team_chat',
  handles: [...TEAM_CHAT_EVENT_TYPES.filter((t) => !t.startsWith('ChannelName')), 'PersonalDataErased'],
  tables: teamChatTables,
  migrations: teamChatMigrations,
  // Every row belongs to one channel (a quote, too: only of the same conversation); an erasure
  // reaches every channel its person wrote in.
  partition: (event) =>
    event.type === 'PersonalDataErased' ? null : ((event.data as Partial<Data>).channelId ?? null),
  apply: (tx, events) => applyEvents(tx, events, null),
  rebuilding() {
    const kept = new KeptRows();
    return {
      ...teamChatProjector,
      apply: (tx, events) => applyEvents(tx, events, kept),
      complete: (tx) => writeKeptRows(tx, kept),
    };
  },
};

async function applyEvents(tx: Tx, events: readonly RecordedEvent[], kept: KeptRows | null): Promise<void> {
  let start = 0;
  for (let i = 0; i <= events.length; i++) {
    const event = events[i];
    if (event && event.type !== 'PersonalDataErased') continue;
    if (i > start) await applyInMemory(tx, events.slice(start, i), kept);
    // An erasure rewrites message text and moves its channels' change numbers (a rebuild's, in memory).
    if (event)
      await erasePersonalData.teamChat(
        tx,
        erasedPerson(event),
        kept?.channels ?? null,
        event.position.toString(),
      );
    start = i + 1;
  }
}

async function applyInMemory(tx: Tx, events: readonly RecordedEvent[], kept: KeptRows | null): Promise<void> {
  const batch = new Batch(tx, kept);
  await batch.load(events);
  for (const event of events) applyEvent(batch, event);
  await batch.flush(events[events.length - 1]!.position.toString());
}

function applyEvent(batch: Batch, event: RecordedEvent): void {
  const data = event.data as Data;
  const at = event.metadata.recordedAt;
  const position = event.position.toString();
  switch (event.type) {
    case 'ChannelCreated':
      return channelCreated(batch, data, at, position);
    case 'DirectMessageOpened':
      return directMessageOpened(batch, data, at, position);
    case 'ChannelJoined':
    case 'ChannelMemberAdded':
      return memberIn(batch, data.channelId, data.userId, at, position);
    case 'ChannelLeft':
      return memberOut(batch, data.channelId, data.userId, position);
    case 'ChannelDeleted':
      return channelDeleted(batch, data.channelId, position);
    case 'MessagePosted':
      return messagePosted(batch, data, at, position);
    case 'MessageEdited':
      return messageEdited(batch, data, at);
    case 'MessageDeleted':
      return messageDeleted(batch, data, position);
    case 'ReactionAdded':
    case 'ReactionRemoved':
      return reactionChanged(batch, data, event.type === 'ReactionAdded');
    case 'ChannelReadMarked':
      return readMarked(batch, data, position);
    case 'ChannelMuted':
    case 'ChannelUnmuted':
      return muted(batch, data, event.type === 'ChannelMuted', position);
  }
}

function newChannel(data: Data, at: string, position: string): Channel {
  return {
    id: data.channelId,
    kind: 'public',
    name: null,
    description: null,
    created_by: null,
    created_at: at,
    deleted: false,
    dm_user_a: null,
    dm_user_b: null,
    member_count: 0,
    last_seq: 0,
    live_count: 0,
    change_seq: 0,
    version: position,
    last_activity_at: at,
  };
}

function newMember(
  channel: Channel,
  userId: string,
  role: Member['role'],
  at: string,
  position: string,
): Member {
  return {
    channel_id: channel.id,
    user_id: userId,
    role,
    is_member: true,
    joined_at: at,
    read_seq: channel.last_seq,
    read_live: channel.live_count,
    mine_after: 0,
    muted: false,
    version: position,
  };
}

function channelCreated(batch: Batch, data: Data, at: string, position: string) {
  if (batch.channel(data.channelId)) return;
  const channel: Channel = {
    ...newChannel(data, at, position),
    kind: data.visibility as Channel['kind'],
    name: data.name as string,
    description: (data.description as string | null) ?? null,
    created_by: data.createdBy as string,
    member_count: 1,
  };
  batch.addChannel(channel);
  if (!batch.member(channel.id, channel.created_by!))
    batch.addMember(newMember(channel, channel.created_by!, 'ADMIN', at, position));
}

function directMessageOpened(batch: Batch, data: Data, at: string, position: string) {
  if (batch.channel(data.channelId)) return;
  const [a, b] = data.userIds as [string, string];
  const channel: Channel = {
    ...newChannel(data, at, position),
    kind: 'dm',
    created_by: data.openedBy as string,
    dm_user_a: a,
    dm_user_b: b,
    member_count: 2,
  };
  batch.addChannel(channel);
  for (const userId of [a, b])
    if (!batch.member(channel.id, userId))
      batch.addMember(newMember(channel, userId, 'MEMBER', at, position));
}

/** A (re)joining member has read everything so far: history is there to scroll, not to count. */
function memberIn(batch: Batch, channelId: string, userId: string, at: string, position: string) {
  const channel = batch.channel(channelId);
  if (!channel) return;
  const member = batch.member(channelId, userId);
  if (member?.is_member) return;
  if (member) {
    batch.resetReadCounts(member);
    Object.assign(member, newMember(channel, userId, 'MEMBER', at, position), { muted: member.muted });
    batch.changed(member);
  } else batch.addMember(newMember(channel, userId, 'MEMBER', at, position));
  channel.member_count++;
  channel.version = position;
  batch.changed(channel);
}

function memberOut(batch: Batch, channelId: string, userId: string, position: string) {
  const member = batch.member(channelId, userId);
  if (!member?.is_member) return;
  member.is_member = false;
  member.version = position;
  batch.changed(member);
  const channel = batch.channel(channelId);
  if (!channel) return;
  channel.member_count = Math.max(channel.member_count - 1, 0);
  channel.version = position;
  batch.changed(channel);
}

function channelDeleted(batch: Batch, channelId: string, position: string) {
  const channel = batch.channel(channelId);
  if (channel) {
    channel.deleted = true;
    channel.version = position;
    batch.changed(channel);
  }
  batch.dropAttachmentsOfChannel(channelId);
}

/** Takes `count` fresh change numbers of a channel; answers the first. */
function nextChanges(batch: Batch, channelId: string, count: number): number | null {
  const channel = batch.channel(channelId);
  if (!channel) return null;
  channel.change_seq += count;
  batch.changed(channel);
  return channel.change_seq - count + 1;
}

function messagePosted(batch: Batch, data: Data, at: string, position: string) {
  const channel = batch.channel(data.channelId);
  if (!channel || batch.message(data.messageId)) return; // a message seen before changes nothing
  const attachments = (data.attachments as AttachmentRef[] | undefined) ?? [];
  const quotedId = (data.quotedMessageId as string | null) ?? null;
  const found = quotedId ? batch.message(quotedId) : undefined;
  const quoted = found?.channel_id === channel.id ? found : undefined;
  channel.last_seq++;
  channel.live_count++;
  channel.change_seq++;
  channel.version = position;
  channel.last_activity_at = at;
  batch.changed(channel);
  const author = batch.member(channel.id, data.authorId as string);
  if (author) {
    author.mine_after++;
    batch.changed(author);
  }
  const message: Message = {
    id: data.messageId,
    channel_id: channel.id,
    seq: channel.last_seq,
    author_id: data.authorId as string,
    body: data.body as string,
    created_at: at,
    edited_at: null,
    deleted: false,
    quoted_message_id: quoted ? quotedId : null,
    quote_author_id: quoted?.author_id ?? null,
    quote_snippet: quoted && !quoted.deleted ? quoteSnippet(quoted.body) : null,
    quote_deleted: quoted?.deleted ?? false,
    reactions: [],
    attachments: attachments.map(({ id, name, size, contentType, width, height }) => ({
      id,
      name,
      size,
      contentType,
      width,
      height,
    })),
    changed: channel.change_seq,
  };
  batch.addMessage(message, attachments);
}

/** Messages quoting this one show it as it is now: each gets a change number of its own, so pollers see it. */
function refreshQuotes(batch: Batch, channelId: string, messageId: string, snippet: string | null) {
  const quotes = batch.quotesOf(channelId, messageId);
  if (quotes.length === 0) return;
  const first = nextChanges(batch, channelId, quotes.length);
  if (first === null) return;
  for (const [i, quote] of quotes.entries()) {
    quote.quote_snippet = snippet;
    quote.quote_deleted = snippet === null;
    quote.changed = first + i;
    batch.changed(quote);
  }
}

function messageEdited(batch: Batch, data: Data, at: string) {
  const change = nextChanges(batch, data.channelId, 1);
  if (change === null) return;
  const message = batch.message(data.messageId);
  if (!message || message.deleted) return;
  message.body = data.body as string;
  message.edited_at = at;
  message.changed = change;
  batch.changed(message);
  refreshQuotes(batch, data.channelId, data.messageId, quoteSnippet(message.body));
}

/** A tombstone keeps its place (seq) but no text, attachments or reactions; unread counts lose it. */
function messageDeleted(batch: Batch, data: Data, position: string) {
  const message = batch.message(data.messageId);
  if (!message || message.deleted) return;
  Object.assign(message, { deleted: true, body: '', reactions: [], attachments: [] });
  message.changed = nextChanges(batch, data.channelId, 1) ?? 0;
  batch.changed(message);
  const channel = batch.channel(data.channelId);
  if (channel) {
    channel.live_count = Math.max(channel.live_count - 1, 0);
    channel.version = position;
    batch.changed(channel);
  }
  for (const member of batch.rosterOf(data.channelId)) {
    if (member.read_seq >= message.seq) member.read_live--;
    else if (member.user_id === message.author_id) member.mine_after--;
    else continue;
    batch.changed(member);
  }
  batch.dropAttachmentsOfMessage(message.id);
  refreshQuotes(batch, data.channelId, message.id, null);
}

function reactionChanged(batch: Batch, data: Data, added: boolean) {
  const message = batch.message(data.messageId);
  if (!message || message.deleted) return;
  const emoji = data.emoji as string;
  const reactions = message.reactions;
  const existing = reactions.find((r) => r.emoji === emoji);
  let next: StoredReaction[];
  if (added) {
    if (existing?.userIds.includes(data.userId)) return;
    next = existing
      ? reactions.map((r) => (r.emoji === emoji ? { emoji, userIds: [...r.userIds, data.userId] } : r))
      : [...reactions, { emoji, userIds: [data.userId] }];
  } else {
    if (!existing?.userIds.includes(data.userId)) return;
    next = reactions
      .map((r) => (r.emoji === emoji ? { emoji, userIds: r.userIds.filter((u) => u !== data.userId) } : r))
      .filter((r) => r.userIds.length > 0);
  }
  const change = nextChanges(batch, data.channelId, 1);
  if (change === null) return;
  message.reactions = next;
  message.changed = change;
  batch.changed(message);
}

/**
 * Moves a read mark forward, to a message or (none named) to the channel's newest message at this
 * point of the log, so a rebuild lands on the same mark. The counts cover only the range it moves over.
 */
function readMarked(batch: Batch, data: Data, position: string) {
  const messageId = (data.messageId as string | null) ?? null;
  const marked = messageId ? batch.message(messageId) : undefined;
  const target = messageId
    ? marked?.channel_id === data.channelId
      ? marked.seq
      : undefined
    : batch.channel(data.channelId)?.last_seq;
  if (target === undefined) return;
  const member = batch.member(data.channelId, data.userId);
  if (!member || target <= member.read_seq) return;
  const moved = batch.countRead(member, member.read_seq, target);
  member.read_seq = target;
  member.read_live += moved.live;
  member.mine_after -= moved.mine;
  member.version = position;
  batch.changed(member);
}

function muted(batch: Batch, data: Data, muted: boolean, position: string) {
  const member = batch.member(data.channelId, data.userId);
  if (!member) return;
  member.muted = muted;
  member.version = position;
  batch.changed(member);
}
