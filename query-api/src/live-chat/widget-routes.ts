import type { ReadModels } from '@chat/projections';
import { NotFoundError, type HttpServer } from '@chat/platform';
import { requireVisitor, visitorOf, type VisitorTokens } from '@chat/platform/auth/visitor-tokens';
import { registerWidgetPreflight, type WidgetOrigins } from '@chat/platform/live-chat/widget-sites';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { withEtag } from '../etag';
import { int8, iso } from './staff';
import { Suggestion } from './transcript';

const WidgetMessage = z.object({
  id: z.string(),
  seq: z.number(),
  from: z.enum(['visitor', 'agent', 'bot']),
  body: z.string(),
  createdAt: z.string(),
  suggestions: z.array(Suggestion).optional(),
});

const WidgetSession = z.object({
  status: z.enum(['WAITING', 'ACTIVE', 'CLOSED']),
  agentJoined: z.boolean(),
  agentName: z.string().nullable(),
  queuePosition: z.number().nullable(),
  messages: z.array(WidgetMessage),
  cursor: z.number(),
});

/**
 * What the visitor's widget polls: status, whether an agent joined (and who), the place in the
 * queue while waiting, and the transcript with the bot's suggestions. ETag/304 per session, so an
 * unchanged poll costs the token check and one row.
 */
export async function registerWidgetQueries(
  app: HttpServer,
  deps: { db: Kysely<ReadModels>; tokens: VisitorTokens; origins: WidgetOrigins },
): Promise<void> {
  const { db } = deps;
  registerWidgetPreflight(app as unknown as FastifyInstance, deps.origins);
  await app.register(async (scope) => {
    const widget = scope.withTypeProvider<ZodTypeProvider>();
    widget.addHook('onSend', async (request, reply, payload) => {
      deps.origins.cors(request, reply, request.visitor?.widgetKey ?? null);
      return payload;
    });
    widget.get(
      '/api/widget/sessions/:id',
      {
        schema: {
          tags: ['widget'],
          summary:
            'Your chat as the visitor sees it (visitor token); `after`: only lines after that sequence number',
          params: z.strictObject({ id: z.string().max(100) }),
          querystring: z.strictObject({ after: z.coerce.number().int().min(0).optional() }),
          response: { 200: WidgetSession },
        },
        preHandler: requireVisitor(deps.tokens),
      },
      async (request, reply) => {
        const { sessionId } = visitorOf(request);
        if (sessionId !== request.params.id) throw new NotFoundError('No such chat session');
        const after = request.query.after ?? 0;
        // The session and, while it waits, how many wait before it: one round trip.
        const head = await db
          .selectFrom('livechat_sessions as s')
          .select(['s.status', 's.agent_joined', 's.agent_id', 's.version'])
          .select(
            sql<string | number | null>`CASE WHEN s.status = 'WAITING' THEN (
              SELECT count(*) FROM livechat_sessions w
              WHERE w.status = 'WAITING' AND w.queued_position < s.queued_position) END`.as('ahead'),
          )
          .where('s.id', '=', sessionId)
          .executeTakeFirst();
        // The token exists, so the session does: it is only not projected yet.
        if (!head)
          return {
            status: 'WAITING' as const,
            agentJoined: false,
            agentName: null,
            queuePosition: null,
            messages: [],
            cursor: after,
          };
        const queuePosition = head.ahead === null ? null : Number(head.ahead) + 1;
        return withEtag(
          request,
          reply,
          `visitor.${int8(head.version)}.${queuePosition ?? '-'}.${after}`,
          async () => {
            const agent =
              head.agent_joined && head.agent_id
                ? await db
                    .selectFrom('users')
                    .select('name')
                    .where('id', '=', head.agent_id)
                    .executeTakeFirst()
                : undefined;
            const rows = await db
              .selectFrom('livechat_messages')
              .select(['id', 'seq', 'sender', 'body', 'created_at', 'suggestions'])
              .where('session_id', '=', sessionId)
              .where('seq', '>', after)
              .orderBy('seq')
              .execute();
            const messages = rows.map((m) => ({
              id: m.id,
              seq: m.seq,
              from: m.sender,
              body: m.body,
              createdAt: iso(m.created_at)!,
              ...(m.suggestions
                ? { suggestions: JSON.parse(m.suggestions) as z.infer<typeof Suggestion>[] }
                : {}),
            }));
            return {
              status: head.status,
              agentJoined: head.agent_joined,
              agentName: agent?.name ?? null,
              queuePosition,
              messages,
              cursor: messages.at(-1)?.seq ?? after,
            };
          },
        );
      },
    );
  });
}
