import { START, type EventStore, type RecordedEvent } from '@chat/events';
import type { Logger } from '@chat/platform/logger';
import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../read-models';
import { CHECKPOINTS_DDL, ensureCheckpoint, lockKey, readCheckpoint, writeCheckpoint } from './checkpoints';
import { migrateProjector, migrationTables } from './migrate';
import { ProjectionRunner } from './runner';
import type { Projector, RebuildingProjector } from './types';

export interface RebuildResult {
  projector: string;
  /** Events it applied (a rebuild reads only the types its read model handles). */
  events: number;
  /** Of the whole rebuild (projectors rebuilt together finish together). */
  seconds: number;
}

export interface RebuildOptions {
  db: Kysely<ReadModels>;
  store: EventStore;
  logger: Logger;
  batchSize?: number;
  /** Told after each page: events applied so far, seconds since the start, the log position reached. */
  onProgress?: (events: number, seconds: number, position: bigint) => void;
}

export const scratchSchema = (projector: Projector) => `rebuild_${projector.name}`;

/**
 * Replays the whole log into a fresh set of a projector's tables (in a scratch schema) while the
 * live tables keep serving; `swap` then replaces the live tables and checkpoint in one transaction.
 * The live projector carries on from the rebuilt checkpoint.
 */
export async function rebuildProjector(
  options: RebuildOptions,
  projector: Projector,
  { swap = true }: { swap?: boolean } = {},
): Promise<RebuildResult> {
  const [result] = await rebuildProjectors(options, [projector], { swap });
  return result!;
}

/**
 * Rebuilds several projectors from one reading of the log: each page holds the event types any of
 * them handles and each projector is given its own, so an event several handle is read and
 * decrypted once, and every projector ends where the reading reached (not at its own last event,
 * which would send the live runner back over the rest of the log). Each is swapped in on its own
 * once all are rebuilt.
 */
export async function rebuildProjectors(
  options: RebuildOptions,
  projectors: readonly Projector[],
  { swap = true }: { swap?: boolean } = {},
): Promise<RebuildResult[]> {
  const { db, logger } = options;
  const started = Date.now();
  // Pages larger than a live runner's: rows a page touches many times are written once (measured:
  // Team chat rebuilds a quarter faster than with 2,000), and a page of 5,000 stays a few MiB.
  const batchSize = options.batchSize ?? 5_000;
  await sql.raw(CHECKPOINTS_DDL).execute(db);
  const rebuilds = [];
  for (const projector of projectors) {
    const schema = scratchSchema(projector);
    const checkpointName = `${projector.name}@rebuild`;
    await migrateProjector(db, projector);
    await ensureCheckpoint(db, projector.name);
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
    await sql`DELETE FROM public.projection_checkpoints WHERE name = ${checkpointName}`.execute(db);
    await migrateProjector(db, projector, schema);
    await ensureCheckpoint(db, checkpointName);
    const applying: RebuildingProjector = projector.rebuilding?.() ?? projector;
    const runner = new ProjectionRunner({ ...options, projectors: [applying], batchSize });
    const apply = applying.partition
      ? inPartitions(runner, applying, schema, checkpointName)
      : inOrder(runner, applying, schema, checkpointName);
    const complete = applying.complete?.bind(applying);
    rebuilds.push({
      projector,
      schema,
      apply,
      complete: complete && (() => runner.inTransaction(schema, complete)),
      handles: new Set(projector.handles),
      events: 0,
      analyzedAt: 0,
    });
  }
  // Only the events some read model handles (the rest would merely move checkpoints); the next page
  // is read (and decrypted) while the current one is applied.
  const types = [...new Set(projectors.flatMap((p) => p.handles))];
  const read = (after: bigint) => options.store.readAll(after, batchSize, types);
  let reached = START;
  let page = read(reached);
  for (;;) {
    const batch = await page;
    if (batch.length === 0) break;
    reached = batch[batch.length - 1]!.position;
    page = read(reached);
    for (const rebuild of rebuilds) {
      const mine = rebuilds.length === 1 ? batch : batch.filter((e) => rebuild.handles.has(e.type));
      if (mine.length === 0) continue;
      await rebuild.apply.page(mine);
      rebuild.events += mine.length;
      // Fresh tables have no statistics until autovacuum comes by: without them the planner takes
      // a lookup of a few hundred keys for a third of the table and scans it all, page after page.
      if (rebuild.events >= 2 * rebuild.analyzedAt) {
        for (const table of rebuild.projector.tables)
          await sql`ANALYZE ${sql.id(rebuild.schema, table)}`.execute(db);
        rebuild.analyzedAt = rebuild.events;
      }
    }
    const applied = rebuilds.reduce((sum, r) => sum + r.events, 0);
    options.onProgress?.(applied, (Date.now() - started) / 1000, reached);
  }
  // Every event of these types up to `reached` has been read: each projector stands there.
  for (const rebuild of rebuilds) {
    await rebuild.apply.finish(reached);
    await rebuild.complete?.();
  }
  const seconds = (Date.now() - started) / 1000;
  for (const { projector, events } of rebuilds) {
    if (swap) await swapIn(db, projector);
    logger.info({ projector: projector.name, events, swapped: swap }, 'rebuild finished');
  }
  return rebuilds.map((r) => ({ projector: r.projector.name, events: r.events, seconds }));
}

/** How a rebuild applies its pages: `page` may return before the page is written; `finish` waits for all. */
interface Applying {
  page(events: readonly RecordedEvent[]): Promise<void>;
  /** Waits for every page, then records the position the rebuild read up to. */
  finish(reached: bigint): Promise<void>;
}

/** One page after the other, each with its checkpoint, as a live runner does. */
function inOrder(runner: ProjectionRunner, projector: Projector, schema: string, checkpointName: string): Applying {
  let from: bigint = START;
  let handled: bigint | null = null;
  return {
    async page(events) {
      await runner.applyBatch(projector, from, events, schema, checkpointName);
      from = events[events.length - 1]!.position;
      handled = from;
    },
    async finish(reached) {
      if (reached > from) await writeCheckpoint(runner.db, checkpointName, reached, handled);
    },
  };
}

/** Partitions applied side by side, this many at once (each its own connection and transaction). */
const LANES = 4;
/** Pages in flight at most: the reader goes no further ahead while the lanes write. */
const PAGES_AHEAD = 2;

/**
 * A partitioned projector's pages, split into lanes by partition, each lane applying its share in
 * log order while the others do the same: Node applies one lane's events in memory while Postgres
 * writes another's, where a single writer would leave each waiting for the other. An event of no
 * partition waits for every lane, then is applied alone. The checkpoint moves at the end: a
 * rebuild interrupted half-way starts again from scratch anyway.
 */
function inPartitions(
  runner: ProjectionRunner,
  projector: Projector,
  schema: string,
  checkpointName: string,
): Applying {
  const lanes: Promise<void>[] = Array.from({ length: LANES }, () => Promise.resolve());
  const pages: Promise<unknown>[] = [];
  let failure: unknown = null;
  let handled: bigint | null = null;
  const all = async () => {
    await Promise.all(lanes);
    if (failure) throw failure;
  };
  const dispatch = (parts: RecordedEvent[][]) => {
    parts.forEach((part, i) => {
      if (part.length === 0) return;
      lanes[i] = lanes[i]!.then(() => (failure ? undefined : runner.applyPart(projector, part, schema))).catch(
        (error: unknown) => void (failure ??= error),
      );
    });
  };
  return {
    async page(events) {
      let parts: RecordedEvent[][] = lanes.map(() => []);
      for (const event of events) {
        const key = projector.partition!(event);
        if (key !== null) {
          parts[laneOf(key)]!.push(event);
          continue;
        }
        dispatch(parts);
        parts = lanes.map(() => []);
        await all();
        await runner.applyPart(projector, [event], schema);
      }
      dispatch(parts);
      handled = events[events.length - 1]!.position;
      pages.push(Promise.all(lanes));
      if (pages.length > PAGES_AHEAD) await pages.shift();
      if (failure) throw failure;
    },
    async finish(reached) {
      await all();
      if (reached > START) await writeCheckpoint(runner.db, checkpointName, reached, handled);
    },
  };
}

/** A lane for a partition: the same one every time. */
function laneOf(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % LANES;
}

/** Replaces the live tables and checkpoint with the rebuilt ones, atomically. */
async function swapIn(db: Kysely<ReadModels>, projector: Projector): Promise<void> {
  const schema = scratchSchema(projector);
  const checkpointName = `${projector.name}@rebuild`;
  await db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${lockKey(projector.name)})`.execute(tx);
    const rebuilt = await readCheckpoint(tx, checkpointName);
    for (const table of [...projector.tables, ...migrationTables(projector)]) {
      await sql`DROP TABLE IF EXISTS public.${sql.id(table)} CASCADE`.execute(tx);
      await sql`ALTER TABLE ${sql.id(schema, table)} SET SCHEMA public`.execute(tx);
    }
    await sql`UPDATE public.projection_checkpoints SET position = ${rebuilt.toString()}, changed_position = ${rebuilt.toString()}, updated_at = now() WHERE name = ${projector.name}`.execute(
      tx,
    );
    await sql`DELETE FROM public.projection_checkpoints WHERE name = ${checkpointName}`.execute(tx);
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(tx);
  });
}
