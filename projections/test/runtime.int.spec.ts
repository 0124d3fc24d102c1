import { randomUUID } from 'node:crypto';
import {
  defineEvent,
  EventCatalogue,
  EventStore,
  MemoryKeyVault,
  PostgresEventStoreAdapter,
} from '@chat/events';
import { createLogger } from '@chat/platform';
import { createTestDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  oneByOne,
  parseProgress,
  PROGRESS_CHANNEL,
  ProjectionRunner,
  readCheckpoint,
  rebuildProjector,
  rebuildProjectors,
  type Projector,
  type ReadModels,
  type Reactor,
} from '../src/index';

const Counted = defineEvent({ type: 'Counted', version: 1, schema: z.object({ n: z.number() }) });
const Ignored = defineEvent({ type: 'Ignored', version: 1, schema: z.object({}) });
const context = {
  actor: { kind: 'system' as const, id: 't' },
  correlationId: randomUUID(),
  causationId: null,
  command: 'T',
};
const logger = createLogger('silent');

/** Records every event it applies, with no key: applying one twice would show as a duplicate row. */
function counter(failOn?: { n: number; times: number }): Projector {
  let failures = 0;
  return {
    name: 'counter',
    handles: ['Counted'],
    tables: ['counted'],
    migrations: {
      '0001': {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        up: async (db: Kysely<any>) => {
          await db.schema
            .createTable('counted')
            .addColumn('n', 'integer', (c) => c.notNull())
            .addColumn('position', 'bigint')
            .execute();
        },
      },
    },
    apply: oneByOne(async (tx, event) => {
      const n = (event.data as { n: number }).n;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await (tx as Kysely<any>)
        .insertInto('counted')
        .values({ n, position: event.position.toString() })
        .execute();
      if (failOn && n === failOn.n && failures < failOn.times) {
        failures++;
        throw new Error('projector bug');
      }
    }),
  };
}

async function setup() {
  const database = await createTestDatabase({ poolSize: 12 });
  const adapter = new PostgresEventStoreAdapter(database);
  await adapter.migrate();
  const store = new EventStore(adapter, new EventCatalogue([Counted, Ignored]), new MemoryKeyVault());
  const db = database.db as Kysely<ReadModels>;
  const rows = async () =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (await (db as Kysely<any>).selectFrom('counted').select(['n']).orderBy('n').execute()).map(
      (r) => r.n as number,
    );
  const write = async (count: number, offset = 0) => {
    for (let i = 0; i < count; i++)
      await store.append(
        `c-${randomUUID()}`,
        'no_stream',
        [
          { id: randomUUID(), type: 'Counted', data: { n: offset + i } },
          { id: randomUUID(), type: 'Ignored', data: {} },
        ],
        context,
      );
  };
  return { database, store, db, rows, write };
}

/** A runner of a counter that fails once on n = 7, in batches of 5, over ten Counted events. */
async function failingOnSeven(s: Awaited<ReturnType<typeof setup>>) {
  const projector = counter({ n: 7, times: 1 });
  const runner = new ProjectionRunner({
    db: s.db,
    store: s.store,
    projectors: [projector],
    logger,
    batchSize: 5,
  });
  await runner.migrate();
  await s.write(10);
  return { projector, runner };
}

describe('projection runtime', () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup) await c();
    cleanup = [];
  });

  it('applies batches and moves the checkpoint in one transaction: a failing batch leaves nothing behind', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const { projector, runner } = await failingOnSeven(s);
    // the first batch (n 0, 1, ...) once the log is readable: other databases' transactions can hold it back
    await expect.poll(async () => (await runner.projectBatch(projector)) > 0, { timeout: 30_000 }).toBe(true);
    const before = await readCheckpoint(s.db, 'counter');
    const rowsBefore = await s.rows();
    const head = await s.store.headPosition();
    await expect(async () => {
      for (;;) {
        const moved = await runner.projectBatch(projector);
        if (moved === 0 && (await readCheckpoint(s.db, 'counter')) >= head) break;
        if (moved === 0) await new Promise((r) => setTimeout(r, 5)); // the horizon has not reached the head yet
      }
    }).rejects.toThrow('projector bug');
    // the failed batch rolled back whole: no row beyond the checkpoint, none for the failing event
    const atFailure = await readCheckpoint(s.db, 'counter');
    expect(atFailure >= before).toBe(true);
    expect(rowsBefore.length).toBeGreaterThan(0);
    expect(await s.rows()).not.toContain(7);
    const counted = (await s.store.readAll(-1n, 1_000)).filter(
      (e) => e.type === 'Counted' && e.position <= atFailure,
    );
    expect(await s.rows()).toEqual(counted.map((e) => (e.data as { n: number }).n));
    await runner.catchUp();
    expect(await s.rows()).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('announces every checkpoint it commits, in order, and none it rolls back', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const heard: { name: string; position: bigint; changedPosition: bigint }[] = [];
    // (An empty payload says the listening connection (re)connected: not an announcement.)
    const stopListening = await s.database.listen(PROGRESS_CHANNEL, (payload) => {
      const progress = parseProgress(payload);
      if (progress) heard.push(progress);
    });
    cleanup.unshift(stopListening);
    const { projector, runner } = await failingOnSeven(s);
    await expect(async () => {
      for (;;) if ((await runner.projectBatch(projector)) === 0) await new Promise((r) => setTimeout(r, 5));
    }).rejects.toThrow('projector bug');
    const atFailure = await readCheckpoint(s.db, 'counter');
    // Every committed batch was announced (in commit order); the failed one, rolled back, was not.
    await expect.poll(() => heard.at(-1)?.position).toBe(atFailure);
    expect(heard.every((h) => h.name === 'counter' && h.position <= atFailure)).toBe(true);
    await runner.catchUp();
    const end = await readCheckpoint(s.db, 'counter');
    await expect.poll(() => heard.at(-1)?.position).toBe(end);
    const positions = heard.map((h) => h.position);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(positions).size).toBe(positions.length);
    // The changed position is that of the last Counted event applied, never an Ignored one after it.
    const counted = (await s.store.readAll(-1n, 1_000)).filter((e) => e.type === 'Counted');
    expect(heard.at(-1)!.changedPosition).toBe(counted.at(-1)!.position);
  });

  it.skipIf(!onRealPostgres())('two instances of a projector never apply an event twice', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const a = new ProjectionRunner({
      db: s.db,
      store: s.store,
      projectors: [counter()],
      logger,
      batchSize: 3,
      pollMs: 5,
    });
    const b = new ProjectionRunner({
      db: s.db,
      store: s.store,
      projectors: [counter()],
      logger,
      batchSize: 3,
      pollMs: 5,
    });
    await a.migrate();
    a.start();
    b.start();
    await s.write(60);
    const head = await s.store.headPosition();
    await expect
      .poll(async () => (await readCheckpoint(s.db, 'counter')) >= head, { timeout: 20_000 })
      .toBe(true);
    await a.stop();
    await b.stop();
    expect(await s.rows()).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('rebuilds into fresh tables while the live ones serve, then swaps them in with the checkpoint', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const projector = counter();
    const runner = new ProjectionRunner({ db: s.db, store: s.store, projectors: [projector], logger });
    await runner.migrate();
    await s.write(20);
    await runner.catchUp();
    // damage the live read model: a rebuild must restore it from the log alone
    await sql`DELETE FROM counted WHERE n < 10`.execute(s.db);
    const result = await rebuildProjector({ db: s.db, store: s.store, logger }, projector);
    expect(result.events).toBeGreaterThan(0);
    await runner.catchUp(); // the live projector carries on from the rebuilt checkpoint
    expect(await s.rows()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await readCheckpoint(s.db, 'counter')).toBe(await s.store.headPosition());
    await s.write(3, 20);
    await runner.catchUp();
    expect(await s.rows()).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const schemas = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`.execute(s.db);
    expect(schemas.rows[0]!.n).toBe(0);
  });

  it('rebuilds several projectors from one reading of the log, each to where the reading reached', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const counting = counter();
    // a second read model: how many Ignored events there were
    const ignoredCount: Projector = {
      name: 'ignored_count',
      handles: ['Ignored'],
      tables: ['ignored_count'],
      migrations: {
        '0001': {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          up: async (db: Kysely<any>) => {
            await db.schema.createTable('ignored_count').addColumn('position', 'bigint').execute();
          },
        },
      },
      apply: oneByOne(async (tx, event) => {
        await sql`INSERT INTO ignored_count VALUES (${event.position.toString()})`.execute(tx);
      }),
    };
    await s.write(12);
    const results = await rebuildProjectors({ db: s.db, store: s.store, logger, batchSize: 5 }, [
      counting,
      ignoredCount,
    ]);
    expect(results.map((r) => [r.projector, r.events])).toEqual([
      ['counter', 12],
      ['ignored_count', 12],
    ]);
    expect(await s.rows()).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const ignored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ignored_count`.execute(s.db);
    expect(ignored.rows[0]!.n).toBe(12);
    const head = await s.store.headPosition(); // the last event is an Ignored one
    expect(await readCheckpoint(s.db, 'counter')).toBe(head);
    expect(await readCheckpoint(s.db, 'ignored_count')).toBe(head);
  });

  it('a rebuild applies partitions side by side, each in log order, and an event of none alone', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const plain = counter();
    const applied: { n: number[]; started: number; ended: number }[] = [];
    let clock = 0;
    let atOnce = 0;
    let mostAtOnce = 0;
    // n % 7 === 0 touches every partition (like an erasure); the others belong to n % 5
    const partitioned: Projector = {
      ...plain,
      partition: (event) => {
        const n = (event.data as { n: number }).n;
        return n % 7 === 0 ? null : String(n % 5);
      },
      apply: async (tx, events) => {
        const started = ++clock;
        mostAtOnce = Math.max(mostAtOnce, ++atOnce);
        await plain.apply(tx, events);
        await new Promise((resolve) => setTimeout(resolve, 5));
        atOnce--;
        applied.push({ n: events.map((e) => (e.data as { n: number }).n), started, ended: ++clock });
      },
    };
    await s.write(60);
    const runner = new ProjectionRunner({ db: s.db, store: s.store, projectors: [partitioned], logger });
    await runner.migrate();
    await rebuildProjector({ db: s.db, store: s.store, logger, batchSize: 8 }, partitioned);

    expect(await s.rows()).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // read only what it handles, it stands at the last of those (the runner passes the rest)
    const counted = await s.store.readAll(-1n, 1_000, ['Counted']);
    expect(await readCheckpoint(s.db, 'counter')).toBe(counted.at(-1)!.position);
    // PGlite serves one connection at a time: there the lanes take turns
    if (onRealPostgres()) expect(mostAtOnce).toBeGreaterThan(1);
    for (const partition of [0, 1, 2, 3, 4]) {
      const order = applied.flatMap((a) => a.n).filter((n) => n % 7 !== 0 && n % 5 === partition);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    for (const barrier of applied.filter((a) => a.n.some((n) => n % 7 === 0))) {
      expect(barrier.n).toHaveLength(1);
      const n = barrier.n[0]!;
      for (const other of applied.filter((a) => a !== barrier)) {
        if (other.n.some((m) => m < n)) expect(other.ended).toBeLessThan(barrier.started);
        else expect(other.started).toBeGreaterThan(barrier.ended);
      }
    }
  });

  it('a running projector follows appends promptly (woken, not only polled)', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const runner = new ProjectionRunner({
      db: s.db,
      store: s.store,
      projectors: [counter()],
      logger,
      pollMs: 60_000,
    });
    await runner.migrate();
    runner.start();
    cleanup.push(() => runner.stop());
    await s.write(3);
    await expect.poll(() => s.rows(), { timeout: 30_000 }).toEqual([0, 1, 2]);
  });

  it('gathers events that keep coming into one batch, after reading the first of them at once', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const projector = counter();
    const batches: number[][] = [];
    const apply = projector.apply;
    projector.apply = (tx, events) => {
      batches.push(events.map((e) => (e.data as { n: number }).n));
      return apply(tx, events);
    };
    const runner = new ProjectionRunner({
      db: s.db,
      store: s.store,
      projectors: [projector],
      logger,
      gatherMs: 3_000,
    });
    await runner.migrate();
    runner.start();
    cleanup.push(() => runner.stop());
    await s.write(1);
    await expect.poll(() => s.rows(), { timeout: 30_000 }).toEqual([0]);
    // Within the gathering time of the first page: read together, once it is over.
    await s.write(4, 1);
    await expect.poll(() => s.rows(), { timeout: 30_000 }).toEqual([0, 1, 2, 3, 4]);
    expect(batches).toEqual([[0], [1, 2, 3, 4]]);
  });

  it('a reactor with lanes reacts to every event once, each lane in log order, lanes side by side', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    const seen = new Map<string, number[]>();
    let atOnce = 0;
    let mostAtOnce = 0;
    const reactor: Reactor = {
      name: 'laned',
      handles: ['Counted'],
      lane: (event) => String((event.data as { n: number }).n % 3),
      react: async (event) => {
        const n = (event.data as { n: number }).n;
        mostAtOnce = Math.max(mostAtOnce, ++atOnce);
        await new Promise((resolve) => setTimeout(resolve, 5));
        atOnce--;
        const lane = String(n % 3);
        seen.set(lane, [...(seen.get(lane) ?? []), n]);
      },
    };
    await s.write(30);
    const runner = new ProjectionRunner({
      db: s.db,
      store: s.store,
      projectors: [],
      reactors: [reactor],
      logger,
    });
    await runner.migrate();
    await runner.catchUp();
    for (const lane of ['0', '1', '2'])
      expect(seen.get(lane)).toEqual(Array.from({ length: 10 }, (_, i) => i * 3 + Number(lane)));
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(await readCheckpoint(s.db, 'laned')).toBe(await s.store.headPosition());
  });

  it('a caught-up runner waits for news instead of reading the log again and again', async () => {
    const s = await setup();
    cleanup.push(() => s.database.close());
    let reads = 0;
    const store = new Proxy(s.store, {
      get(target, key, receiver) {
        if (key === 'readAll')
          return (...args: Parameters<typeof target.readAll>) => (reads++, target.readAll(...args));
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const runner = new ProjectionRunner({ db: s.db, store, projectors: [counter()], logger, pollMs: 60_000 });
    await runner.migrate();
    await s.write(2);
    await runner.catchUp();
    runner.start();
    cleanup.push(() => runner.stop());
    await new Promise((resolve) => setTimeout(resolve, 500)); // a late wake-up may still be tried briefly
    reads = 0;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Nothing was appended: a poll interval of a minute allows a read or two, not one per millisecond.
    expect(reads).toBeLessThan(10);
  });
});
