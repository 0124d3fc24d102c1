import type { HttpServer, Platform } from '@chat/platform';
import { readCheckpoints, type ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ChangeVersions } from './change-versions';
import { CheckpointWatcher } from './consistency/checkpoint-watcher';
import { registerConsistencyHooks } from './consistency/hooks';
import { registerIdentityQueries } from './identity/routes';
import { registerAuditQueries } from './audit/routes';
import { registerLiveChatApi } from './live-chat/register';
import { registerTeamChatQueries } from './team-chat/routes';

export interface QueryApiOptions {
  /** The projectors whose read models this API serves (X-Min-Position waits for all of them). */
  projectors: readonly string[];
}

/** The read side: every GET over the read models. It appends one kind of event only: auditors' reads (AuditQueryPerformed). */
export async function registerQueryApi(
  app: HttpServer,
  platform: Platform,
  options: QueryApiOptions,
): Promise<void> {
  const db = platform.database.db as Kysely<ReadModels>;
  const watcher = new CheckpointWatcher(db, options.projectors, {
    appends: platform.store,
    progress: platform.database,
  });
  await watcher.start();
  const versions = new ChangeVersions(watcher);
  const sessions = await platform.signedIn();
  app.addHook('onClose', async () => watcher.close());
  await app.register(async (api) => {
    registerConsistencyHooks(api, watcher, platform.config.MIN_POSITION_WAIT_MS);
    registerIdentityQueries(api, { db, sessions, versions });
    await registerLiveChatApi(api, platform, { db, sessions, versions });
    registerTeamChatQueries(api, platform, { db, sessions, versions });
    await registerAuditQueries(api, platform);
    api.get(
      '/api/projections',
      {
        schema: {
          tags: ['operations'],
          response: {
            200: z.object({
              head: z.string(),
              items: z.array(
                z.object({
                  name: z.string(),
                  position: z.string(),
                  behind: z.boolean(),
                  updatedAt: z.string(),
                }),
              ),
            }),
          },
        },
      },
      async () => {
        const head = await platform.store.headPosition();
        const checkpoints = await readCheckpoints(db);
        return {
          head: head.toString(),
          items: checkpoints.map((c) => ({
            name: c.name,
            position: c.position.toString(),
            behind: c.position < head,
            updatedAt: c.updatedAt.toISOString(),
          })),
        };
      },
    );
  });
}
