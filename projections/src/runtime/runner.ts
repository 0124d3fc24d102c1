import type { EventStore, RecordedEvent } from '@chat/events';
import type { Logger } from '@chat/platform/logger';
import { metrics } from '@chat/platform/metrics';
import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../read-models';
import { CHECKPOINTS_DDL, ensureCheckpoint, lockKey, readCheckpoint, readCheckpoints, writeCheckpoint } from './checkpoints';
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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Someone else (another instance) holds the projector or moved its checkpoint: stand by. */
class StandBy extends Error {}

/**
 * Runs projectors and reactors. A projector applies a batch of events and moves its checkpoint
 * in one transaction, under a per-projector advisory lock: after a crash it neither loses nor
 * repeats an event, and of several instances only one applies a given batch.
 */
export class ProjectionRunner {
  private stopped = true;
  private loops: Promise<void>[] = [];
  private wakeUps = new Set<() => void>();
  private stopListening: (() => void) | null = null;
  private lastNotice = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;

  constructor(private readonly options: RunnerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 1_000;
  }

  get names(): string[] {
    return [...this.options.projectors.map((p) => p.name), ...(this.options.reactors ?? []).map((r) => r.name)];
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
    this.stopListening = this.options.store.onAppended(() => {
      this.lastNotice = Date.now();
      for (const wake of this.wakeUps) wake();
    });
    for (const projector of this.options.projectors) this.loops.push(this.loop(projector.name, () => this.projectBatch(projector)));
    for (const reactor of this.options.reactors ?? []) this.loops.push(this.loop(reactor.name, () => this.reactBatch(reactor)));
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
    for (const wake of this.wakeUps) wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Runs every projector and reactor until each has passed every event committed so far, and
   * whatever the reactors appended on the way (tests, CLI, seed).
   */
  async catchUp(): Promise<void> {
    let target = await this.options.store.headPosition();
    for (;;) {
      let moved = 0;
      for (const projector of this.options.projectors) moved += await this.projectBatch(projector).catch(standBy);
      for (const reactor of this.options.reactors ?? []) moved += await this.reactBatch(reactor).catch(standBy);
      if (moved > 0) continue;
      const checkpoints = await readCheckpoints(this.options.db);
      const behind = checkpoints.some((c) => this.names.includes(c.name) && c.position < target);
      if (!behind) {
        const head = await this.options.store.headPosition();
        if (head === target) return;
        target = head; // reactors appended more
      } else await sleep(5); // an older transaction still holds the snapshot horizon back
    }
  }

  private async loop(name: string, step: () => Promise<number>): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const moved = await step();
        failures = 0;
        if (moved >= this.batchSize) continue;
        if (moved === 0) {
          // A wake-up can precede readability: an older transaction (of any database on the
          // server) may still be open. Keep trying briefly while committed events wait.
          if (Date.now() - this.lastNotice < 250) await sleep(3);
          else if ((await readCheckpoint(this.options.db, name)) < (await this.options.store.headPosition())) await sleep(20);
          else await this.idle(this.pollMs);
        }
      } catch (error) {
        if (error instanceof StandBy) {
          await this.idle(this.pollMs);
          continue;
        }
        failures++;
        this.options.logger.error({ err: error, projector: name }, 'projection step failed; retrying');
        await this.idle(Math.min(5_000, 100 * 2 ** failures));
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
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
  async projectBatch(projector: Projector, schema = 'public', checkpointName = projector.name): Promise<number> {
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
    await db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${lockKey(checkpointName)}) AS locked`.execute(tx);
      if (!rows[0]?.locked) throw new StandBy();
      if ((await readCheckpoint(tx, checkpointName)) !== from) throw new StandBy();
      if (schema !== 'public') await sql`SET LOCAL search_path TO ${sql.id(schema)}, public`.execute(tx);
      const handled = events.filter((event) => projector.handles.includes(event.type));
      if (handled.length > 0) await projector.apply(tx, handled);
      await writeCheckpoint(tx, checkpointName, events[events.length - 1]!.position, handled.at(-1)?.position ?? null);
    });
  }

  /** A reactor acts on each event, then records it: a crash in between repeats an idempotent command. */
  private async reactBatch(reactor: Reactor): Promise<number> {
    const { db, store } = this.options;
    const from = await readCheckpoint(db, reactor.name);
    const events = await store.readAll(from, this.batchSize);
    let done = 0;
    let recorded = from;
    for (const event of events) {
      if (this.stopped && done > 0) break;
      if (reactor.handles.includes(event.type)) {
        await this.react(reactor, event);
        await writeCheckpoint(db, reactor.name, event.position, null);
        recorded = event.position;
      }
      done++;
    }
    const passed = events[done - 1]?.position;
    if (passed !== undefined && passed !== recorded) await writeCheckpoint(db, reactor.name, passed, null);
    return done;
  }

  private async react(reactor: Reactor, event: RecordedEvent): Promise<void> {
    await reactor.react(event);
  }

  private async recordLag(): Promise<void> {
    const head = await this.options.store.headPosition();
    const now = Date.now();
    for (const checkpoint of await readCheckpoints(this.options.db)) {
      if (!this.names.includes(checkpoint.name)) continue;
      const behind = head > checkpoint.position;
      metrics.projectionLagPositions.labels(checkpoint.name).set(behind ? Number(head - checkpoint.position) : 0);
      metrics.projectionLagSeconds.labels(checkpoint.name).set(behind ? (now - checkpoint.updatedAt.getTime()) / 1000 : 0);
    }
  }
}

function standBy(error: unknown): number {
  if (error instanceof StandBy) return 0;
  throw error;
}
