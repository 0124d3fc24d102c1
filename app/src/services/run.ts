import { ConfigError, createLogger, loadConfig } from '@chat/platform';
import { startSystem, type SystemParts } from '../system';

/** Runs one service of the production topology (see docker-compose.yml). */
export function runService(name: string, parts: SystemParts): void {
  (async () => {
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL, name);
    const system = await startSystem(config, logger, parts);
    logger.info({ url: system.url }, `${name} started`);
    const shutdown = async () => {
      await system.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown());
    process.on('SIGTERM', () => void shutdown());
  })().catch((error) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : ((error as Error).stack ?? error)}\n`);
    process.exit(1);
  });
}
