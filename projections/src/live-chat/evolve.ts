import type { RecordedEvent } from '@chat/events';
import type { Selectable } from 'kysely';
import type { LiveChatMessagesTable, LiveChatSessionsTable } from './sessions';

/** What the bot says above its suggestions. */
export const BOT_INTRO = 'These articles might help while you wait:';

/** A session row as a batch holds it: int8 columns as decimal strings. */
export type SessionRow = Omit<Selectable<LiveChatSessionsTable>, 'queued_position' | 'version'> & {
  queued_position: string;
  version: string;
};

/** A line of a session's transcript. */
export type TranscriptLine = Selectable<LiveChatMessagesTable>;

/** The session after an event, and the transcript line the event adds, if any. */
export interface SessionChange {
  session: SessionRow;
  line?: TranscriptLine;
}

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

export const sessionIdOf = (event: RecordedEvent): unknown =>
  (event.data as { sessionId?: unknown }).sessionId;

/**
 * What one event does to the session it names, or null when it changes nothing: an unknown
 * session, a session started twice, an assignment or status change after the close. Pure, so a
 * batch applies its events in memory by exactly the rules of one event at a time.
 */
export function evolveSession(session: SessionRow | undefined, event: RecordedEvent): SessionChange | null {
  const data = event.data as unknown as SessionEventData;
  const at = new Date(event.metadata.recordedAt);
  const version = event.position.toString();
  if (event.type === 'VisitorSessionStarted') return session ? null : { session: started(data, at, version) };
  if (!session) return null;
  const open = session.status !== 'CLOSED';
  const changed = (changes: Partial<SessionRow>): SessionChange => ({
    session: { ...session, ...changes, version },
  });
  switch (event.type) {
    case 'VisitorMessagePosted':
      return appended(session, at, version, {
        id: data.messageId!,
        sender: 'visitor',
        author_id: null,
        body: data.body ?? '',
        suggestions: null,
        in_reply_to: null,
      });
    case 'AgentMessagePosted':
      return appended(session, at, version, {
        id: data.messageId!,
        sender: 'agent',
        author_id: data.agentId ?? null,
        body: data.body ?? '',
        suggestions: null,
        in_reply_to: null,
      });
    case 'ArticlesSuggested':
      return appended(session, at, version, {
        id: data.suggestionId!,
        sender: 'bot',
        author_id: null,
        body: BOT_INTRO,
        suggestions: JSON.stringify(
          (data.articles ?? []).map((a) => ({ articleId: a.articleId, title: a.title })),
        ),
        in_reply_to: data.inReplyTo ?? null,
      });
    case 'SessionAssigned':
      return open ? changed({ agent_id: data.agentId! }) : null;
    case 'AgentJoinedSession':
      return open
        ? changed({ status: 'ACTIVE', agent_id: data.agentId!, agent_joined: true, last_activity_at: at })
        : null;
    case 'SessionReleased':
      return open
        ? changed({ status: 'WAITING', agent_id: null, agent_joined: false, last_activity_at: at })
        : null;
    case 'SessionClosed':
      return open
        ? changed({
            status: 'CLOSED',
            closed_at: at,
            resolution: data.resolution ?? 'closed',
            closed_by: data.by ?? null,
            last_activity_at: at,
          })
        : null;
    case 'SessionLinkedToTicket':
      // Linked whatever the session's status, as the command allows.
      return changed({ ticket_id: data.ticketId! });
    default:
      return null;
  }
}

/** A new session waits in the queue in the order it started. */
function started(data: SessionEventData, at: Date, version: string): SessionRow {
  return {
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
  };
}

/**
 * A line added to the transcript, numbered after the session's last one, whatever the session's
 * status: the transcript holds every line the log holds. Bot suggestions are numbered but not
 * counted as messages, and only an agent's reply answers the visitor.
 */
function appended(
  session: SessionRow,
  at: Date,
  version: string,
  line: Omit<TranscriptLine, 'session_id' | 'seq' | 'created_at'>,
): SessionChange {
  const seq = session.last_seq + 1;
  const unansweredSince =
    line.sender === 'visitor'
      ? (session.unanswered_since ?? at)
      : line.sender === 'agent'
        ? null
        : session.unanswered_since;
  return {
    session: {
      ...session,
      last_seq: seq,
      message_count: session.message_count + (line.sender === 'bot' ? 0 : 1),
      unanswered_since: unansweredSince,
      version,
      last_activity_at: at,
    },
    line: { ...line, session_id: session.id, seq, created_at: at },
  };
}
