import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WidgetConfig } from '../shared/site-config';
import { demoPage, demoTopics } from './demo-page';
import { escapeHtml, messagePage } from './html';
import { chatPagePolicy, indexSites, type WidgetSite } from './sites';

export type { WidgetSite } from './sites';

export interface WidgetSiteOptions {
  /** Where `npm run build --workspace widget` wrote widget.js, chat.html and assets/. */
  distDir: string;
  sites: WidgetSite[];
  /** The portal's public origin, when it differs from what requests show (behind a proxy). */
  publicOrigin?: string;
}

const ASSET = /^[A-Za-z0-9_.-]+\.(js|css)$/;
const CONFIG_META = /<meta name="widget-config" content="[^"]*"\s*\/?>/;
const CONTENT_TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

function queryValue(query: unknown, name: string): string | null {
  if (typeof query !== 'object' || query === null) return null;
  const value = (query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

function etagOf(content: Buffer | string): string {
  return `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/**
 * Serves the widget to the world: the loader script, the chat page for the iframe (framable only
 * by the key's origins), its assets, the per-key config, and a demo customer page at /demo.
 */
export async function registerWidgetSite(app: FastifyInstance, options: WidgetSiteOptions): Promise<void> {
  const sites = indexSites(options.sites);
  const dist = (file: string) => join(options.distDir, file);

  const readBuilt = async (reply: FastifyReply, file: string): Promise<Buffer | null> => {
    try {
      return await readFile(dist(file));
    } catch {
      reply
        .code(503)
        .header('Cache-Control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('The widget is not built yet: run `npm run build --workspace widget`.');
      return null;
    }
  };

  app.get('/widget.js', async (request, reply) => {
    const script = await readBuilt(reply, 'widget.js');
    if (!script) return reply;
    const etag = etagOf(script);
    reply
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('X-Content-Type-Options', 'nosniff')
      // Customers embed a fixed URL: short caching so a new release reaches every site soon.
      .header('Cache-Control', 'public, max-age=300, stale-while-revalidate=3600')
      .header('ETag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type(CONTENT_TYPES.js).send(script);
  });

  app.get('/widget/chat', async (request, reply) => {
    const site = sites.get(queryValue(request.query, 'key') ?? '');
    if (!site) {
      return reply
        .code(404)
        .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *")
        .type('text/html; charset=utf-8')
        .send(messagePage('Chat unavailable', 'This chat is not available: the widget key is unknown.'));
    }
    const page = await readBuilt(reply, 'chat.html');
    if (!page) return reply;
    const html = page
      .toString('utf8')
      .replace(CONFIG_META, `<meta name="widget-config" content="${escapeHtml(JSON.stringify(site))}">`);
    return reply
      .header('Content-Security-Policy', chatPagePolicy(site.origins))
      .header('Cache-Control', 'no-cache')
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Content-Type-Options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html);
  });

  app.get('/widget/assets/:file', async (request, reply) => {
    const file = queryValue(request.params, 'file') ?? '';
    const match = ASSET.exec(file);
    if (!match) return reply.code(404).send(errorBody('NOT_FOUND', 'No such widget asset.'));
    let content: Buffer;
    try {
      content = await readFile(dist(join('assets', file)));
    } catch {
      return reply.code(404).send(errorBody('NOT_FOUND', 'No such widget asset.'));
    }
    return reply
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('X-Content-Type-Options', 'nosniff')
      .type(CONTENT_TYPES[match[1] as keyof typeof CONTENT_TYPES])
      .send(content);
  });

  app.get('/api/widget/config', async (request, reply) => {
    reply.header('Vary', 'Origin').header('Cache-Control', 'public, max-age=60');
    const site = sites.get(queryValue(request.query, 'key') ?? '');
    const origin = request.headers.origin;
    if (!site) {
      // Errors are readable from any page so the loader can say clearly why it refuses.
      return reply
        .code(404)
        .header('Access-Control-Allow-Origin', '*')
        .send(errorBody('WIDGET_KEY_UNKNOWN', 'Unknown widget key.'));
    }
    if (origin !== undefined && !site.origins.includes(origin)) {
      return reply
        .code(403)
        .header('Access-Control-Allow-Origin', '*')
        .send(errorBody('ORIGIN_NOT_ALLOWED', `Origin ${origin} may not embed widget key "${site.key}".`));
    }
    if (origin !== undefined) reply.header('Access-Control-Allow-Origin', origin);
    return reply.send(site satisfies WidgetConfig);
  });

  const sendDemo = (request: FastifyRequest, reply: FastifyReply, topic: string | null) => {
    const site = sites.get('demo');
    const pageOrigin = `${request.protocol}://${request.host}`;
    const html = demoPage({
      scriptSrc: `${options.publicOrigin ?? ''}/widget.js`,
      topic,
      configured: !!site,
      allowed: !!site && site.origins.includes(options.publicOrigin ?? pageOrigin),
      pageOrigin: options.publicOrigin ?? pageOrigin,
      query: topic === null ? (queryValue(request.query, 'q')?.trim().slice(0, 100) ?? null) : null,
    });
    if (!html)
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(messagePage('Not found', 'No such help page.'));
    return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  app.get('/demo', async (request, reply) => sendDemo(request, reply, null));
  app.get('/demo/:topic', async (request, reply) => {
    const topic = queryValue(request.params, 'topic');
    return sendDemo(request, reply, topic && demoTopics.includes(topic) ? topic : '?');
  });
}
