import { startSystem } from '@chat/app';
import { createLogger, loadConfig } from '@chat/platform';

/**
 * The all-in-one server of `npm start` (app/src/main.ts: command-api, projections and query-api
 * in one process, demo organisation seeded), except that it serves the portal only if already
 * built instead of building it first: a load run must not start a front-end build.
 */
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'load-all-in-one');
const system = await startSystem(config, logger, {
  commands: true,
  queries: true,
  projections: true,
  web: 'if-built',
});
process.stdout.write(`READY ${system.url}\n`);
let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await system.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
