import type { RecordedEvent, StoredRecord } from '@chat/events';
import { z } from 'zod';

const Position = z.string().describe('a global log position (decimal)');

export const WireEvent = z.object({
  position: Position,
  streamId: z.string(),
  revision: z.string(),
  id: z.string(),
  type: z.string(),
  version: z.number(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.object({
    actor: z.object({ kind: z.enum(['user', 'visitor', 'system']), id: z.string() }),
    correlationId: z.string(),
    causationId: z.string().nullable(),
    command: z.string(),
    recordedAt: z.string(),
    hash: z.string(),
  }),
  recordedAt: z.string(),
});
export type WireEvent = z.infer<typeof WireEvent>;

/** An event as the audit API answers it: decrypted (or as stored, for exports meant for re-verification). */
export function toWireEvent(event: RecordedEvent | StoredRecord): WireEvent {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    version: event.version,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.metadata.recordedAt,
  };
}

/** Bigints become decimal strings, everything else stays as it is (verification reports). */
export function bigintsToStrings<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
