import type { EventStore, RecordedEvent } from '@chat/events';
import type { Logger } from '@chat/platform/logger';
import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../read-models';
import { lockKey, readCheckpoint, writeCheckpoint } from '../runtime/checkpoints';
import { rebuildProjector, scratchSchema } from '../runtime/rebuild';
import type { Projector } from '../runtime/types';

export interface TableComparison {
  table: string;
  liveRows: number;
  rebuiltRows: number;
  /** Sum of every row's md5 (first 60 bits): independent of row order, constant memory. */
  liveChecksum: string;
  rebuiltChecksum: string;
  equal: boolean;
  /** A few rows (as text) found on one side only, when they differ. */
  onlyLive: string[];
  onlyRebuilt: string[];
}

export interface ProjectorComparison {
  projector: string;
  /** The log position both sides reflect when they were compared. */
  position: string;
  /** Events replayed into the scratch tables. */
  events: number;
  seconds: number;
  equal: boolean;
  tables: TableComparison[];
  /** Why nothing could be compared (the live projector did not catch up), if so. */
  problem?: string;
}

export interface ReplayOptions {
  db: Kysely<ReadModels>;
  store: EventStore;
  logger: Logger;
  /** How long to wait for a live projector that is behind the rebuilt copy (ms). */
  waitMs?: number;
  /** Leave the scratch schema in place for inspection. */
  keep?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SAMPLES = 5;

/**
 * A row as text, as compared between two copies of a read model: without `written_at`, which
 * records which batch last wrote the row (for readers that fetch what changed), not what the row
 * says. Copies applied in other batches (a rebuild, a replay) stamp other positions there.
 */
export const comparableRow = (alias: string) =>
  sql<string>`(to_jsonb(${sql.ref(alias)}) - 'written_at')::text`;

/**
 * Rebuilds a projector's read model from the whole history into its scratch schema, brings both
 * copies to exactly the same log position, and compares them table by table (row counts and
 * checksums, and sample rows when they differ). The comparison runs under the projector's
 * advisory lock, so the live copy cannot move while it is read; the live tables are never written.
 */
export async function compareRebuildWithLive(
  options: ReplayOptions,
  projector: Projector,
): Promise<ProjectorComparison> {
  const { db } = options;
  const started = Date.now();
  const schema = scratchSchema(projector);
  const rebuiltCheckpoint = `${projector.name}@rebuild`;
  const rebuilt = await rebuildProjector(options, projector, { swap: false });
  let events = rebuilt.events;
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  try {
    for (;;) {
      const live = await readCheckpoint(db, projector.name);
      const scratch = await readCheckpoint(db, rebuiltCheckpoint);
      if (live < scratch) {
        if (Date.now() > deadline)
          return {
            projector: projector.name,
            position: scratch.toString(),
            events,
            seconds: (Date.now() - started) / 1000,
            equal: false,
            tables: [],
            problem: `the live read model is at ${live}, behind the history at ${scratch}: is the projections service running?`,
          };
        await sleep(50);
        continue;
      }
      if (live > scratch) {
        events += await catchUpTo(options, projector, schema, rebuiltCheckpoint, scratch, live);
        continue;
      }
      const tables = await db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(${lockKey(projector.name)})`.execute(tx);
        if ((await readCheckpoint(tx, projector.name)) !== live) return null;
        const compared: TableComparison[] = [];
        for (const table of projector.tables) compared.push(await compareTable(tx, schema, table));
        return compared;
      });
      if (!tables) continue;
      return {
        projector: projector.name,
        position: live.toString(),
        events,
        seconds: (Date.now() - started) / 1000,
        equal: tables.every((t) => t.equal),
        tables,
      };
    }
  } finally {
    if (!options.keep) {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
      await sql`DELETE FROM public.projection_checkpoints WHERE name = ${rebuiltCheckpoint}`.execute(db);
    }
  }
}

/** Applies the events in (from, to] to the scratch copy, exactly up to the live copy's position. */
async function catchUpTo(
  options: ReplayOptions,
  projector: Projector,
  schema: string,
  checkpoint: string,
  from: bigint,
  to: bigint,
): Promise<number> {
  const events: RecordedEvent[] = [];
  for (let after = from; after < to;) {
    const page = (await options.store.readAll(after, 2_000)).filter((e) => e.position <= to);
    if (page.length === 0) break;
    events.push(...page);
    after = page[page.length - 1]!.position;
  }
  await options.db.transaction().execute(async (tx) => {
    await sql`SET LOCAL search_path TO ${sql.id(schema)}, public`.execute(tx);
    const handled = events.filter((event) => projector.handles.includes(event.type));
    if (handled.length > 0) await projector.apply(tx, handled);
    await writeCheckpoint(tx, checkpoint, to, null);
  });
  return events.length;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function compareTable(tx: Kysely<any>, schema: string, table: string): Promise<TableComparison> {
  const measure = async (from: string) => {
    const { rows } = await sql<{ rows: string; checksum: string }>`
      SELECT count(*)::text AS rows,
             coalesce(sum(('x' || substr(md5(${comparableRow('t')}), 1, 15))::bit(60)::bigint::numeric), 0)::text AS checksum
      FROM ${sql.id(from, table)} t`.execute(tx);
    return { rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum };
  };
  const live = await measure('public');
  const rebuilt = await measure(schema);
  const equal = live.rows === rebuilt.rows && live.checksum === rebuilt.checksum;
  const only = async (a: string, b: string) =>
    equal
      ? []
      : (
          await sql<{ row: string }>`
            SELECT row FROM (SELECT ${comparableRow('t')} AS row FROM ${sql.id(a, table)} t
                             EXCEPT ALL SELECT ${comparableRow('t')} FROM ${sql.id(b, table)} t) d
            ORDER BY row LIMIT ${SAMPLES}`.execute(tx)
        ).rows.map((r) => r.row);
  return {
    table,
    liveRows: live.rows,
    rebuiltRows: rebuilt.rows,
    liveChecksum: live.checksum,
    rebuiltChecksum: rebuilt.checksum,
    equal,
    onlyLive: await only('public', schema),
    onlyRebuilt: await only(schema, 'public'),
  };
}
