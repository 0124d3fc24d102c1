import type { RecordedEvent, SessionStatus } from '@chat/events';
import { sql, type ColumnType, type Kysely, type Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import { oneByOne, type Projector } from '../runtime/types';
import { erasedPerson, erasePersonalData } from '../audit/erasure';

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

/** What the bot says above its suggestions. */
export const BOT_INTRO = 'These articles might help while you wait:';

interface SessionEventData {
  sessionId: string;
  messageId?: string;
  agentId?: string;
  body?: string;
  visitorName?: string;
  visitorEmail?: string;
  widgetKey?: string;
  by?: 'visitor' | 'agent';
  resolution?: 'closed' | 'self-served';
  suggestionId?: string;
  inReplyTo?: string;
  articles?: { articleId: string; title: string }[];
  ticketId?: string;
}

type Tx = Transaction<ReadModels>;

/**
 * Appends a line to a session's transcript with the next sequence number, in one statement (the
 * projector's cost per message is one round trip). An unknown session is skipped.
 */
async function addMessage(
  tx: Tx,
  event: RecordedEvent,
  message: Omit<LiveChatMessagesTable, 'seq' | 'created_at' | 'session_id'>,
  sessionId: string,
): Promise<void> {
  const at = new Date(event.metadata.recordedAt);
  const counted = message.sender === 'bot' ? 0 : 1;
  const unanswered =
    message.sender === 'visitor'
      ? sql`coalesce(unanswered_since, ${at}::timestamptz)`
      : message.sender === 'agent'
        ? sql`NULL`
        : sql`unanswered_since`;
  await sql`
    WITH session AS (
      UPDATE livechat_sessions
      SET last_seq = last_seq + 1, message_count = message_count + ${counted}, unanswered_since = ${unanswered},
          version = ${event.position.toString()}, last_activity_at = ${at}
      WHERE id = ${sessionId}
      RETURNING last_seq
    )
    INSERT INTO livechat_messages (session_id, seq, id, sender, author_id, body, created_at, suggestions, in_reply_to)
    SELECT ${sessionId}::uuid, last_seq, ${message.id}::uuid, ${message.sender}::text, ${message.author_id}::uuid, ${message.body}::text,
           ${at}::timestamptz, ${message.suggestions}::text, ${message.in_reply_to}::uuid
    FROM session
    ON CONFLICT (session_id, id) DO NOTHING`.execute(tx);
}

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
  apply: oneByOne(async (tx: Tx, event: RecordedEvent) => {
    const data = event.data as unknown as SessionEventData;
    const at = new Date(event.metadata.recordedAt);
    const version = event.position.toString();
    switch (event.type) {
      case 'PersonalDataErased':
        return erasePersonalData.liveChat(tx, erasedPerson(event));
      case 'VisitorSessionStarted':
        await tx
          .insertInto('livechat_sessions')
          .values({
            id: data.sessionId,
            visitor_name: data.visitorName ?? '',
            visitor_email: data.visitorEmail ?? null,
            widget_key: data.widgetKey ?? '',
            status: 'WAITING',
            agent_id: null,
            agent_joined: false,
            message_count: 0,
            last_seq: 0,
            started_at: at,
            closed_at: null,
            unanswered_since: null,
            queued_position: version,
            ticket_id: null,
            resolution: null,
            closed_by: null,
            version,
            last_activity_at: at,
          })
          .onConflict((c) => c.column('id').doNothing())
          .execute();
        return;
      case 'VisitorMessagePosted':
        await addMessage(
          tx,
          event,
          {
            id: data.messageId!,
            sender: 'visitor',
            author_id: null,
            body: data.body ?? '',
            suggestions: null,
            in_reply_to: null,
          },
          data.sessionId,
        );
        return;
      case 'AgentMessagePosted':
        await addMessage(
          tx,
          event,
          {
            id: data.messageId!,
            sender: 'agent',
            author_id: data.agentId ?? null,
            body: data.body ?? '',
            suggestions: null,
            in_reply_to: null,
          },
          data.sessionId,
        );
        return;
      case 'ArticlesSuggested':
        await addMessage(
          tx,
          event,
          {
            id: data.suggestionId!,
            sender: 'bot',
            author_id: null,
            body: BOT_INTRO,
            suggestions: JSON.stringify(
              (data.articles ?? []).map((a) => ({ articleId: a.articleId, title: a.title })),
            ),
            in_reply_to: data.inReplyTo ?? null,
          },
          data.sessionId,
        );
        return;
      case 'SessionAssigned':
        await tx
          .updateTable('livechat_sessions')
          .set({ agent_id: data.agentId!, version })
          .where('id', '=', data.sessionId)
          .where('status', '<>', 'CLOSED')
          .execute();
        return;
      case 'AgentJoinedSession':
        await tx
          .updateTable('livechat_sessions')
          .set({
            status: 'ACTIVE',
            agent_id: data.agentId!,
            agent_joined: true,
            version,
            last_activity_at: at,
          })
          .where('id', '=', data.sessionId)
          .where('status', '<>', 'CLOSED')
          .execute();
        return;
      case 'SessionReleased':
        await tx
          .updateTable('livechat_sessions')
          .set({ status: 'WAITING', agent_id: null, agent_joined: false, version, last_activity_at: at })
          .where('id', '=', data.sessionId)
          .where('status', '<>', 'CLOSED')
          .execute();
        return;
      case 'SessionClosed':
        await tx
          .updateTable('livechat_sessions')
          .set({
            status: 'CLOSED',
            closed_at: at,
            resolution: data.resolution ?? 'closed',
            closed_by: data.by ?? null,
            version,
            last_activity_at: at,
          })
          .where('id', '=', data.sessionId)
          .where('status', '<>', 'CLOSED')
          .execute();
        return;
      case 'SessionLinkedToTicket':
        await tx
          .updateTable('livechat_sessions')
          .set({ ticket_id: data.ticketId!, version })
          .where('id', '=', data.sessionId)
          .execute();
        return;
    }
  }),
};
