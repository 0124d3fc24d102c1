import type { RecordedEvent } from '@chat/events';

/** An event as the store would hand it to a projector, built by hand for projector tests. */
export function recordedEvent(
  type: string,
  data: Record<string, unknown>,
  at: { id: string; position: bigint; recordedAt: Date; streamId?: string; revision?: bigint },
): RecordedEvent {
  return {
    id: at.id,
    type,
    version: 1,
    data,
    streamId: at.streamId ?? 'test',
    revision: at.revision ?? 0n,
    position: at.position,
    metadata: {
      actor: { kind: 'system', id: 'test' },
      correlationId: 'c',
      causationId: null,
      command: 'test',
      recordedAt: at.recordedAt.toISOString(),
      hash: '',
    },
  } as RecordedEvent;
}
