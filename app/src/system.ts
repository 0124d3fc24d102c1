import { createCommandBus, registerCommandApi, type CommandBus } from '@chat/command-api';
import type { WidgetLimits } from '@chat/command-api/live-chat/widget-routes';
import {
  createHttpServer,
  openPlatform,
  type Config,
  type HttpServer,
  type Logger,
  type Platform,
} from '@chat/platform';
import { allProjectors, ProjectionRunner, type ReadModels } from '@chat/projections';
import { registerQueryApi } from '@chat/query-api';
import type { Kysely } from 'kysely';
import { startChainCheckpoints } from './audit/checkpoint-job';
import { createReactors } from './reactors';
import { seedDemo } from './seed/demo';
import { registerWebAssets } from './web';

export interface SystemParts {
  commands: boolean;
  queries: boolean;
  projections: boolean;
  /** Serve the portal, the widget and the demo page: building them when stale, or only if already built. */
  web: boolean | 'if-built';
}

/** What a benchmark changes about the composition; the product never passes these. */
export interface SystemTuning {
  /** Instead of the widget's per-visitor and per-address limits. */
  widgetLimits?: WidgetLimits;
  /** Routes added beside the APIs before the server listens. */
  routes?: (http: HttpServer) => void;
}

export interface System {
  platform: Platform;
  bus: CommandBus;
  runner: ProjectionRunner;
  http: HttpServer | null;
  url: string | null;
  close(): Promise<void>;
}

/**
 * Composes the parts of the system in one process: the all-in-one server runs them all, each
 * service runs one. Every process runs the read-model migrations (they are idempotent).
 */
export async function startSystem(
  config: Config,
  logger: Logger,
  parts: SystemParts,
  tuning: SystemTuning = {},
): Promise<System> {
  const platform = await openPlatform(config, logger);
  const bus = createCommandBus(platform);
  const runner = new ProjectionRunner({
    db: platform.database.db as Kysely<ReadModels>,
    store: platform.store,
    projectors: allProjectors,
    reactors: createReactors(bus, platform),
    logger,
    batchSize: config.PROJECTION_BATCH_SIZE,
  });
  await runner.migrate();
  if (parts.projections) runner.start();
  const checkpoints = parts.projections ? startChainCheckpoints(bus, config, logger) : null;
  if (config.SEED_DEMO && (await platform.store.headPosition()) <= 0n) {
    await seedDemo(bus);
    logger.info('seeded the demo organisation');
  }

  let http: HttpServer | null = null;
  let url: string | null = null;
  if (parts.commands || parts.queries || parts.web) {
    const web = parts.web ? await registerWebAssets(config, logger, { build: parts.web === true }) : null;
    http = await createHttpServer({
      logger,
      title: 'Portal messaging API',
      readiness: platform.readiness,
      rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
      trustProxy: config.TRUST_PROXY,
      notFound: web?.notFound,
    });
    if (parts.commands) await registerCommandApi(http, platform, bus, tuning.widgetLimits);
    if (parts.queries)
      await registerQueryApi(http, platform, { projectors: allProjectors.map((p) => p.name) });
    if (web) await web.register(http);
    tuning.routes?.(http);
    url = await http.listen({ port: config.PORT, host: config.HOST });
  }

  return {
    platform,
    bus,
    runner,
    http,
    url,
    close: async () => {
      await http?.close();
      checkpoints?.stop();
      await runner.stop();
      await platform.close();
    },
  };
}
