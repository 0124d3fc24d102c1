import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Config, HttpServer, Logger } from '@chat/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { widgetSites } from '@chat/platform/live-chat/widget-sites';
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
export async function registerWebAssets(config: Config, logger: Logger, options: { build: boolean }) {
  const portalDir = path.join(repoRoot, 'web-vue', 'dist');
  const built = (workspace: 'web-vue' | 'widget', file: string) =>
    options.build ? ensureBuilt(workspace, file, logger) : existsSync(path.join(repoRoot, workspace, 'dist', file));
  const portal = built('web-vue', 'index.html');
  const widget = built('widget', 'widget.js');
  return {
    notFound: (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.url.split('?')[0]!;
      if (!portal || (request.method !== 'GET' && request.method !== 'HEAD') || url.startsWith('/api/') || path.extname(url) !== '') return undefined;
      reply.header('content-security-policy', PORTAL_CSP);
      return reply.sendFile('index.html', portalDir);
    },
    register: async (app: HttpServer) => {
      if (portal && existsSync(portalDir)) {
        await app.register(fastifyStatic, {
          root: portalDir,
          prefix: '/',
          // files are looked up per request, so a rebuild while the server runs is served at once
          wildcard: true,
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

/** The sites allowed to embed the widget (the widget API checks origins against the same list). */
export { widgetSites };
