import type { RecordedEvent, TicketStatus } from '@chat/events';
import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import { oneByOne, type Projector } from '../runtime/types';
import { erasedPerson, erasePersonalData } from '../audit/erasure';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface HelpdeskTicketsTable {
  id: string;
  subject: string;
  status: TicketStatus;
  requester_name: string | null;
  requester_email: string | null;
  created_by: string;
  from_session_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface HelpdeskTicketCommentsTable {
  ticket_id: string;
  id: string;
  author_id: string;
  body: string;
  created_at: Timestamp;
}

/** Which Live chat sessions carry over into which ticket (the transcripts live in the livechat read model). */
export interface HelpdeskTicketSessionsTable {
  ticket_id: string;
  session_id: string;
  linked_at: Timestamp;
}

interface TicketEventData {
  ticketId: string;
  subject?: string;
  status?: TicketStatus;
  requesterName?: string;
  requesterEmail?: string;
  createdBy?: string;
  fromSessionId?: string;
  commentId?: string;
  authorId?: string;
  body?: string;
  sessionId?: string;
}

/** Helpdesk tickets, their comments and their linked sessions: /api/tickets. */
export const helpdeskProjector: Projector = {
  name: 'helpdesk',
  handles: [
    'TicketCreated',
    'TicketStatusChanged',
    'TicketCommentAdded',
    'SessionLinkedToTicket',
    'PersonalDataErased',
  ],
  tables: ['helpdesk_tickets', 'helpdesk_ticket_comments', 'helpdesk_ticket_sessions'],
  migrations: {
    '0001_helpdesk': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      up: async (db: Kysely<any>) => {
        await db.schema
          .createTable('helpdesk_tickets')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('requester_name', 'text')
          .addColumn('requester_email', 'text')
          .addColumn('created_by', 'uuid', (c) => c.notNull())
          .addColumn('from_session_id', 'uuid')
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('helpdesk_tickets_updated')
          .on('helpdesk_tickets')
          .columns(['updated_at'])
          .execute();
        await db.schema
          .createTable('helpdesk_ticket_comments')
          .addColumn('ticket_id', 'uuid', (c) => c.notNull())
          .addColumn('id', 'uuid', (c) => c.notNull())
          .addColumn('author_id', 'uuid', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('helpdesk_ticket_comments_pk', ['ticket_id', 'id'])
          .execute();
        await db.schema
          .createTable('helpdesk_ticket_sessions')
          .addColumn('ticket_id', 'uuid', (c) => c.notNull())
          .addColumn('session_id', 'uuid', (c) => c.notNull())
          .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
          .addPrimaryKeyConstraint('helpdesk_ticket_sessions_pk', ['ticket_id', 'session_id'])
          .execute();
      },
    },
  },
  apply: oneByOne(async (tx: Transaction<ReadModels>, event: RecordedEvent) => {
    const data = event.data as unknown as TicketEventData;
    const at = new Date(event.metadata.recordedAt);
    const touch = () =>
      tx.updateTable('helpdesk_tickets').set({ updated_at: at }).where('id', '=', data.ticketId).execute();
    switch (event.type) {
      case 'PersonalDataErased':
        return erasePersonalData.helpdesk(tx, erasedPerson(event));
      case 'TicketCreated':
        await tx
          .insertInto('helpdesk_tickets')
          .values({
            id: data.ticketId,
            subject: data.subject ?? '',
            status: 'open',
            requester_name: data.requesterName ?? null,
            requester_email: data.requesterEmail ?? null,
            created_by: data.createdBy!,
            from_session_id: data.fromSessionId ?? null,
            created_at: at,
            updated_at: at,
          })
          .onConflict((c) => c.column('id').doNothing())
          .execute();
        return;
      case 'TicketStatusChanged':
        await tx
          .updateTable('helpdesk_tickets')
          .set({ status: data.status!, updated_at: at })
          .where('id', '=', data.ticketId)
          .execute();
        return;
      case 'TicketCommentAdded':
        await tx
          .insertInto('helpdesk_ticket_comments')
          .values({
            ticket_id: data.ticketId,
            id: data.commentId!,
            author_id: data.authorId!,
            body: data.body ?? '',
            created_at: at,
          })
          .onConflict((c) => c.columns(['ticket_id', 'id']).doNothing())
          .execute();
        await touch();
        return;
      case 'SessionLinkedToTicket':
        await tx
          .insertInto('helpdesk_ticket_sessions')
          .values({ ticket_id: data.ticketId, session_id: data.sessionId!, linked_at: at })
          .onConflict((c) => c.columns(['ticket_id', 'session_id']).doNothing())
          .execute();
        await touch();
        return;
    }
  }),
};
