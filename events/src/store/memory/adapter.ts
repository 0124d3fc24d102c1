import { satisfies } from '../expected-revision';
import {
  WrongExpectedRevisionError,
  type AppendRequest,
  type AppendResult,
  type EventStoreAdapter,
  type StoredRecord,
  type StreamPlace,
} from '../types';

/** The event store in memory: for fast unit tests of deciders, handlers and projectors. */
export class MemoryEventStoreAdapter implements EventStoreAdapter {
  readonly name = 'memory';
  private readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private readonly ids = new Map<string, StoredRecord>();
  private readonly listeners = new Set<() => void>();

  async append(request: AppendRequest): Promise<AppendResult> {
    for (const condition of request.unchanged ?? []) {
      const length = this.streams.get(condition.streamId)?.length ?? 0;
      const actual = length > 0 ? BigInt(length - 1) : null;
      if (actual !== condition.revision)
        throw new WrongExpectedRevisionError(
          condition.streamId,
          condition.revision ?? 'no_stream',
          actual ?? 'no_stream',
        );
    }
    const stream = this.streams.get(request.streamId) ?? [];
    const current = stream.length > 0 ? BigInt(stream.length - 1) : null;
    const existing = request.eventIds.map((id) => this.ids.get(id));
    if (existing.every((e) => e && e.streamId === request.streamId)) {
      const last = existing[existing.length - 1]!;
      return { position: last.position, revision: last.revision };
    }
    if (!satisfies(request.expected, current) || existing.some(Boolean)) {
      throw new WrongExpectedRevisionError(request.streamId, request.expected, current ?? 'no_stream');
    }
    const head = stream[stream.length - 1];
    const sealed = request.seal(head ? { revision: head.revision, hash: head.metadata.hash } : null);
    for (const event of sealed) {
      const record: StoredRecord = {
        ...structuredClone(event),
        streamId: request.streamId,
        revision: BigInt(stream.length),
        position: BigInt(this.log.length + 1),
      };
      stream.push(record);
      this.log.push(record);
      this.ids.set(record.id, record);
    }
    this.streams.set(request.streamId, stream);
    queueMicrotask(() => this.listeners.forEach((l) => l()));
    const last = stream[stream.length - 1]!;
    return { position: last.position, revision: last.revision };
  }

  async readStream(streamId: string, after = -1n): Promise<StoredRecord[]> {
    const start = after < 0n ? 0 : Number(after) + 1;
    return structuredClone((this.streams.get(streamId) ?? []).slice(start));
  }

  async readAll(after: bigint, limit: number, types?: readonly string[]): Promise<StoredRecord[]> {
    const start = after < 0n ? 0 : Number(after);
    if (!types) return structuredClone(this.log.slice(start, start + limit));
    const page: StoredRecord[] = [];
    for (let i = start; i < this.log.length && page.length < limit; i++)
      if (types.includes(this.log[i]!.type)) page.push(structuredClone(this.log[i]!));
    return page;
  }

  async readAllByStream(after: StreamPlace | null, upTo: bigint, limit: number): Promise<StoredRecord[]> {
    const page: StoredRecord[] = [];
    for (const streamId of [...this.streams.keys()].sort()) {
      if (after && streamId < after.streamId) continue;
      for (const record of this.streams.get(streamId)!) {
        if (record.position > upTo || (streamId === after?.streamId && record.revision <= after.revision))
          continue;
        page.push(structuredClone(record));
        if (page.length === limit) return page;
      }
    }
    return page;
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.log.length);
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
