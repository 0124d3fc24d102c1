import type { RecordedEvent } from '@chat/events';
import type { Kysely, Migration, Transaction } from 'kysely';
import type { ReadModels } from '../read-models';

/**
 * Builds one read model from the log. It reads and writes only its own tables (so it can be
 * rebuilt alone) and never throws on a recorded event: the event happened; skip or clamp.
 */
export interface Projector {
  name: string;
  /** Event types that change this read model; every other event only moves the checkpoint. */
  handles: readonly string[];
  /** The tables it owns, all created by its migrations. */
  tables: readonly string[];
  /** Frozen migrations, written with kysely's schema builder only, so they can target any schema. */
  migrations: Record<string, Migration>;
  /**
   * Applies a run of events it handles, in log order, with the same result as applying them one
   * at a time: the batch size is the runtime's choice (one when live and quiet, thousands in a
   * rebuild), never the read model's.
   */
  apply(tx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * What an event's changes are confined to (Team chat: its channel). Events of different
   * partitions touch different rows, so a rebuild may apply them side by side, each partition in
   * log order; null for an event that may touch any row, applied alone after everything before it.
   * Without it, a rebuild applies the log in order, one batch after the other.
   */
  partition?(event: RecordedEvent): string | null;
  /**
   * The projector for one rebuild, which may keep rows in memory from one batch to the next: a
   * rebuild starts from empty tables and is their only writer, and nothing reads them until it is
   * done. Without it, a rebuild applies with the projector itself.
   */
  rebuilding?(): RebuildingProjector;
}

export interface RebuildingProjector extends Projector {
  /** Writes what it kept in memory, once every event is applied (before the tables are swapped in). */
  complete?(tx: Transaction<ReadModels>): Promise<void>;
}

/** For projectors whose events are rare: applies each event on its own. */
export function oneByOne(
  applyOne: (tx: Transaction<ReadModels>, event: RecordedEvent) => Promise<void>,
): Projector['apply'] {
  return async (tx, events) => {
    for (const event of events) await applyOne(tx, event);
  };
}

/** Follows the log and issues commands (a process manager); its commands must be idempotent. */
export interface Reactor {
  name: string;
  handles: readonly string[];
  react(event: RecordedEvent): Promise<void>;
  /**
   * What must be reacted to in log order: events of different lanes (a chat session, say) may be
   * reacted to at the same time, each lane's in order. Without it, one event at a time.
   */
  lane?(event: RecordedEvent): string;
}

export type ReadModelDb = Kysely<ReadModels>;
