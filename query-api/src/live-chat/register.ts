import type { HttpServer, Platform, SessionLookup } from '@chat/platform';
import { VisitorTokens } from '@chat/platform/auth/visitor-tokens';
import { widgetSites, WidgetOrigins } from '@chat/platform/live-chat/widget-sites';
import type { ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import type { ChangeVersions } from '../change-versions';
import { registerHelpdeskQueries } from '../helpdesk/routes';
import { registerKnowledgeBaseQueries } from '../knowledge-base/routes';
import { registerLiveChatQueries } from './routes';
import { registerWidgetQueries } from './widget-routes';

/** The reads of Live chat (staff queue and visitor widget), helpdesk tickets and the knowledge base. */
export async function registerLiveChatApi(
  app: HttpServer,
  platform: Platform,
  deps: { db: Kysely<ReadModels>; sessions: SessionLookup; versions: ChangeVersions },
): Promise<void> {
  const origins = new WidgetOrigins(widgetSites(platform.config));
  const common = { db: deps.db, sessions: deps.sessions, versions: deps.versions };
  registerLiveChatQueries(app, common);
  registerHelpdeskQueries(app, common);
  registerKnowledgeBaseQueries(app, { ...common, origins });
  await registerWidgetQueries(app, {
    db: deps.db,
    tokens: new VisitorTokens(platform.database.pool),
    origins,
  });
}
