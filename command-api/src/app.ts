import type { HttpServer, Platform } from '@chat/platform';
import { LoginThrottle } from '@chat/platform';
import { CommandBus } from './commands/bus';
import type { CommandDefinition } from './commands/define';
import { registerCommandRoutes } from './commands/routes';
import type { CommandServices } from './commands/services';
import { registerAuthRoutes } from './identity/auth-routes';
import { identityCommands } from './identity/commands';
import { auditCommands } from './audit/commands';
import { helpdeskCommands } from './helpdesk/commands';
import { knowledgeBaseCommands } from './knowledge-base/commands';
import { liveChatCommands } from './live-chat/commands';
import { registerWidgetApi } from './live-chat/register';
import type { WidgetLimits } from './live-chat/widget-routes';
import { registerAttachmentUpload, teamChatCommands } from './team-chat/index';

/** Every command of the system. */
export const allCommands: CommandDefinition[] = [
  ...identityCommands,
  ...teamChatCommands,
  ...liveChatCommands,
  ...helpdeskCommands,
  ...knowledgeBaseCommands,
  ...auditCommands,
] as CommandDefinition[];

export function createCommandBus(platform: Platform): CommandBus {
  const services: CommandServices = {
    pool: platform.database.pool,
    sessions: platform.sessions,
    config: platform.config,
    logger: platform.logger,
  };
  return new CommandBus(platform.store, services, allCommands);
}

/** The write side's routes: sign-in, and `POST /api/commands/{Name}` for each command. */
export async function registerCommandApi(
  app: HttpServer,
  platform: Platform,
  bus: CommandBus,
  widgetLimits?: WidgetLimits,
): Promise<void> {
  registerAuthRoutes(app, {
    store: platform.store,
    pool: platform.database.pool,
    sessions: platform.sessions,
    throttle: new LoginThrottle(platform.database.pool),
    secureCookies: platform.config.COOKIE_SECURE,
  });
  registerCommandRoutes(app, bus, await platform.signedIn());
  await registerWidgetApi(app, platform, bus, widgetLimits);
  await registerAttachmentUpload(app, platform);
}
