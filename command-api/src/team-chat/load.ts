import { channelAggregate, fold, type Aggregate, type RecordedEvent } from '@chat/events';
import type { CommandContext } from '../commands/define';
import type { ActingUser } from './decide';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAggregate<State> = Aggregate<State, any>;

interface Folded {
  /** The last event folded in, by revision and id: an append-only stream never changes it. */
  revision: bigint;
  eventId: string;
  state: unknown;
}

const MAX_FOLDS = 10_000;
/** Only channels: long streams without personal data (a kept message state would outlive an erasure). */
const INCREMENTAL: ReadonlySet<object> = new Set([channelAggregate]);
const folds = new WeakMap<object, Map<string, Folded>>();

/**
 * The state of a stream as of everything it holds now. A channel is read for every message posted
 * to it; folding its whole history each time (every join copies the member list) would cost
 * O(members²) per message, so the folded state is kept per process and only newer events are
 * folded in. Still correct with many instances: the stream is always read, the fold only reused.
 */
function foldIncrementally<State>(
  aggregate: AnyAggregate<State>,
  streamId: string,
  history: RecordedEvent[],
): State {
  let byStream = folds.get(aggregate);
  if (!byStream) folds.set(aggregate, (byStream = new Map()));
  const cached = byStream.get(streamId);
  const last = history[history.length - 1];
  if (!last) return aggregate.initialState;
  let state: State;
  const at = cached ? history.findIndex((e) => e.revision === cached.revision) : -1;
  if (cached && at >= 0 && history[at]!.id === cached.eventId) {
    state = history.slice(at + 1).reduce((s, e) => aggregate.evolve(s, e), cached.state as State);
  } else {
    state = fold(aggregate, history);
  }
  if (byStream.size >= MAX_FOLDS) byStream.clear();
  byStream.set(streamId, { revision: last.revision, eventId: last.id, state });
  return state;
}

/** A stream folded into its aggregate's state, with the history it came from. */
export async function load<State>(
  context: CommandContext,
  aggregate: AnyAggregate<State>,
  streamId: string,
): Promise<{ state: State; history: RecordedEvent[]; position: bigint }> {
  const history = await context.store.readStream(streamId);
  return {
    state: INCREMENTAL.has(aggregate)
      ? foldIncrementally(aggregate, streamId, history)
      : fold(aggregate, history),
    history,
    position: history[history.length - 1]?.position ?? 0n,
  };
}

/** The signed-in user a Team chat command acts for. */
export function actingUser(context: CommandContext): ActingUser {
  if (context.issuer.kind !== 'user') throw new Error('Team chat commands need a signed-in user');
  return { userId: context.issuer.principal.userId, role: context.issuer.principal.role };
}
