import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError, type Aggregate } from '@chat/events';
import { ConflictError } from '@chat/platform';
import type { CommandContext } from './define';
import { loadNewer, loadState } from './stream-state';

const MAX_ATTEMPTS = 5;

export interface Decision<Event, State> {
  streamId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  aggregate: Aggregate<State, any>;
  /** The pure rule: state in, events out (empty when the command already happened), or throws. */
  decide: (state: State) => Event[];
}

/**
 * The load-decide-append loop: load the stream's state, decide, append at the exact revision that
 * was read. A concurrent writer makes the append fail; then it decides again on the state brought
 * up to date (reading only what the other writer added), a bounded number of times, and finally
 * answers 409. Streams whose fold the process keeps (see keepFolded) are read only from where
 * that fold ends.
 */
export async function decideAndAppend<Event extends { type: string; data: unknown }, State>(
  context: CommandContext,
  decision: Decision<Event, State>,
): Promise<{ position: bigint; events: Event[]; state: State }> {
  let loaded = await loadState<State>(context.store, decision.aggregate, decision.streamId);
  for (let attempt = 1; ; attempt++) {
    const events = decision.decide(loaded.state);
    if (events.length === 0) return { position: loaded.position, events, state: loaded.state };
    try {
      const result = await context.store.append(
        decision.streamId,
        loaded.revision ?? 'no_stream',
        events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data })),
        context.append,
      );
      return { position: result.position, events, state: loaded.state };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt >= MAX_ATTEMPTS)
        throw new ConflictError('CONCURRENT_UPDATE', 'Someone else changed this at the same moment; try again');
      loaded = await loadNewer(context.store, decision.aggregate, decision.streamId, loaded);
    }
  }
}
