import {
  MemoryEventStoreAdapter,
  START,
  type AppendRequest,
  type EventStoreAdapter,
  type StoredRecord,
  type StreamPlace,
} from '../../src/index';

/**
 * An in-memory store whose history can be altered behind the store's back, as someone with
 * write access to the database could: edit an event, delete events, rewrite a stream's tail.
 */
export class TamperableAdapter implements EventStoreAdapter {
  readonly name = 'tamperable';
  private readonly inner = new MemoryEventStoreAdapter();
  private readonly deleted = new Set<string>();
  private readonly replaced = new Map<string, StoredRecord>();

  append(request: AppendRequest) {
    return this.inner.append(request);
  }
  async readStream(streamId: string): Promise<StoredRecord[]> {
    return this.visible(await this.inner.readStream(streamId));
  }
  async readAll(after: bigint, limit: number, types?: readonly string[]): Promise<StoredRecord[]> {
    const all = this.visible(await this.inner.readAll(START, Number.MAX_SAFE_INTEGER, types));
    return all.filter((e) => e.position > after).slice(0, limit);
  }
  async readAllByStream(after: StreamPlace | null, upTo: bigint, limit: number): Promise<StoredRecord[]> {
    const all = this.visible(await this.inner.readAllByStream(null, upTo, Number.MAX_SAFE_INTEGER));
    const from = after
      ? all.findIndex(
          (e) =>
            e.streamId > after.streamId || (e.streamId === after.streamId && e.revision > after.revision),
        )
      : 0;
    return from < 0 ? [] : all.slice(from, from + limit);
  }
  headPosition() {
    return this.inner.headPosition();
  }
  onAppended(listener: () => void) {
    return this.inner.onAppended(listener);
  }
  close() {
    return this.inner.close();
  }

  /** Changes a stored event in place (its hash stays as it was). */
  async edit(eventId: string, change: (record: StoredRecord) => StoredRecord): Promise<void> {
    const all = await this.readAll(START, Number.MAX_SAFE_INTEGER);
    const record = all.find((e) => e.id === eventId);
    if (!record) throw new Error(`no event ${eventId}`);
    this.replaced.set(eventId, change(structuredClone(record)));
  }

  delete(eventId: string): void {
    this.deleted.add(eventId);
  }

  private visible(records: StoredRecord[]): StoredRecord[] {
    return records.filter((e) => !this.deleted.has(e.id)).map((e) => this.replaced.get(e.id) ?? e);
  }
}
