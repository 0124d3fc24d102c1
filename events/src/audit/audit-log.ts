import type pg from 'pg';
import type { EventStore } from '../store/event-store';
import { START, type StoredRecord } from '../store/types';

/** Which events an auditor asks for; every given criterion must match. */
export interface EventFilter {
  streamId?: string;
  /** Streams whose id starts with this ("channel-", "session-"). */
  streamPrefix?: string;
  types?: string[];
  excludeTypes?: string[];
  /** The user id, visitor session id or system name in the event's metadata. */
  actorId?: string;
  correlationId?: string;
  /** Recorded at or after (ISO 8601). */
  from?: string;
  /** Recorded before (ISO 8601). */
  to?: string;
  /** Events whose data names this channel (the channel, its messages, its members' marks). */
  channelId?: string;
  /** Events whose data names this Live chat session. */
  sessionId?: string;
}

export interface PageRequest {
  order: 'asc' | 'desc';
  /** Exclusive cursor: positions above it (asc) or below it (desc). */
  cursor?: bigint;
  limit: number;
}

/**
 * The global log as auditors query it. On PostgreSQL and PGlite the filters run in SQL over the
 * events table (with indexes for actor, correlation and channel); on any other store the log is
 * scanned page by page, which is correct but reads the whole log for a filtered question.
 */
export interface AuditLog {
  page(filter: EventFilter, request: PageRequest): Promise<StoredRecord[]>;
  /** The correlation ids of an actor's commands, newest first, by the position of their first event. */
  correlationsOf(
    actorId: string,
    request: { before?: bigint; limit: number },
  ): Promise<{ correlationId: string; position: bigint }[]>;
  /** Every event of these correlations, in log order. */
  byCorrelation(correlationIds: string[]): Promise<StoredRecord[]>;
}

const SCAN_PAGE = 2_000;

/** Whether a stored event matches a filter; the one definition both implementations agree with. */
export function matchesFilter(event: StoredRecord, filter: EventFilter): boolean {
  const data = event.data as Record<string, unknown>;
  if (filter.streamId !== undefined && event.streamId !== filter.streamId) return false;
  if (filter.streamPrefix !== undefined && !event.streamId.startsWith(filter.streamPrefix)) return false;
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.excludeTypes && filter.excludeTypes.includes(event.type)) return false;
  if (filter.actorId !== undefined && event.metadata.actor.id !== filter.actorId) return false;
  if (filter.correlationId !== undefined && event.metadata.correlationId !== filter.correlationId)
    return false;
  if (filter.from !== undefined && event.metadata.recordedAt < isoTime(filter.from)) return false;
  if (filter.to !== undefined && event.metadata.recordedAt >= isoTime(filter.to)) return false;
  if (filter.channelId !== undefined && data.channelId !== filter.channelId) return false;
  if (filter.sessionId !== undefined && data.sessionId !== filter.sessionId) return false;
  return true;
}

/** Recorded times are stored as `Date.toISOString()`, so comparing that form as text is comparing times. */
export function isoTime(value: string): string {
  return new Date(value).toISOString();
}

/** Any event store: reads the log from the start for every question. */
export class ScanningAuditLog implements AuditLog {
  constructor(private readonly store: EventStore) {}

  async page(filter: EventFilter, request: PageRequest): Promise<StoredRecord[]> {
    const found: StoredRecord[] = [];
    const start = request.order === 'asc' ? (request.cursor ?? START) : START;
    for await (const event of this.scan(start)) {
      if (request.order === 'desc' && request.cursor !== undefined && event.position >= request.cursor) break;
      if (!matchesFilter(event, filter)) continue;
      found.push(event);
      if (request.order === 'asc' && found.length === request.limit) return found;
      // Newest first: keep only the last `limit` matches seen (trimmed now and then, not per event).
      if (request.order === 'desc' && found.length >= 2 * request.limit)
        found.splice(0, found.length - request.limit);
    }
    return request.order === 'desc' ? found.slice(-request.limit).reverse() : found;
  }

  async correlationsOf(actorId: string, request: { before?: bigint; limit: number }) {
    const first = new Map<string, bigint>();
    for await (const event of this.scan(START)) {
      if (event.metadata.actor.id !== actorId || first.has(event.metadata.correlationId)) continue;
      first.set(event.metadata.correlationId, event.position);
    }
    return [...first]
      .map(([correlationId, position]) => ({ correlationId, position }))
      .filter((c) => request.before === undefined || c.position < request.before)
      .sort((a, b) => (a.position > b.position ? -1 : 1))
      .slice(0, request.limit);
  }

  async byCorrelation(correlationIds: string[]): Promise<StoredRecord[]> {
    const wanted = new Set(correlationIds);
    const found: StoredRecord[] = [];
    for await (const event of this.scan(START))
      if (wanted.has(event.metadata.correlationId)) found.push(event);
    return found;
  }

  private async *scan(after: bigint): AsyncGenerator<StoredRecord> {
    for (;;) {
      const page = await this.store.readStoredAll(after, SCAN_PAGE);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.position;
    }
  }
}

/** Indexes for the auditors' questions; created once, beside the store's own. */
export const AUDIT_INDEXES_DDL = `
  CREATE INDEX IF NOT EXISTS events_audit_actor ON events ((metadata->'actor'->>'id'), position);
  CREATE INDEX IF NOT EXISTS events_audit_correlation ON events ((metadata->>'correlationId'));
  CREATE INDEX IF NOT EXISTS events_audit_channel ON events ((data->>'channelId'), position) WHERE data ? 'channelId';
`;

/** Only what every transaction below this has finished: the same horizon the store reads under. */
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())::text::bigint * 1000';
const COLUMNS = 'position, stream_id, revision, event_id, type, version, data, metadata';

interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  version: number;
  data: Record<string, unknown>;
  metadata: StoredRecord['metadata'];
}

const toRecord = (row: EventRow): StoredRecord => ({
  position: BigInt(row.position),
  streamId: row.stream_id,
  revision: BigInt(row.revision),
  id: row.event_id,
  type: row.type,
  version: row.version,
  data: row.data,
  metadata: row.metadata,
});

const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The events table of the PostgreSQL or PGlite store, queried directly. */
export class SqlAuditLog implements AuditLog {
  constructor(private readonly pool: pg.Pool) {}

  /** Creates the indexes once; instances starting together take turns (a lock, then IF NOT EXISTS). */
  async migrate(): Promise<void> {
    await this.pool.query(
      `BEGIN; SELECT pg_advisory_xact_lock(hashtext('audit-indexes')); ${AUDIT_INDEXES_DDL}; COMMIT;`,
    );
  }

  async page(filter: EventFilter, request: PageRequest): Promise<StoredRecord[]> {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [`position < ${HORIZON}`];
    if (filter.streamId !== undefined) where.push(`stream_id = ${p(filter.streamId)}`);
    if (filter.streamPrefix !== undefined) where.push(`stream_id LIKE ${p(likePrefix(filter.streamPrefix))}`);
    if (filter.types) where.push(`type = ANY(${p(filter.types)})`);
    if (filter.excludeTypes) where.push(`NOT (type = ANY(${p(filter.excludeTypes)}))`);
    if (filter.actorId !== undefined) where.push(`metadata->'actor'->>'id' = ${p(filter.actorId)}`);
    if (filter.correlationId !== undefined)
      where.push(`metadata->>'correlationId' = ${p(filter.correlationId)}`);
    if (filter.from !== undefined) where.push(`metadata->>'recordedAt' >= ${p(isoTime(filter.from))}`);
    if (filter.to !== undefined) where.push(`metadata->>'recordedAt' < ${p(isoTime(filter.to))}`);
    if (filter.channelId !== undefined)
      where.push(`data ? 'channelId' AND data->>'channelId' = ${p(filter.channelId)}`);
    if (filter.sessionId !== undefined) where.push(`data->>'sessionId' = ${p(filter.sessionId)}`);
    if (request.cursor !== undefined)
      where.push(`position ${request.order === 'asc' ? '>' : '<'} ${p(request.cursor.toString())}`);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position ${request.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ${p(request.limit)}`,
      params,
    );
    return rows.map(toRecord);
  }

  async correlationsOf(actorId: string, request: { before?: bigint; limit: number }) {
    const { rows } = await this.pool.query<{ correlation_id: string; position: string }>(
      `SELECT metadata->>'correlationId' AS correlation_id, min(position)::text AS position
       FROM events WHERE metadata->'actor'->>'id' = $1 AND position < ${HORIZON}
       GROUP BY 1 HAVING $2::bigint IS NULL OR min(position) < $2::bigint
       ORDER BY min(position) DESC LIMIT $3`,
      [actorId, request.before?.toString() ?? null, request.limit],
    );
    return rows.map((r) => ({ correlationId: r.correlation_id, position: BigInt(r.position) }));
  }

  async byCorrelation(correlationIds: string[]): Promise<StoredRecord[]> {
    if (correlationIds.length === 0) return [];
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE metadata->>'correlationId' = ANY($1) AND position < ${HORIZON} ORDER BY position`,
      [correlationIds],
    );
    return rows.map(toRecord);
  }
}
