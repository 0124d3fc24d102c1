import type { EventStore } from '../store/event-store';
import { START, type AppendContext, type StoredRecord } from '../store/types';
import {
  CHAIN_CHECKPOINT_STREAM,
  HEADS_PER_CHECKPOINT_PART,
  type ChainCheckpointData,
  type ChainHead,
} from './events';
import type { CheckpointSigner } from './signing';

const PAGE = 2_000;
/** Parts per append: each part holds up to 500 heads, so an append stays around a megabyte. */
const PARTS_PER_APPEND = 10;

export interface CheckpointRecorded {
  checkpointId: string;
  upToPosition: bigint;
  /** Streams whose heads this checkpoint signs (those that changed since the previous one). */
  heads: number;
  parts: number;
  eventCount: number;
  streamCount: number;
  /** Global position of the checkpoint's last event. */
  position: bigint;
}

/** The last checkpoint whose every part is in the stream (a crash between appends leaves a partial one). */
export function lastCompleteCheckpoint(records: StoredRecord[]): ChainCheckpointData | null {
  const parts = new Map<string, Set<number>>();
  for (let i = records.length - 1; i >= 0; i--) {
    const data = records[i]!.data as ChainCheckpointData;
    if (records[i]!.type !== 'ChainCheckpointRecorded') continue;
    const seen = parts.get(data.checkpointId) ?? new Set<number>();
    seen.add(data.part);
    parts.set(data.checkpointId, seen);
    if (seen.size === data.parts) return data;
  }
  return null;
}

/**
 * Signs the heads of every stream that changed since the previous complete checkpoint into a
 * ChainCheckpointRecorded (in parts when many streams changed). Answers null when nothing but
 * checkpoints happened since. Appends at the exact revision read, so of two instances doing it
 * at once one wins and the other gets a WrongExpectedRevisionError.
 */
export async function recordChainCheckpoint(
  store: EventStore,
  signer: CheckpointSigner,
  context: AppendContext,
  checkpointId: string,
  newId: () => string,
): Promise<CheckpointRecorded | null> {
  const existing = await store.readStoredStream(CHAIN_CHECKPOINT_STREAM);
  const previous = lastCompleteCheckpoint(existing);
  const since = previous ? BigInt(previous.upToPosition) : START;
  const heads = new Map<string, ChainHead>();
  let eventCount = previous?.eventCount ?? 0;
  let streamCount = previous?.streamCount ?? 0;
  let upTo = previous ? since : 0n;
  let onlyCheckpoints = true;
  for (let after = since; ;) {
    const page = await store.readStoredAll(after, PAGE);
    if (page.length === 0) break;
    for (const event of page) {
      heads.set(event.streamId, {
        streamId: event.streamId,
        revision: event.revision.toString(),
        hash: event.metadata.hash,
      });
      eventCount++;
      if (event.revision === 0n) streamCount++;
      if (event.streamId !== CHAIN_CHECKPOINT_STREAM) onlyCheckpoints = false;
    }
    upTo = page[page.length - 1]!.position;
    after = upTo;
  }
  if (previous && onlyCheckpoints) return null;

  const sorted = [...heads.values()].sort((a, b) =>
    a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
  );
  const parts = Math.max(1, Math.ceil(sorted.length / HEADS_PER_CHECKPOINT_PART));
  const events = Array.from({ length: parts }, (_, i) => ({
    id: newId(),
    type: 'ChainCheckpointRecorded',
    data: signer.sign({
      checkpointId,
      part: i + 1,
      parts,
      upToPosition: upTo.toString(),
      sincePosition: previous ? previous.upToPosition : null,
      eventCount,
      streamCount,
      heads: sorted.slice(i * HEADS_PER_CHECKPOINT_PART, (i + 1) * HEADS_PER_CHECKPOINT_PART),
    }),
  }));
  let expected: bigint | 'no_stream' =
    existing.length > 0 ? existing[existing.length - 1]!.revision : 'no_stream';
  let position = 0n;
  for (let i = 0; i < events.length; i += PARTS_PER_APPEND) {
    const result = await store.append(
      CHAIN_CHECKPOINT_STREAM,
      expected,
      events.slice(i, i + PARTS_PER_APPEND),
      context,
    );
    expected = result.revision;
    position = result.position;
  }
  return { checkpointId, upToPosition: upTo, heads: sorted.length, parts, eventCount, streamCount, position };
}
