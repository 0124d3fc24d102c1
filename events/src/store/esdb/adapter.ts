import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as EsdbAppendResult,
  type JSONEventData,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import { satisfies } from '../expected-revision';
import {
  START,
  WrongExpectedRevisionError,
  type AppendRequest,
  type AppendResult,
  type EventMetadata,
  type EventStoreAdapter,
  type StoredEvent,
  type StoredRecord,
  type StreamHead,
} from '../types';

/** How many times an append with expected revision 'any' tries again after losing a race. */
const ANY_RETRIES = 20;
/** Events read per page when the adapter scans $all or a stream backwards. */
const SCAN_PAGE = 64;
/** The position EventStoreDB sends for "no position" (ulong max). */
const NO_POSITION = 2n ** 64n - 1n;
const RESUBSCRIBE_DELAY_MS = 1_000;

/** The parts of a recorded EventStoreDB event the adapter reads (structurally what the client returns). */
export interface EsdbRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

export interface EsdbResolvedEvent {
  event?: EsdbRecordedEvent;
  commitPosition?: bigint;
}

/** System events ($-prefixed types such as $metadata or the link type $>, and $-prefixed streams) are not ours. */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** An event as EventStoreDB stores it: JSON data, and the schema version carried in the metadata. */
export function toEventData(event: StoredEvent): JSONEventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, schemaVersion: event.version },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** The commit position of a read event: the record's own position (server 22.6+), else the read's commit position. */
export function commitPositionOf(resolved: EsdbResolvedEvent): bigint | null {
  const candidates = [resolved.event?.position?.commit, resolved.commitPosition];
  for (const candidate of candidates)
    if (candidate !== undefined && candidate !== NO_POSITION) return candidate;
  return null;
}

/** Maps a read event back to a stored record (schemaVersion split out of the metadata); null for a link without its event. */
export function toStoredRecord(resolved: EsdbResolvedEvent): StoredRecord | null {
  const event = resolved.event;
  if (!event) return null;
  const position = commitPositionOf(resolved);
  if (position === null) {
    throw new Error(
      `EventStoreDB returned event ${event.id} of ${event.streamId} without a position (server older than 22.6?)`,
    );
  }
  if (!event.isJson || !isRecord(event.data)) {
    throw new Error(`event ${event.id} of ${event.streamId} is not a JSON object`);
  }
  const { schemaVersion, ...metadata } = isRecord(event.metadata) ? event.metadata : {};
  return {
    position,
    streamId: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    version: typeof schemaVersion === 'number' ? schemaVersion : 1,
    data: event.data,
    metadata: metadata as unknown as EventMetadata,
  };
}

/** Where a forward read of $all starts for readAll(after): EventStoreDB includes the event at that position. */
export function readAllStart(after: bigint): ReadPosition {
  if (after <= START) return 'start';
  return { commit: after, prepare: after };
}

/**
 * What readAll keeps of one page read forwards from `after`: events strictly after it (the read
 * started inclusively), without system events.
 */
export function readableAfter(records: StoredRecord[], after: bigint): StoredRecord[] {
  return records.filter((r) => r.position > after && !isSystemEvent(r));
}

/** The head a new event chains onto: revision and hash of the stream's last event. */
export function streamHead(last: StoredRecord | null): StreamHead | null {
  return last ? { revision: last.revision, hash: last.metadata.hash } : null;
}

/** When every event id of an append is in the stream already, the result that append had; else null. */
export function originalResult(stream: StoredRecord[], eventIds: string[]): AppendResult | null {
  const wanted = new Set(eventIds.map((id) => id.toLowerCase()));
  const found = stream.filter((r) => wanted.has(r.id.toLowerCase()));
  if (wanted.size === 0 || new Set(found.map((r) => r.id.toLowerCase())).size !== wanted.size) return null;
  return {
    position: found.map((r) => r.position).reduce((a, b) => (a > b ? a : b)),
    revision: found.map((r) => r.revision).reduce((a, b) => (a > b ? a : b)),
  };
}

export function isStreamNotFound(error: unknown): boolean {
  return (
    error instanceof StreamNotFoundError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND)
  );
}

export function isWrongExpectedVersion(error: unknown): boolean {
  return (
    error instanceof WrongExpectedVersionError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { type?: unknown }).type === ErrorType.WRONG_EXPECTED_VERSION)
  );
}

/** The stream's current revision as a WrongExpectedVersionError reports it, when it does. */
function actualRevisionOf(error: unknown): bigint | null | undefined {
  const actual = (error as { actualVersion?: unknown }).actualVersion;
  if (typeof actual === 'bigint') return actual;
  if (actual === 'no_stream') return null;
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The event store on EventStoreDB through @eventstore/db-client. Appends go at the exact revision
 * of the stream head the events were sealed onto (even for 'any'), so each hash chain stays linear;
 * positions are $all commit positions.
 */
export class EventStoreDBAdapter implements EventStoreAdapter {
  readonly name = 'esdb';
  private readonly client: EventStoreDBClient;
  private readonly listeners = new Set<() => void>();
  private subscription: AllStreamSubscription | null = null;
  private resubscribe: NodeJS.Timeout | null = null;
  private closed = false;

  /** `target` is an esdb:// connection string or a client this adapter then owns (and disposes on close). */
  constructor(target: string | EventStoreDBClient) {
    this.client = typeof target === 'string' ? EventStoreDBClient.connectionString(target) : target;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    let result: AppendResult;
    // 'any' may lose the race for the next revision; it then seals again onto the new head
    for (let attempt = 0; ; attempt++) {
      try {
        result = await this.tryAppend(request);
        break;
      } catch (error) {
        if (
          request.expected === 'any' &&
          error instanceof WrongExpectedRevisionError &&
          attempt < ANY_RETRIES
        ) {
          await sleep(Math.random() * 2 * (attempt + 1));
          continue;
        }
        throw error;
      }
    }
    for (const listener of this.listeners) listener();
    return result;
  }

  private async tryAppend(request: AppendRequest): Promise<AppendResult> {
    // EventStoreDB appends to one stream at a time: conditions on others are checked just before.
    for (const condition of request.unchanged ?? []) {
      const actual = (await this.lastEvent(condition.streamId))?.revision ?? null;
      if (actual !== condition.revision)
        throw new WrongExpectedRevisionError(
          condition.streamId,
          condition.revision ?? 'no_stream',
          actual ?? 'no_stream',
        );
    }
    const last = await this.lastEvent(request.streamId);
    const current = last?.revision ?? null;
    if (!satisfies(request.expected, current)) return this.originalOrConflict(request, current);
    const sealed = request.seal(streamHead(last));
    let written: EsdbAppendResult;
    try {
      written = await this.client.appendToStream(request.streamId, sealed.map(toEventData), {
        expectedRevision: current ?? NO_STREAM,
      });
    } catch (error) {
      if (isWrongExpectedVersion(error)) return this.originalOrConflict(request, actualRevisionOf(error));
      throw error;
    }
    if (!written.success) {
      // only when the connection string sets throwOnAppendFailure=false
      return this.originalOrConflict(
        request,
        written.nextExpectedRevision < 0n ? null : written.nextExpectedRevision,
      );
    }
    const revision = written.nextExpectedRevision;
    const position = written.position?.commit ?? (await this.lastEvent(request.streamId))?.position;
    if (position === undefined) throw new Error(`append to ${request.streamId} answered no position`);
    return { position, revision };
  }

  /**
   * An append whose expectation failed is either a retry of one that already happened (all its
   * event ids are in the stream: answered with the original result) or a real conflict.
   */
  private async originalOrConflict(
    request: AppendRequest,
    current: bigint | null | undefined,
  ): Promise<AppendResult> {
    const stream = await this.readStream(request.streamId);
    const original = originalResult(stream, request.eventIds);
    if (original) return original;
    const actual = current === undefined ? (stream[stream.length - 1]?.revision ?? null) : current;
    throw new WrongExpectedRevisionError(request.streamId, request.expected, actual ?? 'no_stream');
  }

  private async lastEvent(streamId: string): Promise<StoredRecord | null> {
    try {
      let last: StoredRecord | null = null;
      for await (const resolved of this.client.readStream(streamId, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        last ??= toStoredRecord(resolved);
      }
      return last;
    } catch (error) {
      if (isStreamNotFound(error)) return null;
      throw error;
    }
  }

  async readStream(streamId: string, after = -1n): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    try {
      const from = after < 0n ? {} : { fromRevision: after + 1n };
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, ...from })) {
        const record = toStoredRecord(resolved);
        if (record) records.push(record);
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    return records;
  }

  async readAll(after: bigint, limit: number, types?: readonly string[]): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    if (limit <= 0) return out;
    // pages are read from the last position seen; the server includes that event again, so it is skipped
    const pageSize = Math.max(limit + 1, SCAN_PAGE);
    let cursor = after;
    let from = readAllStart(after);
    for (;;) {
      let count = 0;
      let lastPosition: Position | null = null;
      const page: StoredRecord[] = [];
      const read: AsyncIterable<AllStreamResolvedEvent> = this.client.readAll({
        direction: FORWARDS,
        fromPosition: from,
        maxCount: pageSize,
      });
      for await (const resolved of read) {
        count++;
        const position = resolved.event?.position;
        if (position) lastPosition = position;
        const record = toStoredRecordOrSkip(resolved);
        if (record && (!types || types.includes(record.type))) page.push(record);
      }
      for (const record of readableAfter(page, cursor)) {
        out.push(record);
        if (out.length === limit) return out;
      }
      if (count < pageSize || !lastPosition || lastPosition.commit <= cursor) return out;
      cursor = lastPosition.commit;
      from = lastPosition;
    }
  }

  async headPosition(): Promise<bigint> {
    let from: ReadPosition = END;
    let cursor: bigint | null = null;
    for (;;) {
      let count = 0;
      let lastPosition: Position | null = null;
      const page: AsyncIterable<AllStreamResolvedEvent> = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: from,
        maxCount: SCAN_PAGE,
      });
      let newest: bigint | null = null;
      // each page is read to its end (it is bounded) rather than abandoned half-way
      for await (const resolved of page) {
        count++;
        const event = resolved.event;
        if (!event) continue;
        lastPosition = event.position;
        if (cursor !== null && event.position.commit >= cursor) continue;
        if (newest === null && !isSystemEvent(event)) newest = event.position.commit;
      }
      if (newest !== null) return newest;
      if (count < SCAN_PAGE || !lastPosition || (cursor !== null && lastPosition.commit >= cursor)) return 0n;
      cursor = lastPosition.commit;
      from = lastPosition;
    }
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    this.subscribe();
    return () => this.listeners.delete(listener);
  }

  /** One catch-up subscription to $all from its end, without system events, waking every listener. */
  private subscribe(): void {
    if (this.subscription || this.resubscribe || this.closed) return;
    const subscription = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    this.subscription = subscription;
    subscription.on('data', () => {
      for (const listener of this.listeners) listener();
    });
    subscription.on('error', () => {
      // dropped (server restart, network): subscribe again shortly; listeners are woken in case events were missed
      if (this.subscription !== subscription) return;
      this.subscription = null;
      if (this.closed) return;
      this.resubscribe = setTimeout(() => {
        this.resubscribe = null;
        if (this.listeners.size === 0) return;
        this.subscribe();
        for (const listener of this.listeners) listener();
      }, RESUBSCRIBE_DELAY_MS);
      this.resubscribe.unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    if (this.resubscribe) clearTimeout(this.resubscribe);
    this.resubscribe = null;
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.unsubscribe().catch(() => undefined);
    await this.client.dispose();
  }
}

/** In $all, system events may be binary or lack our metadata: they are skipped before mapping. */
function toStoredRecordOrSkip(resolved: EsdbResolvedEvent): StoredRecord | null {
  const event = resolved.event;
  if (!event || isSystemEvent(event)) return null;
  return toStoredRecord(resolved);
}
