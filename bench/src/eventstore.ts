import { randomBytes, randomUUID } from 'node:crypto';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { AUDIT_INDEXES_DDL, defineEvent, EventCatalogue, EventStore, PostgresEventStoreAdapter, PostgresKeyVault } from '@chat/events';
import { openPostgres } from '@chat/platform';
import { z } from 'zod';
import { print, rawInsertCeiling, round, scratchDatabase, summarize, throughput } from './measure';

const WRITERS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** Rounds alternate the three writers, so a noisy neighbour hurts each alike; the median round counts. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function median<T extends { perSecond: number }>(results: T[]): T {
  return [...results].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(results.length / 2)]!;
}

const MessagePosted = defineEvent({
  type: 'MessagePosted',
  version: 1,
  schema: z.object({ messageId: z.string(), authorId: z.string(), body: z.string() }),
  personalData: { subject: (d) => `user:${d.authorId}`, fields: ['body'] },
});

/**
 * The event store against its ceiling and a peer, on the same Postgres in the same run:
 * (a) raw one-row transactions, (b) our adapter (validated, encrypted, hash-chained appends at an
 * exact expected revision), (c) Emmett's PostgreSQL event store, (d) catch-up reads of the log.
 */
export async function run() {
  const ceilingDb = await scratchDatabase('bench_raw');
  const ourDb = await scratchDatabase('bench_ours');
  const peerDb = await scratchDatabase('bench_emmett');
  try {

    const database = openPostgres(ourDb.url, { poolSize: WRITERS });
    const adapter = new PostgresEventStoreAdapter(database);
    await adapter.migrate();
    await database.pool.query(AUDIT_INDEXES_DDL); // as deployed: the auditors' indexes cost every append
    const vault = new PostgresKeyVault(database.pool, randomBytes(32));
    await vault.migrate();
    const store = new EventStore(adapter, new EventCatalogue([MessagePosted]), vault);
    const context = { actor: { kind: 'system' as const, id: 'bench' }, correlationId: randomUUID(), causationId: null, command: 'Bench' };
    const streams = Array.from({ length: WRITERS }, () => `message-${randomUUID()}`);
    const revisions: (bigint | 'no_stream')[] = streams.map(() => 'no_stream');
    const body = 'Can someone check the printer on floor 2? It is offline again.';
    const oursOnce = () => throughput(WRITERS, SECONDS, async (worker) => {
      const result = await store.append(
        streams[worker]!,
        revisions[worker]!,
        [{ id: randomUUID(), type: 'MessagePosted', data: { messageId: randomUUID(), authorId: `u${worker}`, body } }],
        context,
      );
      revisions[worker] = result.revision;
    });

    const emmett = getPostgreSQLEventStore(peerDb.url);
    await emmett.schema.migrate();
    const peerStreams = Array.from({ length: WRITERS }, () => `message-${randomUUID()}`);
    const peerVersions: (bigint | undefined)[] = peerStreams.map(() => undefined);
    const peerOnce = () => throughput(WRITERS, SECONDS, async (worker) => {
      const result = await emmett.appendToStream(
        peerStreams[worker]!,
        [{ type: 'MessagePosted', data: { messageId: randomUUID(), authorId: `u${worker}`, body } }],
        peerVersions[worker] === undefined ? { expectedStreamVersion: 'STREAM_DOES_NOT_EXIST' } : { expectedStreamVersion: peerVersions[worker] },
      );
      peerVersions[worker] = result.nextExpectedStreamVersion;
    });
    const rounds: { raw: Awaited<ReturnType<typeof oursOnce>>; ours: Awaited<ReturnType<typeof oursOnce>>; peer: Awaited<ReturnType<typeof oursOnce>> }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await rawInsertCeiling(ceilingDb.url, WRITERS, SECONDS);
      const ours = await oursOnce();
      const peer = await peerOnce();
      rounds.push({ raw, ours, peer });
      print(`round ${round + 1} events/s raw / ours / emmett`, `${raw.perSecond} / ${ours.perSecond} / ${peer.perSecond}`);
    }
    await emmett.close();
    const raw = median(rounds.map((r) => r.raw));
    const ours = median(rounds.map((r) => r.ours));
    const peer = median(rounds.map((r) => r.peer));
    print('(a) ceiling: raw BEGIN; INSERT; COMMIT, 8 connections', raw);
    print('(b) our Postgres adapter, 8 writers, exact revision', ours);
    print('(c) peer: Emmett PostgreSQL event store, 8 writers', peer);

    const readStarted = performance.now();
    let read = 0;
    const batchTimes: number[] = [];
    for (let after = -1n; ; ) {
      const t0 = performance.now();
      const batch = await store.readAll(after, 1_000);
      batchTimes.push(performance.now() - t0);
      if (batch.length === 0) break;
      read += batch.length;
      after = batch[batch.length - 1]!.position;
    }
    const readSeconds = (performance.now() - readStarted) / 1000;
    const catchUp = { events: read, perSecond: round(read / readSeconds, 0), batchOf1000: summarize(batchTimes) };
    print('(d) catch-up read of the log (decrypting), batches of 1000', catchUp);
    await store.close();
    await database.close();

    const ratios = { oursOverCeiling: round(ours.perSecond / raw.perSecond), oursOverPeer: round(ours.perSecond / peer.perSecond) };
    print('ratio b/a (target >= 0.7)', ratios.oursOverCeiling);
    print('ratio b/c (target >= 1.0)', ratios.oursOverPeer);
    const summary = [
      { metric: 'appends/s, our adapter (8 writers)', value: ours.perSecond, unit: 'events/s', reference: { label: 'raw one-row transactions', value: raw.perSecond }, target: 'ratio >= 0.7' },
      { metric: 'appends/s, our adapter (8 writers)', value: ours.perSecond, unit: 'events/s', reference: { label: 'Emmett PostgreSQL', value: peer.perSecond }, target: 'ratio >= 1.0' },
      { metric: 'append p99 latency', value: ours.p99, unit: 'ms', reference: { label: 'raw one-row transaction p99', value: raw.p99 } },
      { metric: 'catch-up read of the log', value: catchUp.perSecond, unit: 'events/s' },
    ];
    return { seconds: SECONDS, rounds: ROUNDS, writers: WRITERS, ceiling: raw, ours, peer, catchUp, ratios, allRounds: rounds, summary };
  } finally {
    await ceilingDb.drop();
    await ourDb.drop();
    await peerDb.drop();
  }
}
