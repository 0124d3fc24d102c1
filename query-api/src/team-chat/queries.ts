import type { ListedAttachment, StoredReaction } from '@chat/projections/team-chat/tables';
import { sql, type RawBuilder } from 'kysely';
import type { PreparedReads } from '../prepared-reads';

type Db = PreparedReads;

export interface MemberRow {
  user_id: string;
  name: string | null;
  role: 'ADMIN' | 'MEMBER';
}

export async function channelMembers(db: Db, channelId: string): Promise<MemberRow[]> {
  const rows = await db.rows(sql<MemberRow>`
    SELECT m.user_id, u.name, m.role FROM tc_members m LEFT JOIN users u ON u.id = m.user_id
    WHERE m.channel_id = ${channelId} AND m.is_member
    ORDER BY m.role = 'ADMIN' DESC, lower(coalesce(u.name, '')), m.user_id`);
  return rows;
}

export interface MessageRow {
  id: string;
  seq: number;
  author_id: string;
  author_name: string | null;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted: boolean;
  quoted_message_id: string | null;
  quote_author_name: string | null;
  quote_snippet: string | null;
  quote_deleted: boolean;
  reactions: StoredReaction[];
  attachments: ListedAttachment[];
  changed: number;
}

export type MessagePage = { after: number } | { before: number } | { newest: true };

/** The messages of a page (changes: up to the channel change number `upTo`, a value or a column). */
function pageOfMessages(
  channelId: string,
  page: MessagePage,
  limit: number,
  upTo: number | RawBuilder<number>,
) {
  const select = sql`
    SELECT msg.id, msg.seq, msg.author_id, au.name AS author_name, msg.body, msg.created_at, msg.edited_at, msg.deleted,
           msg.quoted_message_id, qu.name AS quote_author_name, msg.quote_snippet, msg.quote_deleted,
           msg.reactions, msg.attachments, msg.changed
    FROM tc_messages msg
    LEFT JOIN users au ON au.id = msg.author_id
    LEFT JOIN users qu ON qu.id = msg.quote_author_id
    WHERE msg.channel_id = ${channelId}`;
  if ('after' in page)
    return sql`${select} AND msg.changed > ${page.after} AND msg.changed <= ${upTo} ORDER BY msg.changed LIMIT ${limit}`;
  const before = 'before' in page ? sql`AND msg.seq < ${page.before}` : sql``;
  return sql`${select} ${before} ORDER BY msg.seq DESC LIMIT ${limit}`;
}

/** Rows in the page's order: changes in change order, pages of history newest first. */
function fromPage(page: MessagePage, rows: MessageRow[]): MessageRow[] {
  if (!('after' in page)) rows.reverse();
  return rows.map((row) => ({
    ...row,
    reactions: typeof row.reactions === 'string' ? JSON.parse(row.reactions) : row.reactions,
    attachments: typeof row.attachments === 'string' ? JSON.parse(row.attachments) : row.attachments,
  }));
}

/**
 * A page of a channel's messages in seq order: the newest, those before a seq, or those changed
 * after a cursor (in change order, up to `upTo` so that the cursor answered is exact).
 */
export async function channelMessages(
  db: Db,
  channelId: string,
  page: MessagePage,
  limit: number,
  upTo: number,
): Promise<MessageRow[]> {
  const rows = await db.rows(pageOfMessages(channelId, page, limit, upTo).$castTo<MessageRow>());
  return fromPage(page, rows);
}

/**
 * A channel's change number and, as they stand at it, its newest `limit` messages (`since` null)
 * or the first `limit` of those changed after `since`, in change order: one statement, one snapshot.
 */
export async function messagesAsOfNow(
  db: Db,
  channelId: string,
  since: number | null,
  limit: number,
): Promise<{ changeSeq: number; rows: MessageRow[] } | undefined> {
  const page: MessagePage = since === null ? { newest: true } : { after: since };
  const rows = await db.rows(sql<MessageRow & { channel_change_seq: number }>`
    SELECT c.change_seq AS channel_change_seq, p.*
    FROM tc_channels c
    LEFT JOIN LATERAL (${pageOfMessages(channelId, page, limit, sql<number>`c.change_seq`)}) p ON true
    WHERE c.id = ${channelId}
    ORDER BY ${since === null ? sql`p.seq DESC` : sql`p.changed`}`);
  const first = rows[0];
  if (!first) return undefined;
  const messages = rows.filter((row) => row.id !== null).map(({ channel_change_seq: _seq, ...row }) => row);
  return { changeSeq: first.channel_change_seq, rows: fromPage(page, messages) };
}

export interface AttachmentRow {
  name: string;
  content_type: string;
  sha256: string;
}

/** An attachment of a live message in a channel the viewer may see. */
export async function visibleAttachment(
  db: Db,
  viewer: string,
  attachmentId: string,
): Promise<AttachmentRow | undefined> {
  const rows = await db.rows(sql<AttachmentRow>`
    SELECT a.name, a.content_type, a.sha256
    FROM tc_attachments a
    JOIN tc_channels c ON c.id = a.channel_id
    LEFT JOIN tc_members m ON m.channel_id = c.id AND m.user_id = ${viewer}
    WHERE a.id = ${attachmentId} AND NOT c.deleted AND (c.kind = 'public' OR m.is_member)`);
  return rows[0];
}
