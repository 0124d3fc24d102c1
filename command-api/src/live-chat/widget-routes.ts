import { randomUUID } from 'node:crypto';
import { CHAT_MESSAGE_MAX, text, VISITOR_NAME_MAX } from '@chat/events';
import { AppError, ForbiddenError, NotFoundError, RateLimitedError, type HttpServer } from '@chat/platform';
import { requireVisitor, visitorOf, type VisitorTokens } from '@chat/platform/auth/visitor-tokens';
import { registerWidgetPreflight, type WidgetOrigins } from '@chat/platform/live-chat/widget-sites';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandBus } from '../commands/bus';
import { toWire } from '../commands/routes';
import { VisitorEmail, WidgetKey } from './commands';
import { RateWindows } from './rate-window';

type Window = readonly [hits: number, windowMs: number];

export interface WidgetLimits {
  startsPerIp: Window;
  /** Sessions an address may hold open at once. */
  openSessionsPerIp: number;
  messagesPerSession: Window;
  messagesPerIp: Window;
  otherPerSession: Window;
}

/** How much one address or one visitor may do: [hits, window in ms]. */
export const WIDGET_LIMITS: WidgetLimits = {
  startsPerIp: [10, 60_000],
  openSessionsPerIp: 5,
  messagesPerSession: [20, 10_000],
  messagesPerIp: [200, 10_000],
  otherPerSession: [10, 10_000],
};

export interface WidgetRouteDeps {
  bus: CommandBus;
  tokens: VisitorTokens;
  origins: WidgetOrigins;
  publicOrigin?: string;
  /** WIDGET_LIMITS unless told otherwise (a load generator is one address sending for many visitors). */
  limits?: WidgetLimits;
}

const Position = z.object({ position: z.string() });
const SessionParams = z.strictObject({ id: z.string().max(100) });
const NoBody = z.strictObject({}).optional();

/**
 * The visitor side of Live chat, public and visitor-scoped: start a chat (answers the session id
 * and its visitor token), then with that token write, close, or say a suggestion solved it. The
 * token opens its own session only: every other id is 404. Reads are on the query side.
 */
export async function registerWidgetRoutes(app: HttpServer, deps: WidgetRouteDeps): Promise<void> {
  const windows = new RateWindows();
  const limits = deps.limits ?? WIDGET_LIMITS;
  const limit = (key: string, [max, windowMs]: Window, what: string) => {
    const wait = windows.hit(key, max, windowMs);
    if (wait > 0) throw new RateLimitedError(wait, `Too many ${what}; try again in ${wait} s`);
  };
  const ownSession = (request: FastifyRequest, id: string) => {
    const visitor = visitorOf(request);
    if (visitor.sessionId !== id) throw new NotFoundError('No such chat session');
    return visitor.sessionId;
  };
  const visitorAuth = requireVisitor(deps.tokens);
  registerWidgetPreflight(app as unknown as FastifyInstance, deps.origins);

  await app.register(async (scope) => {
    const widget = scope.withTypeProvider<ZodTypeProvider>();
    // Answers are readable cross-origin only by the sites of the session's widget key.
    widget.addHook('onSend', async (request, reply, payload) => {
      const bodyKey = (request.body as { widgetKey?: unknown } | undefined)?.widgetKey;
      const key =
        request.visitor?.widgetKey ??
        (typeof bodyKey === 'string' && deps.origins.has(bodyKey) ? bodyKey : null);
      deps.origins.cors(request, reply, key);
      return payload;
    });

    widget.post(
      '/api/widget/sessions',
      {
        schema: {
          tags: ['widget'],
          summary: 'Start a chat as a visitor: answers the session id and the visitor token for it',
          body: z.strictObject({
            name: text(1, VISITOR_NAME_MAX),
            email: z.union([z.literal(''), VisitorEmail]).optional(),
            widgetKey: z.string().max(64),
          }),
          response: { 200: z.object({ sessionId: z.uuid(), token: z.string(), position: z.string() }) },
        },
        bodyLimit: 4 * 1024,
      },
      async (request) => {
        const { name, email, widgetKey } = request.body;
        if (!WidgetKey.safeParse(widgetKey).success || !deps.origins.has(widgetKey))
          throw new NotFoundError(
            'This chat is not available: the widget key is unknown',
            'WIDGET_KEY_UNKNOWN',
          );
        if (!deps.origins.allows(widgetKey, request, deps.publicOrigin))
          throw new ForbiddenError(`This site may not use widget key "${widgetKey}"`, 'ORIGIN_NOT_ALLOWED');
        limit(`start:${request.ip}`, limits.startsPerIp, 'new chats from your address');
        if ((await deps.tokens.openSessionsFrom(request.ip)) >= limits.openSessionsPerIp)
          throw new AppError(429, 'TOO_MANY_OPEN_SESSIONS', 'You have too many chats open; close one first', {
            retryAfterSeconds: 60,
          });
        const sessionId = randomUUID();
        const { token } = await deps.tokens.issue({ sessionId, widgetKey, ip: request.ip });
        try {
          const answer = await deps.bus.execute({
            name: 'StartVisitorSession',
            body: { sessionId, visitorName: name, ...(email ? { visitorEmail: email } : {}), widgetKey },
            issuer: { kind: 'visitor', sessionId },
            correlationId: request.id,
          });
          return { sessionId, token, position: answer.position.toString() };
        } catch (error) {
          await deps.tokens.revoke(sessionId);
          throw error;
        }
      },
    );

    widget.post(
      '/api/widget/sessions/:id/messages',
      {
        schema: {
          tags: ['widget'],
          summary: 'Write in your chat (same messageId again: a safe retry); 409 once it is closed',
          params: SessionParams,
          body: z.strictObject({ messageId: z.uuid(), body: text(1, CHAT_MESSAGE_MAX) }),
          response: { 200: Position },
        },
        bodyLimit: 32 * 1024,
        preHandler: visitorAuth,
      },
      async (request) => {
        const sessionId = ownSession(request, request.params.id);
        limit(`message:session:${sessionId}`, limits.messagesPerSession, 'messages');
        limit(`message:ip:${request.ip}`, limits.messagesPerIp, 'messages from your address');
        const answer = await deps.bus.execute({
          name: 'PostVisitorMessage',
          body: { sessionId, ...request.body },
          issuer: { kind: 'visitor', sessionId },
          correlationId: request.id,
        });
        return toWire(answer) as { position: string };
      },
    );

    widget.post(
      '/api/widget/sessions/:id/close',
      {
        schema: {
          tags: ['widget'],
          summary: 'End your chat',
          params: SessionParams,
          body: NoBody,
          response: { 200: Position },
        },
        bodyLimit: 1024,
        preHandler: visitorAuth,
      },
      async (request) => {
        const sessionId = ownSession(request, request.params.id);
        limit(`other:session:${sessionId}`, limits.otherPerSession, 'requests');
        const answer = await deps.bus.execute({
          name: 'CloseSession',
          body: { sessionId },
          issuer: { kind: 'visitor', sessionId },
          correlationId: request.id,
        });
        return toWire(answer) as { position: string };
      },
    );

    widget.post(
      '/api/widget/sessions/:id/suggestions/:articleId/solved',
      {
        schema: {
          tags: ['widget'],
          summary: 'A suggested article solved it: closes the chat as self-served',
          params: z.strictObject({ id: z.string().max(100), articleId: z.string().max(100) }),
          body: NoBody,
          response: { 200: Position },
        },
        bodyLimit: 1024,
        preHandler: visitorAuth,
      },
      async (request) => {
        const sessionId = ownSession(request, request.params.id);
        limit(`other:session:${sessionId}`, limits.otherPerSession, 'requests');
        const answer = await deps.bus.execute({
          name: 'MarkSuggestionSolved',
          body: { sessionId, articleId: request.params.articleId },
          issuer: { kind: 'visitor', sessionId },
          correlationId: request.id,
        });
        return toWire(answer) as { position: string };
      },
    );
  });
}
