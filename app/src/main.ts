import { ConfigError, createLogger, loadConfig } from '@chat/platform';
import { demoUsers, DEMO_PASSWORD } from './seed/demo';
import { startSystem } from './system';

/** `npm start`: the whole product in one process, on the embedded database by default. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'portal');
  const system = await startSystem(config, logger, { commands: true, queries: true, projections: true, web: true });
  const shown = system.url?.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');
  const lines = [
    '',
    `  Portal running at ${shown}  (event store: ${config.EVENT_STORE})`,
    config.SEED_DEMO ? `  Sign in as ${demoUsers.map((u) => `${u.email} (${u.role})`).join(', ')}; password "${DEMO_PASSWORD}".` : '',
    `  Visitor widget demo: ${shown}/demo`,
    '',
  ];
  process.stdout.write(lines.filter((l) => l !== null).join('\n') + '\n');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing requests and projection batches');
    await system.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
