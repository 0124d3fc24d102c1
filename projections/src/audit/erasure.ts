import { ERASED, type PersonalDataErasedData, type RecordedEvent } from '@chat/events';
import { sql, type Transaction } from 'kysely';
import type { ReadModels } from '../read-models';

type Tx = Transaction<ReadModels>;

/**
 * Every copy of a person's data that the read models hold, and how each forgets it when the
 * person is erased (PersonalDataErased). Kept side by side, so a privacy review reads one file.
 *
 * The rule each one follows: after the update, the tables are exactly what a rebuild from the
 * history would give now that the person's key is gone (their encrypted fields decrypt to
 * "[erased]"), and a rebuild applies the erasure event itself the same way. The replay
 * verification (app/src/audit/) checks that rule.
 */
export const erasePersonalData = {
  users: async (tx: Tx, erased: PersonalDataErasedData) => {
    if (erased.kind !== 'user') return;
    await sql`UPDATE users SET name = ${ERASED}, email = ${ERASED} WHERE id = ${erased.subjectId}`.execute(
      tx,
    );
  },

  /**
   * Messages and the quotes of them. Each channel where text is rewritten moves its change number,
   * and the rewritten messages are marked changed at it, so that open conversations (and what the
   * query API keeps of them) drop the text at their next poll. `kept`: a rebuild's channels, whose
   * change numbers live in memory until it completes (see KeptRows); `position`: the erasure's.
   */
  teamChat: async (
    tx: Tx,
    erased: PersonalDataErasedData,
    kept: ReadonlyMap<string, { change_seq: number }> | null,
    position: string,
  ) => {
    if (erased.kind !== 'user') return;
    // A deleted message already holds no text; quotes of the person's messages repeat their text.
    const who = erased.subjectId;
    const touched = sql`((m.author_id = ${who} AND NOT m.deleted) OR (m.quote_author_id = ${who} AND m.quote_snippet IS NOT NULL))`;
    const { rows } = await sql<{ channel_id: string }>`
      SELECT DISTINCT m.channel_id FROM tc_messages m WHERE ${touched}`.execute(tx);
    if (rows.length === 0) return;
    let moved: { id: string; change_seq: number }[];
    if (kept) moved = rows.map(({ channel_id: id }) => ({ id, change_seq: ++kept.get(id)!.change_seq }));
    else
      moved = (
        await sql<{ id: string; change_seq: number }>`
          UPDATE tc_channels SET change_seq = change_seq + 1, written_at = ${position}
          WHERE id = ANY(${rows.map((r) => r.channel_id)}::uuid[]) RETURNING id, change_seq`.execute(tx)
      ).rows;
    await sql`
      UPDATE tc_messages m SET
        body = CASE WHEN m.author_id = ${who} AND NOT m.deleted THEN ${ERASED} ELSE m.body END,
        quote_snippet = CASE WHEN m.quote_author_id = ${who} AND m.quote_snippet IS NOT NULL THEN ${ERASED} ELSE m.quote_snippet END,
        changed = v.change_seq
      FROM unnest(${moved.map((c) => c.id)}::uuid[], ${moved.map((c) => c.change_seq)}::int[]) AS v(channel_id, change_seq)
      WHERE m.channel_id = v.channel_id AND ${touched}`.execute(tx);
  },

  liveChat: async (tx: Tx, erased: PersonalDataErasedData) => {
    if (erased.kind === 'visitor') {
      await sql`UPDATE livechat_sessions SET visitor_name = ${ERASED},
          visitor_email = CASE WHEN visitor_email IS NULL THEN NULL ELSE ${ERASED} END
        WHERE id = ${erased.subjectId}`.execute(tx);
      await sql`UPDATE livechat_messages SET body = ${ERASED} WHERE session_id = ${erased.subjectId} AND sender = 'visitor'`.execute(
        tx,
      );
    } else {
      await sql`UPDATE livechat_messages SET body = ${ERASED} WHERE author_id = ${erased.subjectId} AND sender = 'agent'`.execute(
        tx,
      );
    }
  },

  helpdesk: async (tx: Tx, erased: PersonalDataErasedData) => {
    if (erased.kind === 'visitor') {
      // A ticket made from a Live chat session has that session's visitor as its requester.
      await sql`UPDATE helpdesk_tickets SET
          requester_name = CASE WHEN requester_name IS NULL THEN NULL ELSE ${ERASED} END,
          requester_email = CASE WHEN requester_email IS NULL THEN NULL ELSE ${ERASED} END
        WHERE from_session_id = ${erased.subjectId}`.execute(tx);
    } else {
      await sql`UPDATE helpdesk_ticket_comments SET body = ${ERASED} WHERE author_id = ${erased.subjectId}`.execute(
        tx,
      );
    }
  },
};

export const erasedPerson = (event: RecordedEvent) => event.data as PersonalDataErasedData;
