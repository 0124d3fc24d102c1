import type { EventCatalogue } from '../catalogue/catalogue';
import { decryptPersonalData, encryptPersonalData, subjectsOf } from '../personal-data/fields';
import type { KeyVault } from '../personal-data/vault';
import { chainHash, GENESIS_HASH } from './hash-chain';
import {
  MAX_EVENTS_PER_APPEND,
  type AppendContext,
  type AppendOptions,
  type AppendResult,
  type EventStoreAdapter,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type StoredEvent,
  type StoredRecord,
  type StreamPlace,
} from './types';

export interface ReadStreamOptions {
  /** Only the events after this revision: what a reader that folded up to it has not seen. */
  after?: bigint;
}

/**
 * The event store every part of the system uses. Whatever the backend, an append validates
 * each event against the catalogue, encrypts its personal fields and seals it into its
 * stream's hash chain; a read decrypts and upcasts.
 */
export class EventStore {
  constructor(
    readonly adapter: EventStoreAdapter,
    readonly catalogue: EventCatalogue,
    readonly vault: KeyVault,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(
    streamId: string,
    expected: ExpectedRevision,
    events: NewEvent[],
    context: AppendContext,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    if (events.length > MAX_EVENTS_PER_APPEND) throw new Error(`at most ${MAX_EVENTS_PER_APPEND} events per append`);
    const prepared: Omit<StoredEvent, 'metadata'>[] = [];
    for (const event of events) {
      const { version, data } = this.catalogue.validate(event.type, event.data);
      prepared.push({
        id: event.id,
        type: event.type,
        version,
        data: await encryptPersonalData(this.catalogue, this.vault, event.type, data),
      });
    }
    return this.adapter.append({
      ...(options.unchanged?.length ? { unchanged: options.unchanged } : {}),
      streamId,
      expected,
      eventIds: events.map((e) => e.id),
      seal: (head) => {
        const recordedAt = this.now().toISOString();
        let previous = head?.hash ?? GENESIS_HASH;
        return prepared.map((event) => {
          const metadata = { ...context, recordedAt };
          const hash = chainHash(previous, { ...event, metadata });
          previous = hash;
          return { ...event, metadata: { ...metadata, hash } };
        });
      },
    });
  }

  /** The stream in revision order; with `after`, only its events after that revision. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.open(await this.readStoredStream(streamId, options));
  }

  /** The global log after a position, decrypted; only events of `types` when given. */
  async readAll(after: bigint, limit: number, types?: readonly string[]): Promise<RecordedEvent[]> {
    return this.open(await this.adapter.readAll(after, limit, types));
  }

  /** Events exactly as stored (encrypted, not upcast): what the hash chains are computed over. */
  async readStoredStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredRecord[]> {
    const { after } = options;
    if (after === undefined || after < 0n) return this.adapter.readStream(streamId);
    const records = await this.adapter.readStream(streamId, after);
    return records.length > 0 && records[0]!.revision <= after ? records.filter((r) => r.revision > after) : records;
  }

  readStoredAll(after: bigint, limit: number): Promise<StoredRecord[]> {
    return this.adapter.readAll(after, limit);
  }

  /**
   * Stored records in stream order, after `after` and none beyond position `upTo`; null when the
   * adapter cannot read that way (read in position order then).
   */
  readStoredAllByStream(after: StreamPlace | null, upTo: bigint, limit: number): Promise<StoredRecord[]> | null {
    return this.adapter.readAllByStream?.(after, upTo, limit) ?? null;
  }

  headPosition(): Promise<bigint> {
    return this.adapter.headPosition();
  }

  onAppended(listener: () => void): () => void {
    return this.adapter.onAppended(listener);
  }

  close(): Promise<void> {
    return this.adapter.close();
  }

  /** Decrypts and upcasts stored records for readers. */
  async open(records: StoredRecord[]): Promise<RecordedEvent[]> {
    const subjects = subjectsOf(records.map((r) => r.data));
    const keys = subjects.length > 0 ? await this.vault.keysForReading(subjects) : new Map<string, Buffer>();
    return records.map((record) => {
      const { version, data } = this.catalogue.upcast(record.type, record.version, decryptPersonalData(record.data, keys));
      return { ...record, version, data };
    });
  }
}
