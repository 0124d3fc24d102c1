import type { RecordedEvent } from '@chat/events';
import { sql, type Transaction } from 'kysely';
import { erasedPerson, erasePersonalData } from '../audit/erasure';
import type { ReadModels } from '../read-models';
import { evolveSession, sessionIdOf, type SessionRow, type TranscriptLine } from './evolve';

type Tx = Transaction<ReadModels>;

/** Every session column and its SQL type: a new session is written whole. */
const SESSION_COLUMNS = {
  id: 'uuid',
  visitor_name: 'text',
  visitor_email: 'text',
  widget_key: 'text',
  status: 'text',
  agent_id: 'uuid',
  agent_joined: 'boolean',
  message_count: 'integer',
  last_seq: 'integer',
  started_at: 'timestamptz',
  closed_at: 'timestamptz',
  unanswered_since: 'timestamptz',
  queued_position: 'bigint',
  ticket_id: 'uuid',
  resolution: 'text',
  closed_by: 'text',
  version: 'bigint',
  last_activity_at: 'timestamptz',
} satisfies Record<keyof SessionRow, string>;

/**
 * The columns events change after the start: the only ones written over a stored session, since
 * an erasure in the batch may have replaced the visitor's name and email after they were read.
 */
const CHANGING_COLUMNS: (keyof SessionRow)[] = [
  'status',
  'agent_id',
  'agent_joined',
  'message_count',
  'last_seq',
  'closed_at',
  'unanswered_since',
  'ticket_id',
  'resolution',
  'closed_by',
  'version',
  'last_activity_at',
];

const LINE_COLUMNS = {
  session_id: 'uuid',
  seq: 'integer',
  id: 'uuid',
  sender: 'text',
  author_id: 'uuid',
  body: 'text',
  created_at: 'timestamptz',
  suggestions: 'text',
  in_reply_to: 'uuid',
} satisfies Record<keyof TranscriptLine, string>;

/**
 * Applies a run of Live chat events in a constant number of statements, whatever its length: the
 * sessions it names are read in one query, the events are applied in memory in log order, and
 * the changed sessions and new transcript lines are written in one statement. An erasure is a
 * barrier: what is pending is written first, so that it forgets every line said before it.
 */
export async function applySessionEvents(tx: Tx, events: readonly RecordedEvent[]): Promise<void> {
  const batch = new SessionBatch(tx, await readSessions(tx, events));
  for (const event of events) {
    if (event.type === 'PersonalDataErased') {
      await batch.write();
      await erasePersonalData.liveChat(tx, erasedPerson(event));
    } else batch.apply(event);
  }
  await batch.write();
}

async function readSessions(tx: Tx, events: readonly RecordedEvent[]): Promise<Map<string, SessionRow>> {
  const ids = [...new Set(events.map(sessionIdOf).filter((id): id is string => typeof id === 'string'))];
  if (ids.length === 0) return new Map();
  const { rows } =
    await sql<SessionRow>`SELECT * FROM livechat_sessions WHERE id = ANY(${ids}::uuid[])`.execute(tx);
  // int8 columns arrive as whatever the driver makes of them; the batch holds decimal strings.
  return new Map(
    rows.map((row) => [
      row.id,
      { ...row, queued_position: String(row.queued_position), version: String(row.version) },
    ]),
  );
}

/** The sessions a batch touches and the lines it adds, held in memory until written. */
class SessionBatch {
  private readonly changed = new Set<string>();
  /** By session and line id: a line the log repeats is kept once, as first said. */
  private readonly lines = new Map<string, TranscriptLine>();

  constructor(
    private readonly tx: Tx,
    private readonly sessions: Map<string, SessionRow>,
  ) {}

  apply(event: RecordedEvent): void {
    const sessionId = sessionIdOf(event);
    if (typeof sessionId !== 'string') return;
    const change = evolveSession(this.sessions.get(sessionId), event);
    if (!change) return;
    this.sessions.set(sessionId, change.session);
    this.changed.add(sessionId);
    if (change.line) this.addLine(change.line);
  }

  private addLine(line: TranscriptLine): void {
    const key = `${line.session_id}/${line.id}`;
    if (!this.lines.has(key)) this.lines.set(key, line);
  }

  /** Writes the changed sessions and the new lines in one statement (a line stored earlier stays). */
  async write(): Promise<void> {
    if (this.changed.size === 0) return;
    const sessions = [...this.changed].map((id) => this.sessions.get(id)!);
    const overwritten = sql.raw(
      CHANGING_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', '),
    );
    await sql`
      WITH sessions AS (
        INSERT INTO livechat_sessions (${columnList(SESSION_COLUMNS)})
        SELECT * FROM ${recordset(sessions, SESSION_COLUMNS)}
        ON CONFLICT (id) DO UPDATE SET ${overwritten}
      )
      INSERT INTO livechat_messages (${columnList(LINE_COLUMNS)})
      SELECT * FROM ${recordset([...this.lines.values()], LINE_COLUMNS)}
      ON CONFLICT (session_id, id) DO NOTHING`.execute(this.tx);
    this.changed.clear();
    this.lines.clear();
  }
}

const columnList = (columns: Record<string, string>) => sql.raw(Object.keys(columns).join(', '));

/** Rows as a set to select from, in one parameter however many there are. */
function recordset(rows: object[], columns: Record<string, string>) {
  const definitions = Object.entries(columns).map(([name, type]) => `${name} ${type}`);
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(${sql.raw(definitions.join(', '))})`;
}
