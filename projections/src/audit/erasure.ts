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
 * "[erased]"). That is why nothing here moves a change number or an ETag version: a rebuild
 * would not either. The replay verification (app/src/audit/) checks that rule.
 */
export const erasePersonalData = {
  users: async (tx: Tx, erased: PersonalDataErasedData) => {
    if (erased.kind !== 'user') return;
    await sql`UPDATE users SET name = ${ERASED}, email = ${ERASED} WHERE id = ${erased.subjectId}`.execute(
      tx,
    );
  },

  teamChat: async (tx: Tx, erased: PersonalDataErasedData) => {
    if (erased.kind !== 'user') return;
    // A deleted message already holds no text; quotes of the person's messages repeat their text.
    await sql`UPDATE tc_messages SET body = ${ERASED} WHERE author_id = ${erased.subjectId} AND NOT deleted`.execute(
      tx,
    );
    await sql`UPDATE tc_messages SET quote_snippet = ${ERASED}
      WHERE quote_author_id = ${erased.subjectId} AND quote_snippet IS NOT NULL`.execute(tx);
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
