import { createLogger, loadConfig, openPlatform } from '@chat/platform';
import { allProjectors, rebuildProjectors, type ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import { fail, parseArgs } from './args';

/**
 * Replays the whole history into fresh read-model tables and swaps them in: the projectors named,
 * or all, from one reading of the log. The live tables keep serving until the swap.
 * `npm run projections:rebuild -- <name> [<name> ...] | --all`
 */
/** A line of progress every this many events: a long rebuild shows it is moving. */
const PROGRESS_EVERY = 100_000;
const { flags, rest } = parseArgs(process.argv.slice(2));
const names = allProjectors.map((p) => p.name);
const chosen = flags.has('all') ? allProjectors : allProjectors.filter((p) => rest.includes(p.name));
if (chosen.length === 0) fail(`usage: npm run projections:rebuild -- <${names.join('|')}> | --all`);
const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
const platform = await openPlatform(config, logger);
try {
  let reported = 0;
  const label = chosen.length === allProjectors.length ? 'all' : chosen.map((p) => p.name).join('+');
  const onProgress = (events: number, seconds: number, position: bigint) => {
    if (events < reported + PROGRESS_EVERY) return;
    reported = events;
    process.stdout.write(`  ${label}: ${events} events, log position ${position}, ${seconds.toFixed(1)} s\n`);
  };
  const db = platform.database.db as Kysely<ReadModels>;
  const results = await rebuildProjectors({ db, store: platform.store, logger, onProgress }, chosen);
  for (const result of results)
    process.stdout.write(`${result.projector}: ${result.events} events in ${result.seconds.toFixed(1)} s, swapped in\n`);
} finally {
  await platform.close();
}
