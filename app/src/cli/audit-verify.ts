import { createCommandBus } from '@chat/command-api';
import { createLogger, loadConfig, openPlatform } from '@chat/platform';
import { runAuditVerify } from '../audit/verify-command';
import { fail, parseArgs } from './args';

/**
 * Recomputes every hash chain of the event store and checks it against the signed checkpoints;
 * exits 1 at the first sign of an altered history.
 * `npm run audit:verify [-- --stream <id>] [--checkpoint] [--replay]`
 */
const { flags, rest } = parseArgs(process.argv.slice(2));
const known = new Set(['stream', 'checkpoint', 'replay']);
if (rest.length > 0 || [...flags.keys()].some((f) => !known.has(f)) || flags.get('stream') === true)
  fail('usage: npm run audit:verify [-- --stream <streamId>] [--checkpoint] [--replay]');
const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
const platform = await openPlatform(config, logger);
let code = 1;
try {
  code = await runAuditVerify(
    platform,
    createCommandBus(platform),
    logger,
    {
      stream: flags.get('stream') as string | undefined,
      checkpoint: flags.has('checkpoint'),
      replay: flags.has('replay'),
    },
    (line) => process.stdout.write(`${line}\n`),
  );
} finally {
  await platform.close();
}
process.exit(code);
