import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStoreDBClient,
  type Filter,
  type JSONEventData,
  type Position,
  type ReadPosition,
  type ReadRevision,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  EventStoreDBAdapter,
  isStreamNotFound,
  isSystemEvent,
  isWrongExpectedVersion,
  originalResult,
  readableAfter,
  readAllStart,
  streamHead,
  toEventData,
  toStoredRecord,
  type EsdbResolvedEvent,
} from '../src/store/esdb/adapter';
import { START, WrongExpectedRevisionError, type StoredEvent, type StoredRecord } from '../src/index';
import { describeEventStoreContract } from './event-store.contract';

const metadata = {
  actor: { kind: 'user' as const, id: 'u1' },
  correlationId: 'c1',
  causationId: null,
  command: 'PostMessage',
  recordedAt: '2025-01-01T00:00:00.000Z',
  hash: 'a'.repeat(64),
};
const stored: StoredEvent = {
  id: '0b7e2a52-3a3e-4d7c-9a55-8f1f3b1f6e01',
  type: 'MessagePosted',
  version: 3,
  data: { messageId: 'm1', body: { enc: 'x' } },
  metadata,
};

function record(position: bigint, overrides: Partial<StoredRecord> = {}): StoredRecord {
  return { ...stored, id: randomUUID(), streamId: 's-1', revision: 0n, position, ...overrides };
}

describe('EventStoreDB mapping', () => {
  it('stores JSON data under the event id and type, with the schema version in the metadata', () => {
    const data = toEventData(stored);
    expect(data).toMatchObject({
      id: stored.id,
      type: stored.type,
      contentType: 'application/json',
      data: stored.data,
    });
    expect(data.metadata).toEqual({ ...metadata, schemaVersion: 3 });
  });

  it('reads a record back: schemaVersion split out of the metadata into version, commit position as bigint', () => {
    const written = toEventData(stored);
    const resolved: EsdbResolvedEvent = {
      event: {
        streamId: 'channel-1',
        id: written.id,
        revision: 4n,
        type: written.type,
        isJson: true,
        data: JSON.parse(JSON.stringify(written.data)),
        metadata: JSON.parse(JSON.stringify(written.metadata)),
        position: { commit: 1234n, prepare: 1234n },
      },
      commitPosition: 1234n,
    };
    expect(toStoredRecord(resolved)).toEqual({
      ...stored,
      streamId: 'channel-1',
      revision: 4n,
      position: 1234n,
    });
  });

  it('takes the read commit position when the record carries none, and refuses an event without any', () => {
    const event = {
      streamId: 's',
      id: 'i',
      revision: 0n,
      type: 't',
      isJson: true,
      data: {},
      metadata: { hash: 'h' },
    };
    expect(toStoredRecord({ event, commitPosition: 77n })?.position).toBe(77n);
    expect(
      toStoredRecord({
        event: { ...event, position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } },
        commitPosition: 78n,
      })?.position,
    ).toBe(78n);
    expect(() => toStoredRecord({ event })).toThrow(/without a position/);
    expect(toStoredRecord({ event, commitPosition: 1n })?.version).toBe(1);
  });

  it('answers null for a resolved link without its event, and refuses binary data', () => {
    expect(toStoredRecord({ commitPosition: 5n })).toBeNull();
    const binary = {
      streamId: 's',
      id: 'i',
      revision: 0n,
      type: 't',
      isJson: false,
      data: new Uint8Array([1]),
      metadata: undefined,
    };
    expect(() => toStoredRecord({ event: binary, commitPosition: 1n })).toThrow(/not a JSON object/);
  });

  it('recognises system events by type or stream', () => {
    expect(isSystemEvent({ streamId: '$$channel-1', type: '$metadata' })).toBe(true);
    expect(isSystemEvent({ streamId: '$stats-127.0.0.1:2113', type: 'statsCollected' })).toBe(true);
    expect(isSystemEvent({ streamId: '$et-MessagePosted', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamId: 'channel-1', type: 'MessagePosted' })).toBe(false);
    expect(isSystemEvent({ streamId: 'channel-$1', type: 'Message$Posted' })).toBe(false);
  });

  it('starts $all reads at the start for START, else at the exact (inclusive) position', () => {
    expect(readAllStart(START)).toBe('start');
    expect(readAllStart(0n)).toEqual({ commit: 0n, prepare: 0n });
    expect(readAllStart(4711n)).toEqual({ commit: 4711n, prepare: 4711n });
  });

  it('keeps only events strictly after the checkpoint, without system events', () => {
    const page = [
      record(100n),
      record(150n, { streamId: '$$s-1', type: '$metadata' }),
      record(200n),
      record(300n, { type: '$>' }),
      record(400n),
    ];
    expect(readableAfter(page, 100n).map((r) => r.position)).toEqual([200n, 400n]);
    expect(readableAfter(page, START).map((r) => r.position)).toEqual([100n, 200n, 400n]);
  });

  it('chains onto the last event: its revision and stored hash', () => {
    expect(streamHead(null)).toBeNull();
    expect(streamHead(record(9n, { revision: 3n }))).toEqual({ revision: 3n, hash: metadata.hash });
  });

  it('answers the original result only when every event id of the append is in the stream', () => {
    const a = record(100n, { revision: 0n });
    const b = record(180n, { revision: 1n });
    const c = record(260n, { revision: 2n });
    expect(originalResult([a, b, c], [a.id, b.id])).toEqual({ position: 180n, revision: 1n });
    expect(originalResult([a, b, c], [b.id.toUpperCase()])).toEqual({ position: 180n, revision: 1n });
    expect(originalResult([a, b], [b.id, randomUUID()])).toBeNull();
    expect(originalResult([], [a.id])).toBeNull();
    expect(originalResult([a], [])).toBeNull();
  });

  it('recognises the client errors for a missing stream and a wrong expected version', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 's'))).toBe(true);
    expect(isStreamNotFound({ type: 'stream-not-found' })).toBe(true);
    expect(isStreamNotFound(new Error('x'))).toBe(false);
    const wev = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 1n });
    expect(isWrongExpectedVersion(wev)).toBe(true);
    expect(isWrongExpectedVersion({ type: 'wrong-expected-version' })).toBe(true);
    expect(isWrongExpectedVersion(new StreamNotFoundError(undefined, 's'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// An in-process stand-in for the client, with the server semantics the adapter relies on:
// positions are log positions (commit = prepare, with gaps), forward reads of $all include the
// start position, backward reads exclude it, reading a missing stream throws StreamNotFoundError,
// a failed expectation throws WrongExpectedVersionError, and system events ($-types in $-streams,
// some binary) appear in $all between ours. It checks the adapter's logic, not the real wire API.
// ---------------------------------------------------------------------------------------------

interface FakeRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: string | Uint8Array;
  metadata: string | undefined;
  position: bigint;
}

interface FakeSubscription extends EventEmitter {
  filter?: Filter;
  unsubscribe(): Promise<void>;
}

type Expected = bigint | 'any' | 'no_stream' | 'stream_exists';

class FakeEsdbClient {
  readonly log: FakeRecord[] = [];
  private readonly streams = new Map<string, FakeRecord[]>();
  private readonly subscriptions = new Set<FakeSubscription>();
  private nextPosition = 0n;
  /** Runs between the adapter's head read and the server's check: lets a test race an append. */
  beforeAppend: ((streamName: string) => Promise<unknown>) | null = null;
  noise = 0.3;
  disposed = false;

  constructor() {
    this.writeSystemEvent();
    this.writeSystemEvent();
  }

  private tick() {
    return new Promise((resolve) => setImmediate(resolve));
  }

  private write(
    streamId: string,
    events: Omit<FakeRecord, 'streamId' | 'revision' | 'position'>[],
  ): FakeRecord[] {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const written = events.map((e) => {
      this.nextPosition += BigInt(40 + Math.floor(Math.random() * 200));
      const r: FakeRecord = { ...e, streamId, revision: BigInt(stream.length), position: this.nextPosition };
      stream.push(r);
      this.log.push(r);
      return r;
    });
    for (const subscription of this.subscriptions) {
      for (const r of written) {
        const filter = subscription.filter;
        if (filter && 'regex' in filter && !new RegExp(filter.regex).test(r.type)) continue;
        setImmediate(() => subscription.emit('data', toResolved(r)));
      }
    }
    return written;
  }

  writeSystemEvent() {
    if (Math.random() < 0.5) {
      this.write(`$$stream-${randomUUID()}`, [
        {
          id: randomUUID(),
          type: '$metadata',
          isJson: false,
          data: new Uint8Array([1, 2, 3]),
          metadata: undefined,
        },
      ]);
    } else {
      this.write('$stats-127.0.0.1:2113', [
        { id: randomUUID(), type: '$statsCollected', isJson: true, data: '{"proc":1}', metadata: undefined },
      ]);
    }
  }

  private maybeNoise() {
    if (Math.random() < this.noise) this.writeSystemEvent();
  }

  async appendToStream(
    streamName: string,
    event: JSONEventData | JSONEventData[],
    options?: { expectedRevision?: Expected },
  ) {
    const events = Array.isArray(event) ? event : [event];
    await this.tick();
    if (this.beforeAppend) await this.beforeAppend(streamName);
    const stream = this.streams.get(streamName);
    const current = stream ? stream[stream.length - 1]!.revision : 'no_stream';
    const expected = options?.expectedRevision ?? 'any';
    // the server's own idempotency: the same ids already written right after the expected revision
    const first = expected === 'no_stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : null;
    if (first !== null && stream) {
      const existing = stream.slice(Number(first), Number(first) + events.length);
      if (existing.length === events.length && existing.every((r, i) => r.id === events[i]!.id)) {
        const last = existing[existing.length - 1]!;
        return {
          success: true,
          nextExpectedRevision: last.revision,
          position: { commit: last.position, prepare: last.position },
        };
      }
    }
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && !stream) ||
      (expected === 'stream_exists' && !!stream) ||
      (typeof expected === 'bigint' && current === expected);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    this.maybeNoise();
    const written = this.write(
      streamName,
      events.map((e) => ({
        id: e.id,
        type: e.type,
        isJson: e.contentType === 'application/json',
        data: JSON.stringify(e.data),
        metadata: e.metadata === undefined ? undefined : JSON.stringify(e.metadata),
      })),
    );
    this.maybeNoise();
    const last = written[written.length - 1]!;
    return {
      success: true,
      nextExpectedRevision: last.revision,
      position: { commit: last.position, prepare: last.position },
    };
  }

  readStream(
    streamName: string,
    options: {
      direction?: 'forwards' | 'backwards';
      fromRevision?: ReadRevision;
      maxCount?: number | bigint;
    } = {},
  ) {
    const read = async function* (this: FakeEsdbClient) {
      await this.tick();
      const stream = this.streams.get(streamName);
      if (!stream) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      let records = backwards ? [...stream].reverse() : [...stream];
      if (typeof from === 'bigint')
        records = records.filter((r) => (backwards ? r.revision <= from : r.revision >= from));
      for (const r of records.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)))
        yield toResolved(r);
    };
    return read.call(this);
  }

  readAll(
    options: {
      direction?: 'forwards' | 'backwards';
      fromPosition?: ReadPosition;
      maxCount?: number | bigint;
    } = {},
  ) {
    const read = async function* (this: FakeEsdbClient) {
      await this.tick();
      const backwards = options.direction === 'backwards';
      const from = options.fromPosition ?? (backwards ? 'end' : 'start');
      if (typeof from === 'object') checkPosition(this.log, from);
      let records = backwards ? [...this.log].reverse() : [...this.log];
      if (typeof from === 'object') {
        records = records.filter((r) => (backwards ? r.position < from.commit : r.position >= from.commit));
      } else if ((from === 'end') !== backwards) {
        records = [];
      }
      for (const r of records.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)))
        yield toResolved(r);
    };
    return read.call(this);
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}) {
    if (options.fromPosition !== 'end') throw new Error('the adapter subscribes from the end only');
    const subscription = new EventEmitter() as FakeSubscription;
    subscription.filter = options.filter;
    subscription.unsubscribe = async () => void this.subscriptions.delete(subscription);
    this.subscriptions.add(subscription);
    return subscription;
  }

  get subscriberCount() {
    return this.subscriptions.size;
  }

  async dispose() {
    this.disposed = true;
  }
}

/** The server reads $all only from a record boundary (or 0). */
function checkPosition(log: FakeRecord[], position: Position) {
  if (position.commit !== position.prepare)
    throw new Error(`unexpected position ${position.commit}/${position.prepare}`);
  if (position.commit !== 0n && !log.some((r) => r.position === position.commit)) {
    throw new Error(`position ${position.commit} is not a record boundary`);
  }
}

function toResolved(r: FakeRecord) {
  return {
    event: {
      streamId: r.streamId,
      id: r.id,
      revision: r.revision,
      type: r.type,
      isJson: r.isJson,
      data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data,
      metadata: r.metadata === undefined ? undefined : JSON.parse(r.metadata),
      created: new Date(),
      position: { commit: r.position, prepare: r.position },
    },
    commitPosition: r.position,
  };
}

const asClient = (fake: FakeEsdbClient) => fake as unknown as EventStoreDBClient;

const sealAs =
  (id: string, body = 'x') =>
  (head: { revision: bigint; hash: string } | null): StoredEvent[] => [
    {
      id,
      type: 'NotePosted',
      version: 2,
      data: { body },
      metadata: { ...metadata, hash: `${head?.hash ?? 'genesis'}+` },
    },
  ];

describe('EventStoreDBAdapter over a simulated server', () => {
  describeEventStoreContract('eventstoredb adapter logic (simulated server)', async () => {
    const fake = new FakeEsdbClient();
    const adapter = new EventStoreDBAdapter(asClient(fake));
    return { adapter, concurrent: true, close: () => adapter.close() };
  });

  it('appends at the exact head revision even for "any", chaining onto the stored hash', async () => {
    const fake = new FakeEsdbClient();
    const adapter = new EventStoreDBAdapter(asClient(fake));
    const heads: ({ revision: bigint; hash: string } | null)[] = [];
    const seal = (id: string) => (head: { revision: bigint; hash: string } | null) => (
      heads.push(head),
      sealAs(id)(head)
    );
    const a = randomUUID();
    const b = randomUUID();
    await adapter.append({ streamId: 's', expected: 'any', eventIds: [a], seal: seal(a) });
    const second = await adapter.append({ streamId: 's', expected: 'any', eventIds: [b], seal: seal(b) });
    expect(heads).toEqual([null, { revision: 0n, hash: 'genesis+' }]);
    expect(second.revision).toBe(1n);
    expect(second.position).toBe(fake.log.find((r) => r.id === b)!.position);
  });

  it('turns a lost race at the server into WrongExpectedRevisionError, or into the original result for a retry', async () => {
    const fake = new FakeEsdbClient();
    const adapter = new EventStoreDBAdapter(asClient(fake));
    const first = randomUUID();
    await adapter.append({ streamId: 's', expected: 'no_stream', eventIds: [first], seal: sealAs(first) });

    // another writer takes revision 1 between the head read and the append
    const rival = randomUUID();
    fake.beforeAppend = async () => {
      fake.beforeAppend = null;
      const event = {
        id: rival,
        type: 'NotePosted',
        contentType: 'application/json' as const,
        data: {},
        metadata: {},
      };
      await fake.appendToStream('s', event, { expectedRevision: 0n });
    };
    const mine = randomUUID();
    const refused = adapter.append({ streamId: 's', expected: 0n, eventIds: [mine], seal: sealAs(mine) });
    await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(refused).rejects.toMatchObject({ actual: 1n });

    // the same append again after it went through: answered with where it went
    const retried = await adapter.append({
      streamId: 's',
      expected: 0n,
      eventIds: [rival],
      seal: sealAs(rival),
    });
    expect(retried).toEqual({ revision: 1n, position: fake.log.find((r) => r.id === rival)!.position });
  });

  it('reads $all exclusively of the checkpoint, skipping system events, and pages past long runs of them', async () => {
    const fake = new FakeEsdbClient();
    fake.noise = 0;
    const adapter = new EventStoreDBAdapter(asClient(fake));
    for (let i = 0; i < 150; i++) fake.writeSystemEvent();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const first = await adapter.append({
      streamId: 's',
      expected: 'no_stream',
      eventIds: [ids[0]!],
      seal: sealAs(ids[0]!),
    });
    for (let i = 0; i < 100; i++) fake.writeSystemEvent();
    await adapter.append({ streamId: 's', expected: 0n, eventIds: [ids[1]!], seal: sealAs(ids[1]!) });
    await adapter.append({ streamId: 's', expected: 1n, eventIds: [ids[2]!], seal: sealAs(ids[2]!) });
    for (let i = 0; i < 100; i++) fake.writeSystemEvent();

    expect((await adapter.readAll(START, 1)).map((r) => r.id)).toEqual([ids[0]]);
    expect((await adapter.readAll(START, 10)).map((r) => r.id)).toEqual(ids);
    expect((await adapter.readAll(first.position, 10)).map((r) => r.id)).toEqual(ids.slice(1));
    const last = fake.log.find((r) => r.id === ids[2])!.position;
    expect(await adapter.readAll(last, 10)).toEqual([]);
    expect(await adapter.headPosition()).toBe(last);
  });

  it('has head position 0 when the log holds only system events', async () => {
    const fake = new FakeEsdbClient();
    for (let i = 0; i < 200; i++) fake.writeSystemEvent();
    expect(await new EventStoreDBAdapter(asClient(fake)).headPosition()).toBe(0n);
  });

  it('wakes listeners through one $all subscription without system events, and stops it on close', async () => {
    const fake = new FakeEsdbClient();
    const writer = new EventStoreDBAdapter(asClient(fake));
    const reader = new EventStoreDBAdapter(asClient(fake));
    let woken = 0;
    const stop = reader.onAppended(() => woken++);
    reader.onAppended(() => undefined);
    expect(fake.subscriberCount).toBe(1);
    fake.writeSystemEvent();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(woken).toBe(0);
    const id = randomUUID();
    await writer.append({ streamId: 's', expected: 'no_stream', eventIds: [id], seal: sealAs(id) });
    await expect.poll(() => woken).toBeGreaterThan(0);
    stop();
    await reader.close();
    expect(fake.subscriberCount).toBe(0);
    expect(fake.disposed).toBe(true);
  });
});
