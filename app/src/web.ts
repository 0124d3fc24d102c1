import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Config, HttpServer, Logger } from '@chat/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ensureBuilt, repoRoot } from './web-assets';

/** The portal's own pages run only their own scripts; nothing may frame them. */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Serves the built portal at / (with client-side routes), and the widget and demo page. */
export async function registerWebAssets(config: Config, logger: Logger) {
  const portalDir = path.join(repoRoot, 'web-vue', 'dist');
  const portal = ensureBuilt('web-vue', 'index.html', logger);
  const widget = ensureBuilt('widget', 'widget.js', logger);
  return {
    notFound: (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.url.split('?')[0]!;
      if (!portal || request.method !== 'GET' || url.startsWith('/api/') || path.extname(url) !== '') return undefined;
      reply.header('content-security-policy', PORTAL_CSP);
      return reply.sendFile('index.html', portalDir);
    },
    register: async (app: HttpServer) => {
      if (portal && existsSync(portalDir)) {
        await app.register(fastifyStatic, {
          root: portalDir,
          prefix: '/',
          wildcard: false,
          setHeaders: (res, file) => {
            if (file.endsWith('.html')) res.header('content-security-policy', PORTAL_CSP);
            if (file.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
          },
        });
      }
      if (widget) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const { registerWidgetSite } = (await import('@chat/widget' as string)) as any;
        await registerWidgetSite(app as never, {
          distDir: path.join(repoRoot, 'widget', 'dist'),
          sites: widgetSites(config),
          publicOrigin: config.PUBLIC_ORIGIN,
        });
      }
    },
  };
}

/** The sites allowed to embed the widget; the embedded mode allows its own demo page. */
export function widgetSites(config: Config) {
  if (config.WIDGET_SITES) return config.WIDGET_SITES;
  const own = config.PUBLIC_ORIGIN ?? `http://localhost:${config.PORT}`;
  const origins = [...new Set([own, `http://localhost:${config.PORT}`, `http://127.0.0.1:${config.PORT}`])];
  return [{ key: 'demo', origins, greeting: 'Hi! How can we help?', color: '#2563eb' }];
}
