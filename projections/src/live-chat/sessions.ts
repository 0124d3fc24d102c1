import type { SessionStatus } from '@chat/events';
import type { ColumnType, Kysely } from 'kysely';
import type { Projector } from '../runtime/types';
import { applySessionEvents } from './session-batch';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** int8 columns: a decimal string in, whatever the driver gives out (normalize with String()). */
type Int8 = ColumnType<string | number | bigint, string, string>;

export interface LiveChatSessionsTable {
  id: string;
  visitor_name: string;
  visitor_email: string | null;
  widget_key: string;
  status: SessionStatus;
  agent_id: string | null;
  agent_joined: boolean;
  /** Visitor and agent messages (bot suggestions are not counted). */
  message_count: number;
  /** The last message sequence number of the session (bot suggestions included). */
  last_seq: number;
  started_at: Timestamp;
  closed_at: Timestamp | null;
  /** The oldest visitor message since the last agent reply; null once answered. */
  unanswered_since: Timestamp | null;
  /** Queue order: the position of the session's start. */
  queued_position: Int8;
  ticket_id: string | null;
  resolution: 'closed' | 'self-served' | null;
  closed_by: 'visitor' | 'agent' | null;
  /** The position of the last event that changed the session or its transcript (its ETag). */
  version: Int8;
  last_activity_at: Timestamp;
}

export interface LiveChatMessagesTable {
  session_id: string;
  seq: number;
  id: string;
  sender: 'visitor' | 'agent' | 'bot';
  author_id: string | null;
  body: string;
  created_at: Timestamp;
  /** JSON text of [{articleId, title}] for the bot's suggestions. */
  suggestions: string | null;
  in_reply_to: string | null;
}

export { BOT_INTRO } from './evolve';

/** The agent queue and every session's transcript, behind /api/livechat, /api/widget and the tickets' transcripts. */
export const liveChatProjector: Projector = {
  name: 'livechat',
  handles: [
    'VisitorSessionStarted',
    'VisitorMessagePosted',
    'AgentMessagePosted',
    'SessionAssigned',
    'AgentJoinedSession',
    'SessionReleased',
    'SessionClosed',
    'ArticlesSuggested',
    'SessionLinkedToTicket',
    'PersonalDataErased',
  ],
  tables: ['livechat_sessions', 'livechat_messages'],
  migrations: {
    '0001_livechat': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      up: async (db: Kysely<any>) => {
        await db.schema
          .createTable('livechat_sessions')
          .addColumn('id', 'uuid', (c) => c.primaryKey())
          .addColumn('visitor_name', 'text', (c) => c.notNull())
          .addColumn('visitor_email', 'text')
          .addColumn('widget_key', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('agent_id', 'uuid')
          .addColumn('agent_joined', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('started_at', 'timestamptz', (c) => c.notNull())
          .addColumn('closed_at', 'timestamptz')
          .addColumn('unanswered_since', 'timestamptz')
          .addColumn('queued_position', 'bigint', (c) => c.notNull())
          .addColumn('ticket_id', 'uuid')
          .addColumn('resolution', 'text')
          .addColumn('closed_by', 'text')
          .addColumn('version', 'bigint', (c) => c.notNull())
          .addColumn('last_activity_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('livechat_sessions_queue')
          .on('livechat_sessions')
          .columns(['status', 'queued_position'])
          .execute();
        await db.schema
          .createIndex('livechat_sessions_closed')
          .on('livechat_sessions')
          .columns(['closed_at'])
          .execute();
        await db.schema
          .createTable('livechat_messages')
          .addColumn('session_id', 'uuid', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('id', 'uuid', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('author_id', 'uuid')
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull())
          .addColumn('suggestions', 'text')
          .addColumn('in_reply_to', 'uuid')
          .addPrimaryKeyConstraint('livechat_messages_pk', ['session_id', 'seq'])
          .addUniqueConstraint('livechat_messages_id', ['session_id', 'id'])
          .execute();
      },
    },
  },
  apply: applySessionEvents,
};
