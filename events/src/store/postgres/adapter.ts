import { randomUUID } from 'node:crypto';
import { satisfies } from '../expected-revision';
import {
  WrongExpectedRevisionError,
  type AppendRequest,
  type AppendResult,
  type EventStoreAdapter,
  type StoredEvent,
  type StoredRecord,
  type StreamCondition,
  type StreamHead,
  type StreamPlace,
  MAX_EVENTS_PER_APPEND,
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

/** A string as a SQL literal (standard_conforming_strings, as every supported server has it). */
function escapeLiteral(value: string): string {
  if (value.includes('\\')) return ` E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return `'${value.replaceAll("'", "''")}'`;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

/**
 * The append, of one or several appends at once: $1 the sealed events as a JSON array, each with
 * its stream and revision; $2/$3/$4 the heads they were sealed onto (stream, revision, hash);
 * $5/$6 the condition streams and the revisions they must still end at (null: must not exist).
 * The checks do not depend on the row, so it inserts every event or none.
 */
const APPEND = {
  name: 'events_append_v2',
  text: `INSERT INTO events (${COLUMNS})
    SELECT pg_current_xact_id()::text::bigint * 1000 + e.i, e.v->>'stream', (e.v->>'revision')::bigint,
           (e.v->>'id')::uuid, e.v->>'type', (e.v->>'version')::integer, e.v->'data', e.v->'metadata'
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, i)
    WHERE NOT EXISTS (
            SELECT 1 FROM unnest($2::text[], $3::bigint[], $4::text[]) AS h(stream_id, revision, hash)
            WHERE NOT EXISTS (
              SELECT 1 FROM events x
              WHERE x.stream_id = h.stream_id AND x.revision = h.revision
                AND (h.hash IS NULL OR x.metadata->>'hash' = h.hash)))
      AND NOT EXISTS (
            SELECT 1 FROM unnest($5::text[], $6::bigint[]) AS c(stream_id, revision)
            WHERE (SELECT max(x.revision) FROM events x WHERE x.stream_id = c.stream_id) IS DISTINCT FROM c.revision)
    RETURNING event_id::text, position`,
};

/** An append waiting to be inserted, with the head its events were sealed onto. */
interface InsertJob {
  request: AppendRequest;
  head: StreamHead | null;
  sealed: StoredEvent[];
  done: (positions: bigint[] | Error) => void;
}

/** Inserts in flight at once; appends arriving meanwhile wait and go together in the next one. */
const MAX_INSERTS_IN_FLIGHT = 4;
/** Appends per insert at most: each is numbered within one transaction (positions xid * 1000 + n). */
const MAX_APPENDS_PER_INSERT = 64;

/** The statement with its parameters written in as literals, for the simple protocol. */
function withLiterals(text: string, values: readonly (string | null | (string | null)[])[]): string {
  const literal = (v: string | null) => (v === null ? 'NULL' : escapeLiteral(v));
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = values[Number(n) - 1]!;
    return Array.isArray(value) ? `ARRAY[${value.map(literal).join(', ')}]` : literal(value);
  });
}

const READ_STREAM = {
  name: 'events_read_stream_v1',
  text: `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision > $2::bigint ORDER BY revision`,
};
const READ_HEAD = {
  name: 'events_read_head_v1',
  text: `SELECT revision, metadata->>'hash' AS hash FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1`,
};
const READ_ALL = {
  name: 'events_read_all_v1',
  text: `SELECT ${COLUMNS} FROM events WHERE position > $1 AND position < ${SNAPSHOT_HORIZON} ORDER BY position LIMIT $2`,
};
const READ_ALL_OF_TYPES = {
  name: 'events_read_all_of_types_v1',
  text: `SELECT ${COLUMNS} FROM events WHERE position > $1 AND position < ${SNAPSHOT_HORIZON} AND type = ANY($3)
         ORDER BY position LIMIT $2`,
};
/** Stream heads remembered per process; the oldest are forgotten first. */
const MAX_KNOWN_HEADS = 20_000;

/** The event store on PostgreSQL, through `pg`; the same SQL serves PGlite through its pg adapter. */
export class PostgresEventStoreAdapter implements EventStoreAdapter {
  private readonly listeners = new Set<() => void>();
  /** Signs this adapter's notifications: its own listeners heard of its appends already. */
  private readonly instance = randomUUID();
  private stopListening: Promise<() => Promise<void>> | null = null;
  /**
   * The last revision and hash of streams this process appended to or read: an append at that
   * revision seals onto it without reading the head first. Only committed events get here, and
   * events never change, so an entry can only be behind the stream, never wrong about it; the
   * append statement checks it (and the unique (stream, revision) refuses it when behind).
   */
  private readonly heads = new Map<string, StreamHead>();
  /** Appends waiting for one of the inserts in flight to finish. */
  private readonly waiting: InsertJob[] = [];
  private insertsInFlight = 0;

  constructor(
    private readonly connection: PgConnection,
    readonly name = 'postgres',
  ) {}

  async migrate(): Promise<void> {
    await this.connection.pool.query(EVENTS_DDL);
  }

  /**
   * Appends to one stream take turns in this process: the next seals onto the head the one before
   * it left, instead of onto the same head, which would make its insert wait for the other's
   * commit and then fail on the unique (stream, revision), failing every append that shared that
   * insert with it (measured: 20 appends at once, half of them to one stream, made 29 failed
   * statements).
   */
  private readonly appending = new Map<string, Promise<void>>();

  async append(request: AppendRequest): Promise<AppendResult> {
    const { streamId } = request;
    const before = this.appending.get(streamId);
    const turn = before ? before.then(() => this.appendInTurn(request)) : this.appendInTurn(request);
    const done = turn.then(
      () => undefined,
      () => undefined,
    );
    this.appending.set(streamId, done);
    try {
      return await turn;
    } finally {
      if (this.appending.get(streamId) === done) this.appending.delete(streamId);
    }
  }

  private async appendInTurn(request: AppendRequest): Promise<AppendResult> {
    // 'any' may lose a race for the next revision (to another process); it then simply tries
    // again at the new head.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryAppend(request);
      } catch (error) {
        if (
          request.expected === 'any' &&
          error instanceof WrongExpectedRevisionError &&
          error.streamId === request.streamId &&
          attempt < 20
        )
          continue;
        throw error;
      }
    }
  }

  private async tryAppend(request: AppendRequest): Promise<AppendResult> {
    // Usually one round trip: the head is known (no stream yet, or remembered) and the insert, a
    // statement without BEGIN/COMMIT (shared with appends that arrive meanwhile), commits at once.
    // Otherwise the head is read first.
    let head = this.knownHead(request);
    for (let round = 0; ; round++) {
      const remembered = head !== undefined && head !== null;
      if (head === undefined) {
        head = await this.readHead(request.streamId);
        const current = head?.revision ?? null;
        if (!satisfies(request.expected, current)) return await this.originalOrConflict(request, current);
      }
      const sealed = request.seal(head);
      let positions: bigint[];
      try {
        positions = await this.insert(request, head, sealed);
      } catch (error) {
        this.heads.delete(request.streamId);
        if (!isUniqueViolation(error)) throw error;
        // A remembered head that is behind is no conflict for an append that takes any head.
        const anyHead = request.expected === 'any' || request.expected === 'stream_exists';
        if (remembered && anyHead && round < 2) {
          head = undefined;
          continue;
        }
        return await this.originalOrConflict(request, null, true);
      }
      if (positions.length === 0) {
        // Nothing inserted: a condition stream moved on, or the remembered head was not the last.
        this.heads.delete(request.streamId);
        await this.checkConditions(request);
        if (round >= 2)
          throw new WrongExpectedRevisionError(
            request.streamId,
            request.expected,
            head?.revision ?? 'no_stream',
          );
        head = undefined;
        continue;
      }
      const revision = (head ? head.revision : -1n) + BigInt(sealed.length);
      this.remember(request.streamId, { revision, hash: sealed[sealed.length - 1]!.metadata.hash });
      for (const listener of this.listeners) listener();
      this.notifyOtherProcesses();
      return { position: positions.reduce((a, b) => (a > b ? a : b)), revision };
    }
  }

  /** The head to seal onto without a read: none for a new stream, else the remembered one if it fits. */
  private knownHead(request: AppendRequest): StreamHead | null | undefined {
    if (request.expected === 'no_stream') return null;
    const known = this.heads.get(request.streamId);
    if (!known) return undefined;
    if (typeof request.expected === 'bigint' && request.expected !== known.revision) return undefined;
    return known;
  }

  /**
   * Inserts one append's events, sealed onto `head`: answers their positions, none when a check
   * failed (the head is not there with that hash, a condition stream moved on), or throws (a unique
   * violation: another writer took the revision, or the events are in already). Appends that
   * arrive while a few inserts are in flight go together in one statement, and so one round trip
   * and one commit; if that insert fails or inserts nothing, each of them is inserted on its own,
   * so that each answer is its own.
   */
  private insert(request: AppendRequest, head: StreamHead | null, sealed: StoredEvent[]): Promise<bigint[]> {
    for (const e of sealed) if (!UUID.test(e.id)) throw new Error(`event id ${e.id} is not a uuid`);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        request,
        head,
        sealed,
        done: (result) => (result instanceof Error ? reject(result) : resolve(result)),
      });
      this.sendInserts();
    });
  }

  private sendInserts(): void {
    while (this.insertsInFlight < MAX_INSERTS_IN_FLIGHT && this.waiting.length > 0) {
      const jobs = this.nextInsert();
      this.insertsInFlight++;
      void this.runInsert(jobs).finally(() => {
        this.insertsInFlight--;
        this.sendInserts();
      });
    }
  }

  /**
   * The waiting appends that go together: in arrival order, at most 999 events, and none that
   * touches a stream another one appends to (those wait for the next insert, which sees it).
   */
  private nextInsert(): InsertJob[] {
    const jobs: InsertJob[] = [];
    const appended = new Set<string>();
    const read = new Set<string>();
    let events = 0;
    for (let i = 0; i < this.waiting.length && jobs.length < MAX_APPENDS_PER_INSERT;) {
      const job = this.waiting[i]!;
      const conditions = (job.request.unchanged ?? []).map((c) => c.streamId);
      const apart =
        !appended.has(job.request.streamId) &&
        !read.has(job.request.streamId) &&
        !conditions.some((c) => appended.has(c)) &&
        events + job.sealed.length <= MAX_EVENTS_PER_APPEND;
      if (jobs.length > 0 && !apart) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      jobs.push(job);
      appended.add(job.request.streamId);
      for (const c of conditions) read.add(c);
      events += job.sealed.length;
    }
    return jobs;
  }

  private async runInsert(jobs: InsertJob[]): Promise<void> {
    if (jobs.length > 1) {
      try {
        const positions = await this.execute(jobs);
        if (positions.size > 0) {
          for (const job of jobs) job.done(job.sealed.map((e) => positions.get(e.id.toLowerCase())!));
          return;
        }
      } catch {
        // nothing of this insert is in (or, if the answer was lost, each append finds its own)
      }
    }
    await Promise.all(
      jobs.map(async (job) => {
        try {
          const positions = await this.execute([job]);
          job.done(job.sealed.map((e) => positions.get(e.id.toLowerCase())).filter((p) => p !== undefined));
        } catch (error) {
          job.done(error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
  }

  /**
   * One insert statement for these appends. On Postgres it is a prepared statement (planning it
   * cost about as much as running it); PGlite gets the same SQL with escaped literals in the
   * simple protocol, as its connection does not survive a failed extended-protocol query.
   */
  private async execute(jobs: InsertJob[]): Promise<Map<string, bigint>> {
    const rows: unknown[] = [];
    const heads: { streamId: string; revision: string; hash: string | null }[] = [];
    const conditions: StreamCondition[] = [];
    for (const { request, head, sealed } of jobs) {
      const first = head ? head.revision + 1n : 0n;
      sealed.forEach((e, i) =>
        rows.push({
          stream: request.streamId,
          revision: (first + BigInt(i)).toString(),
          id: e.id,
          type: e.type,
          version: Math.trunc(e.version),
          data: e.data,
          metadata: e.metadata,
        }),
      );
      if (head)
        heads.push({
          streamId: request.streamId,
          revision: head.revision.toString(),
          hash: typeof head.hash === 'string' ? head.hash : null,
        });
      conditions.push(...(request.unchanged ?? []));
    }
    const values = [
      JSON.stringify(rows),
      heads.map((h) => h.streamId),
      heads.map((h) => h.revision),
      heads.map((h) => h.hash),
      conditions.map((c) => c.streamId),
      conditions.map((c) => (c.revision === null ? null : c.revision.toString())),
    ] as const;
    const { rows: inserted } =
      this.connection.kind === 'postgres'
        ? await this.connection.pool.query<{ event_id: string; position: string }>({
            ...APPEND,
            values: [...values],
          })
        : await this.connection.pool.query<{ event_id: string; position: string }>(
            withLiterals(APPEND.text, values),
          );
    return new Map(inserted.map((r) => [r.event_id.toLowerCase(), BigInt(r.position)]));
  }

  private async readHead(streamId: string): Promise<StreamHead | null> {
    const { rows } = await this.connection.pool.query<{ revision: string; hash: string }>({
      ...READ_HEAD,
      values: [streamId],
    });
    const row = rows[0];
    if (!row) return null;
    const head = { revision: BigInt(row.revision), hash: row.hash };
    this.remember(streamId, head);
    return head;
  }

  /** Throws WrongExpectedRevisionError for the first condition stream that is not where the append expected it. */
  private async checkConditions(request: AppendRequest): Promise<void> {
    const conditions = request.unchanged ?? [];
    if (conditions.length === 0) return;
    const { rows } = await this.connection.pool.query<{ stream_id: string; revision: string | null }>(
      'SELECT c.stream_id, (SELECT max(revision) FROM events WHERE stream_id = c.stream_id) AS revision FROM unnest($1::text[]) AS c(stream_id)',
      [conditions.map((c) => c.streamId)],
    );
    for (const condition of conditions) {
      const found = rows.find((r) => r.stream_id === condition.streamId)?.revision;
      const actual = found == null ? null : BigInt(found);
      if (actual !== condition.revision)
        throw new WrongExpectedRevisionError(
          condition.streamId,
          condition.revision ?? 'no_stream',
          actual ?? 'no_stream',
        );
    }
  }

  private remember(streamId: string, head: StreamHead): void {
    const known = this.heads.get(streamId);
    if (known && known.revision >= head.revision) return;
    this.heads.delete(streamId);
    if (this.heads.size >= MAX_KNOWN_HEADS) this.heads.delete(this.heads.keys().next().value!);
    this.heads.set(streamId, head);
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
      .query(`SELECT pg_notify('${NOTIFY_CHANNEL}', '${this.instance}')`)
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
    request: AppendRequest,
    current: bigint | null,
    reloadHead = false,
  ): Promise<AppendResult> {
    const { rows } = await this.connection.pool.query<{
      stream_id: string;
      revision: string;
      position: string;
    }>('SELECT stream_id, revision, position FROM events WHERE event_id = ANY($1::uuid[])', [
      request.eventIds,
    ]);
    if (rows.length === request.eventIds.length && rows.every((r) => r.stream_id === request.streamId)) {
      return {
        position: rows.map((r) => BigInt(r.position)).reduce((a, b) => (a > b ? a : b)),
        revision: rows.map((r) => BigInt(r.revision)).reduce((a, b) => (a > b ? a : b)),
      };
    }
    if (reloadHead) {
      const head = await this.connection.pool.query<{ revision: string }>(
        'SELECT max(revision) AS revision FROM events WHERE stream_id = $1',
        [request.streamId],
      );
      current = head.rows[0]?.revision != null ? BigInt(head.rows[0].revision) : null;
    }
    throw new WrongExpectedRevisionError(request.streamId, request.expected, current ?? 'no_stream');
  }

  async readStream(streamId: string, after = -1n): Promise<StoredRecord[]> {
    const { rows } = await this.connection.pool.query<EventRow>({
      ...READ_STREAM,
      values: [streamId, (after < -1n ? -1n : after).toString()],
    });
    const records = rows.map(toRecord);
    const last = records[records.length - 1];
    if (last) this.remember(streamId, { revision: last.revision, hash: last.metadata.hash });
    return records;
  }

  async readAll(after: bigint, limit: number, types?: readonly string[]): Promise<StoredRecord[]> {
    const { name, text } = types ? READ_ALL_OF_TYPES : READ_ALL;
    const values = types ? [after.toString(), limit, types] : [after.toString(), limit];
    // Followers read after every wake-up: on Postgres the statement is planned once per connection.
    const { rows } = await this.connection.pool.query<EventRow>(
      this.connection.kind === 'postgres' ? { name, text, values } : { text, values },
    );
    return rows.map(toRecord);
  }

  async readAllByStream(after: StreamPlace | null, upTo: bigint, limit: number): Promise<StoredRecord[]> {
    // A row comparison walks the (stream_id, revision) index; no sort, however large the log.
    const { rows } = await this.connection.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE (stream_id, revision) > ($1, $2) AND position <= $3
       ORDER BY stream_id, revision LIMIT $4`,
      [after?.streamId ?? '', (after?.revision ?? -1n).toString(), upTo.toString(), limit],
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
    this.stopListening ??= this.connection.listen(NOTIFY_CHANNEL, (from) => {
      if (from === this.instance) return;
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
