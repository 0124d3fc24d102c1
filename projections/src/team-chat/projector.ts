import { TEAM_CHAT_EVENT_TYPES, type AttachmentRef, type RecordedEvent } from '@chat/events';
import { sql, type Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import { oneByOne, type Projector } from '../runtime/types';
import { erasedPerson, erasePersonalData } from '../audit/erasure';
import { teamChatMigrations, teamChatTables, type ListedAttachment, type StoredReaction } from './tables';

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
 */
export const teamChatProjector: Projector = {
  name: 'team_chat',
  handles: [...TEAM_CHAT_EVENT_TYPES.filter((t) => !t.startsWith('ChannelName')), 'PersonalDataErased'],
  tables: teamChatTables,
  migrations: teamChatMigrations,
  apply: oneByOne(async (tx: Tx, event: RecordedEvent) => {
    const data = event.data as Data;
    const at = new Date(event.metadata.recordedAt);
    const position = event.position.toString();
    switch (event.type) {
      case 'PersonalDataErased':
        return erasePersonalData.teamChat(tx, erasedPerson(event));
      case 'ChannelCreated':
        return channelCreated(tx, data, at, position);
      case 'DirectMessageOpened':
        return directMessageOpened(tx, data, at, position);
      case 'ChannelJoined':
      case 'ChannelMemberAdded':
        return memberIn(tx, data.channelId, data.userId, at, position);
      case 'ChannelLeft':
        return memberOut(tx, data.channelId, data.userId, position);
      case 'ChannelDeleted':
        await sql`UPDATE tc_channels SET deleted = true, version = ${position} WHERE id = ${data.channelId}`.execute(
          tx,
        );
        await sql`DELETE FROM tc_attachments WHERE channel_id = ${data.channelId}`.execute(tx);
        return;
      case 'MessagePosted':
        return messagePosted(tx, data, at, position);
      case 'MessageEdited':
        return messageEdited(tx, data, at);
      case 'MessageDeleted':
        return messageDeleted(tx, data, position);
      case 'ReactionAdded':
      case 'ReactionRemoved':
        return reactionChanged(tx, data, event.type === 'ReactionAdded');
      case 'ChannelReadMarked':
        return readMarked(tx, data, position);
      case 'ChannelMuted':
      case 'ChannelUnmuted':
        await sql`UPDATE tc_members SET muted = ${event.type === 'ChannelMuted'}, version = ${position}
          WHERE channel_id = ${data.channelId} AND user_id = ${data.userId}`.execute(tx);
        return;
    }
  }),
};

async function channelCreated(tx: Tx, data: Data, at: Date, position: string) {
  const inserted = await sql`
    INSERT INTO tc_channels (id, kind, name, description, created_by, created_at, member_count, version, last_activity_at)
    VALUES (${data.channelId}, ${data.visibility as string}, ${data.name as string}, ${(data.description as string | null) ?? null},
            ${data.createdBy as string}, ${at}, 1, ${position}, ${at})
    ON CONFLICT (id) DO NOTHING`.execute(tx);
  if (!inserted.numAffectedRows) return;
  await sql`
    INSERT INTO tc_members (channel_id, user_id, role, is_member, joined_at, version)
    VALUES (${data.channelId}, ${data.createdBy as string}, 'ADMIN', true, ${at}, ${position})
    ON CONFLICT (channel_id, user_id) DO NOTHING`.execute(tx);
}

async function directMessageOpened(tx: Tx, data: Data, at: Date, position: string) {
  const [a, b] = data.userIds as [string, string];
  const inserted = await sql`
    INSERT INTO tc_channels (id, kind, name, description, created_by, created_at, dm_user_a, dm_user_b, member_count, version, last_activity_at)
    VALUES (${data.channelId}, 'dm', NULL, NULL, ${data.openedBy as string}, ${at}, ${a}, ${b}, 2, ${position}, ${at})
    ON CONFLICT (id) DO NOTHING`.execute(tx);
  if (!inserted.numAffectedRows) return;
  await sql`
    INSERT INTO tc_members (channel_id, user_id, role, is_member, joined_at, version)
    VALUES (${data.channelId}, ${a}, 'MEMBER', true, ${at}, ${position}), (${data.channelId}, ${b}, 'MEMBER', true, ${at}, ${position})
    ON CONFLICT (channel_id, user_id) DO NOTHING`.execute(tx);
}

/** A (re)joining member has read everything so far: history is there to scroll, not to count. */
async function memberIn(tx: Tx, channelId: string, userId: string, at: Date, position: string) {
  const joined = await sql`
    INSERT INTO tc_members AS m (channel_id, user_id, role, is_member, joined_at, read_seq, read_live, mine_after, version)
    SELECT c.id, ${userId}, 'MEMBER', true, ${at}, c.last_seq, c.live_count, 0, ${position} FROM tc_channels c WHERE c.id = ${channelId}
    ON CONFLICT (channel_id, user_id) DO UPDATE
      SET role = 'MEMBER', is_member = true, joined_at = EXCLUDED.joined_at, read_seq = EXCLUDED.read_seq,
          read_live = EXCLUDED.read_live, mine_after = 0, version = EXCLUDED.version
      WHERE NOT m.is_member`.execute(tx);
  if (!joined.numAffectedRows) return;
  await sql`UPDATE tc_channels SET member_count = member_count + 1, version = ${position} WHERE id = ${channelId}`.execute(
    tx,
  );
}

async function memberOut(tx: Tx, channelId: string, userId: string, position: string) {
  const left = await sql`UPDATE tc_members SET is_member = false, version = ${position}
    WHERE channel_id = ${channelId} AND user_id = ${userId} AND is_member`.execute(tx);
  if (!left.numAffectedRows) return;
  await sql`UPDATE tc_channels SET member_count = greatest(member_count - 1, 0), version = ${position} WHERE id = ${channelId}`.execute(
    tx,
  );
}

async function messagePosted(tx: Tx, data: Data, at: Date, position: string) {
  const attachments = (data.attachments as AttachmentRef[] | undefined) ?? [];
  const listed: ListedAttachment[] = attachments.map(({ id, name, size, contentType, width, height }) => ({
    id,
    name,
    size,
    contentType,
    width,
    height,
  }));
  const quotedId = (data.quotedMessageId as string | null) ?? null;
  const quoted = quotedId
    ? (
        await sql<{ author_id: string; body: string; deleted: boolean }>`
          SELECT author_id, body, deleted FROM tc_messages WHERE id = ${quotedId} AND channel_id = ${data.channelId}`.execute(
          tx,
        )
      ).rows[0]
    : undefined;
  // One statement: the channel hands out the next seq and change number, the message takes them,
  // its author's own-messages count moves. A message seen before changes nothing.
  const inserted = await sql<{ seq: number }>`
    WITH channel AS (
      UPDATE tc_channels SET last_seq = last_seq + 1, live_count = live_count + 1, change_seq = change_seq + 1,
             version = ${position}, last_activity_at = ${at}
      WHERE id = ${data.channelId} AND NOT EXISTS (SELECT 1 FROM tc_messages WHERE id = ${data.messageId})
      RETURNING id, last_seq, change_seq
    ), author AS (
      UPDATE tc_members SET mine_after = mine_after + 1
      WHERE channel_id = ${data.channelId} AND user_id = ${data.authorId as string} AND EXISTS (SELECT 1 FROM channel)
    )
    INSERT INTO tc_messages (id, channel_id, seq, author_id, body, created_at, quoted_message_id, quote_author_id, quote_snippet,
                             quote_deleted, reactions, attachments, changed)
    SELECT ${data.messageId}, channel.id, channel.last_seq, ${data.authorId as string}, ${data.body as string}, ${at},
           ${quoted ? quotedId : null}, ${quoted?.author_id ?? null}, ${quoted && !quoted.deleted ? quoteSnippet(quoted.body) : null},
           ${quoted?.deleted ?? false}, '[]', ${JSON.stringify(listed)}, channel.change_seq
    FROM channel
    RETURNING seq`.execute(tx);
  if (inserted.rows.length === 0) return;
  for (const a of attachments) {
    await sql`INSERT INTO tc_attachments (id, message_id, channel_id, name, size, content_type, sha256)
      VALUES (${a.id}, ${data.messageId}, ${data.channelId}, ${a.name}, ${a.size}, ${a.contentType}, ${a.sha256})
      ON CONFLICT (id) DO NOTHING`.execute(tx);
  }
}

/** Takes `count` fresh change numbers of a channel; answers the first. */
async function nextChanges(tx: Tx, channelId: string, count: number): Promise<number | null> {
  const { rows } = await sql<{ change_seq: number }>`
    UPDATE tc_channels SET change_seq = change_seq + ${count} WHERE id = ${channelId} RETURNING change_seq`.execute(
    tx,
  );
  return rows[0] ? rows[0].change_seq - count + 1 : null;
}

/** Messages quoting this one show it as it is now: each gets a change number of its own, so pollers see it. */
async function refreshQuotes(tx: Tx, channelId: string, messageId: string, snippet: string | null) {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM tc_messages WHERE quoted_message_id = ${messageId} AND channel_id = ${channelId} ORDER BY seq`.execute(
    tx,
  );
  if (rows.length === 0) return;
  const first = await nextChanges(tx, channelId, rows.length);
  if (first === null) return;
  for (const [i, row] of rows.entries()) {
    await sql`UPDATE tc_messages SET quote_snippet = ${snippet}, quote_deleted = ${snippet === null}, changed = ${first + i}
      WHERE id = ${row.id}`.execute(tx);
  }
}

async function messageEdited(tx: Tx, data: Data, at: Date) {
  const change = await nextChanges(tx, data.channelId, 1);
  if (change === null) return;
  const body = data.body as string;
  const edited = await sql`UPDATE tc_messages SET body = ${body}, edited_at = ${at}, changed = ${change}
    WHERE id = ${data.messageId} AND NOT deleted`.execute(tx);
  if (edited.numAffectedRows) await refreshQuotes(tx, data.channelId, data.messageId, quoteSnippet(body));
}

/** A tombstone keeps its place (seq) but no text, attachments or reactions; unread counts lose it. */
async function messageDeleted(tx: Tx, data: Data, position: string) {
  const { rows } = await sql<{ seq: number; author_id: string }>`
    UPDATE tc_messages SET deleted = true, body = '', reactions = '[]', attachments = '[]'
    WHERE id = ${data.messageId} AND NOT deleted RETURNING seq, author_id`.execute(tx);
  const message = rows[0];
  if (!message) return;
  const change = await nextChanges(tx, data.channelId, 1);
  await sql`UPDATE tc_messages SET changed = ${change ?? 0} WHERE id = ${data.messageId}`.execute(tx);
  await sql`UPDATE tc_channels SET live_count = greatest(live_count - 1, 0), version = ${position} WHERE id = ${data.channelId}`.execute(
    tx,
  );
  await sql`UPDATE tc_members SET read_live = read_live - 1 WHERE channel_id = ${data.channelId} AND read_seq >= ${message.seq}`.execute(
    tx,
  );
  await sql`UPDATE tc_members SET mine_after = mine_after - 1
    WHERE channel_id = ${data.channelId} AND user_id = ${message.author_id} AND read_seq < ${message.seq}`.execute(
    tx,
  );
  await sql`DELETE FROM tc_attachments WHERE message_id = ${data.messageId}`.execute(tx);
  await refreshQuotes(tx, data.channelId, data.messageId, null);
}

async function reactionChanged(tx: Tx, data: Data, added: boolean) {
  const { rows } = await sql<{ reactions: StoredReaction[] | string }>`
    SELECT reactions FROM tc_messages WHERE id = ${data.messageId} AND NOT deleted`.execute(tx);
  if (!rows[0]) return;
  const stored = rows[0].reactions;
  const reactions: StoredReaction[] = typeof stored === 'string' ? JSON.parse(stored) : stored;
  const emoji = data.emoji as string;
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
  const change = await nextChanges(tx, data.channelId, 1);
  if (change === null) return;
  await sql`UPDATE tc_messages SET reactions = ${JSON.stringify(next)}, changed = ${change} WHERE id = ${data.messageId}`.execute(
    tx,
  );
}

/**
 * Moves a read mark forward, to a message or (none named) to the channel's newest message at this
 * point of the log, so a rebuild lands on the same mark. The counts cover only the range it moves over.
 */
async function readMarked(tx: Tx, data: Data, position: string) {
  const messageId = (data.messageId as string | null) ?? null;
  const target = messageId
    ? (
        await sql<{
          seq: number;
        }>`SELECT seq FROM tc_messages WHERE id = ${messageId} AND channel_id = ${data.channelId}`.execute(tx)
      ).rows[0]?.seq
    : (
        await sql<{
          seq: number;
        }>`SELECT last_seq AS seq FROM tc_channels WHERE id = ${data.channelId}`.execute(tx)
      ).rows[0]?.seq;
  if (target === undefined) return;
  const member = (
    await sql<{
      read_seq: number;
    }>`SELECT read_seq FROM tc_members WHERE channel_id = ${data.channelId} AND user_id = ${data.userId}`.execute(
      tx,
    )
  ).rows[0];
  if (!member || target <= member.read_seq) return;
  const { rows } = await sql<{ live: number; mine: number }>`
    SELECT count(*) FILTER (WHERE NOT deleted)::int AS live,
           count(*) FILTER (WHERE NOT deleted AND author_id = ${data.userId})::int AS mine
    FROM tc_messages WHERE channel_id = ${data.channelId} AND seq > ${member.read_seq} AND seq <= ${target}`.execute(
    tx,
  );
  const moved = rows[0] ?? { live: 0, mine: 0 };
  await sql`UPDATE tc_members SET read_seq = ${target}, read_live = read_live + ${moved.live}, mine_after = mine_after - ${moved.mine},
      version = ${position}
    WHERE channel_id = ${data.channelId} AND user_id = ${data.userId}`.execute(tx);
}
