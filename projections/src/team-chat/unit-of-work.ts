import type { AttachmentRef, RecordedEvent } from '@chat/events';
import { PREPARED } from '@chat/platform/database';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import type { ListedAttachment, StoredReaction } from './tables';

type Tx = Transaction<ReadModels>;

export interface Channel {
  id: string;
  kind: 'public' | 'private' | 'dm';
  name: string | null;
  description: string | null;
  created_by: string | null;
  created_at: string;
  deleted: boolean;
  dm_user_a: string | null;
  dm_user_b: string | null;
  member_count: number;
  last_seq: number;
  live_count: number;
  change_seq: number;
  version: string;
  last_activity_at: string;
  written_at?: string;
}

export interface Member {
  channel_id: string;
  user_id: string;
  role: 'ADMIN' | 'MEMBER';
  is_member: boolean;
  joined_at: string;
  read_seq: number;
  read_live: number;
  mine_after: number;
  muted: boolean;
  version: string;
  written_at?: string;
}

export interface Message {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  quoted_message_id: string | null;
  quote_author_id: string | null;
  quote_snippet: string | null;
  quote_deleted: boolean;
  reactions: StoredReaction[];
  attachments: ListedAttachment[];
  changed: number;
}

interface NewAttachment {
  id: string;
  message_id: string;
  channel_id: string;
  name: string;
  size: number;
  content_type: string;
  sha256: string;
}

/** A read mark's range of stored messages, counted in one query when the batch is written. */
interface StoredRange {
  member: Member;
  from: number;
  to: number;
}

type Data = Record<string, unknown>;
const memberKey = (channelId: string, userId: string) => `${channelId}/${userId}`;

/**
 * The channels and members of a rebuild, kept in memory from its first batch to its end: a rebuild
 * starts from empty tables and is their only writer, so these are every row there is. Its batches
 * neither read them back (a deletion needs its channel's whole membership, every time) nor write
 * them (read marks and deletions change members all the time): `writeKeptRows` writes each once,
 * when the rebuild completes. Nothing reads the scratch tables before then.
 */
export class KeptRows {
  /** The position of the last batch applied: what the rows are stamped with when written. */
  position = '0';
  readonly channels = new Map<string, Channel>();
  /** Per channel, its members by user. */
  readonly members = new Map<string, Map<string, Member>>();
}

/**
 * The rows a batch of Team chat events touches, held in memory while the events are applied in
 * order, then written back in one statement. Loading takes one query whatever the batch size, so a
 * rebuild or a burst of posts costs a few round trips, not a few per event.
 *
 * Only what an event names is loaded, plus what a rule reaches beyond it: every member of a
 * channel where a message is deleted (their read counts may move) and every stored message
 * quoting an edited or deleted one (their snippets change). Messages nothing loads stay as stored
 * for the whole batch, which is what lets a read mark count them with one query at the end.
 */
export class TeamChatUnitOfWork {
  private readonly channels: Map<string, Channel>;
  /** Members by channel, then user. */
  private readonly members: Map<string, Map<string, Member>>;
  private readonly messages = new Map<string, Message>();
  /** Messages in memory per channel, for counting a read mark's range and finding quotes. */
  private readonly messagesOf = new Map<string, Message[]>();
  /** Stored messages loaded while not deleted: the count of a read mark's stored range includes them. */
  private readonly storedLive = new Set<string>();
  /** Each channel's newest stored seq when loaded: seqs above it exist only in memory. */
  private readonly storedLastSeq = new Map<string, number>();
  private readonly dirtyChannels = new Set<Channel>();
  private readonly dirtyMembers = new Set<Member>();
  private readonly dirtyMessages = new Set<Message>();
  private readonly storedRanges: StoredRange[] = [];
  private newAttachments: NewAttachment[] = [];
  private readonly droppedAttachmentsOfMessages = new Set<string>();
  private readonly droppedAttachmentsOfChannels = new Set<string>();
  /** Members whose whole-channel roster is loaded. */
  private readonly rosterLoaded = new Set<string>();

  /** With rows a rebuild keeps, the batch works on those: every channel and member is there. */
  constructor(
    private readonly tx: Tx,
    private readonly kept: KeptRows | null = null,
  ) {
    this.channels = kept?.channels ?? new Map();
    this.members = kept?.members ?? new Map();
  }

  async load(events: readonly RecordedEvent[]): Promise<void> {
    const channelIds = new Set<string>();
    const messageIds = new Set<string>();
    const quotedOf = new Set<string>();
    const pairs = new Map<string, [string, string]>();
    const rosters = new Set<string>();
    const pair = (channelId: string, userId: string) => {
      if (!this.kept) pairs.set(memberKey(channelId, userId), [channelId, userId]);
    };
    for (const event of events) {
      const data = event.data as Data;
      const channelId = data.channelId as string | undefined;
      if (!channelId) continue;
      channelIds.add(channelId);
      if (typeof data.messageId === 'string') messageIds.add(data.messageId);
      if (typeof data.quotedMessageId === 'string') messageIds.add(data.quotedMessageId);
      if (typeof data.userId === 'string') pair(channelId, data.userId);
      if (typeof data.authorId === 'string') pair(channelId, data.authorId);
      if (typeof data.createdBy === 'string') pair(channelId, data.createdBy);
      for (const userId of (data.userIds as string[] | undefined) ?? []) pair(channelId, userId);
      if (event.type === 'MessageEdited' || event.type === 'MessageDeleted')
        quotedOf.add(data.messageId as string);
      if (event.type === 'MessageDeleted') rosters.add(channelId);
    }
    if (channelIds.size === 0) return;
    // Channels and members: from memory in a rebuild (see KeptRows), else with the messages, in
    // one round trip (rows as JSON; int8 versions as text, which JSON numbers cannot hold exactly).
    const kept = this.kept !== null;
    const list = kept ? [] : [...pairs.values()];
    const { rows } = await sql<{ messages: Message[]; channels: Channel[]; members: Member[] }>`${PREPARED}
      SELECT
        (SELECT coalesce(json_agg(m), '[]') FROM (
          SELECT * FROM tc_messages WHERE id = ANY(${[...messageIds]}::uuid[])
          UNION ALL
          SELECT * FROM tc_messages WHERE quoted_message_id = ANY(${[...quotedOf]}::uuid[])) m) AS messages,
        (SELECT coalesce(json_agg(to_jsonb(c) || jsonb_build_object('version', c.version::text, 'written_at', c.written_at::text)), '[]')
          FROM tc_channels c WHERE c.id = ANY(${kept ? [] : [...channelIds]}::uuid[])) AS channels,
        (SELECT coalesce(json_agg(to_jsonb(m) || jsonb_build_object('version', m.version::text, 'written_at', m.written_at::text)), '[]') FROM (
          SELECT m.* FROM tc_members m
          JOIN unnest(${list.map((p) => p[0])}::uuid[], ${list.map((p) => p[1])}::uuid[]) AS p(channel_id, user_id)
            ON m.channel_id = p.channel_id AND m.user_id = p.user_id
          UNION ALL
          SELECT m.* FROM tc_members m WHERE m.channel_id = ANY(${kept ? [] : [...rosters]}::uuid[])) m) AS members`.execute(
      this.tx,
    );
    const { messages, channels, members } = rows[0]!;
    for (const row of messages) {
      if (this.messages.has(row.id)) continue;
      if (!row.deleted) this.storedLive.add(row.id);
      this.remember(row);
    }
    for (const row of channels) this.channels.set(row.id, row);
    for (const row of members) this.putMember(row);
    for (const channelId of rosters) this.rosterLoaded.add(channelId);
    // A read mark counts from where its channel stood when loaded.
    for (const id of channelIds) {
      const channel = this.channels.get(id);
      if (channel) this.storedLastSeq.set(id, channel.last_seq);
    }
  }

  channel(id: string): Channel | undefined {
    return this.channels.get(id);
  }

  member(channelId: string, userId: string): Member | undefined {
    return this.members.get(channelId)?.get(userId);
  }

  message(id: string): Message | undefined {
    return this.messages.get(id);
  }

  /** Every member row of a channel with a deletion in the batch (loaded for exactly that). */
  rosterOf(channelId: string): Member[] {
    if (!this.kept && !this.rosterLoaded.has(channelId))
      throw new Error(`roster of ${channelId} was not loaded`);
    return [...(this.members.get(channelId)?.values() ?? [])];
  }

  /** Messages of a channel quoting a message, oldest first. */
  quotesOf(channelId: string, messageId: string): Message[] {
    return (this.messagesOf.get(channelId) ?? [])
      .filter((m) => m.quoted_message_id === messageId)
      .sort((a, b) => a.seq - b.seq);
  }

  addChannel(channel: Channel): void {
    this.channels.set(channel.id, channel);
    this.storedLastSeq.set(channel.id, 0);
    this.changed(channel);
  }

  addMember(member: Member): void {
    this.putMember(member);
    this.changed(member);
  }

  private putMember(member: Member): void {
    const members = this.members.get(member.channel_id);
    if (members) members.set(member.user_id, member);
    else this.members.set(member.channel_id, new Map([[member.user_id, member]]));
  }

  addMessage(message: Message, attachments: readonly AttachmentRef[]): void {
    this.remember(message);
    this.changed(message);
    for (const a of attachments) {
      this.newAttachments.push({
        id: a.id,
        message_id: message.id,
        channel_id: message.channel_id,
        name: a.name,
        size: a.size,
        content_type: a.contentType,
        sha256: a.sha256,
      });
    }
  }

  changed(row: Channel | Member | Message): void {
    if ('kind' in row) {
      if (!this.kept) this.dirtyChannels.add(row);
    } else if ('is_member' in row) {
      if (!this.kept) this.dirtyMembers.add(row);
    } else this.dirtyMessages.add(row);
  }

  dropAttachmentsOfMessage(messageId: string): void {
    this.newAttachments = this.newAttachments.filter((a) => a.message_id !== messageId);
    this.droppedAttachmentsOfMessages.add(messageId);
  }

  dropAttachmentsOfChannel(channelId: string): void {
    this.newAttachments = this.newAttachments.filter((a) => a.channel_id !== channelId);
    this.droppedAttachmentsOfChannels.add(channelId);
  }

  /**
   * Counts the messages a read mark moves over (from, to], not deleted, and those of them by the
   * member: those in memory as they are now; the stored ones with one query before the batch is
   * written (messages not in memory are unchanged so far, so the stored rows are their state now).
   */
  countRead(member: Member, from: number, to: number): { live: number; mine: number } {
    let live = 0;
    let mine = 0;
    // Messages in memory count as they are now; the stored count will include those of them
    // that were live when loaded, so they are taken back out here.
    for (const m of this.messagesOf.get(member.channel_id) ?? []) {
      if (m.seq <= from || m.seq > to) continue;
      const change = (m.deleted ? 0 : 1) - (this.storedLive.has(m.id) ? 1 : 0);
      live += change;
      if (m.author_id === member.user_id) mine += change;
    }
    const storedTo = Math.min(to, this.storedLastSeq.get(member.channel_id) ?? 0);
    if (storedTo > from) this.storedRanges.push({ member, from, to: storedTo });
    return { live, mine };
  }

  /** A member starts over (re-joins): counts still pending for their earlier read marks no longer apply. */
  resetReadCounts(member: Member): void {
    for (let i = this.storedRanges.length - 1; i >= 0; i--)
      if (this.storedRanges[i]!.member === member) this.storedRanges.splice(i, 1);
  }

  /** Writes every changed row back, in one statement whatever the batch held; `position` is the batch's last. */
  async flush(position: string): Promise<void> {
    await this.countStoredRanges();
    if (this.kept) this.kept.position = position;
    const writes = channelAndMemberWrites([...this.dirtyChannels], [...this.dirtyMembers], position);
    if (this.dirtyMessages.size > 0)
      writes.push(sql`
        INSERT INTO tc_messages AS m
        SELECT * FROM json_populate_recordset(NULL::tc_messages, ${rows([...this.dirtyMessages])}::json)
        ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, edited_at = EXCLUDED.edited_at, deleted = EXCLUDED.deleted,
          quote_snippet = EXCLUDED.quote_snippet, quote_deleted = EXCLUDED.quote_deleted, reactions = EXCLUDED.reactions,
          attachments = EXCLUDED.attachments, changed = EXCLUDED.changed`);
    // Dropped attachments are stored rows, new ones never among them: the two touch different rows.
    if (this.droppedAttachmentsOfMessages.size > 0 || this.droppedAttachmentsOfChannels.size > 0)
      writes.push(sql`DELETE FROM tc_attachments
        WHERE message_id = ANY(${[...this.droppedAttachmentsOfMessages]}::uuid[])
           OR channel_id = ANY(${[...this.droppedAttachmentsOfChannels]}::uuid[])`);
    if (this.newAttachments.length > 0)
      writes.push(sql`
        INSERT INTO tc_attachments
        SELECT * FROM json_populate_recordset(NULL::tc_attachments, ${rows(this.newAttachments)}::json)
        ON CONFLICT (id) DO NOTHING`);
    // Every write as a data-modifying WITH clause of one statement: one round trip.
    await writeAll(this.tx, writes);
  }

  /**
   * The stored part of every read mark's range, counted in one query before anything is written:
   * every seq up to a channel's stored last_seq has its row, so the live ones are the range's
   * length minus its tombstones (see migration 0002).
   */
  private async countStoredRanges(): Promise<void> {
    if (this.storedRanges.length === 0) return;
    const ranges = this.storedRanges;
    const { rows } = await sql<{ i: number; dead: number; mine: number }>`${PREPARED}
      SELECT r.i,
        (SELECT count(*) FROM tc_messages m WHERE m.deleted AND m.channel_id = r.channel_id
           AND m.seq > r.from_seq AND m.seq <= r.to_seq)::int AS dead,
        (SELECT count(*) FROM tc_messages m WHERE m.channel_id = r.channel_id AND m.author_id = r.user_id
           AND m.seq > r.from_seq AND m.seq <= r.to_seq AND NOT m.deleted)::int AS mine
      FROM unnest(${ranges.map((_, i) => i)}::int[], ${ranges.map((r) => r.member.channel_id)}::uuid[],
                  ${ranges.map((r) => r.member.user_id)}::uuid[], ${ranges.map((r) => r.from)}::int[],
                  ${ranges.map((r) => r.to)}::int[]) AS r(i, channel_id, user_id, from_seq, to_seq)`.execute(
      this.tx,
    );
    for (const row of rows) {
      const range = ranges[row.i]!;
      range.member.read_live += range.to - range.from - row.dead;
      range.member.mine_after -= row.mine;
      this.changed(range.member);
    }
  }

  private remember(message: Message): void {
    this.messages.set(message.id, message);
    const list = this.messagesOf.get(message.channel_id);
    if (list) list.push(message);
    else this.messagesOf.set(message.channel_id, [message]);
  }
}

const rows = (list: readonly unknown[]) => JSON.stringify(list);

/** Upserts of channel and member rows, as clauses of a write statement. */
function channelAndMemberWrites(
  channels: readonly Channel[],
  members: readonly Member[],
  position: string,
): RawBuilder<unknown>[] {
  const writes: RawBuilder<unknown>[] = [];
  for (const row of [...channels, ...members]) row.written_at = position;
  if (channels.length > 0)
    writes.push(sql`
      INSERT INTO tc_channels AS c
      SELECT * FROM json_populate_recordset(NULL::tc_channels, ${rows(channels)}::json)
      ON CONFLICT (id) DO UPDATE SET deleted = EXCLUDED.deleted, member_count = EXCLUDED.member_count,
        last_seq = EXCLUDED.last_seq, live_count = EXCLUDED.live_count, change_seq = EXCLUDED.change_seq,
        version = EXCLUDED.version, last_activity_at = EXCLUDED.last_activity_at, written_at = EXCLUDED.written_at`);
  if (members.length > 0)
    writes.push(sql`
      INSERT INTO tc_members AS m
      SELECT * FROM json_populate_recordset(NULL::tc_members, ${rows(members)}::json)
      ON CONFLICT (channel_id, user_id) DO UPDATE SET role = EXCLUDED.role, is_member = EXCLUDED.is_member,
        joined_at = EXCLUDED.joined_at, read_seq = EXCLUDED.read_seq, read_live = EXCLUDED.read_live,
        mine_after = EXCLUDED.mine_after, muted = EXCLUDED.muted, version = EXCLUDED.version, written_at = EXCLUDED.written_at`);
  return writes;
}

/** Writes the clauses as one statement: one round trip. */
async function writeAll(tx: Tx, writes: readonly RawBuilder<unknown>[]): Promise<void> {
  if (writes.length === 0) return;
  const clauses = writes.map((write, i) => sql`${sql.raw(`w${i}`)} AS (${write})`);
  // Its text is one of the few combinations of clauses a batch can need.
  await sql`${PREPARED}WITH ${sql.join(clauses, sql`, `)} SELECT 1`.execute(tx);
}

/** A rebuild's channels and members, written once it has applied every event (see KeptRows). */
export async function writeKeptRows(tx: Tx, kept: KeptRows): Promise<void> {
  const members = [...kept.members.values()].flatMap((of) => [...of.values()]);
  await writeAll(tx, channelAndMemberWrites([...kept.channels.values()], [], kept.position));
  for (let at = 0; at < members.length; at += 5_000)
    await writeAll(tx, channelAndMemberWrites([], members.slice(at, at + 5_000), kept.position));
}
