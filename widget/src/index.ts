export { registerWidgetSite, type WidgetSiteOptions, type WidgetSite } from './server/routes';
export type { WidgetConfig } from './shared/site-config';
