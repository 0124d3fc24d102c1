import { fold, type Aggregate, type EventStore } from '@chat/events';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAggregate<State> = Aggregate<State, any>;

/** A stream folded into its aggregate's state. */
export interface Loaded<State> {
  state: State;
  /** Revision of the last event folded in; null while the stream does not exist. */
  revision: bigint | null;
  /** Position of that event; 0n while the stream does not exist. */
  position: bigint;
}

interface Kept extends Loaded<unknown> {
  aggregate: object;
  revision: bigint;
}

/** Streams whose folded state a process keeps; the least recently used are forgotten first. */
const MAX_KEPT = 10_000;
const keepable = new WeakSet<object>();
const keptByStore = new WeakMap<EventStore, Map<string, Kept>>();

/**
 * Lets a process keep the folded state of this aggregate's streams, so that loading one again reads
 * only the events appended since. For long streams whose state holds no personal data: a kept
 * state would outlive the erasure of its subject.
 */
export function keepFolded<A extends object>(aggregate: A): A {
  keepable.add(aggregate);
  return aggregate;
}

function keptOf(store: EventStore): Map<string, Kept> {
  let kept = keptByStore.get(store);
  if (!kept) keptByStore.set(store, (kept = new Map()));
  return kept;
}

function keep(store: EventStore, streamId: string, entry: Kept): void {
  const kept = keptOf(store);
  const known = kept.get(streamId);
  // Concurrent loads may finish out of order: an older state never replaces a newer one.
  if (known && known.aggregate === entry.aggregate && known.revision > entry.revision) return;
  kept.delete(streamId);
  if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
  kept.set(streamId, entry);
}

/**
 * The stream's state as of everything it holds now: always a read, of only what is new when the
 * process keeps an earlier fold of it (events never change, so that fold stays true).
 */
export async function loadState<State>(
  store: EventStore,
  aggregate: AnyAggregate<State>,
  streamId: string,
): Promise<Loaded<State>> {
  const known = keepable.has(aggregate) ? keptState(store, aggregate, streamId) : undefined;
  if (known && known.revision !== null) return loadNewer(store, aggregate, streamId, known);
  const history = await store.readStream(streamId);
  const state = fold(aggregate, history);
  const last = history[history.length - 1];
  if (!last) return { state, revision: null, position: 0n };
  if (keepable.has(aggregate))
    keep(store, streamId, { aggregate, state, revision: last.revision, position: last.position });
  return { state, revision: last.revision, position: last.position };
}

/**
 * A state loaded earlier brought up to the stream's end, reading only the events after it: what a
 * command does again after losing a race, whether or not the process keeps the fold.
 */
export async function loadNewer<State>(
  store: EventStore,
  aggregate: AnyAggregate<State>,
  streamId: string,
  loaded: Loaded<State>,
): Promise<Loaded<State>> {
  if (loaded.revision === null) return loadState(store, aggregate, streamId);
  const newer = await store.readStream(streamId, { after: loaded.revision });
  const last = newer[newer.length - 1];
  if (!last) return loaded;
  const state = newer.reduce((s, e) => aggregate.evolve(s, e), loaded.state);
  if (keepable.has(aggregate))
    keep(store, streamId, { aggregate, state, revision: last.revision, position: last.position });
  return { state, revision: last.revision, position: last.position };
}

/**
 * The state this process last folded for the stream, without reading it: possibly behind the
 * stream. A decision on it must be checked, by appending on condition that the stream still ends
 * at its revision, and confirmed by a read before it refuses anything.
 */
export function keptState<State>(
  store: EventStore,
  aggregate: AnyAggregate<State>,
  streamId: string,
): Loaded<State> | undefined {
  const byStream = keptByStore.get(store);
  const kept = byStream?.get(streamId);
  if (!kept || kept.aggregate !== aggregate) return undefined;
  byStream!.delete(streamId); // the most recently used are forgotten last
  byStream!.set(streamId, kept);
  return { state: kept.state as State, revision: kept.revision, position: kept.position };
}
