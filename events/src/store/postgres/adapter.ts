import type pg from 'pg';
import { satisfies } from '../expected-revision';
import {
  WrongExpectedRevisionError,
  type AppendRequest,
  type AppendResult,
  type EventStoreAdapter,
  type StoredRecord,
} from '../types';
import type { PgConnection } from './connection';
import { EVENTS_DDL } from './schema';

const NOTIFY_CHANNEL = 'events_appended';
const COLUMNS = 'position, stream_id, revision, event_id, type, version, data, metadata';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SNAPSHOT_HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())::text::bigint * 1000';

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

function toRecord(row: EventRow): StoredRecord {
  return {
    position: BigInt(row.position),
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    id: row.event_id,
    type: row.type,
    version: row.version,
    data: row.data,
    metadata: row.metadata,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

/** The event store on PostgreSQL, through `pg`; the same SQL serves PGlite through its pg adapter. */
export class PostgresEventStoreAdapter implements EventStoreAdapter {
  private readonly listeners = new Set<() => void>();
  private stopListening: Promise<() => Promise<void>> | null = null;

  constructor(
    private readonly connection: PgConnection,
    readonly name = 'postgres',
  ) {}

  async migrate(): Promise<void> {
    await this.connection.pool.query(EVENTS_DDL);
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    // 'any' may lose a race for the next revision; it then simply tries again at the new head.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryAppend(request);
      } catch (error) {
        if (request.expected === 'any' && error instanceof WrongExpectedRevisionError && attempt < 20) continue;
        throw error;
      }
    }
  }

  private async tryAppend(request: AppendRequest): Promise<AppendResult> {
    const client = await this.connection.pool.connect();
    let result: AppendResult;
    try {
      // BEGIN and the head lookup travel in one round trip (simple protocol, escaped literal).
      const opened = (await client.query(
        `BEGIN; SELECT revision, metadata->>'hash' AS hash FROM events WHERE stream_id = ${client.escapeLiteral(request.streamId)} ORDER BY revision DESC LIMIT 1`,
      )) as unknown as pg.QueryResult<{ revision: string; hash: string }>[];
      const head = opened[1]!;
      const current = head.rows[0] ? BigInt(head.rows[0].revision) : null;
      if (!satisfies(request.expected, current)) {
        await client.query('ROLLBACK');
        return await this.originalOrConflict(client, request, current);
      }
      const sealed = request.seal(head.rows[0] ? { revision: current!, hash: head.rows[0].hash } : null);
      const first = current === null ? 0n : current + 1n;
      // The insert and the commit travel in one round trip too: two round trips per append in all.
      const rows = sealed.map((e, i) => {
        if (!UUID.test(e.id)) throw new Error(`event id ${e.id} is not a uuid`);
        const values = [
          `pg_current_xact_id()::text::bigint * 1000 + ${i + 1}`,
          client.escapeLiteral(request.streamId),
          (first + BigInt(i)).toString(),
          `'${e.id}'`,
          client.escapeLiteral(e.type),
          String(Math.trunc(e.version)),
          `${client.escapeLiteral(JSON.stringify(e.data))}::jsonb`,
          `${client.escapeLiteral(JSON.stringify(e.metadata))}::jsonb`,
        ];
        return `(${values.join(', ')})`;
      });
      const written = (await client.query(
        `INSERT INTO events (${COLUMNS}) VALUES ${rows.join(', ')} RETURNING position; COMMIT`,
      )) as unknown as pg.QueryResult<{ position: string }>[];
      const inserted = written[0]!;
      const positions = inserted.rows.map((r) => BigInt(r.position));
      result = { position: positions.reduce((a, b) => (a > b ? a : b)), revision: first + BigInt(sealed.length) - 1n };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (isUniqueViolation(error)) return await this.originalOrConflict(client, request, null, true);
      throw error;
    } finally {
      client.release();
    }
    for (const listener of this.listeners) listener();
    this.notifyOtherProcesses();
    return result;
  }

  private notifying = false;
  private notifyAgain = false;

  /**
   * Wakes followers in other processes. A NOTIFY is a transaction of its own with a WAL flush and
   * a global queue lock, so it is sent after the append's commit, never awaited by the writer, and
   * coalesced: at most one in flight, and one more for everything that committed meanwhile.
   */
  private notifyOtherProcesses(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    this.connection.pool
      .query(`SELECT pg_notify('${NOTIFY_CHANNEL}', '')`)
      .catch(() => undefined) // followers also poll; a lost wake-up only delays them
      .finally(() => {
        this.notifying = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.notifyOtherProcesses();
        }
      });
  }

  /**
   * An append whose expectation failed is either a retry of one that already happened
   * (same event ids, answered with the original result) or a real conflict.
   */
  private async originalOrConflict(
    client: pg.PoolClient,
    request: AppendRequest,
    current: bigint | null,
    reloadHead = false,
  ): Promise<AppendResult> {
    const { rows } = await client.query<{ stream_id: string; revision: string; position: string }>(
      'SELECT stream_id, revision, position FROM events WHERE event_id = ANY($1::uuid[])',
      [request.eventIds],
    );
    if (rows.length === request.eventIds.length && rows.every((r) => r.stream_id === request.streamId)) {
      return {
        position: rows.map((r) => BigInt(r.position)).reduce((a, b) => (a > b ? a : b)),
        revision: rows.map((r) => BigInt(r.revision)).reduce((a, b) => (a > b ? a : b)),
      };
    }
    if (reloadHead) {
      const head = await client.query<{ revision: string }>(
        'SELECT max(revision) AS revision FROM events WHERE stream_id = $1',
        [request.streamId],
      );
      current = head.rows[0]?.revision != null ? BigInt(head.rows[0].revision) : null;
    }
    throw new WrongExpectedRevisionError(request.streamId, request.expected, current ?? 'no_stream');
  }

  async readStream(streamId: string): Promise<StoredRecord[]> {
    const { rows } = await this.connection.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ORDER BY revision`,
      [streamId],
    );
    return rows.map(toRecord);
  }

  async readAll(after: bigint, limit: number): Promise<StoredRecord[]> {
    const { rows } = await this.connection.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > $1 AND position < ${SNAPSHOT_HORIZON} ORDER BY position LIMIT $2`,
      [after.toString(), limit],
    );
    return rows.map(toRecord);
  }

  async headPosition(): Promise<bigint> {
    const { rows } = await this.connection.pool.query<{ head: string | null }>(
      'SELECT max(position) AS head FROM events',
    );
    return rows[0]?.head ? BigInt(rows[0].head) : 0n;
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    this.stopListening ??= this.connection.listen(NOTIFY_CHANNEL, () => {
      for (const l of this.listeners) l();
    });
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.stopListening) await (await this.stopListening)();
    this.stopListening = null;
  }
}
