import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config, WidgetSite } from '../config';

/** The sites allowed to embed the widget; the embedded mode allows its own demo page. */
export function widgetSites(config: Config): WidgetSite[] {
  if (config.WIDGET_SITES) return config.WIDGET_SITES;
  const own = config.PUBLIC_ORIGIN ?? `http://localhost:${config.PORT}`;
  const origins = [...new Set([own, `http://localhost:${config.PORT}`, `http://127.0.0.1:${config.PORT}`])];
  return [{ key: 'demo', origins, greeting: 'Hi! How can we help?', color: '#2563eb' }];
}

/**
 * Which origins may call the widget API, by widget key. The chat itself runs in an iframe on the
 * portal's own origin; cross-origin calls are allowed only from the sites a key names.
 */
export class WidgetOrigins {
  private readonly byKey: Map<string, ReadonlySet<string>>;
  private readonly all: ReadonlySet<string>;

  constructor(sites: readonly WidgetSite[]) {
    this.byKey = new Map(sites.map((s) => [s.key, new Set(s.origins.map(normalize))]));
    this.all = new Set(sites.flatMap((s) => s.origins.map(normalize)));
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Whether a request's Origin may use this key: no Origin (not a browser, or same-origin GET), the portal's own, or the key's. */
  allows(key: string, request: FastifyRequest, publicOrigin?: string): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (origin === (publicOrigin ?? `${request.protocol}://${request.host}`)) return true;
    return this.byKey.get(key)?.has(origin) ?? false;
  }

  /** Sets the CORS answer headers when the request's Origin belongs to the key (or, for preflights, to any key). */
  cors(request: FastifyRequest, reply: FastifyReply, key: string | null): void {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (!origin) return;
    const allowed = key === null ? this.all.has(origin) : (this.byKey.get(key)?.has(origin) ?? false);
    if (!allowed) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', 'etag, x-position, retry-after');
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header(
        'access-control-allow-headers',
        'authorization, content-type, if-none-match, x-min-position',
      );
      reply.header('access-control-max-age', '600');
    }
  }
}

/**
 * CORS preflights of the widget API. Registered by whichever API comes first (command-api serves
 * the widget's POSTs, query-api its GETs; a gateway may send OPTIONS to either), once per server.
 */
export function registerWidgetPreflight(app: FastifyInstance, origins: WidgetOrigins): void {
  for (const url of ['/api/widget/sessions', '/api/widget/sessions/*']) {
    if (app.hasRoute({ method: 'OPTIONS', url })) continue;
    app.options(url, { schema: { hide: true } }, async (request, reply) => {
      origins.cors(request, reply, null);
      return reply.status(204).send();
    });
  }
}

/** Origins as browsers send them: scheme://host[:port], no trailing slash. */
function normalize(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
