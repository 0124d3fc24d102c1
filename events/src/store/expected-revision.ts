import type { ExpectedRevision } from './types';

/** Whether a stream whose last revision is `current` (null: no stream) satisfies `expected`. */
export function satisfies(expected: ExpectedRevision, current: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === null;
  if (expected === 'stream_exists') return current !== null;
  return current === expected;
}
