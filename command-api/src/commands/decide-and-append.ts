import { randomUUID } from 'node:crypto';
import { fold, WrongExpectedRevisionError, type Aggregate, type RecordedEvent } from '@chat/events';
import { ConflictError } from '@chat/platform';
import type { CommandContext } from './define';

const MAX_ATTEMPTS = 5;

export interface Decision<Event> {
  streamId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  aggregate: Aggregate<any, any>;
  /** The pure rule: state in, events out (empty when the command already happened), or throws. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  decide: (state: any) => Event[];
}

/**
 * The load-decide-append loop: load the stream, fold it, decide, append at the exact revision
 * that was read. A concurrent writer makes the append fail; then it all runs again on the new
 * state, a bounded number of times, and finally answers 409.
 */
export async function decideAndAppend<Event extends { type: string; data: unknown }>(
  context: CommandContext,
  decision: Decision<Event>,
): Promise<{ position: bigint; events: Event[]; history: RecordedEvent[] }> {
  for (let attempt = 1; ; attempt++) {
    const history = await context.store.readStream(decision.streamId);
    const state = fold(decision.aggregate, history);
    const events = decision.decide(state);
    const last = history[history.length - 1];
    if (events.length === 0) return { position: last?.position ?? 0n, events, history };
    try {
      const result = await context.store.append(
        decision.streamId,
        last ? last.revision : 'no_stream',
        events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data })),
        context.append,
      );
      return { position: result.position, events, history };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt >= MAX_ATTEMPTS)
        throw new ConflictError('CONCURRENT_UPDATE', 'Someone else changed this at the same moment; try again');
    }
  }
}
