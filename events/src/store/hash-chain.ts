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

type Linked = StoredEvent & { streamId: string; revision: bigint; position: bigint };

/** One stream's chain, walked in revision order, one event after the other. */
export class ChainWalk {
  next = 0n;
  hash = GENESIS_HASH;
  broken = false;

  /** Takes the stream's next event; answers the link it breaks, if it does (the walk goes on from its stored hash). */
  step(event: Linked): ChainBreak | null {
    const expectedHash = chainHash(this.hash, event);
    const found =
      expectedHash !== event.metadata.hash || event.revision !== this.next
        ? {
            streamId: event.streamId,
            revision: event.revision,
            position: event.position,
            eventId: event.id,
            expectedHash,
            storedHash: event.metadata.hash,
          }
        : null;
    this.next = event.revision + 1n;
    this.hash = event.metadata.hash;
    return found;
  }
}

/**
 * Recomputes a stream's chain over its stored events (in revision order) and answers the first
 * event whose stored hash does not match, or whose revision is out of sequence; null when intact.
 */
export function verifyChain(events: Iterable<Linked>): ChainBreak | null {
  const walk = new ChainWalk();
  for (const event of events) {
    const found = walk.step(event);
    if (found) return found;
  }
  return null;
}
