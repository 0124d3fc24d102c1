import { createHash, randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from '../logger';
import { metrics } from '../metrics';
import { SESSION_COOKIE } from '../auth/principal';
import { registerErrorHandling } from './errors';
import { responseSerializerCompiler } from './serializer';

export type HttpServer = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface HttpServerOptions {
  logger: Logger;
  title: string;
  /** Checks that must pass for /ready (database, event store). */
  readiness: () => Promise<void>;
  /** Requests per minute per client (signed-in session, visitor token, or IP). */
  rateLimitPerMinute?: number;
  /** Trust X-Forwarded-For (behind a gateway only). */
  trustProxy?: boolean;
  /** Answers requests no route matched (the portal's client-side routes); undefined falls through to 404. */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A fastify server with what every API of the system shares: zod validation and OpenAPI from
 * the same schemas, the JSON error shape, correlation ids, rate limits, health and metrics.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: (req) => {
      const given = req.headers['x-correlation-id'];
      return typeof given === 'string' && UUID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  registerErrorHandling(app as unknown as FastifyInstance, options.notFound);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: { info: { title: options.title, version: '1.0.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 1_200,
    timeWindow: 60_000,
    keyGenerator: clientKey,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: { code: 'RATE_LIMITED', message: `Too many requests, retry in ${Math.ceil(context.ttl / 1000)} s` },
    }),
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.warn({ url: request.url, status: reply.statusCode }, 'request failed');
  });

  app.get('/api/docs/json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true }, config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    try {
      await options.readiness();
      return { status: 'ready' };
    } catch (error) {
      return reply.status(503).send({ error: { code: 'NOT_READY', message: (error as Error).message } });
    }
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return app;
}

/** Rate-limit key: the bearer token or session cookie when there is one (hashed), else the IP. */
function clientKey(request: { headers: Record<string, string | string[] | undefined>; ip: string; cookies?: Record<string, string | undefined> }): string {
  const auth = request.headers.authorization;
  const token =
    (typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined) ?? request.cookies?.[SESSION_COOKIE];
  return token ? `t:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : `ip:${request.ip}`;
}
