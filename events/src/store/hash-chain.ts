import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { EventMetadata, StoredEvent } from './types';

export const GENESIS_HASH = '0'.repeat(64);

/** The chain link of one event: sha256(previous hash + canonical JSON of the event without its hash). */
export function chainHash(previousHash: string, event: Omit<StoredEvent, 'metadata'> & { metadata: Omit<EventMetadata, 'hash'> | EventMetadata }): string {
  const { hash: _hash, ...metadata } = event.metadata as EventMetadata;
  const body = canonicalJson({ id: event.id, type: event.type, version: event.version, data: event.data, metadata });
  return createHash('sha256').update(previousHash).update(body).digest('hex');
}

export interface ChainBreak {
  streamId: string;
  revision: bigint;
  position: bigint;
  eventId: string;
  expectedHash: string;
  storedHash: string;
}

/**
 * Recomputes a stream's chain over its stored events (in revision order) and answers the first
 * event whose stored hash does not match, or whose revision is out of sequence; null when intact.
 */
export function verifyChain(
  events: Iterable<StoredEvent & { streamId: string; revision: bigint; position: bigint }>,
): ChainBreak | null {
  let previous = GENESIS_HASH;
  let expectedRevision = 0n;
  for (const event of events) {
    const expectedHash = chainHash(previous, event);
    if (expectedHash !== event.metadata.hash || event.revision !== expectedRevision) {
      return {
        streamId: event.streamId,
        revision: event.revision,
        position: event.position,
        eventId: event.id,
        expectedHash,
        storedHash: event.metadata.hash,
      };
    }
    previous = event.metadata.hash;
    expectedRevision++;
  }
  return null;
}
