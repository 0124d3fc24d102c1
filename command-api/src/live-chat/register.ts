import type { HttpServer, Platform } from '@chat/platform';
import { VisitorTokens } from '@chat/platform/auth/visitor-tokens';
import { widgetSites, WidgetOrigins } from '@chat/platform/live-chat/widget-sites';
import type { CommandBus } from '../commands/bus';
import { registerWidgetRoutes, type WidgetLimits } from './widget-routes';

/** The visitor-facing POST routes of Live chat (`/api/widget/...`). */
export function registerWidgetApi(
  app: HttpServer,
  platform: Platform,
  bus: CommandBus,
  limits?: WidgetLimits,
): Promise<void> {
  return registerWidgetRoutes(app, {
    bus,
    tokens: new VisitorTokens(platform.database.pool),
    origins: new WidgetOrigins(widgetSites(platform.config)),
    publicOrigin: platform.config.PUBLIC_ORIGIN,
    limits,
  });
}
