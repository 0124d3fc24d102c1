import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue, EventStore, PostgresEventStoreAdapter, PostgresKeyVault, START } from '@chat/events';
import { parseKey } from '@chat/events/personal-data/cipher';
import { openPostgres } from '@chat/platform';
import { allProjectors } from '@chat/projections';
import pg from 'pg';
import { DEFAULT_DATABASE_URL, print, round, scratchDatabase } from './measure';
import { runChild, type ChildRun } from './replay/child';
import { generate } from './replay/history';

/**
 * Replay at scale: a generated history of a realistic mix (Team chat messages with edits,
 * deletions, reactions and read marks; Live chat sessions with visitors, agents and the bot;
 * users, channels, articles), hash-chained and encrypted like every append, then
 * (a) every read model rebuilt from scratch, (b) every hash chain verified, (c) the log exported
 * as NDJSON, beside the ceiling of merely reading the log. Each of (a) to (c) runs as the command
 * an operator or auditor runs (`projections:rebuild`, `audit:verify`, the audit export), in a
 * fresh process whose peak resident memory is its own.
 *
 * REPLAY_EVENTS sets the size (default 100,000: a few minutes on two cores, most of them in the
 * Team chat rebuild; the 1,000,000 works the same, about ten times longer).
 * REPLAY_DATABASE=<name> with REPLAY_KEY=<64 hex> generates into that database once and keeps it,
 * so that later runs measure the same history again without generating it.
 */
const EVENTS = Number(process.env.REPLAY_EVENTS ?? 100_000);
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = (name: string) => path.join(here, '..', '..', 'app', 'src', 'cli', `${name}.ts`);

/** Reads the whole log page by page; answers events per second. */
async function readRate(read: (after: bigint) => Promise<readonly { position: bigint }[]>) {
  const started = performance.now();
  let n = 0;
  for (let after = START; ;) {
    const page = await read(after);
    if (page.length === 0) break;
    n += page.length;
    after = page[page.length - 1]!.position;
  }
  return round(n / ((performance.now() - started) / 1000), 0);
}

/** The database to generate into: a scratch one, or the kept one named by REPLAY_DATABASE. */
async function historyDatabase(): Promise<{ url: string; secret: Buffer; drop(): Promise<void> }> {
  const kept = process.env.REPLAY_DATABASE;
  if (!kept) return { ...(await scratchDatabase('bench_replay')), secret: randomBytes(32) };
  if (!/^[a-z_][a-z0-9_]*$/.test(kept) || !process.env.REPLAY_KEY)
    throw new Error('REPLAY_DATABASE needs a plain lowercase name and REPLAY_KEY (64 hex characters)');
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [kept]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${kept}`);
  await admin.end();
  url.pathname = `/${kept}`;
  return { url: url.toString(), secret: parseKey(process.env.REPLAY_KEY), drop: async () => undefined };
}

/**
 * From a rebuild's progress lines ("name: <events> events, log position <p>, <seconds> s"): the
 * rate of the log passed over each stretch between two lines, at the stretch's end (thousands of
 * log events). A rebuild reads only the events its read models handle, so the log, not what it
 * applied, is what a rate is of; positions have gaps, so the events up to one are counted.
 */
async function throughputAlong(
  output: string,
  eventsUpTo: (position: string) => Promise<number>,
): Promise<[number, number][]> {
  const points: [number, number][] = [];
  let last: [number, number] = [0, 0];
  for (const match of output.matchAll(/: \d+ events, log position (\d+), ([\d.]+) s$/gm)) {
    const at: [number, number] = [await eventsUpTo(match[1]!), Number(match[2])];
    if (at[1] > last[1])
      points.push([round(at[0] / 1000, 0), round((at[0] - last[0]) / (at[1] - last[1]), 0)]);
    last = at;
  }
  return points;
}

/** The first match of `pattern` in a command's output, as numbers. */
function numbersIn(run: ChildRun, pattern: RegExp): number[] {
  const match = pattern.exec(run.output);
  if (!match) throw new Error(`unexpected output:\n${run.output}`);
  return match.slice(1).map(Number);
}

export async function run() {
  const history = await historyDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-replay-'));
  // The commands measured read the configuration an operator gives them.
  const env = {
    DATABASE_URL: history.url,
    EVENT_STORE: 'postgres',
    DATA_KEY_SECRET: history.secret.toString('hex'),
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
  try {
    const database = openPostgres(history.url, { poolSize: 4, statementTimeoutMs: 600_000 });
    const adapter = new PostgresEventStoreAdapter(database);
    await adapter.migrate();
    const vault = new PostgresKeyVault(database.pool, history.secret);
    await vault.migrate();
    const existing = Number((await database.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    print('machine load average (1 min) at start', round(loadavg()[0]!, 1));
    let generateRate: number | null = null;
    if (existing === 0) {
      // Generating is not what is measured: its own connections skip waiting for each commit's WAL flush.
      const loader = new pg.Pool({
        connectionString: history.url,
        max: 2,
        options: '-c synchronous_commit=off',
      });
      const started = performance.now();
      const written = await generate(
        new EventStore(adapter, catalogue, new PostgresKeyVault(loader, history.secret)),
        loader,
        EVENTS,
      );
      await loader.end();
      generateRate = round(written / ((performance.now() - started) / 1000), 0);
      await database.pool.query('VACUUM ANALYZE events');
      print('generate: validated, encrypted, chained, bulk-inserted', `${generateRate} events/s`);
    } else print('history kept from an earlier run (REPLAY_DATABASE)', `${existing} events`);
    const events = existing || EVENTS;
    print('events in the history', events);

    // The ceilings: reading the stored log (what verification reads), and reading it decrypted
    // (what every rebuild and the export read), nothing else.
    const store = new EventStore(adapter, catalogue, vault);
    const storedRate = await readRate((after) => store.readStoredAll(after, 2_000));
    print('ceiling: read the stored log', `${storedRate} events/s`);
    const readRateDecrypted = await readRate((after) => store.readAll(after, 2_000));
    print('ceiling: read + decrypt the whole log', `${readRateDecrypted} events/s`);
    await store.close();
    const eventsUpTo = async (position: string) =>
      Number(
        (await database.pool.query('SELECT count(*) AS n FROM events WHERE position <= $1', [position])).rows[0]
          .n,
      );

    const rebuilds: {
      projector: string;
      eventsPerSecond: number;
      applied: number;
      seconds: number;
      peakRssMiB: number;
    }[] = [];
    const progress: { name: string; points: [number, number][] }[] = [];
    for (const projector of allProjectors) {
      const ran = await runChild(cli('projections-rebuild'), [projector.name], env);
      const [applied, seconds] = numbersIn(ran, /: (\d+) events in ([\d.]+) s/);
      const rate = round(events / seconds!, 0);
      rebuilds.push({
        projector: projector.name,
        eventsPerSecond: rate,
        applied: applied!,
        seconds: seconds!,
        peakRssMiB: ran.peakRssMiB,
      });
      progress.push({ name: projector.name, points: await throughputAlong(ran.output, eventsUpTo) });
      print(
        `(a) projections:rebuild ${projector.name}`,
        `${rate} log events/s (${seconds} s, ${applied} events applied), peak RSS ${ran.peakRssMiB} MiB`,
      );
    }
    // The operator's command for everything: every read model from one reading of the log.
    const all = await runChild(cli('projections-rebuild'), ['--all'], env);
    const [allSeconds] = numbersIn(all, /: \d+ events in ([\d.]+) s/);
    const allRate = round(events / allSeconds!, 0);
    progress.push({ name: 'all (--all)', points: await throughputAlong(all.output, eventsUpTo) });
    await database.close();
    print(
      '(a) projections:rebuild --all, every read model',
      `${allRate} log events/s (${allSeconds} s), peak RSS ${all.peakRssMiB} MiB`,
    );

    const verified = await runChild(cli('audit-verify'), [], env);
    const [verifiedEvents, streams, verifySeconds] = numbersIn(
      verified,
      /(\d+) events in (\d+) streams, .* verified in ([\d.]+) s/,
    );
    if (!/every hash chain is intact/.test(verified.output))
      throw new Error('the generated history does not verify');
    const verifyRate = round(verifiedEvents! / verifySeconds!, 0);
    print(
      '(b) audit:verify, every hash chain',
      `${verifyRate} events/s (${verifySeconds} s, ${streams} streams), peak RSS ${verified.peakRssMiB} MiB`,
    );

    const exported = await runChild(path.join(here, 'replay', 'export-ndjson.ts'), [], env);
    const [bytes, exportSeconds] = numbersIn(exported, /exported (\d+) bytes in ([\d.]+) s/);
    const mib = bytes! / 2 ** 20;
    const exportRate = round(mib / exportSeconds!, 1);
    print(
      '(c) audit export, NDJSON (decrypted)',
      `${exportRate} MB/s, ${round(mib, 0)} MB in ${exportSeconds} s, peak RSS ${exported.peakRssMiB} MiB; target < 500 MB`,
    );
    const peakRssMiB = Math.max(
      verified.peakRssMiB,
      exported.peakRssMiB,
      all.peakRssMiB,
      ...rebuilds.map((r) => r.peakRssMiB),
    );

    return {
      events,
      loadAverageAtStart: round(loadavg()[0]!, 1),
      note:
        events < 1_000_000
          ? `run with ${events} events (REPLAY_EVENTS=1000000 for the full size)`
          : 'full size',
      generate: { eventsPerSecond: generateRate },
      ceilingReadStored: { eventsPerSecond: storedRate },
      ceilingReadDecrypt: { eventsPerSecond: readRateDecrypted },
      rebuild: rebuilds,
      rebuildAll: {
        logEventsPerSecond: allRate,
        seconds: allSeconds!,
        peakRssMiB: all.peakRssMiB,
      },
      verify: { eventsPerSecond: verifyRate, streams, peakRssMiB: verified.peakRssMiB },
      export: { megabytesPerSecond: exportRate, megabytes: round(mib, 0), peakRssMiB: exported.peakRssMiB },
      series: [
        {
          title: 'Rebuild throughput along the history',
          x: 'log events passed (thousands)',
          y: 'log events/s over the last stretch',
          lines: [
            ...progress,
            {
              name: 'target 30,000',
              points: [
                [0, 30_000],
                [round(events / 1000, 0), 30_000],
              ],
            },
          ],
        },
      ],
      summary: [
        // A read model handling a sliver of the log reads only that: beside reading all of it, its rate says little.
        ...rebuilds.map((r) => ({
          metric: `(a) rebuild ${r.projector} alone (${r.applied} events applied)`,
          value: r.eventsPerSecond,
          unit: 'log events/s',
          ...(r.applied >= events / 10
            ? { reference: { label: 'read + decrypt the log', value: readRateDecrypted } }
            : {}),
          target: '>= 30,000 events/s',
        })),
        {
          metric: '(a) rebuild every read model (--all)',
          value: allRate,
          unit: 'log events/s',
          reference: { label: 'read + decrypt the log', value: readRateDecrypted },
          target: '>= 30,000 events/s',
        },
        {
          metric: '(b) verify every hash chain',
          value: verifyRate,
          unit: 'events/s',
          reference: { label: 'read the stored log', value: storedRate },
        },
        { metric: '(c) export NDJSON', value: exportRate, unit: 'MB/s' },
        {
          metric: 'peak RSS of any replay command (rebuild, verify, export)',
          value: peakRssMiB,
          unit: 'MiB',
          target: '< 500 MB',
        },
        { metric: 'events in the history', value: events, unit: 'events' },
        { metric: 'load average at start (2 cores)', value: round(loadavg()[0]!, 1), unit: '' },
      ],
    };
  } finally {
    await history.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
