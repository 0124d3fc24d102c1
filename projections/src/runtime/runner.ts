import type { EventStore, RecordedEvent } from '@chat/events';
import type { Logger } from '@chat/platform/logger';
import { PREPARED } from '@chat/platform/database';
import { metrics } from '@chat/platform/metrics';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ReadModels } from '../read-models';
import {
  CHECKPOINTS_DDL,
  PROGRESS_CHANNEL,
  ensureCheckpoint,
  lockKey,
  readCheckpoint,
  readCheckpoints,
  writeCheckpoint,
} from './checkpoints';
import { migrateProjector } from './migrate';
import type { Projector, Reactor } from './types';

export interface RunnerOptions {
  db: Kysely<ReadModels>;
  store: EventStore;
  projectors: readonly Projector[];
  reactors?: readonly Reactor[];
  logger: Logger;
  batchSize?: number;
  /** Fallback poll when no wake-up arrives (ms). */
  pollMs?: number;
  /**
   * Least time between two pages read while events keep coming (ms): what arrives meanwhile is
   * applied in one batch. A first event after a quiet spell is read at once.
   */
  gatherMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Someone else (another instance) holds the projector or moved its checkpoint: stand by. */
class StandBy extends Error {
  constructor(readonly held: boolean) {
    super(held ? 'another runner holds this projector' : 'the checkpoint moved');
  }
}

/**
 * Under a steady stream of events, pages are read at most this often (ms). Each page costs a read,
 * a checkpoint update per follower and a transaction per projector, and each commit a read of the
 * changed rows in every query API: at hundreds of events a second, pages of one or two events
 * spent most of Postgres's time on that. It adds at most this much to what a reader waits for.
 */
const GATHER_MS = 10;

/** How soon a follower tries again after finding its projector held by another runner. */
const HELD_RETRY_MS = 100;
/** Lanes a reactor works on at once (see Reactor.lane). */
const REACTOR_LANES = 8;

/** A projector or reactor as the runner follows it: where it stands, whether it is busy, when to retry. */
interface Follower {
  name: string;
  /** Event types it acts on; past any others it only moves its checkpoint. */
  handles: readonly string[];
  position: bigint;
  busy: boolean;
  retryAt: number;
  failures: number;
  /** Takes events after `from`; answers the position it has passed. */
  take(from: bigint, events: readonly RecordedEvent[]): Promise<bigint>;
}

/**
 * Runs projectors and reactors. One reader follows the log for all of them: a page is read and
 * decrypted once and handed to every follower that is free and stands before its end, and none
 * waits for another (the bot may wait for the knowledge base while Team chat carries on). A
 * projector applies its part and moves its checkpoint in one transaction, under a per-projector
 * advisory lock: after a crash it neither loses nor repeats an event, and of several instances
 * only one applies a given batch. A failing follower backs off while the others carry on.
 */
export class ProjectionRunner {
  private stopped = true;
  private loops: Promise<void>[] = [];
  private wakeUps = new Set<() => void>();
  private stopListening: (() => void) | null = null;
  private wakes = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly gatherMs: number;
  private readonly followers: Follower[];

  constructor(private readonly options: RunnerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 1_000;
    this.gatherMs = options.gatherMs ?? GATHER_MS;
    const follower = (name: string, handles: readonly string[], take: Follower['take']): Follower => ({
      name,
      handles,
      position: -1n,
      busy: false,
      retryAt: 0,
      failures: 0,
      take,
    });
    this.followers = [
      ...options.projectors.map((p) =>
        follower(p.name, p.handles, async (from, events) => {
          await this.applyBatch(p, from, events);
          return events[events.length - 1]!.position;
        }),
      ),
      ...(options.reactors ?? []).map((r) =>
        follower(r.name, r.handles, (from, events) => this.react(r, from, events)),
      ),
    ];
  }

  get db(): Kysely<ReadModels> {
    return this.options.db;
  }

  get names(): string[] {
    return this.followers.map((f) => f.name);
  }

  async migrate(): Promise<void> {
    const { db } = this.options;
    await sql.raw(CHECKPOINTS_DDL).execute(db);
    for (const projector of this.options.projectors) {
      await migrateProjector(db, projector);
      await ensureCheckpoint(db, projector.name);
    }
    for (const reactor of this.options.reactors ?? []) await ensureCheckpoint(db, reactor.name);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopListening = this.options.store.onAppended(() => this.wake());
    this.loops.push(this.follow());
    const lag = setInterval(() => void this.recordLag().catch(() => undefined), 5_000);
    lag.unref();
    this.loops.push(
      (async () => {
        while (!this.stopped) await this.idle(60_000);
        clearInterval(lag);
      })(),
    );
  }

  /** Finishes the batches in flight, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopListening?.();
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Runs every projector and reactor, one after the other, until each has passed every event
   * committed so far and whatever the reactors appended on the way (tests, CLI, seed). A failure
   * is thrown, not retried.
   */
  async catchUp(): Promise<void> {
    let target = await this.options.store.headPosition();
    for (;;) {
      let moved = 0;
      for (const f of this.followers) {
        const from = await readCheckpoint(this.options.db, f.name);
        const events = await this.options.store.readAll(from, this.batchSize);
        if (events.length === 0) continue;
        moved += await f.take(from, events).then(
          () => events.length,
          (error: unknown) => {
            if (error instanceof StandBy) return 0;
            throw error;
          },
        );
      }
      if (moved > 0) continue;
      const checkpoints = await readCheckpoints(this.options.db);
      if (checkpoints.some((c) => this.names.includes(c.name) && c.position < target)) {
        await sleep(5); // an older transaction still holds the snapshot horizon back
        continue;
      }
      const head = await this.options.store.headPosition();
      if (head === target) return;
      target = head; // reactors appended more
    }
  }

  /** Follows the log until stopped: read a page for the free followers, hand it out, wait for news. */
  private async follow(): Promise<void> {
    let pause = 0;
    let known = false;
    /** When the last page was read, unless it was full (then more is waiting: no gathering). */
    let pageReadAt = 0;
    while (!this.stopped) {
      const seen = this.wakes;
      try {
        if (!known) {
          const positions = new Map(
            (await readCheckpoints(this.options.db)).map((c) => [c.name, c.position]),
          );
          for (const f of this.followers) f.position = positions.get(f.name) ?? -1n;
          known = true;
        }
        const free = this.followers.filter((f) => !f.busy && f.retryAt <= Date.now());
        if (free.length === 0) {
          await this.idle(this.untilRetry(), seen);
          continue;
        }
        const gathering = pageReadAt + this.gatherMs - Date.now();
        if (gathering > 0) await sleep(gathering);
        const from = lowest(free);
        const events = await this.options.store.readAll(from, this.batchSize);
        pageReadAt = events.length > 0 && events.length < this.batchSize ? Date.now() : 0;
        // Followers with nothing to do in the page only move their checkpoints, all in one statement.
        const passing = free.filter((f) => {
          const mine = events.filter((e) => e.position > f.position);
          return mine.length > 0 && !mine.some((e) => f.handles.includes(e.type));
        });
        const handedOut = free.filter((f) => !passing.includes(f) && this.handOut(f, events));
        if (passing.length > 0) await this.passOver(passing, events[events.length - 1]!.position);
        if (handedOut.length > 0 || passing.length > 0) {
          pause = 0;
          // A full page: more is there for whoever is free; else wait for news or a follower done.
          if (events.length < this.batchSize) await this.idle(this.pollMs, seen);
          continue;
        }
        // Nothing readable. Committed events can still wait behind an older transaction (of any
        // database on the server) that holds the snapshot horizon back: then try again soon,
        // backing off a little. Else there is nothing new: wait for news, not poll for it.
        if (from < (await this.options.store.headPosition()))
          await sleep((pause = Math.min(Math.max(pause * 2, 2), 20)));
        else {
          pause = 0;
          await this.idle(Math.min(this.pollMs, this.untilRetry()), seen);
        }
      } catch (error) {
        this.options.logger.error({ err: error }, 'following the log failed; retrying');
        known = false;
        await this.idle(1_000);
      }
    }
    while (this.followers.some((f) => f.busy)) await this.idle(50);
  }

  /**
   * Moves the checkpoints of followers that have nothing to do up to `to`, each only if it still
   * stands where this runner saw it (another instance may have moved it: then it is read again).
   * Like a projector's batch, it need not wait for the disk.
   */
  private async passOver(followers: readonly Follower[], to: bigint): Promise<void> {
    const { rows } = await sql<{ name: string }>`${PREPARED}
      UPDATE public.projection_checkpoints c SET position = ${to.toString()}, updated_at = now()
      FROM unnest(${followers.map((f) => f.name)}::text[], ${followers.map((f) => f.position.toString())}::bigint[]) AS v(name, seen),
           (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
      WHERE c.name = v.name AND c.position = v.seen
      RETURNING c.name`.execute(this.options.db);
    const moved = new Set(rows.map((r) => r.name));
    for (const f of followers) {
      if (moved.has(f.name)) f.position = to;
      else f.position = await readCheckpoint(this.options.db, f.name);
    }
  }

  /** Starts a follower on the events of a page after its position, if any; it runs on its own. */
  private handOut(f: Follower, events: readonly RecordedEvent[]): boolean {
    const from = f.position;
    const mine = events.filter((e) => e.position > from);
    if (mine.length === 0) return false;
    f.busy = true;
    void f
      .take(from, mine)
      .then(
        (passed) => {
          f.position = passed;
          f.failures = 0;
          f.retryAt = 0;
        },
        async (error: unknown) => {
          f.position = await readCheckpoint(this.options.db, f.name).catch(() => from);
          // Moved: carry on from where it stands now. Held: by another instance, or by this
          // process's own catch-up for a moment; look again soon.
          if (error instanceof StandBy) {
            f.retryAt = error.held ? Date.now() + Math.min(this.pollMs, HELD_RETRY_MS) : 0;
            return;
          }
          f.failures++;
          f.retryAt = Date.now() + Math.min(5_000, 100 * 2 ** f.failures);
          this.options.logger.error({ err: error, projector: f.name }, 'projection step failed; retrying');
        },
      )
      .finally(() => {
        f.busy = false;
        this.wake();
      });
    return true;
  }

  /** How long until the next follower backing off may try again (at most a poll interval). */
  private untilRetry(): number {
    const now = Date.now();
    const waiting = this.followers.filter((f) => !f.busy && f.retryAt > now).map((f) => f.retryAt - now);
    return Math.max(1, Math.min(this.pollMs, ...waiting));
  }

  private wake(): void {
    this.wakes++;
    for (const wake of this.wakeUps) wake();
  }

  /** Waits `ms` or until a wake-up; none at all if one came since `seen` (a count of wake-ups). */
  private idle(ms: number, seen = this.wakes): Promise<void> {
    return new Promise((resolve) => {
      if (this.wakes !== seen) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUps.add(done);
    });
  }

  /** One batch of a projector; answers how many events it moved past. */
  async projectBatch(
    projector: Projector,
    schema = 'public',
    checkpointName = projector.name,
  ): Promise<number> {
    const from = await readCheckpoint(this.options.db, checkpointName);
    const events = await this.options.store.readAll(from, this.batchSize);
    await this.applyBatch(projector, from, events, schema, checkpointName);
    return events.length;
  }

  /** Applies events read after `from`, if the checkpoint still stands there (else: stand by). */
  async applyBatch(
    projector: Projector,
    from: bigint,
    events: readonly RecordedEvent[],
    schema = 'public',
    checkpointName = projector.name,
  ): Promise<void> {
    const { db } = this.options;
    if (events.length === 0) return;
    const handled = events.filter((event) => projector.handles.includes(event.type));
    const to = events[events.length - 1]!.position.toString();
    const changed = handled.at(-1)?.position.toString() ?? null;
    await db.transaction().execute(async (tx) => {
      // One round trip: the lock, this transaction's settings, and the checkpoint moved on if it
      // still stands at `from` (the move commits with the batch, or not at all), announced to
      // query APIs with the commit (a notification is delivered when its transaction commits).
      const { rows } = await sql<{ locked: boolean; moved: boolean }>`${PREPARED}
        WITH settings AS MATERIALIZED (
          SELECT pg_try_advisory_xact_lock(${lockKey(checkpointName)}) AS locked, ${projectingSettings(schema)}
        ), moved AS (
          UPDATE public.projection_checkpoints
          SET position = ${to}, updated_at = now(), changed_position = COALESCE(${changed}::bigint, changed_position)
          WHERE name = ${checkpointName} AND position = ${from.toString()} AND (SELECT locked FROM settings)
          RETURNING name, position, changed_position
        )
        SELECT (SELECT locked FROM settings) AS locked, EXISTS (SELECT 1 FROM moved) AS moved,
          (SELECT pg_notify(${PROGRESS_CHANNEL}, concat_ws(' ', name, position, changed_position)) FROM moved) AS announced`.execute(
        tx,
      );
      if (!rows[0]?.locked) throw new StandBy(true);
      if (!rows[0].moved) throw new StandBy(false);
      if (handled.length > 0) await projector.apply(tx, handled);
    });
  }

  /**
   * Applies events in a transaction of their own, moving no checkpoint and taking no lock: one
   * partition's share of a rebuild, whose caller records how far the whole went (see rebuild.ts).
   */
  async applyPart(projector: Projector, events: readonly RecordedEvent[], schema: string): Promise<void> {
    const handled = events.filter((event) => projector.handles.includes(event.type));
    if (handled.length > 0) await this.inTransaction(schema, (tx) => projector.apply(tx, handled));
  }

  /** Work in a transaction with a projector's settings (see projectingSettings), on the tables of `schema`. */
  async inTransaction(schema: string, work: (tx: Transaction<ReadModels>) => Promise<void>): Promise<void> {
    await this.options.db.transaction().execute(async (tx) => {
      await sql`SELECT ${projectingSettings(schema)}`.execute(tx);
      await work(tx);
    });
  }

  /**
   * A reactor acts on each event it handles, in order (within each lane, lanes side by side), and
   * records how far it got once per batch, or as far as it surely got before a failure: a crash in
   * between repeats at most a batch of idempotent commands, which then change nothing. Answers the
   * position it recorded.
   */
  private async react(reactor: Reactor, from: bigint, events: readonly RecordedEvent[]): Promise<bigint> {
    let passed = from;
    try {
      if (reactor.lane) {
        const lanes = new Map<string, RecordedEvent[]>();
        for (const event of events.filter((e) => reactor.handles.includes(e.type))) {
          const key = reactor.lane(event);
          const lane = lanes.get(key);
          if (lane) lane.push(event);
          else lanes.set(key, [event]);
        }
        const waiting = [...lanes.values()];
        const work = async () => {
          for (let lane = waiting.shift(); lane; lane = waiting.shift())
            for (const event of lane) await reactor.react(event);
        };
        const done = await Promise.allSettled(
          Array.from({ length: Math.min(REACTOR_LANES, waiting.length) }, work),
        );
        const failed = done.find((d) => d.status === 'rejected');
        if (failed) throw failed.reason;
        passed = events[events.length - 1]!.position;
      } else
        for (const event of events) {
          if (this.stopped && passed !== from) break;
          if (reactor.handles.includes(event.type)) await reactor.react(event);
          passed = event.position;
        }
    } finally {
      if (passed !== from) await writeCheckpoint(this.options.db, reactor.name, passed, null);
    }
    return passed;
  }

  private async recordLag(): Promise<void> {
    const head = await this.options.store.headPosition();
    const now = Date.now();
    for (const checkpoint of await readCheckpoints(this.options.db)) {
      if (!this.names.includes(checkpoint.name)) continue;
      const behind = head > checkpoint.position;
      metrics.projectionLagPositions
        .labels(checkpoint.name)
        .set(behind ? Number(head - checkpoint.position) : 0);
      metrics.projectionLagSeconds
        .labels(checkpoint.name)
        .set(behind ? (now - checkpoint.updatedAt.getTime()) / 1000 : 0);
    }
  }
}

/** A schema name as an identifier in a search_path value. */
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The settings of a projecting transaction, as select-list items. Read models are derived: losing
 * the last commits in a crash loses their checkpoint with them, and they are applied again, so
 * they need not wait for the disk. A batch looks rows up by key in tables that stay in memory: the
 * planner is told so, and never starts parallel workers to scan a table for a few thousand keys
 * (measured: a million-event Team chat rebuild 10 % faster).
 */
const projectingSettings = (
  schema: string,
) => sql`set_config('synchronous_commit', 'off', true) AS async_commit,
  set_config('random_page_cost', '1.1', true) AS key_lookups,
  set_config('max_parallel_workers_per_gather', '0', true) AS no_parallel_scans
  ${schema === 'public' ? sql`` : sql`, set_config('search_path', ${`${quoteIdent(schema)}, public`}, true) AS in_schema`}`;

function lowest(followers: readonly Follower[]): bigint {
  return followers.reduce((min, f) => (f.position < min ? f.position : min), followers[0]!.position);
}
